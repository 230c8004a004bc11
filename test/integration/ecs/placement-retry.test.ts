/**
 * A service whose tasks find no room (fake runtime): the scheduler looks again after a second, then less and less
 * often (up to every 15 s), so a waiting service costs a pass now and then rather than one a second (issue 15), and
 * its events are not flooded with the same "unable to place" line; what makes room — here another task of the
 * cluster stopping — wakes it at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterContainerInstanceCommand, RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { register } from '../../helpers/ecs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a service waiting for room (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });

  it('backs off its placement retries and is woken when a task of its cluster stops', async () => {
    const C = 'room';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await berth.ecs.send(new RegisterContainerInstanceCommand({
      cluster: C,
      totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 256 }],
    }));
    await register(berth.ecs, {
      family: 'half', containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true, memory: 128 }],
    });
    // A standalone task holds half the instance; the service wants two halves: one fits, one waits.
    const holder = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'half', launchType: 'EC2' }));
    assert.equal(holder.tasks?.length, 1, JSON.stringify(holder.failures));
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'waiting', taskDefinition: 'half', desiredCount: 2, launchType: 'EC2' }));

    const describe = async () => (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['waiting'] }))).services![0];
    await sleep(4_000);
    const windowStart = Date.now();
    await sleep(6_000);
    const s = await describe();
    const unplaced = (s.events ?? []).filter((e) => e.message?.includes('was unable to place a task'));
    assert.ok(unplaced.length >= 1, 'the service says why its task waits');
    // Retried every second this window would hold six; backing off (1, 2, 4, 8 s…) it holds one or two.
    const recent = unplaced.filter((e) => e.createdAt!.getTime() >= windowStart - 50);
    assert.ok(recent.length <= 2, `${recent.length} placement events in 6 s: ${recent.map((e) => e.createdAt!.toISOString()).join(', ')}`);
    assert.equal(s.runningCount, 1);

    // The holder stopping frees room: the waiting service is woken by it, well before its next timed look.
    const stoppedAt = Date.now();
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: holder.tasks![0].taskArn }));
    let running = 0;
    while (Date.now() - stoppedAt < 4_000) {
      running = (await describe()).runningCount ?? 0;
      if (running === 2) break;
      await sleep(100);
    }
    assert.equal(running, 2, 'the second task started once the holder stopped');
  });
});
