/**
 * `bench/control-plane.ts --endpoint` runs against a user's own Berth: it must
 * leave it as it found it, after a full run and after Ctrl-C alike.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CreateClusterCommand, ECSClient, ListClustersCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { REPO_ROOT } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';

interface Run { code: number | null; signal: NodeJS.Signals | null; out: string }

/** Runs the bench against `endpoint`; `onOutput` may act on what it prints (e.g. interrupt it). */
async function bench(endpoint: string, onOutput?: (out: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/control-plane.ts', '--endpoint', endpoint, '--seconds', '1', '--warmup', '0'], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (c: Buffer) => {
    out += c;
    onOutput?.(out, child);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(deadline);
  return { code, signal, out };
}

describe('the control-plane bench against a running Berth', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });

  const state = async () => ({
    clusters: ((await berth.ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map((a) => a.split('/').pop()).sort(),
    taskDefinitions: (await berth.ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns ?? [],
  });

  it('removes the clusters and task-definition revisions it made, and keeps what was there before', async () => {
    // The user's own resources, one with a name the bench also seeds.
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'mine' }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'bench-seed-3' }));
    await berth.ecs.send(new RegisterTaskDefinitionCommand({ family: 'mine', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 64 }] }));
    const before = await state();
    const run = await bench(berth.endpoint);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /ops\/s|p50/);
    assert.match(run.out, /cleaned up: \d+ clusters and \d+ task-definition revisions/);
    assert.deepEqual(await state(), before);
  });

  it('cleans up after Ctrl-C in the middle of the mix', async () => {
    const before = await state();
    let sent = false;
    const run = await bench(berth.endpoint, (out, child) => {
      if (!sent && out.includes('mix against')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    assert.ok(sent, run.out);
    assert.equal(run.code, 130, run.out);
    assert.match(run.out, /cleaned up: \d+ clusters/);
    assert.deepEqual(await state(), before);
  });
});
