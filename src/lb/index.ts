/**
 * The ELBv2 data plane: keeps a snapshot of load balancer state (reloaded
 * when the ELBv2 generation moves: on the change feed at once, else within
 * RELOAD_MS), binds a socket per listener, runs the health checker, and routes
 * requests that arrive on Berth's main port with a load balancer's DNS name
 * as Host (to its port-80 HTTP listener, else its first HTTP listener), or an exact `.localhost` name an
 * ALB's HTTP listener routes by a host-header rule (ECS Express service URLs) to that listener.
 * Connections on listener ports are served by worker processes (workers.ts)
 * when `workers` > 0, so traffic does not compete with the API and the
 * controllers for this process; with 0 they are served here.
 * Targets' addresses follow their containers, whatever moved them (a task
 * started, restarted, given new ports, or a snapshot loaded): a change a
 * resolver says can move a target it has (ECS's `ecs.task-state` for a task
 * whose address is registered) resolves them again at once; targets that
 * could not be resolved are tried again every RELOAD_MS, and the health
 * checker, which resolves each target afresh, asks for a new resolution when
 * an address differs from the one traffic goes to.
 * Every metric minute (`--metrics-period`) the traffic each process served and
 * target health become CloudWatch's AWS/ApplicationELB and AWS/NetworkELB
 * metrics (metrics-publisher.ts).
 * Everything comes back from SQLite on restart: listeners rebind (on their
 * last port), health checks resume from the recorded states.
 */
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { generation } from '../services/elastic-load-balancing-v2/store.js';
import type { Clock } from '../shared/clock.js';
import type { Logger, LogLevel } from '../shared/logger.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Db, Statements } from '../state/db.js';
import { DataPlane } from './data-plane.js';
import type { Destinations } from './destinations.js';
import { HealthChecker } from './health-checker.js';
import { ListenerServers } from './listener-servers.js';
import { sendError } from './responses.js';
import type { MetricsPublisher } from './metrics-publisher.js';
import { loadSnapshotData } from './snapshot-loader.js';
import { buildSnapshot, EMPTY_SNAPSHOT, type ListenerView, type LoadBalancerView, type Snapshot } from './snapshot.js';
import { isResolved, TargetResolvers } from './target-resolver.js';
import type { TrafficReport } from './traffic-meter.js';
import { WorkerPool } from './workers.js';

const RELOAD_MS = 500;
const TICK_MS = 250;

export interface LoadBalancingDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  changes: ChangeFeed;
  /** Address listeners bind (Berth's own host). */
  host: string;
  /** Worker processes serving listener ports; 0 serves them in this process. */
  workers: number;
  /** What workers log at and above. */
  logLevel: LogLevel;
  /** Real seconds per CloudWatch minute (`--metrics-period`): the load balancers' metrics are written that often. */
  metricsPeriod: number;
}

export interface ListenerStatus {
  listenerArn: string;
  protocol: string;
  port: number;
  /** Where Berth listens for it (differs from port when that was taken or not permitted). */
  boundPort: number | null;
  url: string | null;
  error?: string;
}

export interface LoadBalancerStatus {
  loadBalancerArn: string;
  name: string;
  type: string;
  account: string;
  region: string;
  dnsName: string;
  /** Through Berth's main port, by Host header (application load balancers). */
  mainPortUrl: string | null;
  listeners: ListenerStatus[];
}

export class LoadBalancing {
  /** Where targets are reached: services plug in theirs (ECS tasks' published ports). */
  readonly resolvers = new TargetResolvers();
  private snapshot: Snapshot = EMPTY_SNAPSHOT;
  /** This process's data plane: Host-header routing on Berth's port, and listener ports when there are no workers. */
  private readonly plane: DataPlane;
  private pool: WorkerPool | undefined;
  private readonly servers: ListenerServers;
  private readonly health: HealthChecker;
  /** Loaded by start(), after Berth's ready line (the first request does not need it). */
  private metrics: MetricsPublisher | undefined;
  /** Workers' reports that came before it was loaded. */
  private earlyReports: TrafficReport[] = [];
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private reloadQueued = false;
  /** The queued reload resolves targets again even if ELBv2 state has not moved. */
  private readdressQueued = false;
  private lastReloadCheck = 0;
  private started = false;

  constructor(private readonly d: LoadBalancingDeps) {
    this.plane = new DataPlane({ clock: d.clock, log: d.log });
    if (d.workers > 0) {
      this.pool = new WorkerPool({
        count: d.workers, log: d.log, logLevel: d.logLevel, metricsPeriod: d.metricsPeriod,
        metrics: (report) => (this.metrics ? this.metrics.receive(report) : void this.earlyReports.push(report)),
        onGiveUp: () => void (this.pool = undefined),
        fallback: (arn, socket) => this.plane.connection(arn, socket),
      });
    }
    this.servers = new ListenerServers({
      host: d.host, sql: d.sql, log: d.log,
      accept: (arn, socket) => this.accept(arn, socket),
      bound: (ports) => {
        this.plane.setPorts(ports);
        this.pool?.setPorts(ports);
      },
    });
    this.health = new HealthChecker({
      db: d.db, sql: d.sql, clock: d.clock, log: d.log, snapshot: () => this.snapshot, resolvers: this.resolvers,
      changed: (targetGroupArn) => {
        this.queueReload();
        // A verdict changed: the services whose tasks are its targets re-plan (ECS replaces a task its load balancer finds unhealthy).
        if (targetGroupArn) this.d.changes.publish('elbv2.target-health', targetGroupArn);
      },
      moved: () => this.queueReload(true),
    });
  }

  private accept(arn: string, socket: net.Socket): void {
    if (this.pool) this.pool.dispatch(arn, socket);
    else this.plane.connection(arn, socket);
  }

  /** Loads state, binds listeners and starts health checks (after Berth's own port is bound). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.reload();
    this.unsubscribe = this.d.changes.subscribe((kind, key) => {
      if (kind === 'elbv2') this.queueReload();
      else if (this.resolvers.moveKinds().has(kind) && this.hasTargetMovedBy(kind, key)) this.queueReload(true);
    });
    this.timer = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReloadCheck >= RELOAD_MS) {
        this.reload();
        if (this.unresolvedNowResolve()) this.queueReload(true);
      }
      this.health.tick();
    }, TICK_MS);
    this.timer.unref();
    this.health.tick();
    this.startMetrics();
  }

  /** CloudWatch metrics of the load balancers (metrics-publisher.ts), loaded without delaying the ready line. */
  private startMetrics(): void {
    const d = this.d;
    import('./metrics-publisher.js').then(({ MetricsPublisher }) => {
      if (this.stopped) return;
      const publisher = new MetricsPublisher({
        db: d.db, sql: d.sql, clock: d.clock, log: d.log, metricsPeriod: d.metricsPeriod, snapshot: () => this.snapshot, meter: this.plane.meter,
      });
      for (const r of this.earlyReports.splice(0)) publisher.receive(r);
      this.metrics = publisher;
      publisher.start();
    }, (err) => d.log.error('load balancer metrics could not start', { error: String(err) }));
  }

  /** Reload soon, once, however many changes arrive in the meantime; `readdress`: resolve targets again even if nothing else moved. */
  private queueReload(readdress = false): void {
    if (readdress) this.readdressQueued = true;
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    queueMicrotask(() => {
      this.reloadQueued = false;
      const force = this.readdressQueued;
      this.readdressQueued = false;
      this.reload(force);
    });
  }

  /**
   * Whether a change (a task started, or given new ports) concerns a target of a group traffic is forwarded to:
   * only then is it worth resolving targets again at once.
   */
  private hasTargetMovedBy(kind: string, key: string): boolean {
    const moved = this.resolvers.moved(kind, key);
    if (!moved.length) return false;
    for (const group of this.snapshot.targetGroups.values()) {
      if (!group.inUse || group.doc.TargetType !== 'ip') continue;
      for (const m of moved) {
        if (m.account === group.account && m.region === group.region && group.targets.some((t) => m.ids.includes(t.id))) return true;
      }
    }
    return false;
  }

  /**
   * A target group's load on this process's data plane (Berth's main port): requests in flight now, the most at
   * once since the last `takePeak`, and how many of its targets may take traffic.
   */
  groupLoad(targetGroupArn: string, takePeak = false): { inFlight: number; peak: number; targets: number } {
    const b = this.plane.balancer;
    const group = this.snapshot.targetGroups.get(targetGroupArn);
    return {
      inFlight: b.groupInFlight(targetGroupArn), peak: takePeak ? b.takePeak(targetGroupArn) : b.groupInFlight(targetGroupArn),
      targets: group ? b.pool(group).length : 0,
    };
  }

  /** Where traffic for a target of a group goes now (null: unresolved; undefined: no such target in use). */
  addressOf(targetGroupArn: string, id: string, port: number): { host: string; port: number } | null | undefined {
    const t = this.snapshot.targetGroups.get(targetGroupArn)?.targets.find((x) => x.id === id && x.port === port);
    return t ? t.addr : undefined;
  }

  /** Whether a target traffic could not reach at the last reload has an address now (its containers came up). */
  private unresolvedNowResolve(): boolean {
    try {
      let destinations: Destinations | undefined;
      for (const group of this.snapshot.targetGroups.values()) {
        if (!group.inUse) continue;
        for (const t of group.targets) {
          if (t.draining || t.addr) continue;
          if (isResolved(this.resolvers.resolve(group.account, group.region, group.doc.TargetType ?? 'instance', t.id, t.port, (destinations ??= this.resolvers.destinations())))) return true;
        }
      }
    } catch (err) {
      this.d.log.warn('resolving load balancer targets failed', { error: String(err) });
    }
    return false;
  }

  /** Rebinds everything from state now, whatever the generation says (after a reset or snapshot load). */
  refresh(): void {
    this.snapshot = EMPTY_SNAPSHOT;
    this.reload();
  }

  private reload(readdress = false): void {
    this.lastReloadCheck = Date.now();
    try {
      const gen = generation(this.d.sql);
      if (gen === this.snapshot.generation && !readdress) return;
      const now = this.d.clock.now();
      const data = loadSnapshotData(this.d.sql, gen, now, this.resolvers);
      this.snapshot = buildSnapshot(data);
      this.plane.update(this.snapshot);
      if (this.pool) {
        // Workers start with the first listener, not with Berth.
        if (this.snapshot.listeners.size) this.pool.start();
        this.pool.update(data, now - Date.now());
      }
      this.servers.sync(this.snapshot);
    } catch (err) {
      this.d.log.warn('load balancer state reload failed', { error: (err as Error)?.stack ?? String(err) });
    }
  }

  private httpListenerFor(host: string | undefined): ListenerView | LoadBalancerView | undefined {
    if (!host || !this.snapshot.byDnsName.size) return undefined;
    const name = (host.startsWith('[') ? host : host.split(':')[0]).toLowerCase();
    const lb = this.snapshot.byDnsName.get(name);
    if (!lb) return this.snapshot.byRuleHost.get(name);
    const httpListeners = lb.listeners.filter((l) => l.protocol === 'HTTP');
    return httpListeners.find((l) => l.port === 80) ?? httpListeners[0] ?? lb;
  }

  /**
   * A request on Berth's main port: true when its Host names a load balancer
   * (and it was answered here), false when it is not for a load balancer.
   */
  route(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const target = this.httpListenerFor(req.headers.host);
    if (!target) return false;
    if ('rules' in target) {
      this.plane.http.handle(target, req, res);
    } else {
      // A load balancer without an HTTP listener: nothing to answer with on this port.
      req.resume();
      sendError(res, 503, true);
    }
    return true;
  }

  /** An Upgrade request on Berth's main port (WebSocket through a load balancer's DNS name). */
  routeUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const target = this.httpListenerFor(req.headers.host);
    if (!target) return false;
    if ('rules' in target) this.plane.http.upgrade(target, req, socket, head);
    else socket.destroy();
    return true;
  }

  status(mainEndpoint: string): LoadBalancerStatus[] {
    const main = mainEndpoint ? new URL(mainEndpoint) : undefined;
    return this.snapshot.loadBalancers.map((lb) => ({
      loadBalancerArn: lb.arn,
      name: lb.name,
      type: lb.type,
      account: lb.account,
      region: lb.region,
      dnsName: lb.dnsName,
      mainPortUrl: lb.type === 'application' && main ? `http://${lb.dnsName}:${main.port}/` : null,
      listeners: lb.listeners.map((l) => {
        const b = this.servers.get(l.arn);
        const port = b?.boundPort ?? null;
        const scheme = ({ TCP: 'tcp', TLS: 'tls', HTTPS: 'https' } as Record<string, string>)[l.protocol] ?? 'http';
        return {
          listenerArn: l.arn, protocol: l.protocol, port: l.port, boundPort: port,
          url: port ? `${scheme}://${lb.dnsName}:${port}/` : null,
          ...(b?.error ? { error: b.error } : {}),
        };
      }),
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    this.health.stop();
    this.servers.closeAll();
    await this.pool?.stop();
    await this.metrics?.stop();
    this.plane.close();
  }
}
