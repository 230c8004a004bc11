/**
 * Services on the EC2 launch type (fake runtime): replica tasks spread over
 * container instances, a DRAINING instance's tasks move, and a daemon service
 * keeps one task on every ACTIVE instance.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand,
  RegisterContainerInstanceCommand, UpdateContainerInstancesStateCommand, type Service,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { register } from '../../helpers/ecs.js';

const C = 'svc-ec2';

describe('ECS services on container instances (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  const instances: string[] = [];

  const addInstance = async (az: string) => {
    const { containerInstance } = await berth.ecs.send(new RegisterContainerInstanceCommand({
      cluster: C, instanceIdentityDocument: JSON.stringify({ availabilityZone: az }),
      totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 }],
    }));
    instances.push(containerInstance!.containerInstanceArn!);
    return containerInstance!.containerInstanceArn!;
  };
  const describeService = async (name: string) => (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: [name] }))).services![0];
  async function waitService(name: string, ok: (s: Service) => boolean, what: string) {
    const end = Date.now() + 20_000;
    let s = await describeService(name);
    while (!ok(s)) {
      if (Date.now() > end) throw new Error(`timed out: ${what}: ${JSON.stringify(s.events?.slice(0, 4))}`);
      await new Promise((r) => setTimeout(r, 100));
      s = await describeService(name);
    }
    return s;
  }
  const taskInstances = async (service: string) => {
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: service }));
    if (!taskArns?.length) return [];
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns }));
    return tasks!.map((t) => t.containerInstanceArn!);
  };

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await addInstance('us-east-1a');
    await addInstance('us-east-1b');
    await register(berth.ecs, {
      family: 'web', networkMode: 'bridge', requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, memory: 256, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
  });

  it('a replica service spreads its tasks over the instances by zone', async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'web', desiredCount: 4, launchType: 'EC2' }));
    await waitService('web', (s) => s.runningCount === 4, 'four running');
    const where = await taskInstances('web');
    assert.equal(where.filter((a) => a === instances[0]).length, 2);
    assert.equal(where.filter((a) => a === instances[1]).length, 2);
  });

  it('draining an instance moves its tasks to the others', async () => {
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [instances[0]], status: 'DRAINING' }));
    const end = Date.now() + 20_000;
    let where = await taskInstances('web');
    while ((where.includes(instances[0]) || where.length !== 4) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      where = await taskInstances('web');
    }
    assert.deepEqual(where, [instances[1], instances[1], instances[1], instances[1]]);
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [instances[0]], status: 'ACTIVE' }));
  });

  it('a daemon service runs one task per ACTIVE instance and follows new and draining instances', async () => {
    const { service } = await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'agent', taskDefinition: 'web', schedulingStrategy: 'DAEMON', launchType: 'EC2' }));
    assert.equal(service?.schedulingStrategy, 'DAEMON');
    await waitService('agent', (s) => s.runningCount === 2 && s.desiredCount === 2, 'one per instance');
    assert.deepEqual((await taskInstances('agent')).sort(), [...instances].sort());
    const third = await addInstance('us-east-1c');
    await waitService('agent', (s) => s.runningCount === 3, 'the new instance gets one');
    assert.ok((await taskInstances('agent')).includes(third));
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [third], status: 'DRAINING' }));
    await waitService('agent', (s) => s.runningCount === 2 && s.desiredCount === 2, 'off the draining instance');
  });
});
