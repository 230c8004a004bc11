/**
 * The data plane's own counters, what CloudWatch's AWS/ApplicationELB and AWS/NetworkELB metrics are made
 * of (metric-data.ts turns them into datapoints). Each process that serves traffic — a worker, or Berth's
 * own — counts in its TrafficMeter and hands over one plain report per metric minute (`take`): a worker
 * sends it to Berth's process in one IPC message, which merges the reports and writes them to CloudWatch
 * once per minute (metrics-publisher.ts). Per request this costs a few map look-ups and additions; nothing
 * crosses a process or touches SQLite per request, and a meter with no traffic and no open connection
 * reports nothing.
 *
 * Connections (ALB) and flows (NLB) are counted per load balancer and listener protocol: new ones, and
 * active ones — open at some moment of the minute (open when it began, or opened during it), which is
 * what the per-minute Sum of ActiveConnectionCount adds up. Bytes are read off the client sockets: what
 * a connection moved since the last report, so a long-lived connection is counted in the minute its
 * bytes passed.
 */
import type net from 'node:net';

/** A target group's requests in one minute. */
export interface GroupTally {
  requests: number;
  /** Target responses by class: [2XX, 3XX, 4XX, 5XX]. */
  codes: [number, number, number, number];
  /** Target response times in seconds (3 significant digits: quantizeMicros) with their counts. */
  times: [number, number][];
}

export interface ConnTally {
  new: number;
  active: number;
  bytes: number;
}

/** One load balancer's traffic in one minute, in one process (or merged: mergeReports). */
export interface LbTally {
  /** ALB: requests routed by a rule (forwarded to a target, redirected, answered with a fixed response). */
  requests: number;
  /** The load balancer's own answers, by status code. */
  elbCodes: Record<string, number>;
  redirects: number;
  fixedResponses: number;
  /** Client connections (flows on an NLB) by listener protocol. */
  conns: Record<string, ConnTally>;
  /** Connections from the load balancer to targets (ALB). */
  targetConns: { new: number; active: number };
  /** NLB: resets sent by targets, by the load balancer (no target to forward to), by clients. */
  resets: { target: number; elb: number; client: number };
  groups: Record<string, GroupTally>;
}

export interface TrafficReport {
  /** Start of the metric minute, in Berth's clock (epoch ms). */
  minute: number;
  /** By load balancer ARN. */
  lbs: Record<string, LbTally>;
}

/**
 * A response time in whole microseconds kept to 3 significant digits (small integers: cheap map keys),
 * so percentiles stay within 0.5 % and a minute holds at most a few thousand distinct values.
 */
export function quantizeMicros(seconds: number): number {
  const us = Math.round(seconds * 1e6);
  if (us < 1_000) return us > 0 ? us : 0;
  let step = 10;
  while (us >= step * 1_000) step *= 10;
  return Math.round(us / step) * step;
}

class GroupAcc {
  requests = 0;
  readonly codes: [number, number, number, number] = [0, 0, 0, 0];
  readonly times = new Map<number, number>();
}

class LbAcc {
  requests = 0;
  readonly elbCodes = new Map<number, number>();
  redirects = 0;
  fixedResponses = 0;
  readonly conns = new Map<string, ConnTally>();
  targetNew = 0;
  targetActive = 0;
  readonly resets = { target: 0, elb: 0, client: 0 };
  readonly groups = new Map<string, GroupAcc>();

  group(arn: string): GroupAcc {
    let g = this.groups.get(arn);
    if (!g) this.groups.set(arn, (g = new GroupAcc()));
    return g;
  }

  conn(protocol: string): ConnTally {
    let c = this.conns.get(protocol);
    if (!c) this.conns.set(protocol, (c = { new: 0, active: 0, bytes: 0 }));
    return c;
  }

  elb(status: number): void {
    this.elbCodes.set(status, (this.elbCodes.get(status) ?? 0) + 1);
  }
}

/** How many are open now, and how many were when the minute began. */
interface Gauge {
  lb: string;
  protocol: string | null;
  open: number;
  atStart: number;
}

/** A client connection being metered: bytes are counted from `seen` on. */
interface Metered {
  socket: net.Socket;
  lb: string;
  protocol: string;
  seen: number;
}

export class TrafficMeter {
  private acc = new Map<string, LbAcc>();
  /** When this minute's first count was made (labels the report). */
  private since: number | undefined;
  private readonly gauges = new Map<string, Gauge>();
  private readonly metered = new Set<Metered>();

  constructor(private readonly now: () => number) {}

  private lb(arn: string): LbAcc {
    let a = this.acc.get(arn);
    if (!a) {
      this.acc.set(arn, (a = new LbAcc()));
      this.since ??= this.now();
    }
    return a;
  }

  /** A request forwarded to a target of `group`, answered with `status` after `seconds`. */
  targetResponse(lb: string, group: string, status: number, seconds: number): void {
    const a = this.lb(lb);
    a.requests++;
    const g = a.group(group);
    g.requests++;
    const cls = (status / 100 | 0) - 2;
    if (cls >= 0 && cls <= 3) g.codes[cls]++;
    const t = quantizeMicros(seconds);
    g.times.set(t, (g.times.get(t) ?? 0) + 1);
  }

  /** A request forwarded to a target of `group` that failed: the load balancer answered `status` (502, 504). */
  targetFailed(lb: string, group: string, status: number): void {
    const a = this.lb(lb);
    a.requests++;
    a.group(group).requests++;
    a.elb(status);
  }

  /** A request a rule answered itself: a redirect or a fixed response. */
  answered(lb: string, status: number, kind: 'redirect' | 'fixed'): void {
    const a = this.lb(lb);
    a.requests++;
    if (kind === 'redirect') a.redirects++;
    else a.fixedResponses++;
    a.elb(status);
  }

  /** A request refused before a target was chosen (400 malformed, 503 nothing to forward to, 417). */
  rejected(lb: string, status: number): void {
    this.lb(lb).elb(status);
  }

  /** NLB: a connection reset by its target, by the load balancer, or by its client. */
  reset(lb: string, by: 'target' | 'elb' | 'client'): void {
    this.lb(lb).resets[by]++;
  }

  private gauge(lb: string, protocol: string | null): Gauge {
    const key = protocol === null ? `${lb}|` : `${lb}|${protocol}`;
    let g = this.gauges.get(key);
    if (!g) this.gauges.set(key, (g = { lb, protocol, open: 0, atStart: 0 }));
    return g;
  }

  /** A client connection accepted on a listener of `lb`: counted, and its bytes metered until it closes. */
  connection(lb: string, protocol: string, socket: net.Socket): void {
    this.lb(lb).conn(protocol).new++;
    const g = this.gauge(lb, protocol);
    g.open++;
    const m: Metered = { socket, lb, protocol, seen: 0 };
    this.metered.add(m);
    socket.once('close', () => {
      g.open--;
      this.metered.delete(m);
      this.bytes(m);
    });
  }

  /** A connection from `lb` to a target opened; call the returned function when it closes. */
  targetConnection(lb: string): () => void {
    this.lb(lb).targetNew++;
    const g = this.gauge(lb, null);
    g.open++;
    return () => void g.open--;
  }

  private bytes(m: Metered): void {
    const total = m.socket.bytesRead + m.socket.bytesWritten;
    if (total > m.seen) {
      this.lb(m.lb).conn(m.protocol).bytes += total - m.seen;
      m.seen = total;
    }
  }

  /**
   * What was counted since the last call, as one plain report (undefined when there is nothing: no
   * traffic, no open connection), and a new minute begins. `minuteMs` is the metric minute's length.
   */
  take(minuteMs: number): TrafficReport | undefined {
    for (const m of this.metered) this.bytes(m);
    for (const [key, g] of this.gauges) {
      const a = this.acc.get(g.lb);
      if (g.protocol === null) {
        const n = g.atStart + (a?.targetNew ?? 0);
        if (n > 0) this.lb(g.lb).targetActive += n;
      } else {
        const n = g.atStart + (a?.conns.get(g.protocol)?.new ?? 0);
        if (n > 0) this.lb(g.lb).conn(g.protocol).active += n;
      }
      g.atStart = g.open;
      if (g.open === 0) this.gauges.delete(key);
    }
    const acc = this.acc;
    const since = this.since;
    this.acc = new Map();
    this.since = undefined;
    if (!acc.size) return undefined;
    const at = since ?? this.now() - minuteMs / 2;
    const lbs: Record<string, LbTally> = {};
    for (const [arn, a] of acc) lbs[arn] = tallyOf(a);
    return { minute: Math.floor(at / minuteMs) * minuteMs, lbs };
  }
}

function tallyOf(a: LbAcc): LbTally {
  const groups: Record<string, GroupTally> = {};
  for (const [arn, g] of a.groups) groups[arn] = { requests: g.requests, codes: [...g.codes], times: [...g.times].map(([us, n]) => [us / 1e6, n]) };
  return {
    requests: a.requests,
    elbCodes: Object.fromEntries(a.elbCodes),
    redirects: a.redirects,
    fixedResponses: a.fixedResponses,
    conns: Object.fromEntries(a.conns),
    targetConns: { new: a.targetNew, active: a.targetActive },
    resets: { ...a.resets },
    groups,
  };
}

// ---- merging reports (Berth's process, from every process that served traffic) ----------

function emptyTally(): LbTally {
  return {
    requests: 0, elbCodes: {}, redirects: 0, fixedResponses: 0, conns: {}, targetConns: { new: 0, active: 0 },
    resets: { target: 0, elb: 0, client: 0 }, groups: {},
  };
}

function addTimes(into: [number, number][], from: [number, number][]): [number, number][] {
  const map = new Map(into);
  for (const [v, c] of from) map.set(v, (map.get(v) ?? 0) + c);
  return [...map];
}

/** Adds `from` into `into` (both one load balancer's minute). */
export function mergeTally(into: LbTally, from: LbTally): LbTally {
  into.requests += from.requests;
  for (const k in from.elbCodes) into.elbCodes[k] = (into.elbCodes[k] ?? 0) + from.elbCodes[k];
  into.redirects += from.redirects;
  into.fixedResponses += from.fixedResponses;
  for (const p in from.conns) {
    const c = (into.conns[p] ??= { new: 0, active: 0, bytes: 0 });
    c.new += from.conns[p].new;
    c.active += from.conns[p].active;
    c.bytes += from.conns[p].bytes;
  }
  into.targetConns.new += from.targetConns.new;
  into.targetConns.active += from.targetConns.active;
  into.resets.target += from.resets.target;
  into.resets.elb += from.resets.elb;
  into.resets.client += from.resets.client;
  for (const arn in from.groups) {
    const f = from.groups[arn];
    const g = into.groups[arn];
    if (!g) {
      into.groups[arn] = { requests: f.requests, codes: [...f.codes], times: [...f.times] };
      continue;
    }
    g.requests += f.requests;
    for (let i = 0; i < 4; i++) g.codes[i] += f.codes[i];
    g.times = addTimes(g.times, f.times);
  }
  return into;
}

/** Reports by minute, merged per load balancer. */
export class MergedReports {
  private readonly minutes = new Map<number, Map<string, LbTally>>();

  add(report: TrafficReport): void {
    let lbs = this.minutes.get(report.minute);
    if (!lbs) this.minutes.set(report.minute, (lbs = new Map()));
    for (const arn in report.lbs) lbs.set(arn, mergeTally(lbs.get(arn) ?? emptyTally(), report.lbs[arn]));
  }

  /** Every minute held, oldest first; they are forgotten. */
  drain(): { minute: number; lbs: Map<string, LbTally> }[] {
    const out = [...this.minutes].sort((a, b) => a[0] - b[0]).map(([minute, lbs]) => ({ minute, lbs }));
    this.minutes.clear();
    return out;
  }

  get size(): number {
    return this.minutes.size;
  }
}

/** Real ms from `now` until just after the next metric minute begins: every process takes its counts then. */
export function msToNextMinute(now: number, minuteMs: number): number {
  return minuteMs - (now % minuteMs) + 2;
}
