/**
 * ec2-metrics: CloudWatch's `AWS/EC2` metrics of the running instances and `AWS/AutoScaling`'s group metrics, once per
 * metric minute (`--metrics-period`).
 *
 * - Per instance (dimension InstanceId, and AutoScalingGroupName for a group's members — what target tracking's
 *   `ASGAverageCPUUtilization` reads): `CPUUtilization` (the vCPUs its RUNNING tasks' containers kept busy since the last
 *   datapoint ÷ the type's vCPUs × 100: an instance is virtual, what runs on it is its tasks), `NetworkIn` /
 *   `NetworkOut` / `NetworkPacketsIn` / `NetworkPacketsOut` (the engine's counters of those containers), and
 *   `StatusCheckFailed`, `_Instance`, `_System` (0: a running virtual instance passes its checks). Detailed monitoring
 *   sends a datapoint each minute, basic monitoring one each 5 minutes, as EC2 does
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html).
 * - Per group that collects metrics (EnableMetricsCollection): its enabled `Group*` / `WarmPool*` metrics
 *   (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html).
 *
 * Cost: with no running instance and no group collecting metrics, one pass is two indexed reads a minute; otherwise one
 * engine stats call per task container on an instance when its datapoint is due. CPU needs two samples of a container,
 * kept here in memory (a restarted Berth skips one datapoint).
 */
import { groupMembers, groupMetricValues, groupsCollectingMetrics, warmPoolCounts } from '../services/auto-scaling/index.js';
import { recordOwnMetrics, type OwnDatum } from '../services/cloudwatch/index.js';
import { instanceTypeSpec, runningInstancesToMonitor, type MonitoredInstance } from '../services/ec2/index.js';
import { runningContainersOnInstance } from '../services/ecs/index.js';
import type { ContainerStats, RuntimeDriver } from '../runtime/driver.js';
import { vcpusBetween } from './ecs-metrics.js';
import type { Controller, StateDeps, Watches } from './runtime.js';

export interface Ec2MetricsDeps extends StateDeps {
  driver: RuntimeDriver;
  metricsPeriod: number;
}

export const EC2_METRICS_KEY = 'ec2-metrics';
/** Basic monitoring's period, in metric minutes. */
const BASIC_MINUTES = 5;
const ENGINE_CALLS = 8;

/** One container's counters at a datapoint, kept until its next one. */
interface Sample {
  cpuNs: number;
  systemNs: number;
  onlineCpus: number;
  atMs: number;
  net: NetCounters;
}
interface NetCounters { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }

/** Docker's per-interface counters (`networks` in its stats), summed; none (host network, the fake engine): zeros. */
export function netCounters(raw: unknown): NetCounters {
  const out = { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 };
  const nets = (raw as { networks?: Record<string, Record<string, number>> } | undefined)?.networks;
  for (const n of Object.values(nets ?? {})) {
    out.rxBytes += n.rx_bytes ?? 0;
    out.txBytes += n.tx_bytes ?? 0;
    out.rxPackets += n.rx_packets ?? 0;
    out.txPackets += n.tx_packets ?? 0;
  }
  return out;
}

/** What one instance did since its last datapoint. */
export interface InstanceReading {
  /** Percent of the type's vCPUs; undefined until each of its containers has been sampled twice. */
  cpu?: number;
  networkIn: number;
  networkOut: number;
  packetsIn: number;
  packetsOut: number;
}

/** The datapoints of one instance's reading, under each of its dimension sets. */
export function instanceData(scope: { account: string; region: string }, dims: { Name: string; Value: string }[][], r: InstanceReading, at: number): OwnDatum[] {
  const metrics: [string, number | undefined, string][] = [
    ['CPUUtilization', r.cpu, 'Percent'], ['NetworkIn', r.networkIn, 'Bytes'], ['NetworkOut', r.networkOut, 'Bytes'],
    ['NetworkPacketsIn', r.packetsIn, 'Count'], ['NetworkPacketsOut', r.packetsOut, 'Count'],
    ['StatusCheckFailed', 0, 'Count'], ['StatusCheckFailed_Instance', 0, 'Count'], ['StatusCheckFailed_System', 0, 'Count'],
  ];
  return dims.flatMap((dimensions) => metrics.filter(([, v]) => v !== undefined).map(([name, v, unit]) => ({
    ...scope, namespace: 'AWS/EC2', name, dimensions, values: [Math.round(v! * 1e4) / 1e4], unit, timestamp: at,
  })));
}

export class Ec2Metrics implements Controller {
  readonly name = 'ec2-metrics';
  readonly concurrency = 1;
  readonly watches: Watches;
  private readonly periodMs: number;
  private lastMinute = -1;
  private samples = new Map<string, Sample>();

  constructor(private readonly d: Ec2MetricsDeps) {
    this.periodMs = Math.max(200, d.metricsPeriod * 1000);
    // Twice a minute, so that no minute is skipped; a pass in a minute already done returns at once.
    this.watches = { resync: [{ periodMs: this.periodMs / 2, keys: () => [EC2_METRICS_KEY] }] };
  }

  async reconcile(): Promise<void> {
    if (!this.d.db.open) return;
    const at = this.d.clock.now();
    const minute = Math.floor(at / this.periodMs);
    if (minute === this.lastMinute) return;
    this.lastMinute = minute;
    const instances = runningInstancesToMonitor(this.d.sql).filter((i) => i.detailed || minute % BASIC_MINUTES === 0);
    const groups = groupsCollectingMetrics(this.d.sql);
    const data: OwnDatum[] = [];
    for (const { account, region, group } of groups) {
      for (const m of groupMetricValues(group, warmPoolCounts({ sql: this.d.sql, account, region }, group.AutoScalingGroupName))) {
        data.push({ account, region, namespace: 'AWS/AutoScaling', name: m.name, dimensions: [{ Name: 'AutoScalingGroupName', Value: group.AutoScalingGroupName }], values: [m.value], unit: 'None', timestamp: at });
      }
    }
    // Every running instance is measured on a basic-monitoring minute: what was not is gone.
    data.push(...await this.measureInstances(instances, at, minute % BASIC_MINUTES === 0));
    if (data.length && this.d.db.open) this.d.db.transaction(() => recordOwnMetrics(this.d.sql, data, this.d.metricsPeriod))();
  }

  private async measureInstances(instances: MonitoredInstance[], at: number, prune: boolean): Promise<OwnDatum[]> {
    if (!instances.length) {
      if (prune) this.samples.clear();
      return [];
    }
    const members = groupMembers(this.d.sql);
    const containersOf = new Map(instances.map((i) => [i.id, i.containerInstanceArn ? runningContainersOnInstance(this.d.sql, i.containerInstanceArn) : []]));
    const ids = [...containersOf.values()].flat();
    const stats = new Map<string, ContainerStats>();
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const s = await this.d.driver.stats(id).catch(() => undefined);
        if (s) stats.set(id, s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENGINE_CALLS, ids.length) }, worker));
    const now = this.d.clock.now();
    const out: OwnDatum[] = [];
    for (const i of instances) {
      const r: InstanceReading = { cpu: 0, networkIn: 0, networkOut: 0, packetsIn: 0, packetsOut: 0 };
      let busy = 0;
      for (const id of containersOf.get(i.id)!) {
        const s = stats.get(id);
        if (!s) continue;
        const cur: Sample = { cpuNs: s.cpuTotalNs, systemNs: s.systemCpuNs, onlineCpus: s.onlineCpus || 1, atMs: now, net: netCounters(s.raw) };
        const prev = this.samples.get(id);
        this.samples.set(id, cur);
        if (!prev) {
          r.cpu = undefined;
          continue;
        }
        busy += vcpusBetween(prev, cur);
        r.networkIn += Math.max(0, cur.net.rxBytes - prev.net.rxBytes);
        r.networkOut += Math.max(0, cur.net.txBytes - prev.net.txBytes);
        r.packetsIn += Math.max(0, cur.net.rxPackets - prev.net.rxPackets);
        r.packetsOut += Math.max(0, cur.net.txPackets - prev.net.txPackets);
      }
      const vcpus = instanceTypeSpec(i.type)?.vcpus ?? 1;
      if (r.cpu !== undefined) r.cpu = Math.min(100, (busy / vcpus) * 100);
      const dims = [[{ Name: 'InstanceId', Value: i.id }]];
      const group = members.get(`${i.account}/${i.region}/${i.id}`);
      if (group) dims.push([{ Name: 'AutoScalingGroupName', Value: group }]);
      out.push(...instanceData({ account: i.account, region: i.region }, dims, r, at));
    }
    if (prune) {
      const live = new Set(ids);
      for (const id of this.samples.keys()) if (!live.has(id)) this.samples.delete(id);
    }
    return out;
  }
}
