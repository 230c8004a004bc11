/**
 * EC2 Auto Scaling's scaling state survives a crash (`berth up --metrics-period 1s`, fake runtime): a policy, an
 * instance held in Pending:Wait by a launch hook, its activities, and a scheduled action put before a SIGKILL — after
 * the restart the hook's action completes the launch and the scheduled action still fires.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AutoScalingClient, CompleteLifecycleActionCommand, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand,
  DescribeScalingActivitiesCommand, PutScalingPolicyCommand, PutScheduledUpdateGroupActionCommand, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { berthsOnOneDataDir, clientConfig } from '../../helpers/berth.js';

describe('EC2 Auto Scaling across a SIGKILL', () => {
  const berths = berthsOnOneDataDir('asg-restart', ['--metrics-period', '1s']);

  it('a policy, a lifecycle wait and a scheduled action put before the kill are there, and go on, after it', async () => {
    const first = await berths.start();
    const asg = new AutoScalingClient(clientConfig(first.endpoint));
    const ec2 = new EC2Client(clientConfig(first.endpoint));
    const ssm = new SSMClient(clientConfig(first.endpoint));
    const ami = (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }))).Parameter!.Value!;
    await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'lt', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'durable', MinSize: 0, MaxSize: 4, DesiredCapacity: 1, LaunchTemplate: { LaunchTemplateName: 'lt' }, AvailabilityZones: ['us-east-1a'],
      LifecycleHookSpecificationList: [{ LifecycleHookName: 'boot', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 3600 }],
    }));
    const { PolicyARN } = await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'durable', PolicyName: 'plus', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1 }));
    const group = async (c: AutoScalingClient) => (await c.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['durable'] }))).AutoScalingGroups![0];
    const until = async (c: AutoScalingClient, done: (g: AutoScalingGroup) => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      for (let g = await group(c); !done(g); g = await group(c)) {
        if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(g.Instances)}`);
        await sleep(200);
      }
    };
    await until(asg, (g) => g.Instances?.[0]?.LifecycleState === 'Pending:Wait', 'held in Pending:Wait');
    // Eight metric minutes from now: eight real seconds, most of them after the kill.
    await asg.send(new PutScheduledUpdateGroupActionCommand({
      AutoScalingGroupName: 'durable', ScheduledActionName: 'later', StartTime: new Date(Date.now() + 8 * 60_000), MinSize: 2,
    }));
    asg.destroy();
    ec2.destroy();
    ssm.destroy();
    await first.kill9();

    const second = await berths.start();
    const asg2 = new AutoScalingClient(clientConfig(second.endpoint));
    const [p] = (await asg2.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'durable' }))).ScalingPolicies!;
    assert.equal(p.PolicyARN, PolicyARN);
    const g = await group(asg2);
    assert.deepEqual(g.Instances!.map((i) => i.LifecycleState), ['Pending:Wait']);
    await asg2.send(new CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'durable', LifecycleHookName: 'boot', InstanceId: g.Instances![0].InstanceId, LifecycleActionResult: 'CONTINUE',
    }));
    await until(asg2, (x) => x.Instances?.[0]?.LifecycleState === 'InService', 'in service after the restart');
    await until(asg2, (x) => x.MinSize === 2 && (x.Instances ?? []).length === 2, 'the scheduled action fired after the restart');
    const activities = (await asg2.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'durable' }))).Activities!;
    assert.ok(activities.some((a) => /a scheduled action update of AutoScalingGroup constraints to min: 2, max: 4, desired: 2 changing the desired capacity from 1 to 2\./.test(a.Cause!)));
    assert.equal(activities.find((a) => a.Description === `Launching a new EC2 instance: ${g.Instances![0].InstanceId}`)?.StatusCode, 'Successful');
    asg2.destroy();
  });
});
