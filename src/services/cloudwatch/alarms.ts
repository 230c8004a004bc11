/**
 * Alarms: PutMetricAlarm, PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
 * DescribeAlarmHistory, SetAlarmState, DeleteAlarms, EnableAlarmActions, DisableAlarmActions.
 * The API records configuration and state; the evaluator controller (controllers/cloudwatch-alarms.ts)
 * moves state as metrics arrive. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
import type {
  AlarmHistoryItem, CompositeAlarm, DeleteAlarmsInput, DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput, DescribeAlarmsForMetricInput,
  DescribeAlarmsForMetricOutput, DescribeAlarmsInput, DescribeAlarmsOutput, DisableAlarmActionsInput, EnableAlarmActionsInput, MetricAlarm,
  PutCompositeAlarmInput, PutMetricAlarmInput, SetAlarmStateInput,
} from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../protocol/errors.js';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { addHistory, deleteAlarm, getAlarm, historyOf, listAlarms, saveAlarm, type AlarmRecord, type AlarmType, type StateValue } from './alarm-store.js';
import { alarmArn, applyVerdict, RECORD_ONLY } from './alarm-evaluation.js';
import { parseRule, RuleError, ruleAlarms } from './composite-rule.js';
import { badValue, invalidParameterCombination, invalidParameterValue, resourceNotFound } from './errors.js';
import { checkQueries, validationError } from './metric-data.js';
import { dimsKey } from './metric-store.js';
import { pageOffset, pageToken } from './metrics.js';
import { isStatistic, parseExtended } from './statistics.js';
import { checkTags } from './tags.js';
import { checkDimensions } from './validation.js';

const MAX_ACTIONS = 5;
const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
const ANOMALY_OPERATORS = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const DAY = 86400;

export const alarmChanged = (ctx: RequestContext, name: string) => ctx.changed('cloudwatch.alarm', `${ctx.account}|${ctx.region}|${name}`);

function checkActions(input: { OKActions?: string[]; AlarmActions?: string[]; InsufficientDataActions?: string[] }) {
  for (const key of ['OKActions', 'AlarmActions', 'InsufficientDataActions'] as const) {
    const list = input[key] ?? [];
    if (list.length > MAX_ACTIONS) throw invalidParameterValue(`The collection ${key} must not have a size greater than ${MAX_ACTIONS}.`);
    for (const a of list) {
      if (!/^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+/.test(a)) throw validationError(`Invalid arn syntax: ${a}`);
    }
  }
}

/**
 * What CloudWatch checks beyond the model: its enums, lengths and ranges (ComparisonOperator, Statistic, Unit,
 * EvaluationPeriods ≥ 1, name lengths…) are refused by the wire layer before this runs (protocol/constraints.ts).
 */
function checkMetricAlarm(input: PutMetricAlarmInput) {
  checkActions(input);
  const op = input.ComparisonOperator!;
  if (ANOMALY_OPERATORS.includes(op) || input.ThresholdMetricId) {
    throw new AwsError('NotImplemented', 'Berth does not evaluate anomaly detection bands (ThresholdMetricId) yet.', { status: 501, sender: false });
  }
  // Not required by the model; CloudWatch's own check words it "MetricName must not be null" (terraform-provider-aws#11105).
  if (op === undefined) throw validationError('ComparisonOperator must not be null');
  if (input.Threshold === undefined) throw validationError('Threshold must be specified.');
  if (input.EvaluationPeriods === undefined) throw validationError('EvaluationPeriods must not be null');
  if (input.DatapointsToAlarm !== undefined && (input.DatapointsToAlarm < 1 || input.DatapointsToAlarm > input.EvaluationPeriods!)) {
    throw validationError('DatapointsToAlarm must be greater than 0 and less than or equal to EvaluationPeriods.');
  }
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData)) throw badValue(input.TreatMissingData, 'TreatMissingData');
  if (input.Metrics?.length) {
    const single = ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions', 'Period', 'Unit'].filter((k) => (input as unknown as Record<string, unknown>)[k] !== undefined);
    if (single.length) throw invalidParameterCombination(`The parameters Metrics and ${single[0]} are mutually exclusive and you have specified both.`);
    checkQueries(input.Metrics, 'Metrics');
    if (input.Metrics.filter((m) => m.ReturnData !== false).length !== 1 && input.Metrics.filter((m) => m.ReturnData === true).length !== 1) {
      throw validationError('Exactly one element of the metrics list should return data.');
    }
    if (input.Metrics.filter((m) => m.MetricStat).length > 10) throw validationError('The metrics list must not contain more than 10 metrics.');
    const period = input.Metrics.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;
    if (period * input.EvaluationPeriods! > DAY && period < 3600) throw validationError('The evaluation period (Period * EvaluationPeriods) must not exceed one day.');
    return;
  }
  if (!input.MetricName) throw validationError('MetricName must not be null');
  if (!input.Namespace) throw validationError('Namespace must not be null');
  checkDimensions(input.Dimensions, 'Dimensions');
  if (!!input.Statistic === !!input.ExtendedStatistic) {
    throw invalidParameterCombination('Exactly one of the parameters Statistic and ExtendedStatistic must be specified.');
  }
  if (input.ExtendedStatistic && (!isStatistic(input.ExtendedStatistic) || !parseExtended(input.ExtendedStatistic))) throw badValue(input.ExtendedStatistic, 'ExtendedStatistic');
  if (input.EvaluateLowSampleCountPercentile !== undefined) {
    if (!['evaluate', 'ignore'].includes(input.EvaluateLowSampleCountPercentile)) throw badValue(input.EvaluateLowSampleCountPercentile, 'EvaluateLowSampleCountPercentile');
    if (parseExtended(input.ExtendedStatistic ?? '')?.kind !== 'p') {
      throw validationError('EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic.');
    }
  }
  const p = input.Period;
  if (p === undefined) throw validationError('Period must be specified.');
  if (!(p === 10 || p === 30 || (p >= 60 && p % 60 === 0))) throw validationError('Period must be 10, 30 or a multiple of 60.');
  if (p * input.EvaluationPeriods! > (p >= 3600 ? 7 * DAY : DAY)) {
    throw validationError(`The evaluation period (Period * EvaluationPeriods) must not exceed ${p >= 3600 ? 'seven days' : 'one day'}.`);
  }
}

/** A new or updated alarm: state kept on update; ConfigurationUpdate in its history; tags only at creation. */
function storeAlarm(ctx: RequestContext, type: AlarmType, name: string, config: Record<string, unknown>, tags: { Key?: string; Value?: string }[] | undefined) {
  const now = ctx.clock.now();
  const existing = getAlarm(ctx.sql, ctx, name);
  if (existing && existing.type !== type) {
    throw invalidParameterCombination(`An alarm named ${name} already exists as a ${existing.type === 'CompositeAlarm' ? 'composite' : 'metric'} alarm.`);
  }
  const arn = alarmArn(ctx, name);
  const doc = { AlarmName: name, AlarmArn: arn, ...config, AlarmConfigurationUpdatedTimestamp: now };
  const record: AlarmRecord = existing
    ? { ...existing, doc, nextEval: null }
    : {
      account: ctx.account, region: ctx.region, name, type, doc, nextEval: null,
      state: { StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', StateUpdatedTimestamp: now, StateTransitionedTimestamp: now },
    };
  saveAlarm(ctx.sql, record);
  addHistory(ctx.sql, ctx, {
    alarmName: name, alarmType: type, ts: now, itemType: 'ConfigurationUpdate',
    summary: `Alarm "${name}" ${existing ? 'updated' : 'created'}`,
    data: JSON.stringify({ version: '1.0', type: existing ? 'Update' : 'Create', [existing ? 'updatedAlarm' : 'createdAlarm']: { ...doc, AlarmConfigurationUpdatedTimestamp: new Date(now).toISOString() } }),
  });
  if (!existing && tags?.length) {
    checkTags(tags as { Key: string; Value: string }[]);
    putTags(ctx, arn, tags.map((t) => ({ key: t.Key!, value: t.Value! })));
  }
  alarmChanged(ctx, name);
  return record;
}

export function putMetricAlarm(ctx: RequestContext, input: PutMetricAlarmInput): Record<string, never> {
  checkMetricAlarm(input);
  const { AlarmName, Tags, ...rest } = input;
  storeAlarm(ctx, 'MetricAlarm', AlarmName!, { ActionsEnabled: true, OKActions: [], AlarmActions: [], InsufficientDataActions: [], ...rest }, Tags);
  return {};
}

export function putCompositeAlarm(ctx: RequestContext, input: PutCompositeAlarmInput): Record<string, never> {
  checkActions(input);
  let children: string[];
  try {
    children = ruleAlarms(parseRule(input.AlarmRule!));
  } catch (err) {
    if (err instanceof RuleError) throw validationError(`Error in AlarmRule: ${err.message}`);
    throw err;
  }
  if (children.includes(input.AlarmName!)) throw validationError('A composite alarm cannot refer to itself in its rule.');
  const missing = children.filter((c) => !getAlarm(ctx.sql, ctx, c));
  if (missing.length) throw validationError(`Could not save the composite alarm as alarms [${missing.join(', ')}] in the alarm rule do not exist`);
  const { AlarmName, Tags, ...rest } = input;
  storeAlarm(ctx, 'CompositeAlarm', AlarmName!, { ActionsEnabled: true, OKActions: [], AlarmActions: [], InsufficientDataActions: [], ...rest }, Tags);
  return {};
}

const toDate = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

function metricAlarmOf(a: AlarmRecord): MetricAlarm {
  const { AlarmConfigurationUpdatedTimestamp, ...doc } = a.doc;
  return {
    ...doc, AlarmConfigurationUpdatedTimestamp: toDate(AlarmConfigurationUpdatedTimestamp),
    StateValue: a.state.StateValue, StateReason: a.state.StateReason, StateReasonData: a.state.StateReasonData,
    StateUpdatedTimestamp: toDate(a.state.StateUpdatedTimestamp), StateTransitionedTimestamp: toDate(a.state.StateTransitionedTimestamp),
  } as MetricAlarm;
}

function compositeAlarmOf(a: AlarmRecord): CompositeAlarm {
  return metricAlarmOf(a) as CompositeAlarm;
}

const actionsOf = (a: AlarmRecord): string[] => [...(a.doc.OKActions ?? []), ...(a.doc.AlarmActions ?? []), ...(a.doc.InsufficientDataActions ?? [])];

export function describeAlarms(ctx: RequestContext, input: DescribeAlarmsInput): DescribeAlarmsOutput {
  if (input.AlarmNames?.length && input.AlarmNamePrefix) {
    throw invalidParameterCombination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.');
  }
  const max = input.MaxRecords ?? 50;
  const types = new Set(input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm']);
  if (input.ChildrenOfAlarmName || input.ParentsOfAlarmName) {
    // These two ignore the other filters but AlarmTypes, as AWS documents.
    if (input.ChildrenOfAlarmName && input.ParentsOfAlarmName) throw invalidParameterCombination('The parameters ChildrenOfAlarmName and ParentsOfAlarmName are mutually exclusive and you have specified both.');
  }
  let alarms = listAlarms(ctx.sql, ctx);
  if (input.ChildrenOfAlarmName) {
    const parent = alarms.find((a) => a.name === input.ChildrenOfAlarmName && a.type === 'CompositeAlarm');
    const names = new Set(parent ? ruleAlarms(parseRule(parent.doc.AlarmRule)) : []);
    alarms = alarms.filter((a) => names.has(a.name));
    if (!input.AlarmTypes?.length) types.add('CompositeAlarm');
  } else if (input.ParentsOfAlarmName) {
    alarms = alarms.filter((a) => a.type === 'CompositeAlarm' && ruleAlarms(parseRule(a.doc.AlarmRule)).includes(input.ParentsOfAlarmName!));
    if (!input.AlarmTypes?.length) types.add('CompositeAlarm');
  } else {
    if (input.AlarmNames?.length) alarms = alarms.filter((a) => input.AlarmNames!.includes(a.name));
    if (input.AlarmNamePrefix) alarms = alarms.filter((a) => a.name.startsWith(input.AlarmNamePrefix!));
    if (input.StateValue) alarms = alarms.filter((a) => a.state.StateValue === input.StateValue);
    if (input.ActionPrefix) alarms = alarms.filter((a) => actionsOf(a).some((x) => x.startsWith(input.ActionPrefix!)));
  }
  alarms = alarms.filter((a) => types.has(a.type));
  const offset = pageOffset(input.NextToken);
  const page = alarms.slice(offset, offset + max);
  const out: DescribeAlarmsOutput = {
    MetricAlarms: page.filter((a) => a.type === 'MetricAlarm').map(metricAlarmOf),
    CompositeAlarms: page.filter((a) => a.type === 'CompositeAlarm').map(compositeAlarmOf),
  };
  if (offset + max < alarms.length) out.NextToken = pageToken(offset + max);
  return out;
}

export function describeAlarmsForMetric(ctx: RequestContext, input: DescribeAlarmsForMetricInput): DescribeAlarmsForMetricOutput {
  const dims = input.Dimensions ? dimsKey(input.Dimensions) : undefined;
  const matches = (m: { Namespace?: string; MetricName?: string; Dimensions?: any[] }) =>
    m.Namespace === input.Namespace && m.MetricName === input.MetricName && (dims === undefined || dimsKey(m.Dimensions) === dims);
  const alarms = listAlarms(ctx.sql, ctx).filter((a) => {
    if (a.type !== 'MetricAlarm') return false;
    const d = a.doc;
    if (d.Metrics) return d.Metrics.some((q: any) => q.MetricStat && matches(q.MetricStat.Metric) && (input.Period === undefined || q.MetricStat.Period === input.Period));
    return matches(d) && (input.Statistic === undefined || d.Statistic === input.Statistic)
      && (input.ExtendedStatistic === undefined || d.ExtendedStatistic === input.ExtendedStatistic)
      && (input.Period === undefined || d.Period === input.Period) && (input.Unit === undefined || d.Unit === input.Unit);
  });
  return { MetricAlarms: alarms.map(metricAlarmOf) };
}

export function describeAlarmHistory(ctx: RequestContext, input: DescribeAlarmHistoryInput): DescribeAlarmHistoryOutput {
  const max = input.MaxRecords ?? 100;
  const types = new Set(input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm', 'CompositeAlarm']);
  let items = historyItems(ctx, input);
  items = items.filter((h) => types.has(h.alarmType) && (!input.HistoryItemType || h.itemType === input.HistoryItemType));
  if (input.ScanBy === 'TimestampAscending') items.reverse();
  const offset = pageOffset(input.NextToken);
  const page = items.slice(offset, offset + max);
  const out: DescribeAlarmHistoryOutput = {
    AlarmHistoryItems: page.map((h): AlarmHistoryItem => ({
      AlarmName: h.alarmName, AlarmType: h.alarmType, Timestamp: new Date(h.ts), HistoryItemType: h.itemType as AlarmHistoryItem['HistoryItemType'],
      HistorySummary: h.summary, HistoryData: h.data,
    })),
  };
  if (offset + max < items.length) out.NextToken = pageToken(offset + max);
  return out;
}

function historyItems(ctx: RequestContext, input: DescribeAlarmHistoryInput) {
  const from = input.StartDate?.getTime() ?? 0;
  const to = input.EndDate?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return historyOf(ctx.sql, ctx, input.AlarmName, from, to);
}

export function setAlarmState(ctx: RequestContext, input: SetAlarmStateInput): Record<string, never> {
  const a = getAlarm(ctx.sql, ctx, input.AlarmName!);
  if (!a) throw resourceNotFound(`Alarm ${input.AlarmName} not found`);
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch {
      throw new AwsError('InvalidFormat', 'Reason data must be a valid JSON object.', { status: 400 });
    }
  }
  applyVerdict(ctx.sql, a, { state: input.StateValue as StateValue, reason: input.StateReason!, reasonData: input.StateReasonData }, ctx.clock.now(), RECORD_ONLY);
  // The state holds until the alarm's next scheduled evaluation, which may set it back (as in AWS).
  return {};
}

export function deleteAlarms(ctx: RequestContext, input: DeleteAlarmsInput): Record<string, never> {
  const names = input.AlarmNames ?? [];
  const missing = names.filter((n) => !getAlarm(ctx.sql, ctx, n));
  if (missing.length) throw resourceNotFound(`The following alarms could not be found: [${missing.join(', ')}]`);
  for (const n of names) {
    deleteAlarm(ctx.sql, ctx, n);
    ctx.sql.get('DELETE FROM tags WHERE arn = ?').run(alarmArn(ctx, n));
    alarmChanged(ctx, n);
  }
  return {};
}

function setActionsEnabled(ctx: RequestContext, names: string[], enabled: boolean) {
  for (const n of names) {
    const a = getAlarm(ctx.sql, ctx, n);
    if (!a) continue;
    a.doc.ActionsEnabled = enabled;
    saveAlarm(ctx.sql, a);
  }
}

export function enableAlarmActions(ctx: RequestContext, input: EnableAlarmActionsInput): Record<string, never> {
  setActionsEnabled(ctx, input.AlarmNames ?? [], true);
  return {};
}

export function disableAlarmActions(ctx: RequestContext, input: DisableAlarmActionsInput): Record<string, never> {
  setActionsEnabled(ctx, input.AlarmNames ?? [], false);
  return {};
}
