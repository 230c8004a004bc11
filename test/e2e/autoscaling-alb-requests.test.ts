/**
 * Issue 16, proofs 2 and 4: load through an Application Load Balancer scales an ECS service on
 * `ALBRequestCountPerTarget` target tracking, on real Docker with compressed time (one CloudWatch minute = 2 s).
 *
 * Real parts only: busybox httpd containers registered in an IP target group, a listener on 127.0.0.1, a bounded
 * load (at most LOAD_RPS requests a second, for at most LOAD_MS) to that listener. The load balancer's data plane
 * counts the requests, CloudWatch's RequestCountPerTarget moves, the policy's high alarm scales the service out,
 * the new tasks answer through the load balancer; when the load stops, the metric is zero (ELB emits zeros for
 * this metric: https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html) and after the
 * low alarm's 15 periods the service scales back in to its minimum.
 *
 * Clients: the scalable target and the policy through awscli 2.9 (JSON 1.1), the alarms through botocore 1.43
 * (`aws` v1: CloudWatch over rpc-v2-cbor), metrics and activities through the SDK v3 (CloudWatch over JSON).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, type ScalingActivity } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws, cliAvailable, type CliName } from '../helpers/cli.js';
import { createWebService, registerHttpdVersions, waitForService } from '../helpers/ecs.js';
import { createAlb, eventually } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { useBerth } from '../helpers/use-berth.js';

const C = 'reqscale';
const RESOURCE = `service/${C}/web`;
/** Real seconds per CloudWatch minute. */
const PERIOD_S = 2;
/** Requests per target per (metric) minute the policy holds the service at. */
const TARGET = 10;
/** The load: 12 requests a real second = 24 a metric minute; on one target 2.4 × TARGET → 3 tasks (the max). */
const LOAD_RPS = 12;
const LOAD_MS = 90_000;

describe('ALBRequestCountPerTarget target tracking on real containers (one metric minute = 2 s)', () => {
  const berth = useBerth({ metricsPeriod: PERIOD_S, clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client, cw: CloudWatchClient, aas: ApplicationAutoScalingClient } });
  let url: string;
  let tgArn: string;
  let tgDimension: string;
  let policyArn: string;
  let load: { stop(): Promise<{ sent: number; failed: string[]; bodies: Set<string> }> } | undefined;

  const cli = async (name: CliName, ...args: string[]) => {
    const r = await aws(name, berth.endpoint, args);
    assert.equal(r.code, 0, `aws ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
    return r.json;
  };
  const waitFor = (ok: (s: Service) => boolean, what: string, ms = 60_000) => waitForService(berth.ecs, C, 'web', ok, what, ms);
  const activities = async (): Promise<ScalingActivity[]> =>
    (await berth.aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: RESOURCE }))).ScalingActivities!;

  /** At most LOAD_RPS requests a second to the listener, until stopped or LOAD_MS have passed. */
  function startLoad() {
    let stopped = false;
    let sent = 0;
    const failed: string[] = [];
    const bodies = new Set<string>();
    const end = Date.now() + LOAD_MS;
    const inflight = new Set<Promise<void>>();
    const run = (async () => {
      while (!stopped && Date.now() < end) {
        sent++;
        const p = fetch(url, { signal: AbortSignal.timeout(5_000) }).then(async (res) => {
          const text = (await res.text()).trim();
          if (res.status === 200) bodies.add(text);
          else failed.push(`${res.status} ${text.slice(0, 60)}`);
        }, (err) => { failed.push(String(err)); });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        await new Promise((r) => setTimeout(r, 1000 / LOAD_RPS));
      }
    })();
    return {
      async stop() {
        stopped = true;
        await run;
        await Promise.all(inflight);
        return { sent, failed, bodies };
      },
    };
  }

  before(async () => {
    const image = ensureBusyboxImage();
    const alb = await createAlb(berth, {
      name: 'reqs', type: 'application', deregistrationDelaySeconds: 1,
      healthCheck: { HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 },
    });
    tgArn = alb.tgArn;
    url = `http://127.0.0.1:${alb.port}/`;
    const lbLabel = alb.lb.LoadBalancerArn!.slice(alb.lb.LoadBalancerArn!.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
    tgDimension = tgArn.slice(tgArn.lastIndexOf(':') + 1);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await registerHttpdVersions(berth.ecs, 'web', image, () => '$(hostname)');
    await createWebService(berth, { cluster: C, taskDefinition: 'web-v1', desiredCount: 1, targetGroupArn: tgArn, healthCheckGracePeriodSeconds: 30 });

    // awscli 2.9 registers the service and puts the policy (JSON 1.1).
    const v2: CliName = cliAvailable('v2') ? 'v2' : 'v1';
    await cli(v2, 'application-autoscaling', 'register-scalable-target', '--service-namespace', 'ecs', '--resource-id', RESOURCE,
      '--scalable-dimension', 'ecs:service:DesiredCount', '--min-capacity', '1', '--max-capacity', '3');
    const put = await cli(v2, 'application-autoscaling', 'put-scaling-policy', '--service-namespace', 'ecs', '--resource-id', RESOURCE,
      '--scalable-dimension', 'ecs:service:DesiredCount', '--policy-name', 'requests', '--policy-type', 'TargetTrackingScaling',
      '--target-tracking-scaling-policy-configuration', JSON.stringify({
        TargetValue: TARGET, ScaleOutCooldown: 60, ScaleInCooldown: 60, DisableScaleIn: false,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: `${lbLabel}/${tgDimension}` },
      }));
    policyArn = put.PolicyARN;
    assert.equal(put.Alarms.length, 2);
  });

  after(async () => {
    await load?.stop();
  });

  it('the policy\'s two alarms watch the target group\'s RequestCountPerTarget (botocore over CBOR)', async () => {
    const { MetricAlarms } = await cli('v1', 'cloudwatch', 'describe-alarms', '--alarm-name-prefix', `TargetTracking-${RESOURCE}-`);
    assert.equal(MetricAlarms.length, 2);
    for (const a of MetricAlarms) {
      assert.deepEqual([a.Namespace, a.MetricName, a.Statistic, a.Dimensions, a.AlarmActions],
        ['AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', [{ Name: 'TargetGroup', Value: tgDimension }], [policyArn]]);
      assert.equal(a.AlarmDescription, `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`);
    }
    const high = MetricAlarms.find((a: { AlarmName: string }) => a.AlarmName.includes('-AlarmHigh-'));
    const low = MetricAlarms.find((a: { AlarmName: string }) => a.AlarmName.includes('-AlarmLow-'));
    assert.deepEqual([high.Threshold, high.EvaluationPeriods, high.ComparisonOperator], [TARGET, 3, 'GreaterThanThreshold']);
    assert.deepEqual([low.Threshold, low.EvaluationPeriods, low.ComparisonOperator], [TARGET * 0.9, 15, 'LessThanThreshold']);
  });

  it('load through the listener scales the service out to its max, and the new tasks serve it', async (t) => {
    await waitFor((s) => s.runningCount === 1 && s.deployments?.[0]?.rolloutState === 'COMPLETED', 'one task serving', 60_000);
    const started = Date.now();
    load = startLoad();
    await waitFor((s) => s.desiredCount === 3, 'a scale-out to 3', 45_000);
    const decidedMs = Date.now() - started;
    // Three periods above the target are needed before the high alarm fires (AWS's floor; the first may be partial).
    assert.ok(decidedMs >= 2 * PERIOD_S * 1000 && decidedMs < 15 * PERIOD_S * 1000, `decided after ${decidedMs} ms`);
    t.diagnostic(`scale-out decided ${decidedMs} ms after the load began (${(decidedMs / 1000 / PERIOD_S).toFixed(1)} metric periods)`);
    await waitFor((s) => s.runningCount === 3, 'three running tasks', 45_000);
    // The three targets turn healthy and the load reaches every container.
    await eventually(async () => {
      const h = (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? [];
      return h.filter((t) => t.TargetHealth?.State === 'healthy').length === 3;
    }, 45_000, 500);
    const seen = new Set<string>();
    await eventually(async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      seen.add((await res.text()).trim());
      return seen.size === 3;
    }, 10_000, 50);
    const result = await load.stop();
    load = undefined;
    assert.deepEqual(result.failed, [], `${result.failed.length} of ${result.sent} requests failed`);
    assert.ok(result.sent <= LOAD_RPS * (LOAD_MS / 1000) + 1);

    const [scaled] = (await activities()).filter((a) => a.StatusCode === 'Successful');
    assert.equal(scaled.Description, 'Setting desired count to 3.');
    assert.match(scaled.Cause!, new RegExp(`^monitor alarm TargetTracking-${RESOURCE}-AlarmHigh-[0-9a-f-]{36} in state ALARM triggered policy requests$`));
    assert.equal(scaled.StatusMessage, 'Successfully set desired count to 3. Change successfully fulfilled by ecs.');
    // What the alarm saw: the target group's requests per target, above TARGET a metric minute.
    const { Datapoints } = await berth.cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: tgDimension }],
      StartTime: new Date(started - 10_000), EndTime: new Date(), Period: 60, Statistics: ['Sum'],
    }));
    assert.ok(Datapoints!.some((d) => d.Sum! > TARGET), JSON.stringify(Datapoints));
  });

  it('after the load stops, the low alarm\'s 15 zero periods scale the service back in to its minimum', async (t) => {
    const stopped = Date.now();
    const s = await waitFor((x) => x.desiredCount === 1, 'a scale-in to 1', 60_000);
    assert.ok(Date.now() - stopped >= 15 * PERIOD_S * 1000 - 2 * PERIOD_S * 1000, `scaled in after ${Date.now() - stopped} ms`);
    t.diagnostic(`scale-in decided ${Date.now() - stopped} ms after the load stopped`);
    await waitFor((x) => x.runningCount === 1, 'one running task', 30_000);
    const [latest] = (await activities()).filter((a) => a.StatusCode === 'Successful');
    assert.equal(latest.Description, 'Setting desired count to 1.');
    assert.match(latest.Cause!, /-AlarmLow-[0-9a-f-]{36} in state ALARM triggered policy requests$/);
    assert.ok(s.events!.length > 0);
    // Zero requests a minute are datapoints, not gaps: that is what lets the low alarm see the quiet.
    const { Datapoints } = await berth.cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions: [{ Name: 'TargetGroup', Value: tgDimension }],
      StartTime: new Date(stopped + 2 * PERIOD_S * 1000), EndTime: new Date(), Period: 60, Statistics: ['Sum'],
    }));
    assert.ok(Datapoints!.length >= 10 && Datapoints!.every((d) => d.Sum === 0), JSON.stringify(Datapoints));
  });
});
