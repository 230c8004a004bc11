/**
 * Warm pools (fake runtime): PutWarmPool fills the pool to max size − desired capacity with instances that are
 * prepared and stopped (Warmed:Stopped, EC2 stopped); a scale-out takes warmed instances first (started, then
 * InService; "Launching a new EC2 instance from warm pool: i-…"), and the pool refills to its new size; DeleteWarmPool
 * terminates the pool's instances, then the configuration goes. awscli v2 reads DescribeWarmPool's XML.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DeleteWarmPoolCommand, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, DescribeWarmPoolCommand,
  PutWarmPoolCommand, SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { aws, cliAvailable } from '../../helpers/cli.js';
import { until } from '../../helpers/poll.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('EC2 Auto Scaling warm pools', () => {
  const berth = useBerth({ runtime: 'fake', clients: { asg: AutoScalingClient, ec2: EC2Client, ssm: SSMClient } });
  const pool = async () => berth.asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: 'warm' }));
  const group = async () => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['warm'] }))).AutoScalingGroups![0];
  const ec2State = async (ids: string[]) => new Map((await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))).Reservations!
    .flatMap((r) => r.Instances!).map((i) => [i.InstanceId!, i.State!.Name!]));

  it('keeps warmed instances stopped, scales out from them first, refills, and is deleted with its instances', async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'warm-lt', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'warm', MinSize: 0, MaxSize: 3, DesiredCapacity: 0, LaunchTemplate: { LaunchTemplateName: 'warm-lt' }, AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    }));
    await rejectsNamed(berth.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: 'warm', MinSize: 2, MaxGroupPreparedCapacity: 1 })), 'ValidationError', /MinSize/, 400);
    await rejectsNamed(berth.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: 'warm' })), 'ValidationError', /No warm pool/, 400);
    await berth.asg.send(new PutWarmPoolCommand({ AutoScalingGroupName: 'warm', MinSize: 1 }));

    // Max size 3 − desired 0: three instances, prepared and stopped.
    const warmed = await until(pool, (p) => p.Instances!.length === 3 && p.Instances!.every((i) => i.LifecycleState === 'Warmed:Stopped'), 'three warmed instances');
    assert.deepEqual(warmed.WarmPoolConfiguration, { MinSize: 1, PoolState: 'Stopped' });
    const warmIds = warmed.Instances!.map((i) => i.InstanceId!);
    assert.ok([...(await ec2State(warmIds)).values()].every((s) => s === 'stopped'));
    const g0 = await group();
    assert.equal(g0.WarmPoolSize, 3);
    assert.equal(g0.WarmPoolConfiguration!.PoolState, 'Stopped');
    assert.deepEqual(g0.Instances, []);

    // A scale-out to 2 takes two warmed instances; the pool keeps max(MinSize 1, 3 − 2) = 1.
    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'warm', DesiredCapacity: 2 }));
    const g = await until(group, (x) => x.Instances!.filter((i) => i.LifecycleState === 'InService').length === 2, 'two in service');
    const inService = g.Instances!.map((i) => i.InstanceId!);
    assert.ok(inService.every((id) => warmIds.includes(id)), 'the instances came from the warm pool');
    assert.ok([...(await ec2State(inService)).values()].every((s) => s === 'running'));
    const left = await until(pool, (p) => p.Instances!.length === 1 && p.Instances![0].LifecycleState === 'Warmed:Stopped', 'one left in the pool');
    assert.ok(warmIds.includes(left.Instances![0].InstanceId!));
    const activities = (await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'warm' }))).Activities!;
    assert.equal(activities.filter((a) => a.Description!.startsWith('Launching a new EC2 instance from warm pool: ')).length, 2);
    assert.equal(activities.filter((a) => a.Description!.startsWith('Launching a new EC2 instance into warm pool: ')).length, 3);

    if (cliAvailable('v2')) {
      const r = await aws('v2', berth.endpoint, ['autoscaling', 'describe-warm-pool', '--auto-scaling-group-name', 'warm']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.WarmPoolConfiguration.PoolState, 'Stopped');
      assert.equal(r.json.Instances[0].LifecycleState, 'Warmed:Stopped');
    }

    await berth.asg.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: 'warm' }));
    const gone = await until(pool, (p) => !p.WarmPoolConfiguration && !p.Instances!.length, 'pool deleted');
    assert.deepEqual(gone.Instances, []);
    assert.equal((await ec2State([left.Instances![0].InstanceId!])).get(left.Instances![0].InstanceId!), 'terminated');
    assert.equal((await group()).WarmPoolConfiguration, undefined);
  });
});
