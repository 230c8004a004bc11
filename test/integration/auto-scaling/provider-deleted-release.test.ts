/**
 * Tearing down ECS-on-EC2 capacity in the order Terraform destroys it (fake runtime): the cluster drops the capacity
 * provider, the provider (managed draining and termination protection) is deleted, then the group is drained —
 * UpdateAutoScalingGroup to 0, SetInstanceProtection off — and deleted. With the provider gone its managed-draining
 * hook goes too: the instances terminate instead of waiting in Terminating:Wait for an ECS that no longer drains them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, SetInstanceProtectionCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, DeleteCapacityProviderCommand, ECSClient, ListContainerInstancesCommand, PutClusterCapacityProvidersCommand,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { eventually } from '../../helpers/elbv2.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('a deleted capacity provider releases its group’s managed-draining hook (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 0.5, clients: { asg: AutoScalingClient, cw: CloudWatchClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient } });

  it('the group drains to 0 and is deleted once the provider is gone', async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'td' }));
    await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'td', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=td >> /etc/ecs/ecs.config').toString('base64') },
    }));
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'td', MinSize: 2, MaxSize: 2, LaunchTemplate: { LaunchTemplateName: 'td' }, AvailabilityZones: ['us-east-1a'],
      NewInstancesProtectedFromScaleIn: true,
    }));
    const group = async () => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['td'] }))).AutoScalingGroups?.[0];
    const arn = (await group())!.AutoScalingGroupARN!;
    await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'td', autoScalingGroupProvider: {
        autoScalingGroupArn: arn, managedTerminationProtection: 'ENABLED', managedDraining: 'ENABLED',
        managedScaling: { status: 'ENABLED', targetCapacity: 100 },
      },
    }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'td', capacityProviders: ['td'], defaultCapacityProviderStrategy: [{ capacityProvider: 'td', weight: 1 }] }));
    await eventually(async () => ((await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'td' }))).containerInstanceArns ?? []).length === 2, 15_000);

    const alarms = async () => ((await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-td-' }))).MetricAlarms ?? []).length;
    await eventually(async () => (await alarms()) === 2, 15_000);
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'td', capacityProviders: [], defaultCapacityProviderStrategy: [] }));
    // No cluster uses the provider: its managed-scaling policy goes (as Terraform's destroy waits ~10 s here).
    await eventually(async () => (await alarms()) === 0, 15_000);
    await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'td' }));
    await berth.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'td', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 }));
    const ids = (await group())!.Instances!.map((i) => i.InstanceId!);
    await berth.asg.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: 'td', InstanceIds: ids, ProtectedFromScaleIn: false }));
    await eventually(async () => (await group())!.Instances!.length === 0, 15_000).catch(async (err) => {
      throw new Error(`${err.message}: ${JSON.stringify((await group())!.Instances)}`);
    });
    await berth.asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'td' }));
    assert.equal(await group(), undefined);
  });
});
