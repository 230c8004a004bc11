/**
 * The EC2 launch type on virtual container instances (fake runtime): registration,
 * remaining resources, the cluster query language, placement strategies and
 * constraints, failures, DRAINING, StartTask, deregistration.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, InvalidParameterException,
  ListContainerInstancesCommand, PutAttributesCommand, RegisterContainerInstanceCommand, RunTaskCommand, StartTaskCommand, StopTaskCommand,
  UpdateContainerAgentCommand, UpdateContainerInstancesStateCommand, NoUpdateAvailableException,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

const C = 'ec2';

describe('container instances and placement (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  const arns: string[] = [];

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    for (const [az, type] of [['us-east-1a', 't3.medium'], ['us-east-1b', 't3.medium'], ['us-east-1b', 'c5.large']]) {
      const { containerInstance } = await berth.ecs.send(new RegisterContainerInstanceCommand({
        cluster: C, instanceIdentityDocument: JSON.stringify({ availabilityZone: az, instanceType: type }),
        totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 2048 }],
        attributes: [{ name: 'stack', value: az === 'us-east-1a' ? 'blue' : 'green' }],
      }));
      arns.push(containerInstance!.containerInstanceArn!);
    }
    await register(berth.ecs, {
      family: 'app', networkMode: 'bridge', requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true, memory: 512, cpu: 256, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
    await register(berth.ecs, {
      family: 'fixed-port', networkMode: 'bridge',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true, memory: 128, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
    });
  });

  it('RegisterContainerInstance reports resources, reserved ports and the agent attributes', async () => {
    const { containerInstances } = await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: C, containerInstances: [arns[0]] }));
    const ci = containerInstances![0];
    assert.match(ci.containerInstanceArn!, /^arn:aws:ecs:us-east-1:000000000000:container-instance\/ec2\/[0-9a-f]{32}$/);
    assert.match(ci.ec2InstanceId!, /^i-0[0-9a-f]{16}$/);
    assert.equal(ci.status, 'ACTIVE');
    assert.equal(ci.agentConnected, true);
    assert.equal(ci.registeredResources?.find((r) => r.name === 'MEMORY')?.integerValue, 2048);
    assert.deepEqual(ci.registeredResources?.find((r) => r.name === 'PORTS')?.stringSetValue, ['22', '2375', '2376', '51678', '51679']);
    assert.equal(ci.attributes?.find((a) => a.name === 'ecs.availability-zone')?.value, 'us-east-1a');
    assert.ok(ci.attributes?.some((a) => a.name === 'com.amazonaws.ecs.capability.docker-remote-api.1.18'));
    assert.equal(ci.attributes?.find((a) => a.name === 'stack')?.value, 'blue');
  });

  it('ListContainerInstances filters with the cluster query language', async () => {
    const green = await berth.ecs.send(new ListContainerInstancesCommand({ cluster: C, filter: 'attribute:stack == green' }));
    assert.deepEqual(green.containerInstanceArns, [arns[1], arns[2]]);
    const c5 = await berth.ecs.send(new ListContainerInstancesCommand({ cluster: C, filter: 'ec2InstanceType =~ c5.* and attribute:ecs.availability-zone in [us-east-1b]' }));
    assert.deepEqual(c5.containerInstanceArns, [arns[2]]);
    await assert.rejects(berth.ecs.send(new ListContainerInstancesCommand({ cluster: C, filter: 'attribute:stack ==' })), InvalidParameterException);
  });

  it('RunTask with memberOf places only on matching instances and remaining resources shrink', async () => {
    const out = await berth.ecs.send(new RunTaskCommand({
      cluster: C, taskDefinition: 'app', count: 2, launchType: 'EC2',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1a' }],
    }));
    assert.equal(out.tasks?.length, 2);
    assert.ok(out.tasks!.every((t) => t.containerInstanceArn === arns[0]));
    await waitForTask(berth.ecs, C, out.tasks![0].taskArn!, isRunning, 'RUNNING');
    const { containerInstances } = await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: C, containerInstances: [arns[0]] }));
    assert.equal(containerInstances![0].remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 1024);
    assert.equal(containerInstances![0].remainingResources?.find((r) => r.name === 'CPU')?.integerValue, 1536);
  });

  it('a task too big for every instance fails with RESOURCE:MEMORY per instance', async () => {
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'app', launchType: 'EC2', overrides: { memory: '4096' } }));
    assert.deepEqual(out.tasks, []);
    assert.deepEqual(out.failures?.map((f) => f.reason), ['RESOURCE:MEMORY', 'RESOURCE:MEMORY', 'RESOURCE:MEMORY']);
    assert.deepEqual(out.failures?.map((f) => f.arn), arns);
  });

  it('a static host port can be used once per engine: the instances on it share its host address, RESOURCE:PORTS after that', async () => {
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'fixed-port', launchType: 'EC2', count: 4 }));
    assert.equal(out.tasks?.length, 1);
    assert.deepEqual(out.failures?.map((f) => f.reason), ['RESOURCE:PORTS', 'RESOURCE:PORTS', 'RESOURCE:PORTS']);
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: out.tasks![0].taskArn }));
    await waitForTask(berth.ecs, C, out.tasks![0].taskArn!, isStopped, 'STOPPED');
  });

  it('binpack on memory fills the fullest instance first; spread by zone alternates zones', async () => {
    const packed = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'app', launchType: 'EC2', count: 2, placementStrategy: [{ type: 'binpack', field: 'memory' }] }));
    assert.ok(packed.tasks!.every((t) => t.containerInstanceArn === arns[0]), 'the instance with the least memory left');
    const spread = await berth.ecs.send(new RunTaskCommand({
      cluster: C, taskDefinition: 'app', launchType: 'EC2', count: 2, group: 'spread-test',
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
    }));
    assert.equal(spread.failures?.length, 0, JSON.stringify(spread.failures));
    assert.ok(spread.tasks!.every((t) => t.containerInstanceArn !== arns[0]), 'us-east-1a is full');
  });

  it('a DRAINING instance receives no new tasks; StartTask targets a named instance', async () => {
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [arns[2]], status: 'DRAINING' }));
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'app', launchType: 'EC2', count: 1 }));
    assert.equal(out.tasks![0].containerInstanceArn, arns[1]);
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [arns[2]], status: 'ACTIVE' }));
    const started = await berth.ecs.send(new StartTaskCommand({ cluster: C, taskDefinition: 'app', containerInstances: [arns[2]], startedBy: 'me' }));
    assert.equal(started.tasks![0].containerInstanceArn, arns[2]);
    assert.equal(started.tasks![0].launchType, 'EC2');
  });

  it('attributes put on an instance are used by placement; the agent cannot be updated', async () => {
    await berth.ecs.send(new PutAttributesCommand({ cluster: C, attributes: [{ name: 'gpu', value: 'yes', targetId: arns[2], targetType: 'container-instance' }] }));
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'app', launchType: 'EC2', placementConstraints: [{ type: 'memberOf', expression: 'attribute:gpu == yes' }] }));
    assert.equal(out.tasks![0].containerInstanceArn, arns[2]);
    await assert.rejects(berth.ecs.send(new UpdateContainerAgentCommand({ cluster: C, containerInstance: arns[0] })), NoUpdateAvailableException);
  });

  it('DeregisterContainerInstance refuses an instance with tasks unless forced, which stops them', async () => {
    await assert.rejects(berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: C, containerInstance: arns[2] })), InvalidParameterException);
    const { containerInstance } = await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: C, containerInstance: arns[2], force: true }));
    assert.equal(containerInstance?.status, 'INACTIVE');
    const list = await berth.ecs.send(new ListContainerInstancesCommand({ cluster: C }));
    assert.ok(!list.containerInstanceArns!.includes(arns[2]));
    const tasks = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [(await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'app', launchType: 'EC2' }))).tasks![0].taskArn!] }));
    assert.notEqual(tasks.tasks![0].containerInstanceArn, arns[2]);
  });
});
