/**
 * Target health checks, per target group as configured: every
 * HealthCheckIntervalSeconds each registered, non-draining target of a group
 * in use gets a GET of HealthCheckPath (HTTP/HTTPS, status checked against the
 * Matcher) or a TCP connect, failing after HealthCheckTimeoutSeconds.
 * HealthyThresholdCount consecutive successes make a target healthy (from
 * initial or unhealthy); UnhealthyThresholdCount consecutive failures make it
 * unhealthy, with AWS's reason: Target.ResponseCodeMismatch, Target.Timeout or
 * Target.FailedHealthChecks. A target Berth cannot reach (no published port
 * answers for it: target-resolver.ts) is never connected to; its check fails
 * as Target.FailedHealthChecks with a description saying why. Each check
 * resolves the target afresh, so it also notices when a target's address
 * moved (a container started or restarted on another port) and asks for the
 * data plane's addresses to be resolved again. Verdicts are written to SQLite (DescribeTargetHealth
 * reads them; they survive a restart); the run of consecutive results lives in
 * memory and restarts with Berth, as a new load balancer node's would.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { setTargetHealth, targetRow, dropDrainedTargets, type StoredHealth } from '../services/elastic-load-balancing-v2/store.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Statements } from '../state/db.js';
import type { Snapshot, TargetGroupView, TargetView } from './snapshot.js';
import { isResolved, type ResolvedTarget, type TargetResolvers } from './target-resolver.js';

export interface CheckResult {
  ok: boolean;
  reason?: string;
  description?: string;
}

const FAILED: CheckResult = { ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
const TIMED_OUT: CheckResult = { ok: false, reason: 'Target.Timeout', description: 'Request timed out' };

/** How late a timer may fire before Berth, not the target, is taken to have been slow. */
const STALL_MS = 500;

/**
 * A health check's timeout that blames the target only: when Berth's own event
 * loop was too busy to run the timer on time (a loaded machine), the answer
 * may be waiting unread, so the check gets its time again; and the verdict
 * waits for I/O already received (setImmediate runs after it) before it
 * says Target.Timeout. A false Timeout on every target at once would make
 * ECS replace healthy tasks together and leave a listener nothing to serve.
 */
function berthAwareTimeout(ms: number, fire: () => void): { clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let retried = false;
  const arm = (after: number) => {
    const due = Date.now() + after;
    timer = setTimeout(() => {
      if (!retried && Date.now() - due > STALL_MS) {
        retried = true;
        arm(ms);
        return;
      }
      immediate = setImmediate(fire);
    }, after);
  };
  arm(ms);
  return {
    clear() {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}

/** "200", "200,202", "200-299" → a predicate on status codes. */
export function compileMatcher(code: string | undefined): (status: number) => boolean {
  const ranges = (code ?? '200').split(',').map((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return [lo, hi ?? lo] as const;
  });
  return (status) => ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

export function checkHttp(opts: { host: string; port: number; path: string; tls: boolean; timeoutMs: number; hostHeader: string; matcher: string | undefined }): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      timer.clear();
      req.destroy();
      resolve(r);
    };
    const req = (opts.tls ? https : http).request({
      host: opts.host, port: opts.port, path: opts.path, method: 'GET', agent: false,
      headers: { host: opts.hostHeader, 'user-agent': 'ELB-HealthChecker/2.0', accept: '*/*', connection: 'close' },
      ...(opts.tls ? { rejectUnauthorized: false } : {}),
    });
    const timer = berthAwareTimeout(opts.timeoutMs, () => done(TIMED_OUT));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      done(compileMatcher(opts.matcher)(status)
        ? { ok: true }
        : { ok: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${status}]` });
    });
    req.on('error', () => done(FAILED));
    req.end();
  });
}

export function checkTcp(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = berthAwareTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(TIMED_OUT);
    });
    socket.once('connect', () => {
      timer.clear();
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('error', () => {
      timer.clear();
      socket.destroy();
      resolve(FAILED);
    });
  });
}

const sameAddress = (a: ResolvedTarget | null, b: ResolvedTarget | null) => a?.host === b?.host && a?.port === b?.port;

interface Run {
  ok: number;
  fail: number;
  nextAt: number;
  running: boolean;
}

export interface HealthCheckerDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  snapshot: () => Snapshot;
  /** Where targets are reached (Berth's resolvers). */
  resolvers: TargetResolvers;
  /** Called after a verdict was written (the data plane reloads) with its target group, or after drained targets went. */
  changed: (targetGroupArn?: string) => void;
  /** A target's address is not the one the data plane routes to: resolve again. */
  moved: () => void;
}

export class HealthChecker {
  private runs = new Map<string, Run>();
  private stopped = false;

  constructor(private readonly d: HealthCheckerDeps) {}

  /** Starts due checks and drops targets whose draining ended; call often (every few hundred ms). */
  tick(): void {
    if (this.stopped) return;
    const now = this.d.clock.now();
    try {
      if (dropDrainedTargets(this.d.sql, now)) this.d.changed();
    } catch (err) {
      this.d.log.warn('dropping drained targets failed', { error: String(err) });
    }
    const live = new Set<string>();
    for (const group of this.d.snapshot().targetGroups.values()) {
      if (!group.inUse || group.doc.HealthCheckEnabled === false) continue;
      for (const t of group.targets) {
        if (t.draining) continue;
        live.add(t.key);
        let run = this.runs.get(t.key);
        if (!run) this.runs.set(t.key, (run = { ok: 0, fail: 0, nextAt: now, running: false }));
        if (run.running || now < run.nextAt) continue;
        run.running = true;
        run.nextAt = now + (group.doc.HealthCheckIntervalSeconds ?? 30) * 1000;
        const r = run;
        void this.check(group, t).then((result) => {
          r.running = false;
          if (!this.stopped && this.runs.get(t.key) === r) this.record(group, t, r, result);
        });
      }
    }
    for (const key of this.runs.keys()) if (!live.has(key)) this.runs.delete(key);
  }

  stop(): void {
    this.stopped = true;
  }

  private check(group: TargetGroupView, t: TargetView): Promise<CheckResult> {
    const doc = group.doc;
    const port = doc.HealthCheckPort && doc.HealthCheckPort !== 'traffic-port' ? Number(doc.HealthCheckPort) : t.port;
    const type = doc.TargetType ?? 'instance';
    const addr = this.d.resolvers.resolve(group.account, group.region, type, t.id, port);
    const traffic = port === t.port ? addr : this.d.resolvers.resolve(group.account, group.region, type, t.id, t.port);
    if (!sameAddress(isResolved(traffic) ? traffic : null, t.addr)) this.d.moved();
    if (!isResolved(addr)) return Promise.resolve({ ok: false, reason: 'Target.FailedHealthChecks', description: `Health checks failed: ${addr.unresolvable}` });
    const timeoutMs = (doc.HealthCheckTimeoutSeconds ?? 5) * 1000;
    if (doc.HealthCheckProtocol === 'TCP') return checkTcp(addr.host, addr.port, timeoutMs);
    return checkHttp({
      host: addr.host, port: addr.port, path: doc.HealthCheckPath ?? '/', tls: doc.HealthCheckProtocol === 'HTTPS', timeoutMs,
      hostHeader: `${t.id}:${port}`, matcher: doc.Matcher?.HttpCode,
    });
  }

  private record(group: TargetGroupView, t: TargetView, run: Run, result: CheckResult): void {
    if (result.ok) {
      run.ok++;
      run.fail = 0;
    } else {
      run.fail++;
      run.ok = 0;
    }
    const healthyAt = group.doc.HealthyThresholdCount ?? 5;
    const unhealthyAt = group.doc.UnhealthyThresholdCount ?? 2;
    try {
      const wrote = this.d.db.transaction(() => {
        const row = targetRow(this.d.sql, group.arn, t.id, t.port);
        if (!row || row.drain_until !== null) return false;
        let next: { state: StoredHealth; reason: string | null; description: string | null };
        if (result.ok) {
          if (row.state === 'healthy' || run.ok >= healthyAt) next = { state: 'healthy', reason: null, description: null };
          else if (row.state === 'initial') next = { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
          else next = { state: row.state, reason: row.reason, description: row.description };
        } else if (row.state === 'unhealthy' || run.fail >= unhealthyAt) {
          next = { state: 'unhealthy', reason: result.reason!, description: result.description! };
        } else if (row.state === 'initial') {
          next = { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
        } else {
          next = { state: row.state, reason: row.reason, description: row.description };
        }
        if (next.state === row.state && next.reason === row.reason && next.description === row.description) return false;
        setTargetHealth(this.d.sql, group.arn, t.id, t.port, next.state, next.reason, next.description, this.d.clock.now());
        this.d.log.info('target health changed', { targetGroup: group.arn, target: `${t.id}:${t.port}`, state: next.state, reason: next.reason, description: next.description });
        return true;
      })();
      if (wrote) this.d.changed(group.arn);
    } catch (err) {
      this.d.log.warn('recording target health failed', { error: String(err) });
    }
  }
}
