/**
 * Durability across crashes and restarts: a Berth on a data dir is killed with
 * SIGKILL (no clean-up at all) and restarted on the same dir. Every write that
 * was acknowledged with a 200 must be there afterwards, and the database must
 * be whole.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  ECSClient, CreateClusterCommand, DeleteClusterCommand, DescribeClustersCommand, UpdateClusterSettingsCommand,
  paginateListClusters, type Cluster,
} from '@aws-sdk/client-ecs';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';

const BURST = 300;
const CONCURRENCY = 16;
/** Kill once this many writes were acknowledged: well inside the burst. */
const KILL_AFTER_ACKS = 100;

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-restart-'));
  dirs.push(dir);
  return dir;
}

const running: SpawnedBerth[] = [];
async function start(dir: string): Promise<SpawnedBerth> {
  const berth = await spawnBerth(['--data-dir', dir]);
  running.push(berth);
  return berth;
}

async function describeAll(ecs: ECSClient, names: string[]): Promise<Map<string, Cluster>> {
  const found = new Map<string, Cluster>();
  // DescribeClusters takes at most 100 names per call.
  for (let i = 0; i < names.length; i += 100) {
    const out = await ecs.send(new DescribeClustersCommand({ clusters: names.slice(i, i + 100), include: ['SETTINGS', 'TAGS'] }));
    for (const c of out.clusters ?? []) found.set(c.clusterName!, c);
  }
  return found;
}

async function listAll(ecs: ECSClient): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateListClusters({ client: ecs, pageSize: 100 }, {})) arns.push(...(page.clusterArns ?? []));
  return arns;
}

/** A cluster as stored must be a whole document whose ARN, name and account agree. */
function assertWhole(c: Cluster, account = '000000000000', region = 'us-east-1') {
  assert.equal(c.clusterArn, `arn:aws:ecs:${region}:${account}:cluster/${c.clusterName}`);
  assert.ok(c.status === 'ACTIVE' || c.status === 'INACTIVE', `status ${c.status}`);
  assert.deepEqual(c.settings?.map((s) => s.name), ['containerInsights']);
}

/** Opens the file read-only after Berth stopped: SQLite's own check plus every row's JSON. */
function assertDbWhole(dir: string) {
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    const rows = db.prepare('SELECT account, region, name, arn, status, doc FROM ecs_clusters').all() as Record<string, string>[];
    for (const row of rows) {
      const doc = JSON.parse(row.doc) as Cluster;
      assert.equal(doc.clusterName, row.name);
      assert.equal(doc.clusterArn, row.arn);
      assert.equal(doc.status, row.status);
    }
    return rows.length;
  } finally {
    db.close();
  }
}

describe('Berth restarts on its data dir', () => {
  after(async () => {
    for (const b of running) await b.kill9();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every CreateCluster acknowledged before a SIGKILL mid-burst is there after restart, and the database is whole', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const ecs = new ECSClient(clientConfig(first.endpoint));
    const acked: string[] = [];
    let failedAfterKill = 0;
    let next = 0;
    let killing: Promise<void> | undefined;
    const worker = async () => {
      while (next < BURST) {
        const name = `burst-${next++}`;
        let out;
        try {
          out = await ecs.send(new CreateClusterCommand({ clusterName: name, tags: [{ key: 'n', value: name }] }));
        } catch (err) {
          // Only requests cut off by the kill may fail.
          assert.ok(killing, `a request failed before the kill: ${(err as Error).message}`);
          failedAfterKill++;
          continue;
        }
        assert.equal(out.cluster?.clusterName, name);
        acked.push(name);
        if (acked.length === KILL_AFTER_ACKS) killing = first.kill9();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killing;
    ecs.destroy();
    assert.ok(acked.length >= KILL_AFTER_ACKS && acked.length < BURST, `killed mid-burst (${acked.length} acked)`);
    assert.ok(failedAfterKill > 0);

    const second = await start(dir);
    const ecs2 = new ECSClient(clientConfig(second.endpoint));
    try {
      const found = await describeAll(ecs2, acked);
      const lost = acked.filter((n) => !found.has(n));
      assert.deepEqual(lost, [], `acknowledged writes lost after kill -9: ${lost.length}`);
      for (const name of acked) {
        const c = found.get(name)!;
        assertWhole(c);
        assert.equal(c.status, 'ACTIVE');
        assert.deepEqual(c.tags, [{ key: 'n', value: name }]);
      }
      // Every listed cluster (acknowledged or not) describes as a whole cluster.
      const listed = await listAll(ecs2);
      assert.ok(listed.length >= acked.length);
      const names = listed.map((arn) => arn.slice(arn.lastIndexOf('/') + 1));
      const described = await describeAll(ecs2, names);
      assert.equal(described.size, names.length);
      for (const c of described.values()) assertWhole(c);
    } finally {
      ecs2.destroy();
    }
    await second.stop();
    assert.equal(second.child.exitCode, 0);
    assert.ok(assertDbWhole(dir) >= acked.length);
  });

  it('a cluster, its tags and settings, and a deletion survive kill -9 and restart', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const ecs = new ECSClient(clientConfig(first.endpoint));
    const west = new ECSClient(clientConfig(first.endpoint, 'us-west-2', { accessKeyId: '111111111111', secretAccessKey: 'x' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'keep', tags: [{ key: 'team', value: 'web' }] }));
    await ecs.send(new UpdateClusterSettingsCommand({ cluster: 'keep', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'gone' }));
    await ecs.send(new DeleteClusterCommand({ cluster: 'gone' }));
    await west.send(new CreateClusterCommand({ clusterName: 'elsewhere' }));
    ecs.destroy();
    west.destroy();
    await first.kill9();

    const second = await start(dir);
    const ecs2 = new ECSClient(clientConfig(second.endpoint));
    const west2 = new ECSClient(clientConfig(second.endpoint, 'us-west-2', { accessKeyId: '111111111111', secretAccessKey: 'x' }));
    try {
      const found = await describeAll(ecs2, ['keep', 'gone']);
      assert.equal(found.get('keep')?.status, 'ACTIVE');
      assert.deepEqual(found.get('keep')?.tags, [{ key: 'team', value: 'web' }]);
      assert.deepEqual(found.get('keep')?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
      assert.equal(found.get('gone')?.status, 'INACTIVE');
      assert.deepEqual(await listAll(ecs2), ['arn:aws:ecs:us-east-1:000000000000:cluster/keep']);
      assert.deepEqual(await listAll(west2), ['arn:aws:ecs:us-west-2:111111111111:cluster/elsewhere']);
    } finally {
      ecs2.destroy();
      west2.destroy();
    }
  });

  it('SIGTERM shuts Berth down cleanly with exit code 0, and the next start sees the data', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const ecs = new ECSClient(clientConfig(first.endpoint));
    await ecs.send(new CreateClusterCommand({ clusterName: 'before-term' }));
    ecs.destroy();
    await first.stop();
    assert.equal(first.child.exitCode, 0);
    assert.equal(first.child.signalCode, null);
    assert.match(first.output(), /SIGTERM received, shutting down/);
    assertDbWhole(dir);

    const second = await start(dir);
    const ecs2 = new ECSClient(clientConfig(second.endpoint));
    try {
      const found = await describeAll(ecs2, ['before-term']);
      assert.equal(found.get('before-term')?.status, 'ACTIVE');
    } finally {
      ecs2.destroy();
    }
  });
});
