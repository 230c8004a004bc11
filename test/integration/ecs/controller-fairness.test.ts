/**
 * Issue 15, fair scheduling: while the controllers work through a backlog of reconciles that resolve without
 * I/O (every running task looked at again on the fake runtime), an SDK call is still answered promptly: the
 * reconcile runtime returns to the event loop between slices of work instead of draining its queue first.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';

const TASKS = 1_500;

describe('controller fairness (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  const C = 'fair';

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    const net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'fair', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true }],
    });
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < TASKS / 10) {
        next++;
        await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'fair', launchType: 'FARGATE', networkConfiguration: net, count: 10 }));
      }
    }));
    await berth.app.controllers.idle();
  });

  it(`answers DescribeClusters promptly while ${TASKS} running tasks are reconciled again`, async () => {
    // Latencies of the calls answered while the controllers still had work queued.
    const during: number[] = [];
    const all: number[] = [];
    let drained = false;
    berth.app.controllers.resync();
    const idle = berth.app.controllers.idle().then(() => { drained = true; });
    for (let i = 0; i < 20 && !drained; i++) {
      const t0 = performance.now();
      const out = await berth.ecs.send(new DescribeClustersCommand({ clusters: [C] }));
      const ms = performance.now() - t0;
      all.push(ms);
      assert.equal(out.clusters?.[0].runningTasksCount, TASKS);
      if (!drained) during.push(ms);
    }
    await idle;
    const shown = all.map((m) => m.toFixed(0)).join(', ');
    // Before the runtime yielded, the first call was answered only once the whole backlog had run (seconds).
    assert.ok(during.length >= 3, `at least 3 calls answered while the backlog ran; ${during.length} were (calls took ${shown} ms)`);
    const median = [...during].sort((a, b) => a - b)[Math.floor(during.length / 2)];
    assert.ok(median < 200, `the median call answered within 200 ms while the controllers were busy; calls took ${shown} ms`);
  });
});
