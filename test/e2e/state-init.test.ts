/**
 * `berth up --init DIR` seeds a new state once: the scripts run with the AWS
 * CLI pointed at Berth, and a restart on the same data dir does not run them again.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';

describe('berth up --init', () => {
  const work = mkdtempSync(join(tmpdir(), 'berth-init-'));
  let berth: SpawnedBerth | undefined;
  after(async () => {
    await berth?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the init scripts in order once for a new state, and not on a restart', async () => {
    const dir = join(work, 'init.d');
    mkdirSync(dir);
    const marker = join(work, 'ran.txt');
    writeFileSync(join(dir, '01-cluster.sh'), `aws --endpoint-url "$BERTH_ENDPOINT" ecs create-cluster --cluster-name seeded >/dev/null\necho one >> ${marker}\n`);
    writeFileSync(join(dir, '02-second.sh'), `echo two >> ${marker}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'not a script');
    const args = ['--data-dir', join(work, 'data'), '--init', dir];
    // The ready line means ready: by the time it is printed, every init script has run.
    berth = await spawnBerth(args, {}, 120_000);
    assert.equal(readFileSync(marker, { encoding: 'utf8', flag: 'a+' }), 'one\ntwo\n');
    const ecs = new ECSClient(clientConfig(berth.endpoint));
    assert.deepEqual((await ecs.send(new ListClustersCommand({}))).clusterArns, ['arn:aws:ecs:us-east-1:000000000000:cluster/seeded']);
    ecs.destroy();
    await berth.stop();
    berth = await spawnBerth(args);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(readFileSync(marker, 'utf8'), 'one\ntwo\n', 'not run again');
  });
});
