/**
 * ecs-metrics: ECS's CloudWatch utilization metrics from measurements (key = account|region|cluster). Once per
 * metric minute (`--metrics-period`) it samples the containers of the cluster's RUNNING service tasks through the
 * engine's one-shot stats — a page of tasks at a time, at most ENGINE_CALLS engine calls in flight — and writes,
 * through CloudWatch's door, `AWS/ECS` `CPUUtilization` and `MemoryUtilization` per service (ClusterName,
 * ServiceName: one sample per task, so Average is ECS's formula and Minimum/Maximum the least and most used task) and
 * per cluster (ClusterName: the service tasks' use over what they specify), unit Percent
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_utilization.html).
 *
 * A task's use is measured against what it specifies (ECS's `utilizationBasis`): CPU units used = vCPUs busy × 1024,
 * so a task without a hard CPU limit can exceed 100 %. CPU needs two samples of a container (cumulative CPU time over
 * the host's), so the previous sample of each container is kept here, in memory: a restarted Berth skips one period.
 *
 * Each pass runs just before its minute ends (ahead by about three times the last pass's length) and stamps its datapoints
 * with its start, inside that minute, so the alarm evaluator, which looks just after the boundary, sees them at once.
 * Cost: nothing while no service task runs (a cluster's key goes quiet once it has none, and a task reaching RUNNING
 * wakes it); otherwise pages of the running service tasks' ARNs read from a covering index (no task row is visited;
 * a task's document is read once, when it is first seen running), one stats call per container per minute, and a
 * yield to requests between pages.
 */
import { recordOwnMetrics, type OwnDatum } from '../services/cloudwatch/index.js';
import { liveServiceArns, loadTaskByArn, runningServiceTaskPage, utilizationBasis } from '../services/ecs/index.js';
import type { ContainerStats, RuntimeDriver } from '../runtime/driver.js';
import { parseEcsArn } from '../shared/arns.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EcsMetricsDeps extends StateDeps {
  driver: RuntimeDriver;
  /** Real seconds per CloudWatch minute (config metricsPeriod). */
  metricsPeriod: number;
}

/** Engine stats calls in flight at once (all clusters: the controller runs one cluster at a time). */
export const ENGINE_CALLS = 8;
/** Tasks read from the state per page. */
const PAGE = 100;
/** Clusters with service tasks are looked at this often whatever the feed said (a pass that is not due is free). */
const RESYNC_MS = 5 * 60_000;
const MIB = 1024 * 1024;

/** One container's CPU sample, kept until the next pass. */
interface Sample {
  cpuNs: number;
  systemNs: number;
  onlineCpus: number;
  atMs: number;
}

interface ClusterState {
  /** When the next pass is due (real ms). */
  nextAt: number;
  /** The last pass's start and length (ms): the next one starts ahead of its minute's end by about twice that. */
  lastStart: number;
  lastMs: number;
  samples: Map<string, Sample>;
  /** What each running task is (its containers and basis do not change while it runs): its document is read once. */
  tasks: Map<string, TaskInfo>;
}

interface TaskInfo {
  service: string;
  containers: string[];
  basis: { cpuUnits: number; memoryMiB: number };
}

/** One task's measured use and what it specifies. */
export interface TaskUse {
  service: string;
  /** CPU units busy (undefined until each of its containers has two samples). */
  cpuUnits?: number;
  memoryMiB: number;
  basis: { cpuUnits: number; memoryMiB: number };
}

export const clusterKey = (account: string, region: string, cluster: string) => `${account}|${region}|${cluster}`;

/** vCPUs busy between two samples of a container: Δ CPU time over Δ host CPU time × its CPUs (Docker's ratio). */
export function vcpusBetween(prev: Sample, cur: Sample): number {
  const used = cur.cpuNs - prev.cpuNs;
  const system = cur.systemNs - prev.systemNs;
  if (used <= 0) return 0;
  if (system > 0) return (used / system) * cur.onlineCpus;
  const wallNs = (cur.atMs - prev.atMs) * 1e6;
  return wallNs > 0 ? used / wallNs : 0;
}

/**
 * The datapoints of one pass: per service one sample per task (its use ÷ what it specifies × 100), per cluster the
 * service tasks' total use ÷ their total specified × 100. A task that specifies no CPU (or memory) is measured against
 * its host's CPUs (the memory it was seen allowed): ECS documents no basis for it.
 */
export function utilizationData(account: string, region: string, cluster: string, uses: TaskUse[], at: number, hostCpus: number): OwnDatum[] {
  const perService = new Map<string, { cpu: number[]; memory: number[] }>();
  let cpuUsed = 0, cpuBasis = 0, memUsed = 0, memBasis = 0;
  for (const u of uses) {
    const s = perService.get(u.service) ?? { cpu: [], memory: [] };
    perService.set(u.service, s);
    const cpuOf = u.basis.cpuUnits || hostCpus * 1024;
    if (u.cpuUnits !== undefined) {
      s.cpu.push((u.cpuUnits / cpuOf) * 100);
      cpuUsed += u.cpuUnits;
      cpuBasis += cpuOf;
    }
    if (u.basis.memoryMiB > 0) {
      s.memory.push((u.memoryMiB / u.basis.memoryMiB) * 100);
      memUsed += u.memoryMiB;
      memBasis += u.basis.memoryMiB;
    }
  }
  const datum = (name: string, dimensions: OwnDatum['dimensions'], values: number[]): OwnDatum =>
    ({ account, region, namespace: 'AWS/ECS', name, dimensions, values: values.map(round), unit: 'Percent', timestamp: at });
  const out: OwnDatum[] = [];
  for (const [service, s] of perService) {
    const dims = [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: service }];
    if (s.cpu.length) out.push(datum('CPUUtilization', dims, s.cpu));
    if (s.memory.length) out.push(datum('MemoryUtilization', dims, s.memory));
  }
  const dims = [{ Name: 'ClusterName', Value: cluster }];
  if (cpuBasis) out.push(datum('CPUUtilization', dims, [(cpuUsed / cpuBasis) * 100]));
  if (memBasis) out.push(datum('MemoryUtilization', dims, [(memUsed / memBasis) * 100]));
  return out;
}

/** Percentages to 4 decimals: noise in the engine's counters is not data. */
const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** The next pass: `lead` ms before the end of a metric minute, at least half a minute after the last one began. */
export function nextPassAt(now: number, periodMs: number, leadMs: number, lastStart: number): number {
  let at = (Math.floor(now / periodMs) + 1) * periodMs - leadMs;
  while (at <= now || at - lastStart < periodMs / 2) at += periodMs;
  return at;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class EcsMetrics implements Controller {
  readonly name = 'ecs-metrics';
  readonly concurrency = 1;
  readonly watches: Watches;
  private readonly clusters = new Map<string, ClusterState>();
  private readonly periodMs: number;

  constructor(private readonly d: EcsMetricsDeps) {
    this.periodMs = d.metricsPeriod * 1000;
    this.watches = {
      // A task reached (or left) RUNNING: its cluster's key wakes; a pass that is not due yet only requeues itself.
      changes: [{ kind: 'ecs.task-state', keys: (taskArn) => this.clusterOfTask(taskArn) }],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? this.clustersWithServices() : []) }],
    };
  }

  private clusterOfTask(taskArn: string): string[] {
    const t = parseEcsArn(taskArn);
    return t?.cluster ? [clusterKey(t.account, t.region, t.cluster)] : [];
  }

  private clustersWithServices(): string[] {
    const keys = new Set<string>();
    for (const arn of liveServiceArns(this.d.sql)) {
      const s = parseEcsArn(arn);
      if (s?.cluster) keys.add(clusterKey(s.account, s.region, s.cluster));
    }
    return [...keys];
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.d.db.open) return;
    const state = this.clusters.get(key);
    const start = this.d.clock.now();
    if (state && start < state.nextAt) return { requeueAfterMs: state.nextAt - start };
    const [account, region, cluster] = key.split('|');
    const samples = new Map<string, Sample>();
    const tasks = new Map<string, TaskInfo>();
    const { uses, hostCpus } = await this.measure(account, region, cluster, state ?? { samples: new Map(), tasks: new Map() }, { samples, tasks });
    if (!uses.length) {
      // No service task runs here: nothing to write, nothing to do until one does.
      this.clusters.delete(key);
      return;
    }
    const data = utilizationData(account, region, cluster, uses, start, hostCpus);
    if (data.length && this.d.db.open) this.d.db.transaction(() => recordOwnMetrics(this.d.sql, data, this.d.metricsPeriod))();
    const now = this.d.clock.now();
    const lastMs = now - start;
    // Written after its minute ended: the alarms have already looked at that minute (a busy engine, a loaded machine).
    if (Math.floor(now / this.periodMs) > Math.floor(start / this.periodMs)) this.d.log.debug('ecs metrics written after their minute', { cluster: key, passMs: lastMs });
    const lead = Math.min(this.periodMs / 3, Math.max(200, 3 * lastMs + 50));
    const nextAt = nextPassAt(now, this.periodMs, lead, start);
    this.clusters.set(key, { nextAt, lastStart: start, lastMs, samples, tasks });
    return { requeueAfterMs: Math.max(1, nextAt - now) };
  }

  /**
   * Samples every container of the cluster's RUNNING service tasks, a page at a time. `prev` holds the last pass's
   * samples and task infos; `next` receives this pass's (so what has stopped is forgotten).
   */
  private async measure(account: string, region: string, cluster: string, prev: Pick<ClusterState, 'samples' | 'tasks'>, next: Pick<ClusterState, 'samples' | 'tasks'>) {
    const uses: TaskUse[] = [];
    let hostCpus = 1;
    let after = 0;
    for (;;) {
      if (!this.d.db.open) break;
      const page = runningServiceTaskPage({ sql: this.d.sql, account, region }, cluster, after, PAGE);
      if (!page.length) break;
      after = page[page.length - 1].seq;
      const infos: TaskInfo[] = [];
      for (const r of page) {
        const info = prev.tasks.get(r.arn) ?? this.taskInfo(r.arn, r.serviceName);
        if (!info) continue;
        next.tasks.set(r.arn, info);
        infos.push(info);
      }
      const stats = new Map<string, ContainerStats>();
      await eachLimited(infos.flatMap((t) => t.containers), ENGINE_CALLS, async (id) => {
        const s = await this.d.driver.stats(id).catch((err) => {
          this.d.log.debug('container stats failed', { container: id, error: String(err) });
          return undefined;
        });
        if (s) stats.set(id, s);
      });
      const at = this.d.clock.now();
      for (const info of infos) {
        let cpuUnits: number | undefined = 0;
        let memoryBytes = 0;
        let seen = 0;
        for (const id of info.containers) {
          const s = stats.get(id);
          if (!s) continue;
          seen++;
          hostCpus = Math.max(hostCpus, s.onlineCpus || 1);
          memoryBytes += s.memoryUsage;
          const cur: Sample = { cpuNs: s.cpuTotalNs, systemNs: s.systemCpuNs, onlineCpus: s.onlineCpus || 1, atMs: at };
          next.samples.set(id, cur);
          const before = prev.samples.get(id);
          if (before && cpuUnits !== undefined) cpuUnits += vcpusBetween(before, cur) * 1024;
          else cpuUnits = undefined;
        }
        // A task none of whose containers answered is not measured this period.
        if (seen) uses.push({ service: info.service, cpuUnits, memoryMiB: memoryBytes / MIB, basis: info.basis });
      }
      if (page.length < PAGE) break;
      // Requests go first between pages: an engine that answers stats at once (the fake) would otherwise let a
      // pass over 10,000 tasks hold the event loop from its first page to its last.
      await new Promise((r) => setImmediate(r));
    }
    return { uses, hostCpus };
  }

  /** A running task's containers and what it specifies, from its document. */
  private taskInfo(arn: string, service: string): TaskInfo | undefined {
    const row = loadTaskByArn(this.d.sql, arn);
    if (!row) return undefined;
    const containers = (row.task.containers ?? []).map((c) => c.runtimeId).filter((id): id is string => !!id);
    return { service, containers, basis: utilizationBasis(row.task) };
  }
}
