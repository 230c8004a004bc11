/**
 * What a target-tracking policy's two CloudWatch alarms watch (its predefined or customized metric); CloudWatch's
 * door makes the alarms as AWS does (`TargetTracking-<resource>-AlarmHigh-<uuid>` / `…-AlarmLow-<uuid>`).
 * https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
 */
import { deleteOwnedAlarms, putTargetTrackingAlarms as putAlarmPair, type WatchedMetric } from '../cloudwatch/index.js';
import type { RequestContext } from '../provider.js';
import { validation } from './errors.js';
import type { PolicyDoc } from './store.js';

type Dim = { Name: string; Value: string };
type Watched = WatchedMetric;

const PREDEFINED: Record<string, { namespace: string; metric: string; statistic: string; unit?: string; ecs?: boolean }> = {
  ECSServiceAverageCPUUtilization: { namespace: 'AWS/ECS', metric: 'CPUUtilization', statistic: 'Average', unit: 'Percent', ecs: true },
  ECSServiceAverageMemoryUtilization: { namespace: 'AWS/ECS', metric: 'MemoryUtilization', statistic: 'Average', unit: 'Percent', ecs: true },
  ALBRequestCountPerTarget: { namespace: 'AWS/ApplicationELB', metric: 'RequestCountPerTarget', statistic: 'Sum' },
};

/** Which namespace each family of predefined metric types belongs to (ALBRequestCountPerTarget: ECS services and Spot Fleets). */
const PREDEFINED_NAMESPACES: [string, string[]][] = [
  ['ECSService', ['ecs']], ['ALB', ['ecs', 'ec2']], ['DynamoDB', ['dynamodb']], ['RDS', ['rds']], ['EC2SpotFleet', ['ec2']],
  ['SageMaker', ['sagemaker']], ['AppStream', ['appstream']], ['Comprehend', ['comprehend']], ['Lambda', ['lambda']],
  ['Cassandra', ['cassandra']], ['Kafka', ['kafka']], ['ElastiCache', ['elasticache']], ['Neptune', ['neptune']], ['WorkSpaces', ['workspaces']],
];

const predefinedFits = (type: string, namespace: string) => {
  const family = PREDEFINED_NAMESPACES.find(([prefix]) => type.startsWith(prefix));
  return !family || family[1].includes(namespace);
};

/** The metric a target-tracking configuration names, as alarm fields; undefined for a predefined type Berth has no metric for. */
export function watchedMetric(p: PolicyDoc): Watched | undefined {
  const c = p.TargetTrackingScalingPolicyConfiguration!;
  const pre = c.PredefinedMetricSpecification;
  if (pre) {
    const spec = PREDEFINED[pre.PredefinedMetricType];
    if (!predefinedFits(pre.PredefinedMetricType, p.ServiceNamespace)) {
      throw validation(`Unsupported predefined metric type ${pre.PredefinedMetricType} for service namespace ${p.ServiceNamespace}`);
    }
    if (!spec) return undefined;
    let dims: Dim[];
    if (spec.ecs) {
      const [, cluster, service] = p.ResourceId.split('/');
      dims = [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: service }];
    } else {
      // ResourceLabel: app/<lb>/<lb-id>/targetgroup/<tg>/<tg-id>; the alarm's dimension is the target group's part.
      const label: string | undefined = pre.ResourceLabel;
      const m = label && /^app\/[^/]+\/[^/]+\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label);
      if (!m) throw validation(`Invalid ResourceLabel for predefined metric type ALBRequestCountPerTarget: ${label ?? '(none)'}. It must have the format app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.`);
      dims = [{ Name: 'TargetGroup', Value: m[1] }];
    }
    return { Namespace: spec.namespace, MetricName: spec.metric, Dimensions: dims, Statistic: spec.statistic as never, Unit: spec.unit as never };
  }
  const custom = c.CustomizedMetricSpecification;
  if (!custom) throw validation('Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified.');
  if (custom.Metrics?.length) {
    if (custom.MetricName || custom.Namespace) throw validation('CustomizedMetricSpecification must specify either Metrics or MetricName and Namespace, not both.');
    return {
      Metrics: custom.Metrics.map((q: Record<string, any>) => ({
        Id: q.Id, Expression: q.Expression, Label: q.Label, ReturnData: q.ReturnData,
        MetricStat: q.MetricStat ? { Metric: q.MetricStat.Metric, Stat: q.MetricStat.Stat, Unit: q.MetricStat.Unit, Period: 60 } : undefined,
      })),
    };
  }
  if (!custom.MetricName || !custom.Namespace || !custom.Statistic) {
    throw validation('CustomizedMetricSpecification must specify MetricName, Namespace and Statistic, or Metrics.');
  }
  return { Namespace: custom.Namespace, MetricName: custom.MetricName, Dimensions: custom.Dimensions ?? [], Statistic: custom.Statistic, Unit: custom.Unit };
}

/** Puts (or re-puts, keeping their names) the policy's alarms; deletes the low one when scale-in is disabled. */
export function putTargetTrackingAlarms(ctx: RequestContext, p: PolicyDoc, previous: PolicyDoc['Alarms']): PolicyDoc['Alarms'] {
  const watched = watchedMetric(p);
  if (!watched) {
    deleteOwnedAlarms(ctx, previous.map((a) => a.AlarmName));
    return [];
  }
  const c = p.TargetTrackingScalingPolicyConfiguration!;
  return putAlarmPair(ctx, { resource: p.ResourceId, policyArn: p.PolicyARN, watched, target: c.TargetValue, disableScaleIn: c.DisableScaleIn }, previous.map((a) => a.AlarmName));
}

export function deleteTargetTrackingAlarms(ctx: RequestContext, p: PolicyDoc): void {
  deleteOwnedAlarms(ctx, p.Alarms.map((a) => a.AlarmName));
}
