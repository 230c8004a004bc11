/**
 * EC2 Auto Scaling groups through the v3 SDK (query protocol, XML): what a group shows once it converges, scale-in
 * protection honoured by the default termination policy, TerminateInstanceInAutoScalingGroup, and refusals.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand, SetInstanceProtectionCommand,
  TerminateInstanceInAutoScalingGroupCommand, UpdateAutoScalingGroupCommand, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { useBerth } from '../../helpers/use-berth.js';

async function rejects(p: Promise<unknown>, name: string, message: RegExp) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name, e.message);
    assert.match(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, 400);
    return true;
  });
}

describe('EC2 Auto Scaling groups through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { asg: AutoScalingClient, ec2: EC2Client, ssm: SSMClient } });
  before(async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
  });

  const describeGroup = async () => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups![0];
  async function until(done: (g: AutoScalingGroup) => boolean, what: string): Promise<AutoScalingGroup> {
    for (let n = 0; n < 80; n++) {
      const g = await describeGroup();
      if (done(g)) return g;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out: ${what}`);
  }
  const inService = (g: AutoScalingGroup) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService');

  it('converges, honours scale-in protection, and terminates an instance on request', async () => {
    await rejects(berth.asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 1, MaxSize: 2, DesiredCapacity: 3, LaunchTemplate: { LaunchTemplateName: 'web' }, AvailabilityZones: ['us-east-1a'] })),
      'ValidationError', /^Desired capacity:3 must be between the specified min size:1 and max size:2$/);
    await rejects(berth.asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 1, MaxSize: 2, LaunchTemplate: { LaunchTemplateName: 'nope' }, AvailabilityZones: ['us-east-1a'] })),
      'ValidationError', /^You must use a valid fully-formed launch template\./);
    await rejects(berth.asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 1, MaxSize: 2, LaunchTemplate: { LaunchTemplateName: 'web' } })),
      'ValidationError', /At least one Availability Zone or VPC Subnet is required\./);
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web', MinSize: 0, MaxSize: 4, DesiredCapacity: 2, LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
      AvailabilityZones: ['us-east-1a', 'us-east-1b'], Tags: [{ Key: 'app', Value: 'web', PropagateAtLaunch: true }],
    }));
    const g = await until((x) => inService(x).length === 2, 'two in service');
    assert.equal(g.DesiredCapacity, 2);
    assert.equal(g.HealthCheckType, 'EC2');
    assert.deepEqual(g.TerminationPolicies, ['Default']);
    assert.deepEqual(g.Tags, [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'app', Value: 'web', PropagateAtLaunch: true }]);
    assert.deepEqual(g.Instances!.map((i) => i.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b']);
    assert.ok(g.Instances!.every((i) => i.HealthStatus === 'Healthy' && i.LaunchTemplate?.LaunchTemplateName === 'web'));

    const [keep, other] = g.Instances!.map((i) => i.InstanceId!);
    await berth.asg.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: 'web', InstanceIds: [keep], ProtectedFromScaleIn: true }));
    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));
    const one = await until((x) => x.Instances!.length === 1, 'one left');
    assert.equal(one.Instances![0].InstanceId, keep, 'the protected instance stays');
    assert.ok(!one.Instances!.some((i) => i.InstanceId === other));

    await rejects(berth.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 5 })), 'ValidationError', /^Max bound, 4, must be greater than or equal to min bound, 5$/);
    const out = await berth.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: keep, ShouldDecrementDesiredCapacity: true }));
    assert.equal(out.Activity!.Description, `Terminating EC2 instance: ${keep}`);
    assert.equal(out.Activity!.StatusCode, 'InProgress');
    const empty = await until((x) => x.Instances!.length === 0, 'empty');
    assert.equal(empty.DesiredCapacity, 0);
    await rejects(berth.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: keep, ShouldDecrementDesiredCapacity: true })),
      'ValidationError', /^Instance Id not found - No managed instance found for instance ID: /);
  });
});
