/**
 * The service scheduler's pass over a service that runs task sets (EXTERNAL and CODE_DEPLOY deployment
 * controllers) instead of deployments: each task set keeps ceil(scale% × desiredCount) tasks of its own
 * task definition, started by it (`startedBy` = the task set's id, as on ECS), registered in the target
 * groups the task set names and drained out of them when stopped; its counts and stabilityStatus are
 * recorded, a deleted (DRAINING) task set goes once its tasks have stopped, and a deleted service turns
 * INACTIVE once all have. maximumPercent and minimumHealthyPercent do not apply: the external controller
 * decides how task sets overlap (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-external.html).
 */
import type { Service, Task, TaskDefinition, TaskSet } from '@aws-sdk/client-ecs';
import {
  addEvent, buildTask, computedDesiredCount, definitionDemand, findTaskDefinitionByArn, groupSplit, insertTask, iso, providerScalesManaged, provisioningRoom, saveService,
  saveTask, splitByStrategy, type AwaitingCapacity, type RecordedTask,
} from '../services/ecs/index.js';
import { getTags, putTags } from '../state/tags.js';
import { resourceId, taskIdOf } from '../shared/arns.js';
import type { ReconcileResult, StateDeps } from './runtime.js';
import { placeOnInstances, servicePlacementRules } from './service-placement.js';
import { deregisterTask, registerTask, targetState, type TaskTargets } from './service-targets.js';

type ServiceRow = { account: string; region: string; cluster: string; name: string };
type LiveTask = Task & TaskTargets;

/** Task sets on their way somewhere are looked at this often; steady ones wait for a change (or the scheduler's sweep). */
const ACTIVE_RESYNC_MS = 1_000;
/** Failed tasks within this window count toward launch back-off. */
const FAILURE_WINDOW_MS = 5 * 60_000;
const MAX_THROTTLE_MS = 60_000;

const shortId = (taskArn: string) => taskIdOf(taskArn);

/** Task set events name the task set (ECS writes "(service web, taskSet ecs-svc/…) has started …"; Berth's read "(service web) (taskSet ecs-svc/…) …"). */
const event = (d: StateDeps, service: Service, ts: TaskSet, message: string, now: number) => addEvent(d.sql, service, `(taskSet ${ts.id}) ${message}`, now);

/** One pass, in the caller's transaction; `touched` collects the tasks it started or told to stop. */
export function taskSetPass(d: StateDeps, row: ServiceRow, service: Service, touched: string[]): ReconcileResult | void {
  const before = JSON.stringify(service);
  const now = d.clock.now();
  // Not plucked: the scheduler's own read is the same (cached) statement, and pluck() would stay set on it.
  const tasks = (d.sql.get('SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name = ?')
    .all(row.account, row.region, row.cluster, row.name) as { doc: string }[]).map((r) => JSON.parse(r.doc) as LiveTask);
  let steady = true;
  for (const ts of service.taskSets ?? []) {
    const mine = tasks.filter((t) => t.startedBy === ts.id);
    syncTargets(d, service, ts, mine, touched, now);
    const want = computedDesiredCount(service, ts);
    ts.computedDesiredCount = want;
    const live = mine.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
    const health = new Map(live.map((t) => [t.taskArn!, taskHealth(d, service, ts, t, now)]));
    // Tasks failing their health checks past the grace period go first; then, to scale in, pending ones and the newest.
    const failing = live.filter((t) => health.get(t.taskArn!) === 'failing');
    const keep = live.filter((t) => health.get(t.taskArn!) !== 'failing')
      .sort((a, b) => Number(b.lastStatus === 'RUNNING') - Number(a.lastStatus === 'RUNNING') || String(a.startedAt ?? a.createdAt).localeCompare(String(b.startedAt ?? b.createdAt)));
    const extra = keep.slice(want);
    stopTasks(d, service, ts, [...failing.map((t) => ({ t, reason: 'Task failed health checks.' })), ...extra.map((t) => ({ t, reason: `Scaling activity initiated by (taskSet ${ts.id})` }))], touched, now);
    const missing = want - Math.min(keep.length, want);
    if (missing > 0 && service.status === 'ACTIVE' && ts.status !== 'DRAINING' && !throttled(mine, now)) {
      const started = launch(d, row, service, ts, missing, now, live);
      touched.push(...started);
      if (started.length) {
        event(d, service, ts, `has started ${started.length} tasks: ${started.map((a) => `(task ${shortId(a)})`).join(' ')}.`, now);
        d.log.info('task set starting tasks', { service: service.serviceArn, taskSet: ts.id, tasks: started.map(shortId) });
      }
    }
    steady = recordCounts(d, service, ts, row, now) && steady;
  }
  // A deleted task set is gone once none of its tasks is left running or draining.
  const stillDraining = (ts: TaskSet) => tasksOf(d, row, ts.id!).some((t) => t.lastStatus !== 'STOPPED');
  service.taskSets = (service.taskSets ?? []).filter((ts) => ts.status !== 'DRAINING' || stillDraining(ts));
  service.runningCount = (service.taskSets ?? []).reduce((n, ts) => n + (ts.runningCount ?? 0), 0);
  service.pendingCount = (service.taskSets ?? []).reduce((n, ts) => n + (ts.pendingCount ?? 0), 0);
  if (service.status === 'DRAINING' && tasksOf(d, row).every((t) => t.lastStatus === 'STOPPED')) {
    service.status = 'INACTIVE';
    service.taskSets = [];
    addEvent(d.sql, service, 'has stopped all its tasks and is now INACTIVE.', now);
  }
  if (JSON.stringify(service) !== before) saveService(d.sql, service);
  if (service.status === 'INACTIVE' || steady) return;
  return { requeueAfterMs: ACTIVE_RESYNC_MS };
}

function tasksOf(d: StateDeps, row: ServiceRow, startedBy?: string): Task[] {
  const all = (d.sql.get('SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name = ?')
    .all(row.account, row.region, row.cluster, row.name) as { doc: string }[]).map((r) => JSON.parse(r.doc) as Task);
  return startedBy === undefined ? all : all.filter((t) => t.startedBy === startedBy);
}

/**
 * A running task joins its task set's target groups; one told to stop elsewhere (StopTask) while still
 * registered leaves them and drains for the deregistration delay before it stops.
 */
function syncTargets(d: StateDeps, service: Service, ts: TaskSet, mine: LiveTask[], touched: string[], now: number) {
  for (const t of mine) {
    let dirty = false;
    if (t.berthDrainUnannounced) {
      delete t.berthDrainUnannounced;
      event(d, service, ts, `has begun draining connections on 1 tasks.`, now);
      dirty = true;
    }
    if (t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING' && !t.berthTargets && ts.loadBalancers?.length) {
      const msg = registerTask(d.sql, { loadBalancers: ts.loadBalancers } as Service, t, now);
      if (msg) event(d, service, ts, msg, now);
      dirty = !!t.berthTargets;
    }
    if (t.desiredStatus === 'STOPPED' && t.berthTargets && !t.berthDeregistered) {
      const until = deregisterTask(d.sql, t, now);
      if (t.lastStatus === 'RUNNING' || t.lastStatus === 'DEACTIVATING') t.berthDrainingUntil ??= until;
      touched.push(t.taskArn!);
      dirty = true;
    }
    if (dirty) saveTask(d.sql, t);
  }
}

/** 'healthy' when running and passing its container and target group checks; 'failing' past the grace period. */
function taskHealth(d: StateDeps, service: Service, ts: TaskSet, t: LiveTask, now: number): 'healthy' | 'starting' | 'failing' {
  if (t.lastStatus !== 'RUNNING') return 'starting';
  const startedAt = t.startedAt ? Date.parse(String(t.startedAt)) : now;
  const inGrace = now - startedAt < (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  const lb = ts.loadBalancers?.length ? targetState(d.sql, t, now) : 'healthy';
  if (!inGrace && (t.healthStatus === 'UNHEALTHY' || lb === 'unhealthy')) return 'failing';
  const def = findTaskDefinitionByArn(d.sql, t.taskDefinitionArn!);
  const checked = (def?.containerDefinitions ?? []).some((c) => c.essential !== false && c.healthCheck?.command?.length);
  return (!checked || t.healthStatus === 'HEALTHY') && lb === 'healthy' ? 'healthy' : 'starting';
}

/** Launches are held back after repeated failures of the task set's tasks, as ECS throttles a failing service. */
function throttled(mine: Task[], now: number): boolean {
  // A failed task counts from when it began stopping (it is no longer live, so it is being replaced).
  const failedAt = (t: Task) => Date.parse(String(t.stoppedAt ?? t.stoppingAt ?? t.executionStoppedAt ?? t.createdAt));
  const failed = mine
    .filter((t) => (t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited') && now - failedAt(t) < FAILURE_WINDOW_MS)
    .map(failedAt);
  if (failed.length < 3) return false;
  return now - Math.max(...failed) < Math.min(MAX_THROTTLE_MS, 1000 * 2 ** (failed.length - 3));
}

/** Tells tasks to stop; one in a target group leaves it first and drains (DEACTIVATING) for the deregistration delay. */
function stopTasks(d: StateDeps, service: Service, ts: TaskSet, stops: { t: LiveTask; reason: string }[], touched: string[], now: number) {
  if (!stops.length) return;
  for (const { t, reason } of stops) {
    if (t.berthTargets?.length && !t.berthDeregistered) {
      t.berthDrainingUntil = deregisterTask(d.sql, t, now);
      t.berthStopReason = reason;
    }
    t.desiredStatus = 'STOPPED';
    t.stopCode = 'ServiceSchedulerInitiated';
    t.stoppedReason = reason;
    t.version = (t.version ?? 0) + 1;
    saveTask(d.sql, t);
    touched.push(t.taskArn!);
  }
  event(d, service, ts, `has stopped ${stops.length} running tasks: ${stops.map(({ t }) => `(task ${shortId(t.taskArn!)})`).join(' ')}.`, now);
  d.log.info('task set stopping tasks', { service: service.serviceArn, taskSet: ts.id, tasks: stops.map(({ t }) => shortId(t.taskArn!)), reasons: [...new Set(stops.map((s) => s.reason))] });
}

/** Counts and stability; true when the task set is in its steady state. */
function recordCounts(d: StateDeps, service: Service, ts: TaskSet, row: ServiceRow, now: number): boolean {
  const live = (tasksOf(d, row, ts.id) as LiveTask[]).filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
  const running = live.filter((t) => t.lastStatus === 'RUNNING');
  ts.runningCount = running.length;
  ts.pendingCount = live.length - running.length;
  const healthy = running.every((t) => taskHealth(d, service, ts, t, now) === 'healthy');
  const draining = (tasksOf(d, row, ts.id) as LiveTask[]).some((t) => t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED');
  const steady = ts.runningCount === ts.computedDesiredCount && ts.pendingCount === 0 && healthy && !draining;
  const status = steady ? 'STEADY_STATE' : 'STABILIZING';
  if (ts.stabilityStatus !== status) {
    ts.stabilityStatus = status;
    ts.stabilityStatusAt = iso(now);
    ts.updatedAt = iso(now);
    if (steady) event(d, service, ts, 'has reached a steady state.', now);
  }
  return steady;
}

/**
 * Starts `count` tasks of the task set: Fargate ones anywhere, EC2 ones placed on the cluster's instances. A capacity
 * provider strategy splits them as a service's deployment does (base, then weights, continuing from the task set's
 * live tasks); an Auto Scaling group provider's tasks go to its instances, and with managed scaling those that find
 * no room wait in PROVISIONING (up to ECS's cap per cluster) for the instances it launches (capacity-placement).
 */
function launch(d: StateDeps, row: ServiceRow, service: Service, ts: TaskSet, count: number, now: number, live: Task[]): string[] {
  const def = findTaskDefinitionByArn(d.sql, ts.taskDefinition!);
  if (!def) return [];
  const scope = { account: row.account, region: row.region, sql: d.sql };
  const strategy = ts.capacityProviderStrategy;
  const counts = new Map<string, number>();
  for (const t of live) if (t.capacityProviderName) counts.set(t.capacityProviderName, (counts.get(t.capacityProviderName) ?? 0) + 1);
  const providers: (string | undefined)[] = strategy?.length ? splitByStrategy(strategy, count, counts).map(resourceId) : Array.from({ length: count }, () => undefined);
  const launchType = (ts.launchType ?? (providers[0]?.startsWith('FARGATE') ? 'FARGATE' : 'EC2')) as 'FARGATE' | 'EC2' | 'EXTERNAL';
  const group = `service:${service.serviceName}`;
  const slots: { instance?: string; provider?: string; waiting?: AwaitingCapacity }[] = [];
  if (launchType === 'FARGATE') for (const provider of providers) slots.push({ provider });
  else {
    let room: number | undefined;
    for (const [name, indexes] of groupSplit(providers.map((p) => p ?? ''))) {
      const provider = name || undefined;
      const { placed, short } = placeTasks(d, row, service, ts, def, indexes.length, group, now, launchType, provider);
      for (const instance of placed) slots.push({ instance, provider });
      if (!short) continue;
      room ??= provisioningRoom(scope, row.cluster);
      const wait = Math.min(short, room);
      room -= wait;
      for (let k = 0; k < wait; k++) slots.push({ provider, waiting: { since: now, ...servicePlacementRules(service, def) } });
    }
  }
  const started: string[] = [];
  for (const { instance: containerInstanceArn, provider, waiting } of slots) {
    const task = buildTask(scope, {
      clusterArn: service.clusterArn!, clusterName: row.cluster, def, launchType, capacityProviderName: provider,
      networkConfiguration: ts.networkConfiguration, group, startedBy: ts.id,
      platformVersion: launchType === 'FARGATE' ? ts.platformVersion : undefined, enableExecuteCommand: false, containerInstanceArn,
    }, now);
    if (waiting) (task as RecordedTask).berthAwaitingCapacity = waiting;
    const demand = definitionDemand(def);
    if (demand.tcpPorts.length || demand.udpPorts.length) (task as Task & { berthHostPorts?: object }).berthHostPorts = { tcp: demand.tcpPorts, udp: demand.udpPorts };
    insertTask(d.sql, scope, row.cluster, task, { serviceName: service.serviceName });
    const tags = service.propagateTags === 'SERVICE' ? getTags(d, service.serviceArn!)
      : service.propagateTags === 'TASK_DEFINITION' ? getTags(d, def.taskDefinitionArn!) : [];
    if (service.enableECSManagedTags) tags.push({ key: 'aws:ecs:serviceName', value: service.serviceName! }, { key: 'aws:ecs:clusterName', value: row.cluster });
    if (tags.length) putTags(d, task.taskArn!, tags);
    started.push(task.taskArn!);
  }
  return started;
}

/**
 * EC2 placement with ECS's default strategy (spread over zones, then instances). What finds no room is `short` when
 * its provider scales managed (it waits); otherwise it is the service event.
 */
function placeTasks(
  d: StateDeps, row: ServiceRow, service: Service, ts: TaskSet, def: TaskDefinition, count: number, group: string, now: number, launchType: string, provider: string | undefined,
): { placed: string[]; short: number } {
  // A provider's tasks go to its own instances.
  const { result, candidates } = placeOnInstances(d.sql, row, service, def, count, group, launchType, provider);
  const short = count - result.placements.length;
  if (short && provider && providerScalesManaged({ ...row, sql: d.sql }, provider)) return { placed: result.placements, short };
  if (short) {
    const reason = candidates.length ? `The closest matching container instance could not hold it (${result.failures[0]?.reason ?? 'no instance matched'}).` : 'Reason: No Container Instances were found in your cluster.';
    event(d, service, ts, `was unable to place a task because no container instance met all of its requirements. ${reason}`, now);
  }
  return { placed: result.placements, short: 0 };
}
