/**
 * ECS managed scaling's policy as EC2 Auto Scaling and CloudWatch show it (fake runtime, metric minute = 1 s): once a
 * cluster uses a capacity provider with managed scaling, DescribePolicies lists `ECSManagedAutoScalingPolicy-<uuid>`
 * on the group (target tracking on the provider's CapacityProviderReservation, its warm-up, its two alarms) and
 * DescribeAlarms its alarms (1 of 1 above the target, 15 of 15 below); a new targetCapacity re-makes it with the same
 * name; turning managed scaling off, or deleting the provider, removes the policy and its alarms.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand, type ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, DeleteCapacityProviderCommand, ECSClient, PutClusterCapacityProvidersCommand, UpdateCapacityProviderCommand,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { aws, cliAvailable } from '../../helpers/cli.js';
import { until } from '../../helpers/poll.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('ECS managed scaling policy in DescribePolicies and DescribeAlarms', () => {
  const berth = useBerth({
    runtime: 'fake', metricsPeriod: 1,
    clients: { asg: AutoScalingClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient, cw: CloudWatchClient },
  });
  const policies = async () => (await berth.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'mp-asg' }))).ScalingPolicies!;
  const alarms = async () => (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-mp-asg-' }))).MetricAlarms!;

  it('appears while a cluster uses the provider, follows targetCapacity, and goes with managed scaling or the provider', async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'mp-lt', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'mp-asg', MinSize: 0, MaxSize: 3, LaunchTemplate: { LaunchTemplateName: 'mp-lt' }, AvailabilityZones: ['us-east-1a'],
    }));
    const asgArn = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['mp-asg'] }))).AutoScalingGroups![0].AutoScalingGroupARN!;
    await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'mp', autoScalingGroupProvider: { autoScalingGroupArn: asgArn, managedScaling: { status: 'ENABLED', targetCapacity: 100, instanceWarmupPeriod: 120 } },
    }));
    // Not yet used by a cluster: no policy (ECS makes it when the provider is associated).
    assert.deepEqual(await policies(), []);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'mp-cluster' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'mp-cluster', capacityProviders: ['mp'], defaultCapacityProviderStrategy: [] }));

    const [p] = await until(policies, (x) => x.length === 1, 'the managed policy listed');
    assert.match(p.PolicyName!, /^ECSManagedAutoScalingPolicy-[0-9a-f-]{36}$/);
    assert.match(p.PolicyARN!, new RegExp(`^arn:aws:autoscaling:us-east-1:\\d{12}:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName/mp-asg:policyName/${p.PolicyName}$`));
    assert.equal(p.PolicyType, 'TargetTrackingScaling');
    assert.equal(p.EstimatedInstanceWarmup, 120);
    assert.equal(p.Enabled, true);
    const c = p.TargetTrackingConfiguration!;
    assert.equal(c.TargetValue, 100);
    assert.equal(c.DisableScaleIn, false);
    assert.deepEqual(c.CustomizedMetricSpecification, {
      MetricName: 'CapacityProviderReservation', Namespace: 'AWS/ECS/ManagedScaling', Statistic: 'Average',
      Dimensions: [{ Name: 'CapacityProviderName', Value: 'mp' }, { Name: 'ClusterName', Value: 'mp-cluster' }],
    });
    const uuid = p.PolicyName!.slice('ECSManagedAutoScalingPolicy-'.length);
    assert.deepEqual(p.Alarms!.map((a) => a.AlarmName).sort(), [`TargetTracking-mp-asg-AlarmHigh-${uuid}`, `TargetTracking-mp-asg-AlarmLow-${uuid}`]);

    const [high, low] = (await alarms()).sort((a, b) => a.AlarmName!.localeCompare(b.AlarmName!));
    assert.equal(high.AlarmArn, p.Alarms!.find((a) => a.AlarmName === high.AlarmName)!.AlarmARN);
    assert.deepEqual([high.ComparisonOperator, high.EvaluationPeriods, high.DatapointsToAlarm, high.Threshold], ['GreaterThanThreshold', 1, 1, 100]);
    assert.deepEqual([low.ComparisonOperator, low.EvaluationPeriods, low.DatapointsToAlarm, low.Threshold], ['LessThanThreshold', 15, 15, 100]);
    for (const a of [high, low]) {
      assert.deepEqual([a.Namespace, a.MetricName, a.Statistic, a.Period, a.Unit], ['AWS/ECS/ManagedScaling', 'CapacityProviderReservation', 'Average', 60, 'Percent']);
      assert.deepEqual(a.AlarmActions, [p.PolicyARN]);
      assert.equal(a.AlarmDescription, `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${p.PolicyARN}.`);
    }

    // A new target re-makes the policy under the same name.
    await berth.ecs.send(new UpdateCapacityProviderCommand({ name: 'mp', autoScalingGroupProvider: { managedScaling: { status: 'ENABLED', targetCapacity: 80, instanceWarmupPeriod: 120 } } }));
    const [p2] = await until(policies, (x) => x[0]?.TargetTrackingConfiguration?.TargetValue === 80, 'the target followed');
    assert.equal(p2.PolicyARN, p.PolicyARN);
    assert.ok((await alarms()).every((a) => a.Threshold === 80));

    // Managed scaling off: policy and alarms go; on again: back.
    await berth.ecs.send(new UpdateCapacityProviderCommand({ name: 'mp', autoScalingGroupProvider: { managedScaling: { status: 'DISABLED' } } }));
    await until(async () => [...await policies(), ...await alarms()], (x) => x.length === 0, 'policy and alarms removed');
    await berth.ecs.send(new UpdateCapacityProviderCommand({ name: 'mp', autoScalingGroupProvider: { managedScaling: { status: 'ENABLED' } } }));
    await until(policies, (x) => x.length === 1, 'policy back');

    // The provider deleted (once no cluster uses it): policy and alarms go.
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'mp-cluster', capacityProviders: [], defaultCapacityProviderStrategy: [] }));
    await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'mp' }));
    await until(async () => [...await policies(), ...await alarms()], (x) => x.length === 0, 'policy and alarms removed with the provider');
  });

  it('awscli v1 lists it as botocore reads it', { skip: !cliAvailable('v1') && 'no awscli v1' }, async () => {
    const asgArn = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['mp-asg'] }))).AutoScalingGroups![0].AutoScalingGroupARN!;
    await berth.ecs.send(new CreateCapacityProviderCommand({ name: 'mp-cli', autoScalingGroupProvider: { autoScalingGroupArn: asgArn, managedScaling: { status: 'ENABLED' } } }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'mp-cluster', capacityProviders: ['mp-cli'], defaultCapacityProviderStrategy: [] }));
    await until(policies, (x) => x.length === 1, 'the managed policy listed');
    const r = await aws('v1', berth.endpoint, ['autoscaling', 'describe-policies', '--auto-scaling-group-name', 'mp-asg']);
    assert.equal(r.code, 0, r.stderr);
    const [p] = r.json.ScalingPolicies as ScalingPolicy[];
    assert.match(p.PolicyName!, /^ECSManagedAutoScalingPolicy-/);
    assert.equal(p.EstimatedInstanceWarmup, 300, 'instanceWarmupPeriod defaults to 300');
    assert.equal(p.TargetTrackingConfiguration!.CustomizedMetricSpecification!.Dimensions![0].Value, 'mp-cli');
  });
});
