/**
 * Group metrics (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html):
 * EnableMetricsCollection / DisableMetricsCollection record the group's `EnabledMetrics` (granularity `1Minute`, the
 * only one), DescribeMetricCollectionTypes lists them, and `groupMetricData` is what the `ec2-metrics` controller
 * writes to `AWS/AutoScaling` (dimension AutoScalingGroupName) each metric minute for a group that collects them.
 */
import type {
  DescribeMetricCollectionTypesAnswer, DisableMetricsCollectionQuery, EnableMetricsCollectionQuery,
} from '@aws-sdk/client-auto-scaling';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, validationError } from './errors.js';
import { findGroup, groupKey, saveGroup, type StoredGroup } from './store.js';

/** Every group metric, in the order AWS's reference lists them. */
export const GROUP_METRICS = [
  'GroupMinSize', 'GroupMaxSize', 'GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances', 'GroupStandbyInstances',
  'GroupTerminatingInstances', 'GroupTotalInstances', 'GroupInServiceCapacity', 'GroupPendingCapacity', 'GroupStandbyCapacity',
  'GroupTerminatingCapacity', 'GroupTotalCapacity', 'WarmPoolDesiredCapacity', 'WarmPoolWarmedCapacity', 'WarmPoolPendingCapacity',
  'WarmPoolTerminatingCapacity', 'WarmPoolTotalCapacity', 'GroupAndWarmPoolDesiredCapacity', 'GroupAndWarmPoolTotalCapacity',
] as const;
const GRANULARITY = '1Minute';

function checkMetrics(names: string[] | undefined): string[] {
  const bad = (names ?? []).find((n) => !(GROUP_METRICS as readonly string[]).includes(n));
  // Berth's wording: AWS's for an unknown metric was not captured.
  if (bad) throw validationError(`Invalid metric name: ${bad}. Valid metrics are ${GROUP_METRICS.join(', ')}.`);
  return names?.length ? names : [...GROUP_METRICS];
}

export function enableMetricsCollection(ctx: RequestContext, input: EnableMetricsCollectionQuery): Record<string, never> {
  const g = findGroup(ctx, input.AutoScalingGroupName!);
  if (!g) throw groupNotFound(input.AutoScalingGroupName!);
  if (input.Granularity !== GRANULARITY) throw validationError(`Invalid granularity: ${input.Granularity}. The only valid granularity is ${GRANULARITY}.`);
  // No Metrics: every metric (AWS: "If you specify Granularity and don't specify any metrics, all metrics are enabled.").
  const wanted = checkMetrics(input.Metrics);
  const have = new Set((g.EnabledMetrics ?? []).map((m) => m.Metric));
  g.EnabledMetrics = [...(g.EnabledMetrics ?? []), ...wanted.filter((m) => !have.has(m)).map((Metric) => ({ Metric, Granularity: GRANULARITY }))];
  saveGroup(ctx, g);
  ctx.changed('autoscaling.group', groupKey(ctx.account, ctx.region, g.AutoScalingGroupName));
  return {};
}

export function disableMetricsCollection(ctx: RequestContext, input: DisableMetricsCollectionQuery): Record<string, never> {
  const g = findGroup(ctx, input.AutoScalingGroupName!);
  if (!g) throw groupNotFound(input.AutoScalingGroupName!);
  const off = new Set(checkMetrics(input.Metrics));
  g.EnabledMetrics = (g.EnabledMetrics ?? []).filter((m) => !off.has(m.Metric!));
  saveGroup(ctx, g);
  return {};
}

export function describeMetricCollectionTypes(): DescribeMetricCollectionTypesAnswer {
  return { Metrics: GROUP_METRICS.map((Metric) => ({ Metric })), Granularities: [{ Granularity: GRANULARITY }] };
}

/** The groups that collect metrics, with their scope (one indexed scan of the groups table; none: nothing to read). */
export function groupsCollectingMetrics(sql: Statements): { account: string; region: string; group: StoredGroup }[] {
  return (sql.get(`SELECT account, region, doc FROM autoscaling_groups WHERE json_array_length(doc, '$.EnabledMetrics') > 0`).all() as { account: string; region: string; doc: string }[])
    .map((r) => ({ account: r.account, region: r.region, group: JSON.parse(r.doc) as StoredGroup }));
}

/** The group's enabled metrics now: sizes and its instances by lifecycle state (every instance weighs 1 capacity unit). */
export function groupMetricValues(g: StoredGroup, warmPool?: { desired: number; warmed: number; pending: number; terminating: number }): { name: string; value: number }[] {
  const states = (g.Instances ?? []).map((i) => i.LifecycleState ?? '');
  const count = (p: (s: string) => boolean) => states.filter(p).length;
  const inService = count((s) => s === 'InService');
  const pending = count((s) => s.startsWith('Pending'));
  const standby = count((s) => s.startsWith('Standby') || s === 'EnteringStandby');
  const terminating = count((s) => s.startsWith('Terminating'));
  const total = inService + pending + standby + terminating;
  const desired = g.DesiredCapacity ?? 0;
  const pool = warmPool ?? { desired: 0, warmed: 0, pending: 0, terminating: 0 };
  const poolTotal = pool.warmed + pool.pending + pool.terminating;
  const all: Record<(typeof GROUP_METRICS)[number], number> = {
    GroupMinSize: g.MinSize ?? 0, GroupMaxSize: g.MaxSize ?? 0, GroupDesiredCapacity: desired,
    GroupInServiceInstances: inService, GroupPendingInstances: pending, GroupStandbyInstances: standby, GroupTerminatingInstances: terminating, GroupTotalInstances: total,
    GroupInServiceCapacity: inService, GroupPendingCapacity: pending, GroupStandbyCapacity: standby, GroupTerminatingCapacity: terminating, GroupTotalCapacity: total,
    WarmPoolDesiredCapacity: pool.desired, WarmPoolWarmedCapacity: pool.warmed, WarmPoolPendingCapacity: pool.pending, WarmPoolTerminatingCapacity: pool.terminating,
    WarmPoolTotalCapacity: poolTotal, GroupAndWarmPoolDesiredCapacity: desired + pool.desired, GroupAndWarmPoolTotalCapacity: total + poolTotal,
  };
  return (g.EnabledMetrics ?? []).filter((m) => m.Metric! in all).map((m) => ({ name: m.Metric!, value: all[m.Metric as keyof typeof all] }));
}
