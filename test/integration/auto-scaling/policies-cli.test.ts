/**
 * EC2 Auto Scaling's scaling operations through both AWS CLIs (awscli v2 and the Python v1 on botocore; query
 * protocol, XML), fake runtime, metric minute = 1 s: step and target-tracking policies put, listed and run
 * (execute-policy), scheduled actions with a recurrence, lifecycle hooks, the activities they leave, and deletes that
 * take a policy's alarms and the group's policies, actions and hooks with them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`EC2 Auto Scaling policies, schedules and hooks through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake', metricsPeriod: 1 });
    const run = (...args: string[]) => aws(cli, berth.endpoint, args);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
      return r.json;
    };
    const G = ['--auto-scaling-group-name', 'web'];

    it('puts, lists, runs and deletes policies, scheduled actions and hooks; activities tell what happened', async () => {
      const ami = (await ok('ssm', 'get-parameter', '--name', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64')).Parameter.Value;
      await ok('ec2', 'create-launch-template', '--launch-template-name', 'web', '--launch-template-data', JSON.stringify({ ImageId: ami, InstanceType: 't3.micro' }));
      await ok('autoscaling', 'create-auto-scaling-group', ...G, '--launch-template', 'LaunchTemplateName=web', '--min-size', '1', '--max-size', '4',
        '--desired-capacity', '1', '--availability-zones', 'us-east-1a');

      const step = await ok('autoscaling', 'put-scaling-policy', ...G, '--policy-name', 'out', '--policy-type', 'StepScaling', '--adjustment-type', 'ChangeInCapacity',
        '--step-adjustments', 'MetricIntervalLowerBound=0,ScalingAdjustment=2');
      assert.match(step.PolicyARN, /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/web:policyName\/out$/);
      const tt = await ok('autoscaling', 'put-scaling-policy', ...G, '--policy-name', 'cpu', '--policy-type', 'TargetTrackingScaling',
        '--target-tracking-configuration', JSON.stringify({ PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 40 }));
      assert.deepEqual(tt.Alarms.map((a: any) => a.AlarmName.replace(/[0-9a-f-]{36}$/, '<uuid>')).sort(), ['TargetTracking-web-AlarmHigh-<uuid>', 'TargetTracking-web-AlarmLow-<uuid>']);
      const listed = await ok('autoscaling', 'describe-policies', ...G, '--policy-types', 'StepScaling');
      assert.deepEqual(listed.ScalingPolicies.map((p: any) => [p.PolicyName, p.AdjustmentType, p.StepAdjustments]), [['out', 'ChangeInCapacity', [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }]]]);
      const bad = await run('autoscaling', 'execute-policy', ...G, '--policy-name', 'out');
      assert.match(bad.stderr, /\(ValidationError\).*MetricValue and BreachThreshold/);
      await ok('autoscaling', 'execute-policy', ...G, '--policy-name', 'out', '--metric-value', '90', '--breach-threshold', '50');
      const g = (await ok('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web')).AutoScalingGroups[0];
      assert.equal(g.DesiredCapacity, 3);

      await ok('autoscaling', 'put-scheduled-update-group-action', ...G, '--scheduled-action-name', 'nightly', '--recurrence', '0 22 * * MON-FRI',
        '--time-zone', 'America/New_York', '--min-size', '1', '--max-size', '2');
      const actions = await ok('autoscaling', 'describe-scheduled-actions', ...G);
      assert.deepEqual(actions.ScheduledUpdateGroupActions.map((a: any) => [a.ScheduledActionName, a.Recurrence, a.TimeZone, a.MinSize, a.MaxSize]),
        [['nightly', '0 22 * * MON-FRI', 'America/New_York', 1, 2]]);
      const badCron = await run('autoscaling', 'put-scheduled-update-group-action', ...G, '--scheduled-action-name', 'x', '--recurrence', '0 25 * * *', '--min-size', '1');
      assert.match(badCron.stderr, /\(ValidationError\).*recurrence/);

      await ok('autoscaling', 'put-lifecycle-hook', ...G, '--lifecycle-hook-name', 'boot', '--lifecycle-transition', 'autoscaling:EC2_INSTANCE_LAUNCHING',
        '--heartbeat-timeout', '120', '--default-result', 'CONTINUE');
      const hooks = await ok('autoscaling', 'describe-lifecycle-hooks', ...G);
      assert.deepEqual(hooks.LifecycleHooks.map((h: any) => [h.LifecycleHookName, h.LifecycleTransition, h.HeartbeatTimeout, h.GlobalTimeout, h.DefaultResult]),
        [['boot', 'autoscaling:EC2_INSTANCE_LAUNCHING', 120, 12000, 'CONTINUE']]);

      const acts = await ok('autoscaling', 'describe-scaling-activities', ...G);
      const launches = acts.Activities.filter((a: any) => a.Description.startsWith('Launching a new EC2 instance: i-'));
      assert.ok(launches.some((a: any) => /a user request executed policy out changing the desired capacity from 1 to 3\./.test(a.Cause)), JSON.stringify(acts.Activities));
      assert.ok(acts.Activities.every((a: any) => typeof a.StartTime === 'string' && a.AutoScalingGroupName === 'web' && typeof a.Progress === 'number'));

      await ok('autoscaling', 'delete-policy', ...G, '--policy-name', 'cpu');
      const alarms = await ok('cloudwatch', 'describe-alarms', '--alarm-name-prefix', 'TargetTracking-web-');
      assert.deepEqual(alarms.MetricAlarms, []);
      await ok('autoscaling', 'delete-lifecycle-hook', ...G, '--lifecycle-hook-name', 'boot');
      await ok('autoscaling', 'delete-scheduled-action', ...G, '--scheduled-action-name', 'nightly');
      assert.deepEqual((await ok('autoscaling', 'describe-scheduled-actions', ...G)).ScheduledUpdateGroupActions, []);
      await ok('autoscaling', 'delete-auto-scaling-group', ...G, '--force-delete');
    });
  });
}
