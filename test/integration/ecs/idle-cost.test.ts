/**
 * Issue 15, work proportional to changes (fake runtime): once its services are steady, an idle Berth runs no
 * scheduler or task pass beyond the safety sweeps' pages (each steady service was passed every 15 s and listed
 * every 30 s before: at 1,000 services ~100 passes a second doing nothing). What a service depends on
 * changing still brings it round at once: a task stopped by StopTask is replaced within a second or two, not at
 * the next timed look; and the steady service goes quiet again afterwards.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, register, waitForService } from '../../helpers/ecs.js';

const SERVICES = 40;
const DESIRED = 2;
const C = 'idle';
const WINDOW_MS = 6_000;

describe('an idle Berth with steady services (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  const driver = () => berth.app.driver as FakeDriver;
  const passes = () => berth.app.controllers.passes();

  /** Passes per controller and engine calls about containers while `fn` runs. */
  async function counted(fn: () => Promise<void>): Promise<{ passes: Record<string, number>; engineCalls: number }> {
    const d = driver();
    let engineCalls = 0;
    const list = d.listContainers.bind(d);
    const inspect = d.inspectContainer.bind(d);
    d.listContainers = (labels) => { engineCalls++; return list(labels); };
    d.inspectContainer = (id) => { engineCalls++; return inspect(id); };
    const p0 = await passes();
    try {
      await fn();
    } finally {
      d.listContainers = list;
      d.inspectContainer = inspect;
    }
    const p1 = await passes();
    return { passes: Object.fromEntries(Object.entries(p1).map(([k, v]) => [k, v - (p0[k] ?? 0)]).filter(([, v]) => v)), engineCalls };
  }

  const allSteady = async () => {
    for (let i = 0; i < SERVICES; i += 10) {
      const out = await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: Array.from({ length: Math.min(10, SERVICES - i) }, (_, k) => `svc-${i + k}`) }));
      if (out.services!.some((s) => s.runningCount !== DESIRED || s.deployments?.[0]?.rolloutState !== 'COMPLETED')) return false;
    }
    return true;
  };

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await register(berth.ecs, {
      family: 'idle', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'example/app:1', essential: true }],
    });
    const networkConfiguration = await fargateNetwork(berth.endpoint);
    for (let i = 0; i < SERVICES; i++) {
      await berth.ecs.send(new CreateServiceCommand({
        cluster: C, serviceName: `svc-${i}`, taskDefinition: 'idle', desiredCount: DESIRED, launchType: 'FARGATE', networkConfiguration,
      }));
    }
    const end = Date.now() + 60_000;
    while (!(await allSteady())) {
      assert.ok(Date.now() < end, 'the services reached a steady state within 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    await berth.app.controllers.idle();
  });

  it(`runs no scheduler or task pass and asks the engine nothing over ${WINDOW_MS / 1000} s with ${SERVICES} steady services (${SERVICES * DESIRED} tasks)`, async () => {
    const idle = await counted(() => new Promise((r) => setTimeout(r, WINDOW_MS)));
    // Only the safety sweeps' pages, a 5 s tick each bringing round its share of a 5-minute round: ceil(80 × 5 / 300) = 2
    // tasks per task controller and ceil(40 × 5 / 300) = 1 service a tick, at most 2 ticks in the window. Before, each
    // steady service was passed every 15 s and every live service every 30 s (here 56 passes in 6 s).
    const ticks = Math.ceil(WINDOW_MS / 5_000);
    const { 'service-scheduler': scheduler = 0, 'task-lifecycle': lifecycle = 0, 'log-shipper': shipper = 0, ...others } = idle.passes;
    assert.ok(scheduler <= ticks * 1, `scheduler passes while idle: ${scheduler}`);
    assert.ok(lifecycle <= ticks * 2 && shipper <= ticks * 2, `task passes while idle: ${lifecycle} lifecycle, ${shipper} log shipper`);
    assert.deepEqual(others, {}, `other controllers' passes while idle: ${JSON.stringify(others)}`);
    assert.ok(idle.engineCalls <= lifecycle, `engine calls while idle: ${idle.engineCalls}`);
  });

  it('a task stopped by StopTask is replaced at once (the change, not a timer, brings the service round), then the service is quiet again', async () => {
    const [arn] = (await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'svc-7' }))).taskArns!;
    const t0 = performance.now();
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: arn, reason: 'idle-cost test' }));
    const s = await waitForService(berth.ecs, C, 'svc-7', (x) => x.runningCount === DESIRED && !!x.events?.some((e) => /has started 1 tasks/.test(e.message!)), 'replacement running', 5_000);
    const ms = performance.now() - t0;
    assert.ok(ms < 3_000, `replaced ${ms.toFixed(0)} ms after StopTask`);
    assert.equal(s.runningCount, DESIRED);
    await berth.app.controllers.idle();
    // The replacement settles (its service's last active look, 1 s after it started), then nothing more.
    await new Promise((r) => setTimeout(r, 1_500));
    await berth.app.controllers.idle();
    const after = await counted(() => new Promise((r) => setTimeout(r, 3_000)));
    // Again only a sweep tick's pages at most.
    assert.ok((after.passes['service-scheduler'] ?? 0) <= 1, `passes after settling: ${JSON.stringify(after.passes)}`);
    assert.ok((after.passes['task-lifecycle'] ?? 0) <= 2, `passes after settling: ${JSON.stringify(after.passes)}`);
  });
});
