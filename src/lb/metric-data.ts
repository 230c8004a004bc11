/**
 * A minute of the data plane's counters (traffic-meter.ts) and of target health, as the datapoints ELB
 * publishes to CloudWatch: names, dimensions, units and statistics as AWS documents them
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html).
 * Each is one statistic set per metric minute and dimension set, published only when non-zero (target
 * health every minute), so GetMetricStatistics answers every statistic as AWS's do: counts of events are
 * N samples of 1 (`Minimum`, `Maximum` and `Average` are 1, `Sum` the count), measured quantities one
 * sample of the minute's value, TargetResponseTime every response's time (percentiles too).
 */
import type { OwnDatum } from '../services/cloudwatch/index.js';
import { elbArn, parseArn } from '../shared/arns.js';
import type { GroupTally, LbTally } from './traffic-meter.js';

export const ALB_NAMESPACE = 'AWS/ApplicationELB';
export const NLB_NAMESPACE = 'AWS/NetworkELB';

type Stats = NonNullable<OwnDatum['statistics']>;
type Dims = { Name: string; Value: string }[];

/** `n` events: n samples of 1. */
const events = (n: number): Stats => ({ SampleCount: n, Sum: n, Minimum: 1, Maximum: 1 });
/** One sample of a measured value. */
const measured = (v: number): Stats => ({ SampleCount: 1, Sum: v, Minimum: v, Maximum: v });

/** A target group a load balancer forwards to, and its health (undefined: health checks disabled). */
export interface GroupHealth {
  lb: string;
  group: string;
  health?: { healthy: number; unhealthy: number };
}

/** Builds the datums of one minute for one load balancer's account and region. */
class Datums {
  readonly out: OwnDatum[] = [];
  readonly namespace: string;
  readonly lbDims: Dims;
  private readonly account: string;
  private readonly region: string;
  private readonly timestamp: number;

  constructor(lbArn: string, minute: number, minuteMs: number) {
    const parsed = parseArn(lbArn);
    this.account = parsed?.account ?? '';
    this.region = parsed?.region ?? '';
    const lb = elbArn.metricDimension(lbArn);
    this.namespace = lb.startsWith('net/') ? NLB_NAMESPACE : ALB_NAMESPACE;
    this.lbDims = [{ Name: 'LoadBalancer', Value: lb }];
    // The middle of the minute: well inside its bucket however metric time rounds.
    this.timestamp = minute + minuteMs / 2;
  }

  withGroup(groupArn: string): Dims {
    return [...this.lbDims, { Name: 'TargetGroup', Value: elbArn.metricDimension(groupArn) }];
  }

  stats(name: string, dims: Dims, statistics: Stats, unit = 'Count'): void {
    this.out.push({ account: this.account, region: this.region, namespace: this.namespace, name, dimensions: dims, statistics, unit, timestamp: this.timestamp });
  }

  /** Published only when non-zero, as ELB does. */
  events(name: string, dims: Dims, n: number): void {
    if (n > 0) this.stats(name, dims, events(n));
  }

  measured(name: string, dims: Dims, v: number, unit = 'Count'): void {
    if (v > 0) this.stats(name, dims, measured(v), unit);
  }

  times(name: string, dims: Dims, times: [number, number][]): void {
    if (!times.length) return;
    this.out.push({
      account: this.account, region: this.region, namespace: this.namespace, name, dimensions: dims, unit: 'Seconds', timestamp: this.timestamp,
      values: times.map((t) => t[0]), counts: times.map((t) => t[1]),
    });
  }
}

const CLASSES = ['2XX', '3XX', '4XX', '5XX'] as const;
/** The load balancer's own codes ELB counts one by one. */
const ELB_CODES = ['500', '502', '503', '504'];

function targetMetrics(d: Datums, dims: Dims, codes: number[], times: [number, number][], requests: number): void {
  d.events('RequestCount', dims, requests);
  CLASSES.forEach((cls, i) => d.events(`HTTPCode_Target_${cls}_Count`, dims, codes[i]));
  d.times('TargetResponseTime', dims, times);
}

function applicationMetrics(d: Datums, t: LbTally, perTarget: (groupArn: string) => number): void {
  const lb = d.lbDims;
  const codes = [0, 0, 0, 0];
  const times = new Map<number, number>();
  for (const arn in t.groups) {
    const g: GroupTally = t.groups[arn];
    g.codes.forEach((n, i) => (codes[i] += n));
    for (const [v, c] of g.times) times.set(v, (times.get(v) ?? 0) + c);
    const dims = d.withGroup(arn);
    targetMetrics(d, dims, g.codes, g.times, g.requests);
    // Requests ÷ healthy targets; "the only valid statistic is Sum", which is that average.
    const targets = perTarget(arn);
    if (g.requests > 0 && targets > 0) {
      const v = g.requests / targets;
      d.stats('RequestCountPerTarget', dims, measured(v));
      d.stats('RequestCountPerTarget', [dims[1]], measured(v));
    }
  }
  targetMetrics(d, lb, codes, [...times], t.requests);
  const byClass: Record<string, number> = {};
  for (const code in t.elbCodes) {
    const cls = `${code[0]}XX`;
    byClass[cls] = (byClass[cls] ?? 0) + t.elbCodes[code];
  }
  for (const cls of ['3XX', '4XX', '5XX']) d.events(`HTTPCode_ELB_${cls}_Count`, lb, byClass[cls] ?? 0);
  for (const code of ELB_CODES) d.events(`HTTPCode_ELB_${code}_Count`, lb, t.elbCodes[code] ?? 0);
  d.events('HTTP_Redirect_Count', lb, t.redirects);
  d.events('HTTP_Fixed_Response_Count', lb, t.fixedResponses);
  let active = t.targetConns.active;
  let fresh = t.targetConns.new;
  let bytes = 0;
  for (const p in t.conns) {
    active += t.conns[p].active;
    fresh += t.conns[p].new;
    bytes += t.conns[p].bytes;
  }
  d.measured('ActiveConnectionCount', lb, active);
  d.events('NewConnectionCount', lb, fresh);
  d.measured('ProcessedBytes', lb, bytes, 'Bytes');
}

function networkMetrics(d: Datums, t: LbTally): void {
  const lb = d.lbDims;
  let active = 0;
  let fresh = 0;
  let bytes = 0;
  for (const p in t.conns) {
    const c = t.conns[p];
    active += c.active;
    fresh += c.new;
    bytes += c.bytes;
    if (p === 'TCP' || p === 'TLS') {
      d.measured(`ActiveFlowCount_${p}`, lb, c.active);
      d.events(`NewFlowCount_${p}`, lb, c.new);
      d.measured(`ProcessedBytes_${p}`, lb, c.bytes, 'Bytes');
    }
  }
  d.measured('ActiveFlowCount', lb, active);
  d.events('NewFlowCount', lb, fresh);
  d.measured('ProcessedBytes', lb, bytes, 'Bytes');
  d.events('TCP_Target_Reset_Count', lb, t.resets.target);
  d.events('TCP_ELB_Reset_Count', lb, t.resets.elb);
  d.events('TCP_Client_Reset_Count', lb, t.resets.client);
}

/**
 * One minute of traffic as datums. `perTarget` says how many targets a group's requests are divided
 * among for RequestCountPerTarget (its healthy targets; 0: none published).
 */
export function trafficDatums(minute: number, minuteMs: number, lbs: Map<string, LbTally>, perTarget: (groupArn: string) => number): OwnDatum[] {
  const out: OwnDatum[] = [];
  for (const [arn, t] of lbs) {
    const d = new Datums(arn, minute, minuteMs);
    if (d.namespace === NLB_NAMESPACE) networkMetrics(d, t);
    else applicationMetrics(d, t, perTarget);
    out.push(...d.out);
  }
  return out;
}

/**
 * What is published every minute for each (load balancer, target group) a rule forwards along: HealthyHostCount and
 * UnHealthyHostCount, zero included (groups with health checks); and, for ALB groups with no request in the minute
 * (`busy` holds those with some, as `<lb arn> <group arn>`), RequestCountPerTarget 0 — ELB "emits zeros for periods
 * with no associated data" for this metric, which is what lets target tracking on ALBRequestCountPerTarget scale in
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html).
 */
export function attachedDatums(minute: number, minuteMs: number, attached: GroupHealth[], busy: Set<string>): OwnDatum[] {
  const out: OwnDatum[] = [];
  for (const h of attached) {
    const d = new Datums(h.lb, minute, minuteMs);
    const dims = d.withGroup(h.group);
    if (h.health) {
      d.stats('HealthyHostCount', dims, measured(h.health.healthy));
      d.stats('UnHealthyHostCount', dims, measured(h.health.unhealthy));
    }
    if (d.namespace === ALB_NAMESPACE && !busy.has(`${h.lb} ${h.group}`)) {
      d.stats('RequestCountPerTarget', dims, measured(0));
      d.stats('RequestCountPerTarget', [dims[1]], measured(0));
    }
    out.push(...d.out);
  }
  return out;
}
