/**
 * DAEMON services and placement (fake runtime): a daemon puts a task on every ACTIVE instance, but Berth's
 * virtual instances on one engine share its host ports, so an instance where the daemon's static host port is
 * already bound (by the daemon's task on another instance of the engine) is left without a task and the service
 * says why with ECS's placement event, instead of starting a task that would fail to bind.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, ListTasksCommand, RegisterContainerInstanceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { register } from '../../helpers/ecs.js';

const PORTS_EVENT = /^\(service agent\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]+\) is already using a port required by your task\. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide\.$/;
const MEMORY_EVENT = /^\(service big\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]+\) has insufficient memory available\. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide\.$/;
const ATTRIBUTE_EVENT = /^\(service picky\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]+\) is missing an attribute required by your task\. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide\.$/;

describe('DAEMON services and placement on one engine (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });

  const addInstances = async (cluster: string) => {
    for (const az of ['us-east-1a', 'us-east-1b']) {
      await berth.ecs.send(new RegisterContainerInstanceCommand({ cluster, instanceIdentityDocument: JSON.stringify({ availabilityZone: az }) }));
    }
  };

  /** Describes the service until `done` holds (20 s at most). */
  const until = async (cluster: string, name: string, done: (s: Service) => boolean): Promise<Service> => {
    const end = Date.now() + 20_000;
    for (;;) {
      const s = (await berth.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0];
      if (done(s)) return s;
      if (Date.now() > end) throw new Error(`timed out: ${JSON.stringify({ running: s.runningCount, pending: s.pendingCount, events: s.events?.slice(0, 4) })}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const placementEvent = (s: Service) => s.events?.find((e) => /was unable to place a task/.test(e.message ?? ''));

  before(async () => {
    await register(berth.ecs, {
      family: 'daemon-static', networkMode: 'bridge',
      containerDefinitions: [{ name: 'agent', image: 'example/agent:1', essential: true, memory: 64, portMappings: [{ containerPort: 8125, hostPort: 18125 }] }],
    });
    await register(berth.ecs, {
      family: 'huge', networkMode: 'bridge',
      containerDefinitions: [{ name: 'big', image: 'example/agent:1', essential: true, memory: 10_000_000 }],
    });
    await register(berth.ecs, {
      family: 'needs-gpu', networkMode: 'bridge', placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == p3.2xlarge' }],
      containerDefinitions: [{ name: 'app', image: 'example/agent:1', essential: true, memory: 64 }],
    });
  });

  it('a DAEMON service with a static host port runs one task per engine and records ECS placement event for the other instance', async () => {
    const C = 'daemon-ports';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await addInstances(C);
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'agent', taskDefinition: 'daemon-static', schedulingStrategy: 'DAEMON', launchType: 'EC2' }));
    const s = await until(C, 'agent', (x) => x.runningCount === 1 && !!placementEvent(x));
    assert.match(placementEvent(s)!.message!, PORTS_EVENT);
    // A few more passes: still one task, and none was ever started only to fail on the port.
    await new Promise((r) => setTimeout(r, 1500));
    const running = await berth.ecs.send(new ListTasksCommand({ cluster: C, desiredStatus: 'RUNNING' }));
    const stopped = await berth.ecs.send(new ListTasksCommand({ cluster: C, desiredStatus: 'STOPPED' }));
    assert.equal(running.taskArns?.length, 1);
    assert.deepEqual(stopped.taskArns, []);
    const after = (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['agent'] }))).services![0];
    assert.equal(after.deployments?.[0].failedTasks ?? 0, 0);
  });

  it('a replica service says ECS words for an instance without the memory its task needs or the attribute its placement constraint names', async () => {
    const C = 'placement-words';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await addInstances(C);
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'big', taskDefinition: 'huge', desiredCount: 1, launchType: 'EC2' }));
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'picky', taskDefinition: 'needs-gpu', desiredCount: 1, launchType: 'EC2' }));
    assert.match(placementEvent(await until(C, 'big', (x) => !!placementEvent(x)))!.message!, MEMORY_EVENT);
    assert.match(placementEvent(await until(C, 'picky', (x) => !!placementEvent(x)))!.message!, ATTRIBUTE_EVENT);
  });
});
