/**
 * The load balancers' CloudWatch metrics, in Berth's process: at each metric minute's end (`--metrics-period`
 * long) it takes this process's own counts (traffic on Berth's port by Host header, and listener ports when
 * there are no workers), merges them with the report each worker sent at the same moment (one IPC message per
 * worker per minute), and a moment later writes the minute's datapoints in one transaction through CloudWatch's
 * door (recordOwnMetrics), with HealthyHostCount/UnHealthyHostCount of every target group a load balancer
 * forwards to, and a zero RequestCountPerTarget for each such ALB group that had no requests. A report that
 * arrives after its minute was written is written with the next one (CloudWatch adds it into the same minute).
 * Idle, it costs one timer per minute and one small write per attached target group: nothing grows with traffic.
 */
import type { OwnDatum } from '../services/cloudwatch/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Statements } from '../state/db.js';
import { attachedDatums, trafficDatums, type GroupHealth } from './metric-data.js';
import type { Snapshot, TargetGroupView } from './snapshot.js';
import { MergedReports, msToNextMinute, type TrafficMeter, type TrafficReport } from './traffic-meter.js';

type Recorder = (sql: Statements, data: OwnDatum[], metricsPeriod: number) => void;

export interface MetricsPublisherDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  /** Real seconds per metric minute. */
  metricsPeriod: number;
  snapshot: () => Snapshot;
  /** This process's own counts. */
  meter: TrafficMeter;
}

/** The targets a group's requests are spread over: its healthy ones, all of them when none is (fail open). */
export function targetsServing(group: TargetGroupView): number {
  let registered = 0;
  let healthy = 0;
  for (const t of group.targets) {
    if (t.draining) continue;
    registered++;
    if (t.state === 'healthy') healthy++;
  }
  return group.doc.HealthCheckEnabled === false || !healthy ? registered : healthy;
}

/**
 * Every (load balancer, target group) a rule forwards along, with the group's health (`undefined` for a group
 * without health checks).
 */
export function attachedGroups(snapshot: Snapshot): GroupHealth[] {
  const seen = new Set<string>();
  const out: GroupHealth[] = [];
  for (const lb of snapshot.loadBalancers) {
    for (const l of lb.listeners) {
      for (const r of l.rules) {
        if (r.action.type !== 'forward') continue;
        for (const { group } of r.action.groups) {
          const key = `${lb.arn} ${group.arn}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (group.doc.HealthCheckEnabled === false) {
            out.push({ lb: lb.arn, group: group.arn });
            continue;
          }
          let healthy = 0;
          let unhealthy = 0;
          for (const t of group.targets) {
            if (t.draining) continue;
            if (t.state === 'healthy') healthy++;
            else if (t.state === 'unhealthy') unhealthy++;
          }
          out.push({ lb: lb.arn, group: group.arn, health: { healthy, unhealthy } });
        }
      }
    }
  }
  return out;
}

export class MetricsPublisher {
  private readonly reports = new MergedReports();
  private readonly minuteMs: number;
  /** How long after a minute ends its datapoints are written: workers' reports arrive meanwhile. */
  private readonly graceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  private recorder: Promise<Recorder> | undefined;
  private stopped = false;

  constructor(private readonly d: MetricsPublisherDeps) {
    this.minuteMs = d.metricsPeriod * 1000;
    this.graceMs = Math.min(2000, Math.max(50, this.minuteMs / 5));
  }

  /** A worker's report of a minute. */
  receive(report: TrafficReport): void {
    if (!this.stopped) this.reports.add(report);
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.minuteEnded(), msToNextMinute(this.d.clock.now(), this.minuteMs));
    this.timer.unref();
  }

  private minuteEnded(): void {
    if (this.stopped) return;
    const ended = Math.floor(this.d.clock.now() / this.minuteMs) * this.minuteMs - this.minuteMs;
    const own = this.d.meter.take(this.minuteMs);
    if (own) this.reports.add(own);
    this.writeTimer = setTimeout(() => void this.write(ended), this.graceMs);
    this.writeTimer.unref();
    this.schedule();
  }

  /** Writes what the reports hold and the health of the minute that ended at `ended`. */
  private async write(ended: number | undefined): Promise<void> {
    try {
      const snapshot = this.d.snapshot();
      const perTarget = (arn: string) => {
        const group = snapshot.targetGroups.get(arn);
        return group ? targetsServing(group) : 0;
      };
      const data: OwnDatum[] = [];
      /** Target groups that had requests in the minute that ended (RequestCountPerTarget is zero for the rest). */
      const busy = new Set<string>();
      for (const { minute, lbs } of this.reports.drain()) {
        data.push(...trafficDatums(minute, this.minuteMs, lbs, perTarget));
        if (minute !== ended) continue;
        for (const [lb, t] of lbs) for (const group in t.groups) if (t.groups[group].requests > 0) busy.add(`${lb} ${group}`);
      }
      if (ended !== undefined) data.push(...attachedDatums(ended, this.minuteMs, attachedGroups(snapshot), busy));
      if (!data.length) return;
      // CloudWatch's door is loaded with the first datapoint, not before Berth's ready line.
      const record = await (this.recorder ??= import('../services/cloudwatch/index.js').then((m) => m.recordOwnMetrics));
      if (!this.d.db.open) return;
      this.d.db.transaction(() => record(this.d.sql, data, this.d.metricsPeriod))();
    } catch (err) {
      this.d.log.warn('recording load balancer metrics failed', { error: String(err) });
    }
  }

  /** Stops; what this process counted so far is written first (workers' last partial minutes are lost). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.timer);
    clearTimeout(this.writeTimer);
    const own = this.d.meter.take(this.minuteMs);
    if (own) this.reports.add(own);
    if (this.reports.size) await this.write(undefined);
    this.stopped = true;
  }
}
