/**
 * EC2 instances as ECS capacity (fake runtime): an instance launched from an ECS-optimized AMI registers with the
 * cluster its user data names, with its type's CPU and memory; stopping it disconnects its agent and stops its tasks,
 * starting it reconnects the same container instance, terminating it deregisters it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTagsCommand, EC2Client, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, DescribeClustersCommand, DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand, RunTaskCommand,
  type ContainerInstance,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';
import { waitForState } from './support.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const config = (...lines: string[]) => b64(['#!/bin/bash', ...lines.map((l) => `echo '${l}' >> /etc/ecs/ecs.config`)].join('\n'));

describe('EC2 instances join ECS clusters (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client, ecs: ECSClient, ssm: SSMClient } });
  let ecsAmi: string;
  let plainAmi: string;
  before(async () => {
    const get = async (n: string) => (await berth.ssm.send(new GetParameterCommand({ Name: n }))).Parameter!.Value!;
    ecsAmi = await get('/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id');
    plainAmi = await get('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
  });

  /** The cluster's container instance for an EC2 instance, once it has registered. */
  async function instanceIn(cluster: string, ec2Id: string, timeoutMs = 10_000): Promise<ContainerInstance> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      // The cluster may not exist yet (the agent creates `default`).
      const arns = (await berth.ecs.send(new ListContainerInstancesCommand({ cluster })).catch(() => undefined))?.containerInstanceArns ?? [];
      if (arns.length) {
        const { containerInstances } = await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns, include: ['TAGS'] }));
        const ci = containerInstances!.find((c) => c.ec2InstanceId === ec2Id);
        if (ci) return ci;
      }
      if (Date.now() > until) throw new Error(`${ec2Id} did not register in ${cluster}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const describeCi = async (cluster: string, arn: string) =>
    (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }))).containerInstances![0];

  it('registers with the type\'s CPU and memory, its zone, AMI, attributes and tags, and runs EC2 tasks', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'cap' }));
    const r = await berth.ec2.send(new RunInstancesCommand({
      ImageId: ecsAmi, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1b' },
      UserData: config('ECS_CLUSTER=cap', 'ECS_INSTANCE_ATTRIBUTES={"stack":"prod"}', 'ECS_CONTAINER_INSTANCE_TAGS={"team":"infra"}', 'ECS_RESERVED_MEMORY=256'),
    }));
    const i = r.Instances![0];
    const ci = await instanceIn('cap', i.InstanceId!);
    const reg = Object.fromEntries(ci.registeredResources!.map((x) => [x.name, x.type === 'STRINGSET' ? x.stringSetValue : x.integerValue]));
    // m5.large: 2 vCPUs, 8 GiB installed, of which the kernel reports 7984 MiB; less the 256 reserved.
    assert.equal(reg.CPU, 2048);
    assert.equal(reg.MEMORY, 7984 - 256);
    assert.deepEqual(reg.PORTS, ['22', '2375', '2376', '51678', '51679']);
    const attrs = Object.fromEntries(ci.attributes!.map((a) => [a.name, a.value]));
    assert.equal(attrs['ecs.instance-type'], 'm5.large');
    assert.equal(attrs['ecs.availability-zone'], 'us-east-1b');
    assert.equal(attrs['ecs.ami-id'], ecsAmi);
    assert.equal(attrs['ecs.vpc-id'], i.VpcId);
    assert.equal(attrs['ecs.subnet-id'], i.SubnetId);
    assert.equal(attrs.stack, 'prod');
    assert.ok(!('ecs.capability.external' in attrs));
    assert.deepEqual(ci.tags, [{ key: 'team', value: 'infra' }]);
    assert.equal(ci.status, 'ACTIVE');
    assert.equal(ci.agentConnected, true);

    await register(berth.ecs, { family: 'cap-task', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 128, essential: true }] });
    const t = (await berth.ecs.send(new RunTaskCommand({ cluster: 'cap', taskDefinition: 'cap-task', launchType: 'EC2' }))).tasks![0];
    assert.equal(t.containerInstanceArn, ci.containerInstanceArn);
    await waitForTask(berth.ecs, 'cap', t.taskArn!, isRunning, 'RUNNING');

    // Stopped: the agent disconnects, the task stops, nothing new is placed there.
    await berth.ec2.send(new StopInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    const stopped = await waitForTask(berth.ecs, 'cap', t.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stoppedReason, `Host EC2 (instance ${i.InstanceId}) stopped.`);
    assert.equal(stopped.stopCode, 'TerminationNotice');
    await waitForState(berth.ec2, i.InstanceId!, 'stopped');
    const off = await describeCi('cap', ci.containerInstanceArn!);
    assert.equal(off.agentConnected, false);
    assert.equal(off.status, 'ACTIVE');
    const none = await berth.ecs.send(new RunTaskCommand({ cluster: 'cap', taskDefinition: 'cap-task', launchType: 'EC2' }));
    assert.equal(none.tasks!.length, 0);

    // Started again: the same container instance reconnects.
    await berth.ec2.send(new StartInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    await waitForState(berth.ec2, i.InstanceId!, 'running');
    for (let n = 0; n < 50 && !(await describeCi('cap', ci.containerInstanceArn!)).agentConnected; n++) await new Promise((res) => setTimeout(res, 100));
    assert.equal((await describeCi('cap', ci.containerInstanceArn!)).agentConnected, true);
    const t2 = (await berth.ecs.send(new RunTaskCommand({ cluster: 'cap', taskDefinition: 'cap-task', launchType: 'EC2' }))).tasks![0];
    await waitForTask(berth.ecs, 'cap', t2.taskArn!, isRunning, 'RUNNING');

    // Terminated: deregistered, its task stopped.
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    const gone = await waitForTask(berth.ecs, 'cap', t2.taskArn!, isStopped, 'STOPPED');
    assert.equal(gone.stoppedReason, `Host EC2 (instance ${i.InstanceId}) terminated.`);
    assert.equal((await describeCi('cap', ci.containerInstanceArn!)).status, 'INACTIVE');
    assert.deepEqual((await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'cap' }))).containerInstanceArns, []);
  });

  it('without ECS_CLUSTER the agent creates and joins the default cluster; a plain AMI runs no agent', async () => {
    const plain = await berth.ec2.send(new RunInstancesCommand({ ImageId: plainAmi, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
    const r = await berth.ec2.send(new RunInstancesCommand({ ImageId: ecsAmi, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
    const ci = await instanceIn('default', r.Instances![0].InstanceId!);
    assert.equal(ci.registeredResources!.find((x) => x.name === 'MEMORY')!.integerValue, 993);
    await waitForState(berth.ec2, plain.Instances![0].InstanceId!, 'running');
    const { containerInstances } = await berth.ecs.send(new DescribeContainerInstancesCommand({
      cluster: 'default', containerInstances: (await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'default' }))).containerInstanceArns!,
    }));
    assert.deepEqual(containerInstances!.map((c) => c.ec2InstanceId), [r.Instances![0].InstanceId]);
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [plain.Instances![0].InstanceId!, r.Instances![0].InstanceId!] }));
  });

  it('an agent whose cluster does not exist yet keeps trying and joins once it does; an engine tag routes its tasks', async () => {
    const r = await berth.ec2.send(new RunInstancesCommand({
      ImageId: ecsAmi, InstanceType: 't3.small', MinCount: 1, MaxCount: 1, UserData: config('ECS_CLUSTER=later'),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'berth.engine', Value: 'tcp://127.0.0.1:2375' }] }],
    }));
    const id = r.Instances![0].InstanceId!;
    await waitForState(berth.ec2, id, 'running');
    await new Promise((res) => setTimeout(res, 300));
    const { clusters } = await berth.ecs.send(new DescribeClustersCommand({ clusters: ['later'] }));
    assert.equal(clusters!.length, 0, 'the agent does not create a named cluster');
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'later' }));
    const ci = await instanceIn('later', id, 15_000);
    const attrs = Object.fromEntries(ci.attributes!.map((a) => [a.name, a.value]));
    assert.equal(attrs['berth.engine'], 'tcp://127.0.0.1:2375');
    assert.ok(!('ecs.capability.external' in attrs), 'still an EC2 instance');
    await berth.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'x', Value: 'y' }] }));
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  });
});
