/**
 * Issue 16, proof 4's Terraform part: Terraform's AWS provider (5.100, from the filesystem mirror /opt/tf-plugins)
 * manages an ECS service's auto scaling against Berth — `aws_appautoscaling_target` (tags, suspended state),
 * `aws_appautoscaling_policy` (target tracking on a predefined metric and on metric math, step scaling),
 * `aws_appautoscaling_scheduled_action` (cron with a time zone, at(), rate() with start and end) and
 * `aws_cloudwatch_metric_alarm` (single metric, metric math, percentile) whose action is the step policy
 * (fixtures/terraform/autoscaling.tf). `terraform apply`, then `terraform plan -detailed-exitcode` must find
 * nothing to change (every read the provider makes matches what it wrote: any diff is a wire-fidelity defect),
 * then `terraform destroy`. Skipped when terraform or the provider mirror is not on the machine. The fake runtime
 * runs the service: what is proven here is the API as the provider reads it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, DescribeScheduledActionsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { terraformSkipReason, terraformWorkspace, type TerraformWorkspace } from '../helpers/terraform.js';
import { useBerth } from '../helpers/use-berth.js';

const CLUSTER = 'tf';
const RESOURCE = `service/${CLUSTER}/web`;
/** Each terraform command's bound (the provider loads its schema once per command: seconds, more on a busy machine). */
const COMMAND_MS = 240_000;

const skip = terraformSkipReason();

describe('Terraform manages ECS service auto scaling and CloudWatch alarms (AWS provider 5.100)', { skip }, () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient, aas: ApplicationAutoScalingClient, cw: CloudWatchClient } });
  let tf: TerraformWorkspace;

  /** `terraform <args>` in the workspace, its output as one text. */
  async function terraform(...args: string[]): Promise<{ code: number; out: string }> {
    const r = await tf.run(args, { vars: { endpoint: berth.endpoint, cluster: CLUSTER }, timeoutMs: COMMAND_MS });
    return { code: r.code, out: `${r.stdout}${r.stderr}` };
  }
  const alarmNames = async (prefix?: string) =>
    ((await berth.cw.send(new DescribeAlarmsCommand(prefix ? { AlarmNamePrefix: prefix } : {}))).MetricAlarms ?? []).map((a) => a.AlarmName!);

  before(async () => {
    tf = terraformWorkspace('fixtures/terraform/autoscaling.tf');
    // The cluster through the SDK: the provider waits a fixed 10 s after creating one.
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const init = await tf.run(['init'], { timeoutMs: COMMAND_MS });
    assert.equal(init.code, 0, init.stdout + init.stderr);
  });

  after(() => tf?.remove());

  it('terraform apply creates the target, three policies, three scheduled actions and three alarms; Berth holds them', async () => {
    const apply = await terraform('apply', '-auto-approve');
    assert.equal(apply.code, 0, apply.out);
    assert.match(apply.out, /Apply complete! Resources: 12 added, 0 changed, 0 destroyed\./);
    const [target] = (await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE] }))).ScalableTargets!;
    assert.deepEqual([target.MinCapacity, target.MaxCapacity, target.SuspendedState?.DynamicScalingInSuspended], [1, 4, true]);
    const policies = (await berth.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: RESOURCE }))).ScalingPolicies!;
    assert.deepEqual(policies.map((p) => [p.PolicyName, p.PolicyType]).sort(), [
      ['backlog-per-task', 'TargetTrackingScaling'], ['cpu50', 'TargetTrackingScaling'], ['queue-out', 'StepScaling'],
    ]);
    const actions = (await berth.aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: RESOURCE }))).ScheduledActions!;
    assert.deepEqual(actions.map((a) => a.Schedule).sort(), ['at(2030-01-01T09:00:00)', 'cron(0 22 * * ? *)', 'rate(6 hours)']);
    // Target tracking's alarms (cpu50: high and low; backlog-per-task: high only, scale-in disabled) beside the user's.
    assert.equal((await alarmNames(`TargetTracking-${RESOURCE}-AlarmHigh-`)).length, 2);
    assert.equal((await alarmNames(`TargetTracking-${RESOURCE}-AlarmLow-`)).length, 1);
    const queuePolicy = policies.find((p) => p.PolicyName === 'queue-out')!.PolicyARN;
    const { MetricAlarms } = await berth.cw.send(new DescribeAlarmsCommand({ AlarmNames: ['queue-high', 'backlog-math', 'latency-p90'] }));
    assert.deepEqual(MetricAlarms!.map((a) => [a.AlarmName, a.AlarmActions]).sort(), [
      ['backlog-math', [queuePolicy]], ['latency-p90', []], ['queue-high', [queuePolicy]],
    ]);
  });

  it('terraform plan -detailed-exitcode then finds no changes: every read matches what was written', async () => {
    const plan = await terraform('plan', '-detailed-exitcode');
    assert.equal(plan.code, 0, `exit ${plan.code} (2 = changes):\n${plan.out}`);
    assert.match(plan.out, /No changes\. Your infrastructure matches the configuration\./);
  });

  it('terraform destroy removes everything, the target-tracking alarms with their policies', async () => {
    const destroy = await terraform('destroy', '-auto-approve');
    assert.equal(destroy.code, 0, destroy.out);
    assert.match(destroy.out, /Destroy complete! Resources: 12 destroyed\./);
    assert.deepEqual((await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }))).ScalableTargets, []);
    assert.deepEqual((await berth.aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs' }))).ScheduledActions, []);
    assert.deepEqual(await alarmNames(), []);
  });
});
