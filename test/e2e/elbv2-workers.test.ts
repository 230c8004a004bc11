/**
 * Listener ports are served by data plane worker processes (src/lb/workers.ts):
 * none at boot, started with the first listener, replaced when one dies, and
 * never outliving Berth, whether it stops or is killed with kill -9. With
 * BERTH_LB_WORKERS=0 Berth's own process serves listener ports.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig, spawnBerth, startBerth, type SpawnedBerth, type TestBerth } from '../helpers/berth.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';

/** The part of /proc/<pid>/stat after the command name: state, ppid, … */
function statOf(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Running (not zombie) processes: a dead orphan may wait for a reaper as a zombie. */
const alive = (pid: number) => {
  const s = statOf(pid);
  return !!s && s[0] !== 'Z';
};

/** Live child processes of `pid` that are load balancer workers. */
function workersOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    const s = statOf(child);
    if (!s || s[0] === 'Z' || Number(s[1]) !== pid) continue;
    try {
      if (/lb\/worker\.(js|ts)/.test(readFileSync(`/proc/${child}/cmdline`, 'utf8'))) out.push(child);
    } catch { /* gone meanwhile */ }
  }
  return out.sort((a, b) => a - b);
}

/** A load balancer with one HTTP listener forwarding to `backend`; returns the listener's port. */
async function loadBalancerFor(endpoint: string, backend: Backend): Promise<number> {
  const elb = new ElasticLoadBalancingV2Client(clientConfig(endpoint));
  try {
    const { ids, vpcId } = await defaultSubnets(endpoint);
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backend.port }] }));
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'app', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    const port = await freePort();
    await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }));
    // The port is bound just after CreateListener answers (as on AWS, a listener takes a moment): wait until it accepts.
    await eventually(async () => (await request(port, '/').catch(() => undefined))?.status === 200, 10_000, 50);
    return port;
  } finally {
    elb.destroy();
  }
}

describe('load balancer worker processes', () => {
  let berth: SpawnedBerth | undefined;
  let inProcess: TestBerth | undefined;
  let backend: Backend | undefined;
  after(async () => {
    await berth?.stop();
    await inProcess?.stop();
    await backend?.close();
  });

  it('start with the first listener, serve it, and die with Berth when it is killed with kill -9', async () => {
    backend = await startBackend('app', (_req, res) => res.end('app'));
    berth = await spawnBerth(['--ephemeral'], { BERTH_LB_WORKERS: '2', BERTH_RUNTIME: 'fake' });
    const pid = berth.child.pid!;
    assert.deepEqual(workersOf(pid), [], 'no worker at boot');
    const port = await loadBalancerFor(berth.endpoint, backend);
    assert.equal((await request(port, '/')).body, 'app');
    const workers = await eventually(async () => workersOf(pid).length === 2 && workersOf(pid));

    // One dies: another takes its place, and the listener keeps answering.
    process.kill(workers[0], 'SIGKILL');
    const replaced = await eventually(async () => {
      const now = workersOf(pid);
      return now.length === 2 && !now.includes(workers[0]) && now;
    }, 10_000, 100);
    for (let i = 0; i < 4; i++) assert.equal((await request(port, '/')).body, 'app');

    await berth.kill9();
    berth = undefined;
    await eventually(async () => replaced.every((w) => !alive(w)), 10_000, 100);
    await assert.rejects(request(port, '/'), 'nothing listens once Berth is gone');
  });

  it('stop with Berth when it shuts down', async () => {
    backend ??= await startBackend('app', (_req, res) => res.end('app'));
    await berth?.stop(); // left by the test before if it failed
    berth = await spawnBerth(['--ephemeral'], { BERTH_LB_WORKERS: '2', BERTH_RUNTIME: 'fake' });
    const pid = berth.child.pid!;
    const port = await loadBalancerFor(berth.endpoint, backend);
    assert.equal((await request(port, '/')).body, 'app');
    const workers = await eventually(async () => workersOf(pid).length === 2 && workersOf(pid));
    await berth.stop();
    berth = undefined;
    await eventually(async () => workers.every((w) => !alive(w)), 10_000, 100);
  });

  it('with BERTH_LB_WORKERS=0 Berth serves listener ports in its own process', async () => {
    backend ??= await startBackend('app', (_req, res) => res.end('app'));
    inProcess = await startBerth({ runtime: 'fake', lbWorkers: 0 });
    const port = await loadBalancerFor(inProcess.endpoint, backend);
    assert.equal((await request(port, '/')).body, 'app');
    assert.deepEqual(workersOf(process.pid), []);
  });
});
