/**
 * Static host ports on virtual container instances (fake runtime): the
 * instances of one engine share its host address, so a port a task holds on
 * one is unavailable on all; placement leaves the next task unplaced with
 * ECS's RESOURCE:PORTS (RunTask) or its placement event (services). That such
 * a task is never started is proven on Docker in test/e2e/ecs-ec2-zones-ports.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterContainerInstanceCommand, RunTaskCommand,
  StopTaskCommand, type Service,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

describe('static host ports on one engine (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });

  const addInstances = async (cluster: string) => {
    for (const az of ['us-east-1a', 'us-east-1b']) {
      await berth.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: JSON.stringify({ availabilityZone: az }) }));
    }
  };

  before(async () => {
    await register(berth.ecs, {
      family: 'static', networkMode: 'bridge',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, memory: 64, portMappings: [{ containerPort: 80, hostPort: 18500 }] }],
    });
    await register(berth.ecs, {
      family: 'hostnet', networkMode: 'host',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, memory: 64, portMappings: [{ containerPort: 18600 }] }],
    });
  });

  it('RunTask leaves a second task with the same static host port unplaced with RESOURCE:PORTS, on every instance', async () => {
    const C = 'ports-run';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await addInstances(C);
    const first = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'static', launchType: 'EC2' }));
    assert.equal(first.tasks?.length, 1);
    const second = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'static', launchType: 'EC2' }));
    assert.deepEqual(second.tasks, []);
    assert.deepEqual(second.failures?.map((f) => f.reason), ['RESOURCE:PORTS', 'RESOURCE:PORTS']);
    // Once the holder has stopped, the port is free again.
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: first.tasks![0].taskArn }));
    await waitForTask(berth.ecs, C, first.tasks![0].taskArn!, isStopped, 'STOPPED');
    const third = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'static', launchType: 'EC2' }));
    assert.equal(third.tasks?.length, 1, JSON.stringify(third.failures));
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: third.tasks![0].taskArn }));
    await waitForTask(berth.ecs, C, third.tasks![0].taskArn!, isStopped, 'STOPPED');
  });

  it('a port held in another cluster on the same engine is taken too, and host networking counts its container ports', async () => {
    const A = 'ports-a';
    const B = 'ports-b';
    for (const c of [A, B]) {
      await berth.ecs.send(new CreateClusterCommand({ clusterName: c }));
      await addInstances(c);
    }
    const held = await berth.ecs.send(new RunTaskCommand({ cluster: A, taskDefinition: 'hostnet', launchType: 'EC2' }));
    await waitForTask(berth.ecs, A, held.tasks![0].taskArn!, isRunning, 'RUNNING');
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: B, taskDefinition: 'hostnet', launchType: 'EC2' }));
    assert.deepEqual(out.tasks, []);
    assert.deepEqual(out.failures?.map((f) => f.reason), ['RESOURCE:PORTS', 'RESOURCE:PORTS']);
    await berth.ecs.send(new StopTaskCommand({ cluster: A, task: held.tasks![0].taskArn }));
  });

  it('a service with a static host port runs one task per engine and says why the rest cannot be placed', async () => {
    const C = 'ports-svc';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await addInstances(C);
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'static', desiredCount: 2, launchType: 'EC2' }));
    const end = Date.now() + 20_000;
    let s: Service;
    const placementEvent = (x: Service) => x.events?.find((e) => /was unable to place a task/.test(e.message ?? ''));
    for (;;) {
      s = (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web'] }))).services![0];
      if (s.runningCount === 1 && placementEvent(s)) break;
      if (Date.now() > end) throw new Error(`timed out: ${JSON.stringify({ running: s.runningCount, events: s.events?.slice(0, 3) })}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(placementEvent(s)!.message!,
      /^\(service web\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]+\) is already using a port required by your task\./);
    // Nothing was started only to fail on the port.
    assert.equal(s.deployments?.[0].failedTasks ?? 0, 0);
  });
});
