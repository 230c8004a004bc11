/**
 * service-scheduler: keeps an ECS service's tasks at its desired count and
 * carries out its deployments (key = service ARN). Each pass reads the service
 * and its tasks, asks planRollout what to start and stop, does it, and records
 * counts, rollout state, the circuit breaker and service events.
 */
import { createHash } from 'node:crypto';
import type { Deployment, Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Statements } from '../state/db.js';
import { getTags, putTags } from '../state/tags.js';
import {
  addEvent, asksTaskGroups, buildTask, definitionDemand, failureThreshold, findTaskDefinitionByArn, insertTask, iso, liveServiceArnsOfCluster, liveServicePage, liveServiceCount, liveServicesInTargetGroup, unsettledServiceArns, loadInstances, loadService,
  loadServiceDeployment, loadTaskByArn, place, serviceDocs, placementCandidates, saveServiceDeployment, saveServiceIfChanged, saveTask, serviceDeploymentArn, startDeployment,
  usesTaskSets, groupSplit, isAwaitingCapacity, providerScalesManaged, provisioningRoom, splitByStrategy, type AwaitingCapacity, type RecordedTask,
} from '../services/ecs/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';
import { planRollout, type TaskView } from './service-rollout.js';
import { placeOnInstances, servicePlacementRules } from './service-placement.js';
import { taskSetPass } from './service-task-sets.js';
import { deregisterTask, registerTask, targetState, type TaskTargets } from './service-targets.js';
import { ecsArn, parseArn, parseEcsArn, resourceId, taskIdOf } from '../shared/arns.js';

export interface SchedulerDeps extends StateDeps {
  changes: ChangeFeed;
}

/**
 * The safety net: every live service comes round about this often (a page per sweep tick), whatever the feed said.
 * A steady service is otherwise passed over only when something it depends on changes (see `watches`).
 */
export const SERVICE_SWEEP_MS = 300_000;
/** A service on its way somewhere (a rollout, tasks starting or draining, a throttled launch) is looked at this often. */
const ACTIVE_RESYNC_MS = 1_000;
/** Launch throttling after repeated failures, as ECS backs off. */
const MAX_THROTTLE_MS = 60_000;
/**
 * A service whose tasks did not fit is looked at again after ACTIVE_RESYNC_MS, doubling per pass that still finds no
 * room, up to this. What makes room wakes it at once (an instance joining or changing, a task of its cluster
 * stopping: see `watches`); the timed look is the safety net, so 1,000 unplaceable services cost a pass each per
 * this long, not a thousand passes a second.
 */
const PLACEMENT_RETRY_MAX_MS = 15_000;

interface ServiceState extends Service {
  /** Berth's bookkeeping, never on the wire (the serializer writes model members only). */
  berth?: { announced?: string; placementFailure?: string; lastCompletedTaskDefinition?: string; consecutiveFailures?: number; lastFailureAtMs?: number; steady?: boolean; seenStopped?: string[] };
}

/** The service row's scope and names. */
type ServiceRow = { account: string; region: string; cluster: string; name: string };

/** A pass's plan: how many tasks to start (on which instances, for a daemon) and which to stop, why. */
type Plan = { start: number; stop: { arn: string; reason: string }[]; instances?: string[] };

const taskRows = (sql: Statements, s: ServiceRow) =>
  (sql.get('SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name = ?').all(s.account, s.region, s.cluster, s.name) as { doc: string }[])
    .map((r) => JSON.parse(r.doc) as Task);

const shortId = (taskArn: string) => taskIdOf(taskArn);

/** Deregistered from its load balancers and still within its deregistration delay, not yet stopped. */
const isDraining = (t: Task, now: number) => {
  const until = (t as TaskTargets).berthDrainingUntil;
  return !!until && until > now && (t.lastStatus === 'RUNNING' || t.lastStatus === 'DEACTIVATING');
};

/** Scale-in protection (UpdateTaskProtection) in force on a task now. */
const isProtected = (t: Task & { protection?: { protectionEnabled?: boolean; expirationDate?: unknown } }, now: number) =>
  !!t.protection?.protectionEnabled && !!t.protection.expirationDate && Date.parse(String(t.protection.expirationDate)) > now;

/** Container instances with a task told to stop that has not stopped yet. */
const stoppingOn = (tasks: Task[]) =>
  new Set(tasks.filter((t) => t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' && t.containerInstanceArn).map((t) => t.containerInstanceArn!));

/**
 * ECS's service event for a task it could not place, by the closest instance's reason
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html); a placement
 * constraint the instance does not meet reads as a missing attribute, as on ECS.
 */
export function placementFailureMessage(reason: string | undefined, instanceArn: string | undefined): string {
  const head = 'was unable to place a task because no container instance met all of its requirements.';
  const tail = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';
  if (!instanceArn) return `${head} Reason: No Container Instances were found in your cluster. ${tail}`;
  const what = reason === 'RESOURCE:MEMORY' ? 'has insufficient memory available'
    : reason === 'RESOURCE:CPU' ? 'has insufficient CPU units available'
    : reason === 'RESOURCE:PORTS' ? 'is already using a port required by your task'
    : 'is missing an attribute required by your task';
  return `${head} The closest matching (container-instance ${resourceId(instanceArn)}) ${what}. ${tail}`;
}

/** The service a task belongs to (group "service:<name>"), as an ARN. */
export function serviceArnOfTask(task: Task): string | undefined {
  if (!task.group?.startsWith('service:') || !task.taskArn) return undefined;
  const t = parseEcsArn(task.taskArn);
  return t?.cluster ? ecsArn.service(t.region, t.account, t.cluster, task.group.slice('service:'.length)) : undefined;
}

export class ServiceScheduler implements Controller {
  readonly name = 'service-scheduler';
  readonly concurrency = 4;

  readonly watches: Watches = {
    // Each mapping marks its services as changed, so their next pass runs whatever the sweep left (see `quiet`).
    changes: [
      { kind: 'ecs.service', keys: (serviceArn) => this.changed([serviceArn]) },
      // Container instances came, went or changed state: the cluster's services re-plan.
      { kind: 'ecs.cluster', keys: (clusterArn) => this.changed(this.servicesOfCluster(clusterArn)) },
      // A task's status or health moved: its service re-plans; one that stopped freed room its cluster's waiting services may fit in.
      { kind: 'ecs.task-state', keys: (taskArn) => this.changed(this.serviceOfTask(taskArn)) },
      // A target's health verdict changed: the services registered in its target group re-plan (replace an unhealthy task).
      { kind: 'elbv2.target-health', keys: (targetGroupArn) => this.changed(this.servicesInTargetGroup(targetGroupArn)) },
    ],
    // At start the services not left steady (a restarted Berth picks up where it stood; a steady one's tasks
    // changing while it was down reach it as their changes), then a page per tick, each about once per SERVICE_SWEEP_MS.
    sweep: {
      sweepMs: SERVICE_SWEEP_MS,
      startKeys: () => unsettledServiceArns(this.d.sql),
      size: () => liveServiceCount(this.d.sql),
      page: (after, limit) => {
        const rows = liveServicePage(this.d.sql, after === undefined ? 0 : Number(after), limit);
        return { keys: rows.map((r) => r.arn), next: rows.length ? String(rows[rows.length - 1].seq) : undefined };
      },
    },
  };

  constructor(private readonly d: SchedulerDeps) {}

  /**
   * Services whose last pass left them steady with nothing to do, with a digest of the state that pass read (the
   * service's and its tasks' documents as stored). A pass the sweep asks for over an unchanged one is skipped: the
   * sweep is there for state that changed without an event, and that shows in those documents; what changes outside
   * them (instances, target health) comes as a watched change, which clears the entry. At 1,000 steady services the
   * sweep's passes were a third of an idle Berth's work. Only a cache: a restart passes over everything unsettled.
   */
  private readonly quiet = new Map<string, string>();

  private changed(serviceArns: string[]): string[] {
    for (const arn of serviceArns) this.quiet.delete(arn);
    return serviceArns;
  }

  private digest(serviceArn: string): string | undefined {
    const docs = serviceDocs(this.d.sql, serviceArn);
    if (!docs) return undefined;
    const h = createHash('sha1');
    for (const doc of docs) h.update(doc).update('\0');
    return h.digest('base64');
  }

  private servicesOfCluster(clusterArn: string): string[] {
    const c = parseEcsArn(clusterArn)!;
    return liveServiceArnsOfCluster(this.d.sql, c.account, c.region, c.name);
  }

  private servicesInTargetGroup(targetGroupArn: string): string[] {
    const tg = parseArn(targetGroupArn);
    return tg ? liveServicesInTargetGroup(this.d.sql, tg.account, tg.region, targetGroupArn) : [];
  }

  private serviceOfTask(taskArn: string): string[] {
    const row = loadTaskByArn(this.d.sql, taskArn);
    const service = row && serviceArnOfTask(row.task);
    const keys = service ? [service] : [];
    if (row?.task.lastStatus === 'STOPPED') {
      const cluster = parseEcsArn(taskArn)?.cluster;
      for (const [arn, wait] of this.waitingForRoom) if (wait.cluster === cluster && arn !== service) keys.push(arn);
    }
    return keys;
  }

  /**
   * Services whose last pass could not place every task it wanted, with their cluster's name and how many passes in
   * a row found no room (their timed look backs off by it). Only a cache: a restart looks at them at once.
   */
  private readonly waitingForRoom = new Map<string, { cluster: string; passes: number }>();
  /** Set by the placement of the pass in progress (passes are synchronous, one at a time) when tasks did not fit. */
  private shortOfRoom = false;
  /** Set by the pass in progress when a task drains: its stop is due on a deadline, not an event, so no backing off. */
  private onDeadline = false;

  async reconcile(serviceArn: string): Promise<ReconcileResult | void> {
    const quiet = this.quiet.get(serviceArn);
    if (quiet !== undefined && quiet === this.digest(serviceArn)) return;
    this.quiet.delete(serviceArn);
    const created: string[] = [];
    const saved = { changed: false };
    this.shortOfRoom = false;
    this.onDeadline = false;
    const result = this.d.db.transaction(() => this.pass(serviceArn, created, saved))();
    if (!result && !created.length && !this.shortOfRoom && !this.onDeadline) {
      const digest = this.digest(serviceArn);
      if (digest !== undefined) this.quiet.set(serviceArn, digest);
    }
    for (const arn of created) this.d.changes.publish('ecs.task', arn);
    // For those who watch what a service shows (its counts, deployments, events): the console's live pages.
    if (saved.changed) this.d.changes.publish('ecs.service-status', serviceArn);
    return this.retryLater(serviceArn, result, created);
  }

  /** When to look again: a service whose tasks found no room backs off (see PLACEMENT_RETRY_MAX_MS). */
  private retryLater(serviceArn: string, result: ReconcileResult | void, created: string[]): ReconcileResult | void {
    if (!result || !this.shortOfRoom || this.onDeadline) {
      this.waitingForRoom.delete(serviceArn);
      return result;
    }
    const wait = this.waitingForRoom.get(serviceArn) ?? { cluster: parseEcsArn(serviceArn)?.cluster ?? '', passes: 0 };
    wait.passes++;
    this.waitingForRoom.set(serviceArn, wait);
    // Some tasks did start: those move on their own events, and the pass after them looks again at once.
    if (created.length) return result;
    return { requeueAfterMs: Math.min(PLACEMENT_RETRY_MAX_MS, ACTIVE_RESYNC_MS * 2 ** (wait.passes - 1)) };
  }

  /**
   * One pass over a service, in one transaction, read top-down: repair and count what happened since the
   * last pass, judge the deployment, keep its load balancers in step, plan, stop and start tasks, then
   * record counts and rollout state. `created` collects the tasks it started or told to stop.
   */
  private pass(serviceArn: string, created: string[], saved: { changed: boolean }): ReconcileResult | void {
    const row = loadService(this.d.sql, serviceArn);
    if (!row || row.status === 'INACTIVE') return;
    // EXTERNAL and CODE_DEPLOY services run task sets, not deployments: their own pass (service-task-sets.ts).
    if (usesTaskSets(row.service)) return taskSetPass(this.d, row, row.service, created);
    const service = row.service as ServiceState;
    const now = this.d.clock.now();
    const tasks = taskRows(this.d.sql, row);
    this.repairFailedStarts(service, tasks);
    this.countFailures(service, tasks, now);
    this.judgeDeployment(service, now);
    this.syncLoadBalancers(service, tasks, created, now);
    const { views, plan } = this.planPass(row, service, tasks, now);
    if (views.some((v) => v.draining)) this.onDeadline = true;
    // Tasks waiting for a capacity provider's instances move when one is placed (capacity-placement): the service's
    // timed look backs off as for tasks that found no room, instead of a pass a second while instances launch.
    const starting = tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'RUNNING');
    if (starting.length && starting.every(isAwaitingCapacity)) this.shortOfRoom = true;
    this.stopPlanned(service, plan.stop, created, now);
    this.startPlanned(row, service, plan, created, now);
    // Tasks started or told to stop were written as new rows or fresh copies: read them back; otherwise the pass's own are current.
    this.recordCounts(service, created.length ? taskRows(this.d.sql, row) : tasks, now);
    const steady = this.settle(service, views, now);
    this.retireIfDrained(row, service, now);
    // A pass that changed nothing (a steady service's resync) writes nothing.
    saved.changed = saveServiceIfChanged(this.d.sql, service, row.doc);
    // A steady service waits for a change (or the sweep); one on its way somewhere is looked at again soon.
    if (service.status === 'INACTIVE' || steady) return;
    return { requeueAfterMs: ACTIVE_RESYNC_MS };
  }

  /**
   * A task that reached STOPPED never runs again (ECS has no way back): one recorded as still desired RUNNING
   * (a start that failed while its row was replaced, e.g. by a snapshot load) is a failed start, to be replaced.
   */
  private repairFailedStarts(service: ServiceState, tasks: Task[]) {
    for (const t of tasks) {
      if (t.desiredStatus !== 'RUNNING' || t.lastStatus !== 'STOPPED') continue;
      t.desiredStatus = 'STOPPED';
      t.stopCode ??= 'TaskFailedToStart';
      t.stoppedReason ??= 'TaskFailedToStart: the task stopped before it was running';
      t.version = (t.version ?? 0) + 1;
      saveTask(this.d.sql, t);
      this.d.log.info('task stopped', { taskArn: t.taskArn, service: service.serviceName, stopCode: t.stopCode, reason: t.stoppedReason });
    }
  }

  /** Failures since the last pass feed the circuit breaker and launch throttling; a healthy primary task resets the streak. */
  private countFailures(service: ServiceState, tasks: Task[], now: number) {
    const book = (service.berth ??= {});
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    const live = tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
    const seen = new Set(book.seenStopped ?? []);
    for (const t of tasks) {
      if (t.lastStatus !== 'STOPPED' || seen.has(t.taskArn!)) continue;
      seen.add(t.taskArn!);
      const failed = t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited';
      if (!failed) continue;
      const dep = deployments.find((d) => d.id === t.startedBy);
      if (dep) dep.failedTasks = (dep.failedTasks ?? 0) + 1;
      book.consecutiveFailures = (book.consecutiveFailures ?? 0) + 1;
      book.lastFailureAtMs = now;
    }
    book.seenStopped = [...seen].filter((a) => tasks.some((t) => t.taskArn === a));
    if (live.some((t) => t.lastStatus === 'RUNNING' && t.startedBy === primary?.id && t.healthStatus !== 'UNHEALTHY')) book.consecutiveFailures = 0;
  }

  /** Announces a deployment that started, and runs the circuit breaker over the primary one (which may roll it back). */
  private judgeDeployment(service: ServiceState, now: number) {
    const book = (service.berth ??= {});
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    if (primary && primary.rolloutState === 'IN_PROGRESS' && book.announced !== primary.id) {
      book.announced = primary.id;
      this.d.log.info('deployment started', {
        service: service.serviceArn, deployment: primary.id, taskDefinition: primary.taskDefinition, desiredCount: service.desiredCount,
        ...(primary.rolloutStateReason?.includes('rolling back') ? { reason: primary.rolloutStateReason } : {}),
      });
    }
    if (primary) this.circuitBreaker(service, primary, now);
  }

  /** Load balancers: running tasks in, stopped tasks out. */
  private syncLoadBalancers(service: ServiceState, tasks: Task[], created: string[], now: number) {
    const unannounced: (Task & TaskTargets)[] = [];
    for (const t of tasks as (Task & TaskTargets)[]) {
      let dirty = false;
      // Deregistered by the task lifecycle (StopTask): the service says so, as for its own drains.
      if (t.berthDrainUnannounced) {
        delete t.berthDrainUnannounced;
        unannounced.push(t);
        dirty = true;
      }
      if (t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING' && !t.berthTargets && !t.berthDrainingUntil) {
        const msg = registerTask(this.d.sql, service, t, now);
        if (msg) addEvent(this.d.sql, service, msg, now);
        dirty = !!t.berthTargets;
      }
      if (t.desiredStatus === 'STOPPED' && t.berthTargets && !t.berthDeregistered) {
        // Told to stop elsewhere (StopTask): it drains for the deregistration delay before it stops.
        const until = deregisterTask(this.d.sql, t, now);
        if (t.lastStatus === 'RUNNING' || t.lastStatus === 'DEACTIVATING') t.berthDrainingUntil ??= until;
        dirty = true;
      }
      // A state written by an older Berth: a draining task still desired RUNNING is told to stop (it drains the rest of its delay).
      if (t.desiredStatus === 'RUNNING' && t.berthDrainingUntil) {
        this.stopTask(t, t.berthStopReason ?? 'Scaling activity initiated by deployment');
        created.push(t.taskArn!);
        dirty = true;
      }
      if (dirty) saveTask(this.d.sql, t);
    }
    if (unannounced.length) this.announceDrain(service, unannounced, now);
  }

  /** As ECS reports a batch of tasks leaving their load balancers: one event per step, naming how many. */
  private announceDrain(service: ServiceState, drained: (Task & TaskTargets)[], now: number) {
    addEvent(this.d.sql, service, `has begun draining connections on ${drained.length} tasks.`, now);
    const groups = [...new Set(drained.flatMap((t) => (t.berthTargets ?? []).map((x) => x.targetGroupArn)))];
    addEvent(this.d.sql, service, `deregistered ${drained.length} targets in (target-group ${groups.join(', ')})`, now);
  }

  /**
   * What this pass does: the task views (deployment, running, healthy, failing health, draining) and the
   * plan made from them — planRollout's for a replica service, one task per ACTIVE instance for a daemon.
   */
  private planPass(row: ServiceRow, service: ServiceState, tasks: Task[], now: number): { views: TaskView[]; plan: Plan } {
    const live = tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
    const current = service.deployments?.find((d) => d.status === 'PRIMARY');
    const daemon = service.schedulingStrategy === 'DAEMON';
    const daemonInstances = daemon ? loadInstances({ ...row, sql: this.d.sql }, row.cluster, ['ACTIVE']).map((i) => i.containerInstanceArn!) : [];
    // A daemon service wants one task on every ACTIVE instance.
    if (daemon && service.status === 'ACTIVE') {
      service.desiredCount = daemonInstances.length;
      for (const d of service.deployments ?? []) if (d.status === 'PRIMARY') d.desiredCount = daemonInstances.length;
    }
    const views = this.taskViews(row, service, tasks, now);
    const book = (service.berth ??= {});
    const throttled = this.throttled(book, now);
    const failedRollout = current?.rolloutState === 'FAILED' && !(service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback);
    const plan: Plan = daemon && current
      ? this.daemonPlan(views, live, current.id!, daemonInstances, !throttled && !failedRollout && service.status === 'ACTIVE', stoppingOn(tasks))
      : current
      ? planRollout({
          desiredCount: service.desiredCount ?? 0,
          maximumPercent: service.deploymentConfiguration?.maximumPercent ?? 200,
          minimumHealthyPercent: service.deploymentConfiguration?.minimumHealthyPercent ?? 100,
          primaryId: current.id!,
          tasks: views,
          canLaunch: !throttled && !failedRollout && service.status === 'ACTIVE',
        })
      : { start: 0, stop: views.map((v) => ({ arn: v.arn, reason: `Scaling activity initiated by (deployment ${v.deploymentId})` })) };

    if (this.d.log.enabled('debug') && (plan.start || plan.stop.length)) {
      this.d.log.debug('service reconcile', {
        service: service.serviceArn, desiredCount: service.desiredCount, primary: current?.id,
        tasks: views.map((v) => `${shortId(v.arn).slice(0, 8)}:${v.deploymentId === current?.id ? 'primary' : v.deploymentId}:${v.running ? 'running' : 'pending'}${v.healthy ? ':healthy' : ''}${v.draining ? ':draining' : ''}${v.failingHealth ? `:failing-${v.failingHealth}` : ''}`),
        start: plan.start, stop: plan.stop, throttled, failedRollout,
      });
    }
    return { views, plan };
  }

  /**
   * The service's tasks as the planner sees them: those desired RUNNING and not yet stopped, plus those
   * draining (deregistered from their load balancers, lastStatus DEACTIVATING until the delay ends: on
   * their way out, they still count toward maximumPercent, as their containers still run).
   */
  private taskViews(row: ServiceRow, service: ServiceState, tasks: Task[], now: number): TaskView[] {
    const draining = new Set(tasks.filter((t) => isDraining(t, now)).map((t) => t.taskArn!));
    const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
    const defs = new Map<string, TaskDefinition | undefined>();
    const defOf = (arn: string) => (defs.has(arn) ? defs.get(arn) : defs.set(arn, findTaskDefinitionByArn(this.d.sql, arn)).get(arn));
    const withLb = !!service.loadBalancers?.length;
    const drainingInstances = new Set(loadInstances({ ...row, sql: this.d.sql }, row.cluster, ['DRAINING', 'INACTIVE']).map((i) => i.containerInstanceArn!));
    return tasks.filter((t) => (t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED') || draining.has(t.taskArn!)).map((t) => {
      const startedAt = t.startedAt ? Date.parse(String(t.startedAt)) : undefined;
      const hasChecks = (defOf(t.taskDefinitionArn!)?.containerDefinitions ?? []).some((c) => c.essential !== false && c.healthCheck?.command?.length);
      const running = t.lastStatus === 'RUNNING';
      const inGrace = startedAt !== undefined && now - startedAt < graceMs;
      const lb = withLb ? targetState(this.d.sql, t as Task & TaskTargets, now) : undefined;
      return {
        arn: t.taskArn!,
        // Tasks on a DRAINING instance are replaced like an old deployment's, within the same bounds.
        deploymentId: t.containerInstanceArn && drainingInstances.has(t.containerInstanceArn) ? 'draining-instance' : t.startedBy ?? '',
        running,
        healthy: running && (!hasChecks || t.healthStatus === 'HEALTHY') && (!withLb || lb === 'healthy'),
        failingHealth: running && !inGrace ? (t.healthStatus === 'UNHEALTHY' ? 'container' : lb === 'unhealthy' ? 'elb' : undefined) : undefined,
        draining: draining.has(t.taskArn!),
        startedAtMs: startedAt,
        // Deleting the service stops its tasks, protected or not.
        protectedFromScaleIn: service.status === 'ACTIVE' && isProtected(t, now),
      };
    });
  }

  /**
   * Tells the planned tasks to stop. One behind a load balancer leaves it first: told to stop now, its
   * containers keep running (lastStatus DEACTIVATING) until the target group's deregistration delay has
   * passed. As ECS reports a batch: one event per step, naming how many tasks it took.
   */
  private stopPlanned(service: ServiceState, stops: Plan['stop'], created: string[], now: number) {
    const stopped: string[] = [];
    const drained: (Task & TaskTargets)[] = [];
    for (const s of stops) {
      const t = loadTaskByArn(this.d.sql, s.arn) as { task: Task & TaskTargets } | undefined;
      if (!t || t.task.desiredStatus === 'STOPPED' || t.task.berthDrainingUntil) continue;
      if (t.task.berthTargets?.length && !t.task.berthDeregistered) {
        t.task.berthDrainingUntil = deregisterTask(this.d.sql, t.task, now);
        t.task.berthStopReason = s.reason;
        drained.push(t.task);
      }
      this.stopTask(t.task, s.reason);
      saveTask(this.d.sql, t.task);
      created.push(s.arn);
      stopped.push(s.arn);
    }
    if (drained.length) this.announceDrain(service, drained, now);
    if (stopped.length) {
      addEvent(this.d.sql, service, `has stopped ${stopped.length} running tasks: ${stopped.map((a) => `(task ${shortId(a)})`).join(' ')}.`, now);
      this.d.log.info('service stopping tasks', { service: service.serviceArn, tasks: stopped.map(shortId), draining: drained.length, reasons: [...new Set(stops.map((x) => x.reason))] });
    }
  }

  /** Launches the tasks the plan asks for, in the primary deployment (on the plan's instances for a daemon). */
  private startPlanned(row: ServiceRow, service: ServiceState, plan: Plan, created: string[], now: number) {
    const current = service.deployments?.find((d) => d.status === 'PRIMARY');
    if (plan.start <= 0 || !current) return;
    const started = this.launch(row, service, current, plan.start, now, 'instances' in plan ? (plan.instances as string[]) : undefined);
    created.push(...started);
    if (started.length) {
      addEvent(this.d.sql, service, `has started ${started.length} tasks: ${started.map((a) => `(task ${shortId(a)})`).join(' ')}.`, now);
      this.d.log.info('service starting tasks', { service: service.serviceArn, deployment: current.id, tasks: started.map(shortId) });
    }
  }

  /**
   * Counts per deployment and for the service; drained deployments go. An older deployment wants only the
   * tasks it still runs (its desired count drops as they are stopped) and is listed until its draining tasks are gone.
   */
  private recordCounts(service: ServiceState, afterAll: Task[], now: number) {
    const after = afterAll.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
    const lingering = new Set<string>();
    for (const d of service.deployments ?? []) {
      const mine = after.filter((t) => t.startedBy === d.id);
      d.runningCount = mine.filter((t) => t.lastStatus === 'RUNNING').length;
      d.pendingCount = mine.length - d.runningCount;
      if (d.status === 'PRIMARY') d.desiredCount = service.desiredCount;
      else d.desiredCount = mine.length;
      if (afterAll.some((t) => t.startedBy === d.id && isDraining(t, now))) lingering.add(d.id!);
    }
    service.deployments = (service.deployments ?? []).filter((d) => d.status === 'PRIMARY' || (d.runningCount ?? 0) + (d.pendingCount ?? 0) > 0 || lingering.has(d.id!));
    service.runningCount = after.filter((t) => t.lastStatus === 'RUNNING').length;
    service.pendingCount = after.length - service.runningCount;
  }

  /** As on ECS, a deleted service turns INACTIVE once its tasks have stopped, not when they are told to. */
  private retireIfDrained(row: ServiceRow, service: ServiceState, now: number) {
    if (service.status === 'DRAINING' && taskRows(this.d.sql, row).every((t) => t.lastStatus === 'STOPPED')) {
      service.status = 'INACTIVE';
      addEvent(this.d.sql, service, 'has stopped all its tasks and is now INACTIVE.', now);
    }
  }

  /** Tells a task to stop (the task-lifecycle controller drains, then stops it). */
  private stopTask(t: Task, reason: string) {
    t.desiredStatus = 'STOPPED';
    t.stopCode = 'ServiceSchedulerInitiated';
    t.stoppedReason = reason;
    t.version = (t.version ?? 0) + 1;
  }

  private throttled(book: NonNullable<ServiceState['berth']>, now: number): boolean {
    const n = book.consecutiveFailures ?? 0;
    if (n < 3 || !book.lastFailureAtMs) return false;
    return now - book.lastFailureAtMs < Math.min(MAX_THROTTLE_MS, 1000 * 2 ** (n - 3));
  }

  private launch(row: { account: string; region: string; cluster: string; name: string }, service: ServiceState, deployment: Deployment, count: number, now: number, onInstances?: string[]): string[] {
    const def = findTaskDefinitionByArn(this.d.sql, deployment.taskDefinition!);
    if (!def) return [];
    const scope = { account: row.account, region: row.region, sql: this.d.sql };
    const strategy = deployment.capacityProviderStrategy ?? service.capacityProviderStrategy;
    // Each new task's provider: the strategy's split (base, then weights), continuing from the deployment's live tasks.
    const providers: (string | undefined)[] = strategy?.length && !onInstances
      ? splitByStrategy(strategy, count, this.providerCounts(row, deployment.id!)).map(resourceId)
      : Array.from({ length: count }, () => undefined);
    const launchType = (deployment.launchType ?? (providers[0]?.startsWith('FARGATE') ? 'FARGATE' : 'EC2')) as 'FARGATE' | 'EC2' | 'EXTERNAL';
    const group = `service:${service.serviceName}`;
    const slots: { instance?: string; provider?: string; waiting?: AwaitingCapacity }[] = [];
    if (launchType === 'FARGATE') for (const provider of providers) slots.push({ provider });
    else if (onInstances) for (const instance of this.placeDaemonTasks(row, service, def, onInstances, group, now, launchType)) slots.push({ instance });
    else {
      let room: number | undefined;
      for (const [name, indexes] of groupSplit(providers.map((p) => p ?? ''))) {
        const provider = name || undefined;
        const { placed, waiting } = this.placeServiceTasks(row, service, def, indexes.length, group, now, launchType, provider);
        for (const instance of placed) slots.push({ instance, provider });
        // A managed-scaling provider's tasks that found no room wait in PROVISIONING for the instances it launches, up to
        // ECS's cap of PROVISIONING tasks per cluster; the rest start on a later pass.
        room ??= waiting ? provisioningRoom(scope, row.cluster) : undefined;
        const wait = Math.min(waiting, room ?? 0);
        if (room !== undefined) room -= wait;
        for (let k = 0; k < wait; k++) slots.push({ provider, waiting: { since: now, ...servicePlacementRules(service, def) } });
      }
    }
    const started: string[] = [];
    for (const { instance: containerInstanceArn, provider, waiting } of slots) {
      const task = buildTask(scope, {
        clusterArn: service.clusterArn!, clusterName: row.cluster, def, launchType,
        capacityProviderName: provider, networkConfiguration: deployment.networkConfiguration ?? service.networkConfiguration,
        group, startedBy: deployment.id, platformVersion: launchType === 'FARGATE' ? deployment.platformVersion : undefined,
        enableExecuteCommand: service.enableExecuteCommand, containerInstanceArn,
      }, now);
      if (waiting) (task as RecordedTask).berthAwaitingCapacity = waiting;
      const demand = definitionDemand(def);
      if (demand.tcpPorts.length || demand.udpPorts.length) (task as Task & { berthHostPorts?: object }).berthHostPorts = { tcp: demand.tcpPorts, udp: demand.udpPorts };
      insertTask(this.d.sql, scope, row.cluster, task, { serviceName: service.serviceName });
      const tags = service.propagateTags === 'SERVICE' ? getTags(this.d, service.serviceArn!)
        : service.propagateTags === 'TASK_DEFINITION' ? getTags(this.d, def.taskDefinitionArn!) : [];
      if (service.enableECSManagedTags) {
        tags.push({ key: 'aws:ecs:serviceName', value: service.serviceName! }, { key: 'aws:ecs:clusterName', value: row.cluster });
      }
      if (tags.length) putTags(this.d, task.taskArn!, tags);
      started.push(task.taskArn!);
    }
    return started;
  }

  /**
   * Daemon scheduling: a task of the primary deployment on each ACTIVE instance; an instance's
   * older task is stopped first, then replaced once stopped; tasks on instances no longer ACTIVE are stopped.
   */
  private daemonPlan(views: TaskView[], live: Task[], primaryId: string, active: string[], canLaunch: boolean, stillStopping: Set<string>) {
    const instanceOf = new Map(live.map((t) => [t.taskArn!, t.containerInstanceArn]));
    const stop: { arn: string; reason: string }[] = [];
    const instances: string[] = [];
    for (const v of views) {
      const ci = instanceOf.get(v.arn);
      if (v.draining) continue;
      if (!ci || !active.includes(ci)) stop.push({ arn: v.arn, reason: 'Service scheduler: container instance is no longer ACTIVE' });
      else if (v.deploymentId !== primaryId) stop.push({ arn: v.arn, reason: `Scaling activity initiated by (deployment ${primaryId})` });
      else if (v.failingHealth) stop.push({ arn: v.arn, reason: v.failingHealth === 'elb' ? 'Task failed ELB health checks.' : 'Task failed container health checks.' });
    }
    const stopping = new Set(stop.map((x) => x.arn));
    for (const ci of active) {
      const here = views.filter((v) => instanceOf.get(v.arn) === ci && !stopping.has(v.arn));
      // An instance whose old task is still stopping gets its new one once that has stopped (its host ports are free).
      if (!here.length && canLaunch && !stillStopping.has(ci)) instances.push(ci);
    }
    return { start: instances.length, stop, instances };
  }

  /**
   * Places service tasks on ACTIVE container instances (default: spread over zones, then instances), a provider's on
   * its own. `waiting`: how many found no room on a provider with managed scaling (they wait for capacity, without
   * ECS's placement-failure event); others that found none get the event.
   */
  private placeServiceTasks(
    row: { account: string; region: string; cluster: string }, service: ServiceState, def: TaskDefinition, count: number, group: string, now: number,
    launchType: string, provider: string | undefined,
  ): { placed: string[]; waiting: number } {
    const { result, candidates } = placeOnInstances(this.d.sql, row, service, def, count, group, launchType, provider);
    const short = count - result.placements.length;
    if (short && provider && providerScalesManaged({ ...row, sql: this.d.sql }, provider)) return { placed: result.placements, waiting: short };
    if (short) this.recordPlacementFailure(service, result.failures[0], candidates.length > 0, short, now);
    else if (service.berth?.placementFailure) delete service.berth.placementFailure;
    return { placed: result.placements, waiting: 0 };
  }

  /** A deployment's live tasks per capacity provider (a scale-out continues the strategy's split from them). */
  private providerCounts(row: ServiceRow, deploymentId: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of taskRows(this.d.sql, row)) {
      if (t.startedBy !== deploymentId || t.desiredStatus !== 'RUNNING' || t.lastStatus === 'STOPPED' || !t.capacityProviderName) continue;
      counts.set(t.capacityProviderName, (counts.get(t.capacityProviderName) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * A daemon's task on each of the given instances, where it fits: a daemon is placed without strategies, but an
   * instance that cannot hold it (a host port its engine's other instances already bind, its resources,
   * attributes) is left without one and the service says why, instead of starting a task that fails.
   */
  private placeDaemonTasks(row: ServiceRow, service: ServiceState, def: TaskDefinition, instances: string[], group: string, now: number, launchType: string): string[] {
    const constraints = [...(def.placementConstraints ?? []), ...(service.placementConstraints ?? [])].filter((k) => k.type === 'memberOf');
    const candidates = placementCandidates({ ...row, sql: this.d.sql }, row.cluster, { group, all: asksTaskGroups(constraints) }, launchType);
    const placed: string[] = [];
    let failure: { arn?: string; reason?: string } | undefined;
    for (const arn of instances) {
      const c = candidates.find((x) => x.arn === arn);
      if (!c) continue;
      const result = place([c], {
        demand: definitionDemand(def),
        requiredAttributes: (def.requiresAttributes ?? []).map((a) => a.name!).filter(Boolean),
        constraints, strategies: [], count: 1, group,
      });
      if (result.placements.length) placed.push(...result.placements);
      else failure ??= result.failures[0];
    }
    if (failure) this.recordPlacementFailure(service, failure, true, instances.length - placed.length, now);
    else if (service.berth?.placementFailure) delete service.berth.placementFailure;
    return placed;
  }

  /** The service event (and one log line per distinct reason) for tasks that could not be placed. */
  private recordPlacementFailure(service: ServiceState, failure: { arn?: string; reason?: string } | undefined, hadCandidates: boolean, unplaced: number, now: number) {
    this.shortOfRoom = true;
    const message = placementFailureMessage(failure?.reason, hadCandidates ? failure?.arn : undefined);
    addEvent(this.d.sql, service, message, now);
    // Logged once per distinct reason, not on every pass that retries.
    const book = (service.berth ??= {});
    if (book.placementFailure !== message) {
      this.d.log.info('service unable to place a task', { service: service.serviceArn, reason: failure?.reason || (hadCandidates ? 'no instance matched' : 'no container instances'), unplaced, message });
    }
    book.placementFailure = message;
  }

  /** The deployment circuit breaker: too many failed tasks fail the rollout, and may roll it back. */
  private circuitBreaker(service: ServiceState, primary: Deployment, now: number) {
    const cb = service.deploymentConfiguration?.deploymentCircuitBreaker;
    const sdArn = serviceDeploymentArn(service, primary.id!);
    const rollbackRequested = (primary as { berthRollback?: boolean }).berthRollback;
    if (primary.rolloutState !== 'IN_PROGRESS' && !rollbackRequested) return;
    const threshold = failureThreshold(service.desiredCount ?? 0);
    const tripped = !!cb?.enable && (primary.failedTasks ?? 0) >= threshold;
    if (!tripped && !rollbackRequested) {
      const sd = loadServiceDeployment(this.d.sql, sdArn);
      if (sd?.deploymentCircuitBreaker && sd.deploymentCircuitBreaker.failureCount !== primary.failedTasks) {
        sd.deploymentCircuitBreaker.failureCount = primary.failedTasks;
        saveServiceDeployment(this.d.sql, sd);
      }
      return;
    }
    delete (primary as { berthRollback?: boolean }).berthRollback;
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = tripped ? 'ECS deployment circuit breaker: tasks failed to start.' : primary.rolloutStateReason;
    if (tripped) {
      addEvent(this.d.sql, service, `(deployment ${primary.id}) deployment failed: tasks failed to start.`, now);
      this.d.log.info('deployment failed', { service: service.serviceArn, deployment: primary.id, reason: primary.rolloutStateReason, failedTasks: primary.failedTasks });
    }
    const sd = loadServiceDeployment(this.d.sql, sdArn);
    const target = service.berth?.lastCompletedTaskDefinition;
    const rollback = (tripped && cb?.rollback) || rollbackRequested;
    if (sd) {
      sd.status = rollback && target ? 'ROLLBACK_IN_PROGRESS' : tripped ? 'STOPPED' : sd.status;
      sd.statusReason = primary.rolloutStateReason;
      if (sd.deploymentCircuitBreaker) sd.deploymentCircuitBreaker = { ...sd.deploymentCircuitBreaker, status: tripped ? 'TRIGGERED' : 'MONITORING', failureCount: primary.failedTasks };
      sd.updatedAt = iso(now);
      if (!(rollback && target)) sd.finishedAt = iso(now);
      saveServiceDeployment(this.d.sql, sd);
    }
    if (rollback && target) {
      const from = primary.id;
      service.taskDefinition = target;
      const next = startDeployment(this.d.sql, service, now, `ECS deployment circuit breaker: rolling back to deployment ${from}.`);
      (next as { berthRollbackOf?: string }).berthRollbackOf = sdArn;
      addEvent(this.d.sql, service, `rolling back to deployment ${next.id}.`, now);
      this.d.log.info('deployment rolled back', { service: service.serviceArn, from: from, to: next.id, taskDefinition: target, reason: primary.rolloutStateReason });
      if (service.berth) service.berth.consecutiveFailures = 0;
    }
  }

  /** Marks the primary deployment COMPLETED and records the steady state once the service has converged. */
  private settle(service: ServiceState, views: TaskView[], now: number): boolean {
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    if (!primary) return true;
    const converged = service.deployments!.length === 1 && (primary.runningCount ?? 0) === (service.desiredCount ?? 0) && (primary.pendingCount ?? 0) === 0
      && views.filter((v) => v.deploymentId === primary.id).every((v) => v.healthy || !v.running);
    const book = (service.berth ??= {});
    if (!converged) {
      book.steady = false;
      return false;
    }
    if (primary.rolloutState === 'IN_PROGRESS') {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.updatedAt = iso(now);
      addEvent(this.d.sql, service, `(deployment ${primary.id}) deployment completed.`, now);
      this.d.log.info('deployment completed', { service: service.serviceArn, deployment: primary.id, taskDefinition: primary.taskDefinition, runningCount: primary.runningCount });
      book.lastCompletedTaskDefinition = primary.taskDefinition;
      const sd = loadServiceDeployment(this.d.sql, serviceDeploymentArn(service, primary.id!));
      if (sd && (sd.status === 'IN_PROGRESS' || sd.status === 'PENDING')) {
        sd.status = (primary as { berthRollbackOf?: string }).berthRollbackOf ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
        sd.finishedAt = iso(now);
        sd.updatedAt = iso(now);
        if (sd.targetServiceRevision) sd.targetServiceRevision = { ...sd.targetServiceRevision, runningTaskCount: primary.runningCount, pendingTaskCount: 0 };
        saveServiceDeployment(this.d.sql, sd);
      }
      const rolledBackFrom = (primary as { berthRollbackOf?: string }).berthRollbackOf;
      if (rolledBackFrom) {
        const failed = loadServiceDeployment(this.d.sql, rolledBackFrom);
        if (failed) {
          failed.status = 'ROLLBACK_SUCCESSFUL';
          failed.finishedAt = iso(now);
          failed.updatedAt = iso(now);
          saveServiceDeployment(this.d.sql, failed);
        }
      }
    }
    if (!book.steady) {
      book.steady = true;
      addEvent(this.d.sql, service, 'has reached a steady state.', now);
    }
    return true;
  }
}
