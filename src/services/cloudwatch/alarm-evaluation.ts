/**
 * Evaluating an alarm (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html):
 * the last EvaluationPeriods complete periods of its metric (or its math expression's returned
 * series), each a datapoint or missing; TreatMissingData says what a missing one counts as;
 * DatapointsToAlarm of them breaching (by ComparisonOperator against Threshold) is ALARM, fewer is OK;
 * all missing is INSUFFICIENT_DATA (or breaching/not breaching/no change, as TreatMissingData says).
 * Percentile alarms with EvaluateLowSampleCountPercentile=ignore keep their state while a period has
 * fewer samples than the percentile can speak for (10 / (1 − p) samples).
 * Composite alarms are their rule over their children's states.
 */
import type { Statements } from '../../state/db.js';
import { arn } from '../../shared/arns.js';
import { parseRule, evaluateRule, ruleAlarms } from './composite-rule.js';
import {
  alarmReason, COMPARE, insufficientReason, missingTreatedReason, okReason, reasonDate, type Point,
} from './alarm-text.js';
import { addHistory, getAlarm, listAlarms, recordAction, saveAlarm, type AlarmRecord, type StateValue } from './alarm-store.js';
import { runQueries } from './metric-data.js';
import type { MetricTime } from './metric-time.js';
import { bucketsOf, dimsKey, findMetric, hasBuckets, type Scope } from './metric-store.js';
import { periodSamples } from './metrics.js';
import { parseExtended, statistic } from './statistics.js';

export interface Transition {
  state: StateValue;
  reason: string;
  reasonData?: string;
}

/** What an alarm's evaluation concludes: a state (maybe its current one), or no change. */
export type Verdict = Transition | undefined;

/** The period of a metric alarm: its own, or its math expression's returned query's. */
export function periodOf(doc: Record<string, any>): number {
  if (doc.Period) return doc.Period;
  const metrics: any[] = doc.Metrics ?? [];
  const returned = metrics.find((m) => m.ReturnData !== false && m.ReturnData !== undefined) ?? metrics.find((m) => m.ReturnData !== false);
  return returned?.MetricStat?.Period ?? returned?.Period ?? metrics.find((m) => m.MetricStat)?.MetricStat.Period ?? 60;
}

interface Datapoint {
  ts: number;
  value?: number;
  samples?: number;
}

function datapoints(sql: Statements, s: Scope, doc: Record<string, any>, start: number, end: number, period: number, now: number): Datapoint[] {
  const out: Datapoint[] = [];
  for (let t = start; t < end; t += period) out.push({ ts: t });
  const at = (t: number) => out[Math.round((t - start) / period)];
  if (doc.Metrics) {
    const values = runQueries(doc.Metrics, { sql, scope: s, start, end, now });
    const returned = doc.Metrics.find((m: any) => m.ReturnData === true) ?? doc.Metrics.find((m: any) => m.ReturnData !== false);
    const v = values.get(returned.Id);
    const series = Array.isArray(v) ? v[0] : v;
    for (const [t, x] of series?.points ?? []) if (at(t)) at(t).value = x;
    return out;
  }
  const metric = findMetric(sql, s, doc.Namespace, doc.MetricName, dimsKey(doc.Dimensions));
  if (!metric) return out;
  const stat = doc.Statistic ?? doc.ExtendedStatistic;
  for (const p of periodSamples(bucketsOf(sql, metric.id, start, end), start, end, period, doc.Unit).values()) {
    const d = at(p.ts);
    if (!d || d.value !== undefined) continue;
    d.value = statistic(stat, p.samples);
    d.samples = p.samples.count;
  }
  return out;
}

/**
 * How many periods an evaluation reads back: AWS's "evaluation range", which it says depends on the period and
 * resolution without a formula; its one worked example reads 5 for 3 evaluation periods.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data
 */
export const evaluationRange = (evaluationPeriods: number) => evaluationPeriods + 2;

/**
 * AWS's guard against a premature ALARM when data is intermittent: with too few real datapoints, the alarm still
 * goes to ALARM when every real one is breaching and the oldest breaching one among the last N periods is at least
 * M periods old (`- - X - -` at 3 of 3; not `- - - X -`).
 */
function prematureAlarm(lastN: Datapoint[], breaching: (p: Datapoint) => boolean, m: number): boolean {
  const oldest = lastN.findIndex((p) => p.value !== undefined);
  if (oldest < 0 || !breaching(lastN[oldest])) return false;
  return lastN.length - oldest >= m;
}

/**
 * A metric alarm's verdict at metric time `now`, as AWS evaluates one: it reads the evaluation range; with at least
 * EvaluationPeriods real datapoints there it judges the most recent N of them (so a period whose data is still on its
 * way does not count as missing); with fewer, it judges all of them and fills the rest as TreatMissingData says.
 */
export function evaluateMetricAlarm(sql: Statements, a: AlarmRecord, now: number, time: MetricTime): Verdict {
  const doc = a.doc;
  const period = periodOf(doc);
  const n: number = doc.EvaluationPeriods;
  const m: number = doc.DatapointsToAlarm ?? n;
  const end = Math.floor(now / period) * period;
  const slots = datapoints(sql, a, doc, end - evaluationRange(n) * period, end, period, now);
  const real = slots.filter((p) => p.value !== undefined) as Required<Datapoint>[];
  const present = real.length >= n ? real.slice(-n) : real;
  const filled = n - present.length;
  const ext = doc.ExtendedStatistic ? parseExtended(doc.ExtendedStatistic) : undefined;
  if (ext?.kind === 'p' && doc.EvaluateLowSampleCountPercentile === 'ignore') {
    const needed = ext.lo >= 100 ? Infinity : 10 / (1 - ext.lo / 100);
    if (present.some((p) => (p.samples ?? 0) < needed)) return undefined;
  }
  const compare = COMPARE[doc.ComparisonOperator];
  const threshold: number = doc.Threshold;
  const breaching = (p: Datapoint) => compare(p.value!, threshold);
  const treat: string = doc.TreatMissingData ?? 'missing';
  const toPoint = (p: Datapoint): Point => ({ ts: time.toReal(p.ts), value: p.value! });
  const start = Math.min(end - n * period, present[0]?.ts ?? Infinity);
  const reasonData = JSON.stringify({
    version: '1.0', queryDate: reasonDate(time.toReal(now)), startDate: reasonDate(time.toReal(start)),
    ...(doc.Statistic ? { statistic: doc.Statistic } : doc.ExtendedStatistic ? { extendedStatistic: doc.ExtendedStatistic } : {}),
    period, recentDatapoints: present.map((p) => p.value), threshold,
    evaluatedDatapoints: [...present].reverse().map((p) => ({ timestamp: reasonDate(time.toReal(p.ts)), ...(p.samples !== undefined ? { sampleCount: p.samples } : {}), value: p.value })),
  });
  if (!present.length) {
    if (treat === 'ignore') return undefined;
    if (treat === 'missing') return { state: 'INSUFFICIENT_DATA', reason: insufficientReason(n), reasonData };
    const asBreaching = treat === 'breaching';
    return { state: asBreaching && n >= m ? 'ALARM' : 'OK', reason: missingTreatedReason(n, asBreaching), reasonData };
  }
  const crossed = present.filter(breaching);
  const breaches = crossed.length + (treat === 'breaching' ? filled : 0);
  const alarm = (): Transition => ({ state: 'ALARM', reason: alarmReason(crossed.map(toPoint), present.length, doc.ComparisonOperator, threshold, m), reasonData });
  if (breaches >= m) return alarm();
  if (filled > 0 && (treat === 'missing' || treat === 'ignore') && crossed.length === present.length && prematureAlarm(slots.slice(-n), breaching, m)) {
    return treat === 'missing' ? alarm() : undefined;
  }
  const fine = present.filter((p) => !breaching(p));
  return { state: 'OK', reason: okReason(fine.map(toPoint), present.length, doc.ComparisonOperator, threshold, n - m + 1), reasonData };
}

/** A composite alarm's verdict from its children's current states. */
export function evaluateCompositeAlarm(sql: Statements, a: AlarmRecord): Verdict {
  const rule = parseRule(a.doc.AlarmRule);
  const children = new Map<string, AlarmRecord | undefined>();
  for (const name of ruleAlarms(rule)) children.set(name, getAlarm(sql, a, name));
  const value = evaluateRule(rule, (name) => children.get(name)?.state.StateValue);
  const state: StateValue = value ? 'ALARM' : 'OK';
  const triggering = [...children.values()].filter((c): c is AlarmRecord => !!c)
    .sort((x, y) => y.state.StateTransitionedTimestamp - x.state.StateTransitionedTimestamp);
  const latest = triggering[0];
  const reason = latest
    ? `${alarmArn(latest, latest.name)} transitioned to ${latest.state.StateValue} at ${longDate(new Date(latest.state.StateTransitionedTimestamp))}`
    : 'No alarm in the rule exists.';
  const reasonData = JSON.stringify({
    triggeringAlarms: triggering.map((c) => ({ arn: alarmArn(c, c.name), state: { value: c.state.StateValue, timestamp: reasonDate(new Date(c.state.StateTransitionedTimestamp)) } })),
  });
  return { state, reason, reasonData };
}

/** Friday 07 December, 2026 04:30:00 UTC */
function longDate(d: Date): string {
  const day = d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  const month = d.toLocaleDateString('en-US', { month: 'long', timeZone: 'UTC' });
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${day} ${pad(d.getUTCDate())} ${month}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export const alarmArn = (s: Scope, name: string) => arn('cloudwatch', s.region, s.account, `alarm:${name}`);

// ---------------------------------------------------------------- transitions and actions

/** One action an alarm runs on entering a state (its ARN), handed to the invoker. */
export interface AlarmAction {
  account: string;
  region: string;
  alarmName: string;
  alarmArn: string;
  state: StateValue;
  /** The action ARN (SNS topic, Auto Scaling policy, …). */
  action: string;
  reason: string;
  /** This evaluation's StateReasonData (JSON: recentDatapoints, threshold, …): what a scaling policy sizes its step by. */
  reasonData?: string;
  /** The metric alarm's ComparisonOperator: which side of the threshold a step policy's bounds are measured from. */
  comparisonOperator?: string;
  /** Real epoch ms. */
  at: number;
  /** True when the alarm stayed in ALARM and a scaling action is re-invoked for this period, as AWS does. */
  repeat: boolean;
}

/**
 * Runs alarm actions. Berth records every action; Application Auto Scaling and EC2 Auto Scaling policy
 * ARNs are where a later issue plugs in (issue 16's scaling half): the invoker it is given decides.
 * Returns what happened, as the history's Action item says it.
 */
export interface AlarmActionInvoker {
  invoke(sql: Statements, action: AlarmAction): { ok: boolean; summary: string };
}

/** ARNs of scaling policies: re-invoked every period while the alarm stays in ALARM. */
export const isScalingAction = (a: string) => /^arn:[^:]+:autoscaling:/.test(a);

/** The invoker Berth has today: records each action and says why nothing was delivered. */
export const RECORD_ONLY: AlarmActionInvoker = {
  invoke(_sql, a) {
    const service = a.action.split(':')[2];
    const why = service === 'autoscaling' ? 'Berth does not act on scaling policies yet'
      : service === 'sns' ? 'Berth does not serve SNS; the notification was recorded, not sent'
        : `Berth does not run ${service ?? 'this'} actions`;
    return { ok: false, summary: `Failed to execute action ${a.action}. Received error: "${why}"` };
  },
};

const stateActions = (doc: Record<string, any>, state: StateValue): string[] =>
  (state === 'ALARM' ? doc.AlarmActions : state === 'OK' ? doc.OKActions : doc.InsufficientDataActions) ?? [];

/**
 * Applies a verdict: a new state is saved with a StateUpdate history item and runs the state's actions
 * (when enabled); staying in ALARM re-invokes scaling actions. Composite parents are re-evaluated.
 * `now` is real epoch ms.
 */
export function applyVerdict(sql: Statements, a: AlarmRecord, v: Verdict, now: number, invoker: AlarmActionInvoker, depth = 0): boolean {
  if (!v) return false;
  const arnOf = alarmArn(a, a.name);
  const run = (actions: string[], repeat: boolean) => {
    if (a.doc.ActionsEnabled === false) return;
    for (const action of actions) {
      if (repeat && !isScalingAction(action)) continue;
      const result = invoker.invoke(sql, { account: a.account, region: a.region, alarmName: a.name, alarmArn: arnOf, state: v.state, action, reason: v.reason, reasonData: v.reasonData, comparisonOperator: a.doc.ComparisonOperator, at: now, repeat });
      recordAction(sql, a, a.name, now, v.state, action, result.summary);
      if (!repeat) {
        addHistory(sql, a, { alarmName: a.name, alarmType: a.type, ts: now, itemType: 'Action', summary: result.summary, data: JSON.stringify({ actionState: result.ok ? 'Succeeded' : 'Failed', stateUpdateTimestamp: now, notificationResource: action }) });
      }
    }
  };
  if (v.state === a.state.StateValue) {
    if (v.state === 'ALARM') run(stateActions(a.doc, 'ALARM'), true);
    return false;
  }
  const old = a.state;
  a.state = { StateValue: v.state, StateReason: v.reason, StateReasonData: v.reasonData, StateUpdatedTimestamp: now, StateTransitionedTimestamp: now };
  saveAlarm(sql, a);
  const stateJson = (s: typeof old) => ({ stateValue: s.StateValue, stateReason: s.StateReason, ...(s.StateReasonData ? { stateReasonData: safeJson(s.StateReasonData) } : {}) });
  addHistory(sql, a, {
    alarmName: a.name, alarmType: a.type, ts: now, itemType: 'StateUpdate', summary: `Alarm updated from ${old.StateValue} to ${v.state}`,
    data: JSON.stringify({ version: '1.0', oldState: stateJson(old), newState: stateJson(a.state) }),
  });
  run(stateActions(a.doc, v.state), false);
  // Composite alarms naming this one follow at once (bounded: rules may nest, never loop).
  if (depth < 8) {
    for (const parent of listAlarms(sql, a)) {
      if (parent.type !== 'CompositeAlarm') continue;
      let names: string[];
      try {
        names = ruleAlarms(parseRule(parent.doc.AlarmRule));
      } catch {
        continue;
      }
      if (names.includes(a.name)) applyVerdict(sql, parent, evaluateCompositeAlarm(sql, parent), now, invoker, depth + 1);
    }
  }
  return true;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How often (metric seconds) an alarm is looked at: each minute, or each period when shorter. */
export const evaluationInterval = (a: AlarmRecord) => (a.type === 'CompositeAlarm' ? 60 : Math.min(periodOf(a.doc), 60));

/**
 * Whether the period that ended last before `now` has data for every metric the alarm reads (false for an alarm
 * whose queries name no stored metric, such as a SEARCH: those wait for the settle).
 */
function lastPeriodIn(sql: Statements, a: AlarmRecord, now: number): boolean {
  const period = periodOf(a.doc);
  const end = Math.floor(now / period) * period;
  const metrics: any[] = a.doc.Metrics ? a.doc.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric) : [a.doc];
  return metrics.length > 0 && metrics.every((m) => {
    const row = findMetric(sql, a, m.Namespace, m.MetricName, dimsKey(m.Dimensions));
    return row !== undefined && hasBuckets(sql, row.id, end - period, end);
  });
}

/**
 * One evaluator pass over an alarm (the controller's reconcile, in a transaction): when it is due,
 * evaluate, apply and schedule the next look. Returns how long (real ms) until it is due again.
 *
 * A metric alarm looks at each boundary. When the period that just ended is already in (Berth's ECS metrics are
 * written just before their minute ends) it decides at once, as AWS's floor allows; when it is not, it looks again
 * after a settle (a quarter interval, at most 2.5 s: the load balancers write their minute a fifth of it late, at
 * most 2 s) and decides then, with whatever has come. A new or changed alarm (no look scheduled) decides at once.
 */
export function evaluateAlarmNow(sql: Statements, s: Scope, name: string, nowMs: number, time: MetricTime, invoker: AlarmActionInvoker): number | undefined {
  const a = getAlarm(sql, s, name);
  if (!a) return undefined;
  const now = time.toMetric(nowMs);
  if (a.nextEval !== null && a.nextEval > now) return Math.max(1, time.realMs(a.nextEval - now));
  const interval = evaluationInterval(a);
  const boundary = Math.floor(now / interval) * interval;
  const settle = Math.min(interval / 4, 2.5 / time.scale);
  if (a.nextEval !== null && a.type === 'MetricAlarm' && now < boundary + settle && !lastPeriodIn(sql, a, now)) {
    a.nextEval = boundary + settle;
    saveAlarm(sql, a);
    return Math.max(1, time.realMs(a.nextEval - now));
  }
  const verdict = a.type === 'CompositeAlarm' ? evaluateCompositeAlarm(sql, a) : evaluateMetricAlarm(sql, a, now, time);
  applyVerdict(sql, a, verdict, nowMs, invoker);
  const fresh = getAlarm(sql, s, name)!;
  const next = evaluationInterval(fresh);
  fresh.nextEval = (Math.floor(now / next) + 1) * next;
  saveAlarm(sql, fresh);
  return Math.max(1, time.realMs(fresh.nextEval - now));
}
