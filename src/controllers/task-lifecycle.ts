/**
 * task-lifecycle: converges one ECS task (key = task ARN) with its containers.
 *
 * Desired RUNNING: PROVISIONING (awsvpc pause container) → PENDING (pull
 * images, start containers in dependsOn order) → ACTIVATING → RUNNING; an
 * essential container's exit stops the task (EssentialContainerExited).
 * Desired STOPPED: DEACTIVATING → STOPPING (SIGTERM, SIGKILL after
 * stopTimeout, dependents first) → DEPROVISIONING → STOPPED.
 *
 * Level-triggered: every pass reads the task row and the engine's containers
 * (found by label) and does the next step; it never trusts what it did last
 * time. That is also what adopts containers after a restart.
 *
 * A task that runs quietly costs nothing: a pass comes from a change of the
 * task row, from an engine event of one of its containers (start, exit, OOM
 * kill, health status) or from the runtime's paged sweep over the unfinished
 * tasks (about once per 5 minutes each, the safety net); only a task on its way to
 * RUNNING or STOPPED asks to be looked at again on a timer.
 */
import type { Container, ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import type { ContainerState, MountSpec, RegistryAuth, RuntimeDriver } from '../runtime/driver.js';
import { RuntimeError } from '../runtime/driver.js';
import {
  engineForTask, findTaskDefinitionByArn, isAwaitingCapacity, loadTaskByArn, loadTaskRowByArn, releaseTaskEni, remoteEngines, saveTask, TASK_ARN_BATCH,
  unfinishedAmong, unfinishedTaskStatuses,
} from '../services/ecs/index.js';
import type { ChangeFeed } from '../state/change-feed.js';
import { containerSpecOf, DEFAULT_STOP_TIMEOUT_SECONDS, engineLabel, LABELS, pauseSpecOf, type SpecContext } from './container-spec.js';
import { ensurePauseImage } from './pause-image.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';
import { unfinishedTaskSweep } from './task-sweep.js';
import { dependencyVerdict } from './task-dependencies.js';
import { containerHealth, taskHealth } from './task-health.js';
import { deregisterTask, type TaskTargets } from './service-targets.js';

export interface TaskLifecycleDeps extends StateDeps {
  driver: RuntimeDriver;
  instanceId: string;
  /** Where a task's status, health or published ports moving is published (`ecs.task-state`: its service re-plans, load balancers resolve it again). */
  changes: ChangeFeed;
  /** Environment Berth injects into a container (metadata endpoint, region). */
  injectedEnv: (task: Task, containerName: string) => Promise<Record<string, string>>;
  /** Log drivers (log-shipper.ts): set up before containers are created; a returned reason fails the task start. */
  prepareLogging: (task: Task, def: TaskDefinition) => string | undefined;
  /** Log drivers: ship a stopped task's last lines; awaited before its containers are removed. */
  drainLogs: (taskArn: string) => Promise<void>;
  /**
   * Task-definition `secrets` (SSM, Secrets Manager) as environment variables for a container, resolved
   * as the execution role would; a thrown Error's message becomes the task's stoppedReason
   * (e.g. "ResourceInitializationError: unable to pull secrets …").
   */
  resolveSecrets: (task: Task, def: TaskDefinition, containerName: string) => Record<string, string>;
  /**
   * A container's `environmentFiles` (task-env-files.ts) as environment variables, below every other source; a
   * thrown Error's message becomes the stoppedReason ("ResourceInitializationError: failed to download env files: …").
   */
  resolveEnvFiles: (task: Task, def: TaskDefinition, containerName: string) => Promise<Record<string, string>>;
  /** The container's volumes (bind mounts, Docker volumes, EFS) as runtime mounts; a thrown Error fails the task start. */
  resolveMounts: (task: Task, def: TaskDefinition, containerName: string) => Promise<MountSpec[]>;
  /** Volumes: remove what belonged to the task alone (task-scoped volumes); called once its containers are removed. */
  releaseMounts: (task: Task) => Promise<void>;
  /**
   * Where a container image is pulled from and with which credentials: Berth's own ECR (also when the
   * task definition names an image as `<account>.dkr.ecr.<region>.amazonaws.com/…`) with Berth's token.
   */
  resolveImage: (task: Task, image: string, def?: TaskDefinition) => { ref: string; auth?: RegistryAuth };
  /**
   * A container's `repositoryCredentials` (task-secrets.ts) as pull credentials; a thrown Error's message
   * becomes the stoppedReason (ECS resolves them even when the image is cached).
   */
  registryAuth: (task: Task, def: TaskDefinition, containerName: string) => RegistryAuth | undefined;
}

/** Containers labelled by this Berth whose task is gone or stopped are looked for this often (and at start). */
const ORPHAN_RESYNC_MS = 300_000;
/**
 * A task on its way to RUNNING that cannot go further yet (a container waits on another's dependsOn condition, or
 * an essential container is up but not running) moves on with its containers' engine events (start, die,
 * health_status): those bring it round at once. The timed look is only the safety net for an event missed, so it
 * backs off: the first after STARTING_RESYNC_MS (waiting on dependsOn) or STARTING_RETRY_MS, doubling per pass
 * that finds the task still starting, to at most STARTING_MAX_MS, so a task stuck
 * starting (a dependency that never turns healthy) costs a pass a minute, not two a second.
 */
const STARTING_RESYNC_MS = 500;
const STARTING_RETRY_MS = 5_000;
const STARTING_MAX_MS = 60_000;
/** Engine events that may change what a task records (Docker's health event is `health_status: healthy`; exec_* are not). */
const TASK_EVENTS = /^(create|start|restart|die|oom|pause|unpause|health_status)\b/;

/**
 * Docker learns of an OOM kill and of the process exit separately (containerd's TaskOOM and TaskExit
 * events), so a container can first read as exited 137 with OOMKilled false. Such an exit is inspected
 * again until it is this old (and for no longer than this) before a stopping task records it.
 */
const OOM_SETTLE_MS = 1_000;
const OOM_RECHECK_MS = 50;

const iso = (ms: number) => new Date(ms).toISOString();

type ResolvedImage = { ref: string; auth?: RegistryAuth };

export class TaskLifecycle implements Controller {
  readonly name = 'task-lifecycle';
  readonly concurrency = 8;

  readonly watches: Watches = {
    changes: [{ kind: 'ecs.task' }],
    // An event that may change a task's containers (their removal aside: Berth's own doing): the task looks again.
    engineEvents: (e) => {
      const arn = e.labels[LABELS.taskArn];
      return arn && TASK_EVENTS.test(e.action) ? [arn] : [];
    },
    // At start, the tasks whose containers differ from what state says (adoption: a restarted Berth finds its
    // containers by label), then every unfinished task, paged.
    sweep: { ...unfinishedTaskSweep(() => this.d.sql), startKeys: () => this.adoptionKeys() },
    // Containers a previous run left whose task is gone from state (or stopped) are removed (at start: by adoptionKeys).
    resync: [{ periodMs: ORPHAN_RESYNC_MS, keys: () => this.orphanedTasks(), startKeys: () => [] }],
  };

  /**
   * Images resolved and pulled for a task that is still starting: a container waiting on dependsOn
   * comes round every pass, and ECS pulls once per task, not once per pass. Only a cache (a restart
   * pulls again); dropped when the task runs or stops.
   */
  private readonly prepared = new Map<string, Map<string, ResolvedImage>>();
  /** Passes in a row that found a task still starting (its timed look backs off by it). Only a cache, as `prepared`. */
  private readonly startingPasses = new Map<string, number>();
  /**
   * Per RUNNING task found quiet, a digest of its document and its containers as the engine listed them. The sweep
   * brings each task round every 5 minutes; one whose document and containers are as they were is still quiet (the
   * verdict is a function of those and its immutable task definition), so the pass ends before the document is parsed
   * or the task definition read. A few dozen bytes a task; dropped at the first pass that is not quiet.
   */
  private readonly quiet = new Map<string, string>();

  constructor(private readonly d: TaskLifecycleDeps) {}

  /**
   * The tasks of containers with this Berth's label, on the local engine and on each external instance's, that
   * are not unfinished tasks in state (those the sweep brings round).
   */
  private async *orphanedTasks(): AsyncIterable<string> {
    for (const engine of [undefined, ...remoteEngines(this.d.sql)]) {
      let mine: ContainerState[];
      try {
        mine = await this.d.driver.listContainers({ [LABELS.instance]: this.d.instanceId, ...engineLabel(engine) });
      } catch (err) {
        this.d.log.warn('container engine not reachable; tasks will start when it is', { ...(engine ? { engine } : {}), error: (err as Error).message });
        continue;
      }
      // Looked up a batch at a time, yielding to requests between batches: at 50,000 containers one lookup
      // each in a single turn held the event loop for half a second every ORPHAN_RESYNC_MS.
      const arns = [...new Set(mine.map((c) => c.labels[LABELS.taskArn]).filter(Boolean))];
      for (let i = 0; i < arns.length; i += TASK_ARN_BATCH) {
        const batch = arns.slice(i, i + TASK_ARN_BATCH);
        const live = unfinishedAmong(this.d.sql, batch);
        for (const arn of batch) if (!live.has(arn)) yield arn;
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  /**
   * What a (re)started Berth passes over: one list of its labelled containers per engine, compared with the
   * unfinished tasks' status columns. A task on its way somewhere (not RUNNING, or told to stop) is passed; a
   * RUNNING one only if it has no container, or one that is not running or not healthy; containers of tasks that are
   * gone or stopped are orphans. What changed while Berth was down the engine's events replay from the kept cursor,
   * and the sweep brings every task round within its period anyway. An engine that cannot be listed: every task.
   */
  private async *adoptionKeys(): AsyncIterable<string> {
    const tasks = unfinishedTaskStatuses(this.d.sql);
    const observed = new Map<string, ContainerState[]>();
    for (const engine of [undefined, ...remoteEngines(this.d.sql)]) {
      let mine: ContainerState[];
      try {
        mine = await this.d.driver.listContainers({ [LABELS.instance]: this.d.instanceId, ...engineLabel(engine) });
      } catch (err) {
        this.d.log.warn('container engine not reachable; tasks will start when it is', { ...(engine ? { engine } : {}), error: (err as Error).message });
        for (const t of tasks) yield t.arn;
        return;
      }
      for (const c of mine) {
        const arn = c.labels[LABELS.taskArn];
        if (!arn) continue;
        const list = observed.get(arn);
        if (list) list.push(c);
        else observed.set(arn, [c]);
      }
    }
    const quiet = (cs: ContainerState[] | undefined) => !!cs?.length && cs.every((c) => c.status === 'running' && (c.health === undefined || c.health === 'healthy'));
    let passed = 0;
    for (const t of tasks) {
      const containers = observed.get(t.arn);
      observed.delete(t.arn);
      if (t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && quiet(containers)) continue;
      passed++;
      yield t.arn;
    }
    // What is left names tasks that are gone from state or stopped: their containers go.
    for (const arn of observed.keys()) yield arn;
    this.d.log.debug('adoption', { unfinished: tasks.length, passed, orphaned: observed.size });
  }

  /** Applies a change to the freshest copy of the task, in one transaction. */
  private update(taskArn: string, change: (task: Task) => void): Task | undefined {
    const result = this.d.db.transaction(() => {
      const row = loadTaskByArn(this.d.sql, taskArn);
      if (!row) return undefined;
      // Status, health and published ports: what services and load balancers follow.
      const signature = (t: Task) => `${t.lastStatus}|${t.healthStatus}|${t.desiredStatus}|${JSON.stringify((t.containers ?? []).map((c) => c.networkBindings ?? []))}`;
      const before = signature(row.task);
      change(row.task);
      // A pass that changed nothing (a quiet RUNNING task looked at again) writes nothing.
      if (JSON.stringify(row.task) !== row.doc) saveTask(this.d.sql, row.task);
      return { task: row.task, changed: before !== signature(row.task) };
    })();
    if (result?.changed) this.d.changes.publish('ecs.task-state', taskArn);
    return result?.task;
  }

  async reconcile(taskArn: string): Promise<ReconcileResult | void> {
    const raw = loadTaskRowByArn(this.d.sql, taskArn);
    // The engine of the task's container instance (none: the local engine) is labelled on each container it makes.
    const engine = engineForTask(this.d.sql, taskArn);
    const observed = await this.d.driver.listContainers({ [LABELS.taskArn]: taskArn, [LABELS.instance]: this.d.instanceId, ...engineLabel(engine) });
    if (raw && this.quiet.get(taskArn) === quietDigest(raw.doc, observed)) return;
    this.quiet.delete(taskArn);
    const row = raw ? { ...raw, task: JSON.parse(raw.doc) as Task } : undefined;
    if (!row || row.task.lastStatus === 'STOPPED') this.startingPasses.delete(taskArn);
    if (!row) {
      // The task is gone from state (pruned or reset): its containers are orphans.
      await Promise.all(observed.map((c) => this.d.driver.removeContainer(c.id)));
      return;
    }
    const task = row.task;
    if (task.lastStatus === 'STOPPED') {
      // A task that reached STOPPED never runs again: one still desired RUNNING (a row written before failed
      // starts were recorded as such) is a failed start, as the service scheduler repairs its own.
      if (task.desiredStatus === 'RUNNING') {
        this.update(taskArn, (t) => {
          if (t.lastStatus !== 'STOPPED' || t.desiredStatus !== 'RUNNING') return;
          t.desiredStatus = 'STOPPED';
          t.stopCode ??= 'TaskFailedToStart';
          t.stoppedReason ??= 'TaskFailedToStart: the task stopped before it was running';
          t.version = (t.version ?? 0) + 1;
        });
      }
      await Promise.all(observed.map((c) => this.d.driver.removeContainer(c.id)));
      return;
    }
    const def = findTaskDefinitionByArn(this.d.sql, task.taskDefinitionArn!);
    if (!def) {
      this.update(taskArn, (t) => this.markStopping(t, 'TaskFailedToStart', 'Task definition not found'));
      return { requeueAfterMs: 1 };
    }
    const ctx: SpecContext = {
      task, def, instanceId: this.d.instanceId, account: row.account, region: row.region, clusterName: row.cluster, engine,
    };
    if (task.desiredStatus === 'STOPPED') {
      this.prepared.delete(taskArn);
      this.startingPasses.delete(taskArn);
      const drainedIn = this.drainRemaining(this.leaveLoadBalancers(task), observed);
      if (drainedIn > 0) return { requeueAfterMs: drainedIn };
      return this.stop(ctx, observed);
    }
    // An EC2 task waiting for a capacity provider's instance has nowhere to run yet (capacity-placement places it).
    if (isAwaitingCapacity(task)) return;
    return this.run(ctx, observed, row.doc);
  }

  /**
   * A task told to stop that is still registered in its service's target groups (StopTask, or any stop the
   * scheduler did not start) is deregistered first and drains for the deregistration delay, as on ECS.
   */
  private leaveLoadBalancers(task: Task): Task {
    const t = task as Task & TaskTargets;
    if (!t.berthTargets?.length || t.berthDeregistered || t.lastStatus === 'STOPPING' || t.lastStatus === 'DEPROVISIONING') return task;
    return this.update(task.taskArn!, (fresh) => {
      const f = fresh as Task & TaskTargets;
      if (f.desiredStatus !== 'STOPPED' || !f.berthTargets?.length || f.berthDeregistered) return;
      f.berthDrainingUntil = deregisterTask(this.d.sql, f, this.d.clock.now());
      f.berthStopReason ??= f.stoppedReason;
      f.berthDrainUnannounced = true;
      this.d.log.info('task draining', { taskArn: f.taskArn, until: iso(f.berthDrainingUntil) });
    }) ?? task;
  }

  /**
   * DEACTIVATING: a task told to stop while its load balancer targets drain keeps its containers running
   * until the deregistration delay has passed, so connections in flight complete
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
   * Returns how long is left (0: go on stopping).
   */
  private drainRemaining(task: Task, observed: ContainerState[]): number {
    const until = (task as Task & TaskTargets).berthDrainingUntil;
    const now = this.d.clock.now();
    if (!until || until <= now || !observed.some((c) => c.status === 'running')) return 0;
    if (task.lastStatus === 'STOPPING' || task.lastStatus === 'DEPROVISIONING') return 0;
    this.update(task.taskArn!, (t) => {
      if (t.desiredStatus === 'STOPPED' && t.lastStatus !== 'DEACTIVATING' && t.lastStatus !== 'STOPPING' && t.lastStatus !== 'DEPROVISIONING' && t.lastStatus !== 'STOPPED') {
        t.lastStatus = 'DEACTIVATING';
        t.version = (t.version ?? 0) + 1;
      }
    });
    return until - now;
  }

  private markStopping(t: Task, stopCode: string, reason: string) {
    if (t.desiredStatus === 'STOPPED') return;
    t.desiredStatus = 'STOPPED';
    t.stopCode = stopCode as Task['stopCode'];
    t.stoppedReason = reason;
    t.version = (t.version ?? 0) + 1;
  }

  /**
   * Desired RUNNING: one step of PROVISIONING → PENDING → RUNNING, read top-down. A phase that returns a
   * result ends the pass with it (a failed start, a requeue); otherwise the next phase runs.
   */
  private async run(ctx: SpecContext, observed: ContainerState[], doc: string): Promise<ReconcileResult | void> {
    const { task, def } = ctx;
    const arn = task.taskArn!;
    const byName = new Map(observed.map((c) => [c.labels[LABELS.containerName], c]));
    // The sweep's usual find, a quiet RUNNING task, is settled without a transaction (each step below runs one).
    if (isQuiet(task, doc, def, byName)) {
      this.prepared.delete(arn);
      this.startingPasses.delete(arn);
      this.quiet.set(arn, quietDigest(doc, observed));
      return;
    }
    await this.discardUnstarted(byName);
    this.recordObserved(arn, def, byName);
    if (essentialExited(def, byName)) {
      this.update(arn, (t) => this.markStopping(t, 'EssentialContainerExited', 'Essential container in task exited'));
      return { requeueAfterMs: 1 };
    }
    const unprovisioned = await this.provision(ctx, byName);
    if (unprovisioned) return unprovisioned;
    const missing = (def.containerDefinitions ?? []).filter((cd) => !byName.has(cd.name!));
    const images = await this.pullMissingImages(ctx, missing);
    if (!(images instanceof Map)) return images;
    const started = await this.startReadyContainers(ctx, missing, images, byName);
    if ('halt' in started) return started.halt;
    // The containers as started and the task RUNNING in one commit (on a large state file a start pays for each).
    return this.d.db.transaction(() => {
      this.recordObserved(arn, def, byName);
      return this.markRunningOnceUp(ctx, byName, started.waiting);
    })();
  }

  /**
   * A container created but never started (its start was refused: Docker answers 409 "cannot join network of
   * a non running container" when the task's pause container stopped in between, as when a snapshot load
   * removes containers under a pass), or one being removed, will not run as it is. It is removed, so this
   * pass makes it again, in the task's current network, instead of leaving the task waiting on it for good.
   */
  private async discardUnstarted(byName: Map<string, ContainerState>) {
    for (const [name, c] of byName) {
      if (name === '~pause' || (c.status !== 'created' && c.status !== 'removing')) continue;
      await this.d.driver.removeContainer(c.id);
      byName.delete(name);
    }
  }

  /**
   * PROVISIONING: the task's network namespace (awsvpc: a running pause container, which publishes the
   * task's ports), then PENDING. A pause container that stopped or went away is made again, and with it
   * every container of the task: they joined the old namespace, which nothing publishes any more. Returns a
   * result only when the network could not be set up (now, or in this pass).
   */
  private async provision(ctx: SpecContext, byName: Map<string, ContainerState>): Promise<ReconcileResult | undefined> {
    const { task, def } = ctx;
    const arn = task.taskArn!;
    if (def.networkMode !== 'awsvpc') {
      this.update(arn, (t) => {
        if (t.lastStatus === 'PROVISIONING') t.lastStatus = 'PENDING';
      });
      return undefined;
    }
    let pause = byName.get('~pause');
    if (!pause || pause.status !== 'running') {
      try {
        await Promise.all([...byName.values()].map((c) => this.d.driver.removeContainer(c.id)));
        byName.clear();
        const image = await ensurePauseImage(this.d.driver, { [LABELS.taskArn]: arn, ...engineLabel(ctx.engine) });
        const id = await this.d.driver.createContainer(pauseSpecOf(ctx, image));
        await this.d.driver.startContainer(id);
        pause = await this.d.driver.inspectContainer(id);
      } catch (err) {
        // The name is still held by the old pause container, which the engine is removing: the next pass makes it.
        if (err instanceof RuntimeError && err.code === 'Conflict') return { requeueAfterMs: 200 };
        return this.failToStart(arn, `ResourceInitializationError: failed to set up the task network: ${(err as Error).message}`);
      }
    }
    ctx.pauseContainerId = pause!.id;
    // A pause container made in this pass publishes the task's ports: record them with the containers below.
    byName.set('~pause', pause!);
    this.update(arn, (t) => {
      if (t.lastStatus === 'PROVISIONING') t.lastStatus = 'PENDING';
      const eni = t.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
      if (eni) eni.status = 'ATTACHED';
    });
    return undefined;
  }

  /**
   * PENDING, first: each missing container's image resolved and pulled once per start (so a container is
   * created from exactly the reference that was pulled), then logging set up, as ECS's agent validates
   * logger args when it creates containers (awslogs: the group must exist). Returns the resolved images,
   * or the failed start.
   */
  private async pullMissingImages(ctx: SpecContext, missing: ContainerDefinition[]): Promise<Map<string, ResolvedImage> | ReconcileResult> {
    const { task, def } = ctx;
    const arn = task.taskArn!;
    const resolved = this.prepared.get(arn) ?? new Map<string, ResolvedImage>();
    const unpulled = missing.filter((cd) => !resolved.has(cd.image!));
    for (const cd of unpulled) if (!resolved.has(cd.image!)) resolved.set(cd.image!, this.d.resolveImage(task, cd.image!, def));
    if (!unpulled.length) return resolved;
    const pullError = await this.pullImages(ctx, unpulled, resolved, def);
    if (pullError) return this.failToStart(arn, pullError, missing);
    this.prepared.set(arn, resolved);
    const logError = this.d.prepareLogging(task, def);
    if (logError) return this.failToStart(arn, logError);
    return resolved;
  }

  /**
   * PENDING, then: creates and starts each missing container whose dependsOn allows it now. `waiting`: some
   * container waits on another; `halt`: the pass ends with this result (a failed start, a name conflict).
   */
  private async startReadyContainers(
    ctx: SpecContext, missing: ContainerDefinition[], images: Map<string, ResolvedImage>, byName: Map<string, ContainerState>,
  ): Promise<{ waiting: boolean } | { halt: ReconcileResult }> {
    let waiting = false;
    for (const cd of missing) {
      const verdict = dependencyVerdict(cd, ctx.def, byName);
      if (verdict.kind === 'wait') {
        waiting = true;
        continue;
      }
      if (verdict.kind === 'impossible') return { halt: this.failToStart(ctx.task.taskArn!, verdict.reason) };
      const halt = await this.startContainer(ctx, cd, images.get(cd.image!)!.ref, byName);
      if (halt) return { halt };
    }
    return { waiting };
  }

  /** One container: its environment and mounts resolved, created from the pulled image, started, observed. */
  private async startContainer(ctx: SpecContext, cd: ContainerDefinition, image: string, byName: Map<string, ContainerState>): Promise<ReconcileResult | undefined> {
    const { task, def } = ctx;
    const arn = task.taskArn!;
    let injectedEnv: Record<string, string>;
    let mounts: MountSpec[];
    try {
      injectedEnv = {
        ...(await this.d.resolveEnvFiles(task, def, cd.name!)),
        ...(await this.d.injectedEnv(task, cd.name!)),
        ...this.d.resolveSecrets(task, def, cd.name!),
      };
      mounts = await this.d.resolveMounts(task, def, cd.name!);
    } catch (err) {
      return this.failToStart(arn, (err as Error).message, [cd]);
    }
    try {
      this.d.log.debug('creating container', { taskArn: arn, container: cd.name, image });
      const id = await this.d.driver.createContainer({ ...containerSpecOf({ ...ctx, injectedEnv, mounts }, cd), image });
      // Known before the process starts, so its first metadata request already sees its DockerId.
      this.update(arn, (t) => {
        const c = t.containers?.find((x) => x.name === cd.name);
        if (c) c.runtimeId = id;
      });
      await this.d.driver.startContainer(id);
      const state = await this.d.driver.inspectContainer(id);
      if (state) byName.set(cd.name!, state);
      return undefined;
    } catch (err) {
      if (err instanceof RuntimeError && err.code === 'Conflict') return { requeueAfterMs: 200 };
      // The task's network went away under this pass (its pause container stopped or was removed; Docker then
      // answers 404 for it): not the container's failure. The next pass makes the network and the container again.
      if (ctx.pauseContainerId && !(await this.isRunning(ctx.pauseContainerId))) return { requeueAfterMs: 200 };
      return this.failToStart(arn, `CannotStartContainerError: ${(err as Error).message}`);
    }
  }

  /** Whether a container runs now (a failing engine: no). */
  private async isRunning(id: string): Promise<boolean> {
    try {
      return (await this.d.driver.inspectContainer(id))?.status === 'running';
    } catch {
      return false;
    }
  }

  /** RUNNING once every container was started and the essential ones run; then only events (and the sweep) bring it round. */
  private markRunningOnceUp(ctx: SpecContext, byName: Map<string, ContainerState>, waiting: boolean): ReconcileResult | void {
    const { def } = ctx;
    const arn = ctx.task.taskArn!;
    const allStarted = (def.containerDefinitions ?? []).every((cd) => byName.has(cd.name!));
    const essentialsUp = (def.containerDefinitions ?? []).every((cd) => cd.essential === false || byName.get(cd.name!)?.status === 'running');
    if (allStarted) this.prepared.delete(arn);
    if (!allStarted || !essentialsUp) {
      const passes = this.startingPasses.get(arn) ?? 0;
      this.startingPasses.set(arn, passes + 1);
      const first = waiting ? STARTING_RESYNC_MS : STARTING_RETRY_MS;
      return { requeueAfterMs: Math.min(STARTING_MAX_MS, first * 2 ** Math.min(passes, 10)) };
    }
    this.startingPasses.delete(arn);
    const now = this.d.clock.now();
    let began = false;
    const t = this.update(arn, (t) => {
      if (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING' || t.lastStatus === 'ACTIVATING') {
        t.lastStatus = 'RUNNING';
        t.startedAt ??= iso(now) as unknown as Date;
        t.version = (t.version ?? 0) + 1;
        began = true;
      }
    });
    if (began && t) {
      this.d.log.info('task started', {
        taskArn: arn, cluster: ctx.clusterName, taskDefinition: def.taskDefinitionArn, group: t.group,
        containers: Object.fromEntries([...byName].filter(([n]) => n !== '~pause').map(([n, c]) => [n, c.id.slice(0, 12)])),
      });
    }
  }

  private async pullImages(ctx: SpecContext, defs: ContainerDefinition[], resolved: Map<string, ResolvedImage>, def?: TaskDefinition): Promise<string | undefined> {
    const { task } = ctx;
    const arn = task.taskArn!;
    // Image calls go to the task's engine.
    const labels = { [LABELS.taskArn]: arn, ...engineLabel(ctx.engine) };
    const images = [...new Set(defs.map((cd) => cd.image!))];
    const need: { image: string; ref: string; auth?: RegistryAuth }[] = [];
    for (const image of images) {
      const { ref, auth: berthAuth } = resolved.get(image)!;
      let auth = berthAuth;
      try {
        const withCreds = defs.find((cd) => cd.image === image && cd.repositoryCredentials);
        if (withCreds && def) auth ??= this.d.registryAuth(task, def, withCreds.name!);
      } catch (err) {
        return (err as Error).message;
      }
      // Images in Berth's registry are always pulled (a tag may have moved); others only when absent.
      if (berthAuth || !(await this.d.driver.hasImage(ref, labels))) need.push({ image, ref, auth });
    }
    const start = this.d.clock.now();
    if (!need.length) {
      // Nothing to pull (cached images): the pull's start and end in one write.
      this.update(arn, (t) => {
        t.pullStartedAt ??= iso(start) as unknown as Date;
        t.pullStoppedAt ??= iso(this.d.clock.now()) as unknown as Date;
      });
      return undefined;
    }
    this.update(arn, (t) => { t.pullStartedAt ??= iso(start) as unknown as Date; });
    for (const { image, ref, auth } of need) {
      this.d.log.debug('pulling image', { taskArn: arn, image, ref });
      try {
        await this.d.driver.pullImage(ref, auth, labels);
      } catch (err) {
        return `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: ${(err as Error).message}`;
      }
    }
    const end = this.d.clock.now();
    this.update(arn, (t) => { t.pullStoppedAt ??= iso(end) as unknown as Date; });
    return undefined;
  }

  private failToStart(arn: string, reason: string, containers?: ContainerDefinition[]): ReconcileResult {
    this.prepared.delete(arn);
    this.startingPasses.delete(arn);
    this.d.log.debug('task failed to start', { taskArn: arn, reason });
    this.update(arn, (t) => {
      for (const c of t.containers ?? []) {
        if (!containers || containers.some((cd) => cd.name === c.name)) c.reason ??= reason;
      }
      this.markStopping(t, 'TaskFailedToStart', reason);
    });
    return { requeueAfterMs: 1 };
  }

  /** Copies what the engine reports into the task's containers (status, exit code, ports, health). */
  private recordObserved(arn: string, def: TaskDefinition, byName: Map<string, ContainerState>) {
    this.update(arn, (t) => observe(t, def, byName));
  }

  /** The container's state once an exit 137 has had time to be recorded as an OOM kill (bounded by OOM_SETTLE_MS). */
  private async settledExit(id: string): Promise<ContainerState | undefined> {
    const deadline = Date.now() + OOM_SETTLE_MS;
    let s = await this.d.driver.inspectContainer(id);
    while (s && mayBeUnrecordedOom(s, Date.now()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, OOM_RECHECK_MS));
      s = await this.d.driver.inspectContainer(id);
    }
    return s;
  }

  private async stop(ctx: SpecContext, observed: ContainerState[]): Promise<ReconcileResult | void> {
    const { task, def } = ctx;
    const arn = task.taskArn!;
    const now = this.d.clock.now();
    // Every step writes only to a row still desired STOPPED: a row replaced meanwhile (a snapshot loaded, a reset)
    // by one that wants the task RUNNING is left to the next pass, never marked STOPPED under it.
    const stillStopping = (t: Task | undefined) => t?.desiredStatus === 'STOPPED';
    const begun = this.update(arn, (t) => {
      if (!stillStopping(t)) return;
      if (t.lastStatus !== 'STOPPING' && t.lastStatus !== 'DEPROVISIONING') {
        t.lastStatus = 'STOPPING';
        t.stoppingAt ??= iso(now) as unknown as Date;
      }
    });
    if (!stillStopping(begun)) return { requeueAfterMs: 1 };
    // Dependents stop before what they depend on, as ECS does.
    const order = stopOrder(def);
    const byName = new Map(observed.map((c) => [c.labels[LABELS.containerName], c]));
    const stoppedHere = new Set<string>();
    for (const wave of order) {
      await Promise.all(wave.map(async (name) => {
        const c = byName.get(name);
        if (!c || c.status !== 'running') return;
        const cd = def.containerDefinitions?.find((x) => x.name === name);
        stoppedHere.add(c.id);
        await this.d.driver.stopContainer(c.id, cd?.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS);
      }));
    }
    const final = new Map<string, ContainerState>();
    await Promise.all(observed.map(async (c) => {
      // A 137 from the SIGKILL after stopTimeout is Berth's own doing: no OOM to wait for.
      const s = stoppedHere.has(c.id) ? await this.d.driver.inspectContainer(c.id) : await this.settledExit(c.id);
      if (s) final.set(c.labels[LABELS.containerName], s);
    }));
    const execStopped = this.d.clock.now();
    const deprovisioning = this.update(arn, (t) => {
      if (!stillStopping(t)) return;
      const pause = final.get('~pause');
      for (const c of t.containers ?? []) {
        const s = final.get(c.name!);
        if (s) applyContainerState(c, s, def, pause, undefined, undefined);
        else if (c.lastStatus !== 'STOPPED') c.lastStatus = 'STOPPED';
        c.networkBindings = c.networkBindings ?? [];
      }
      t.executionStoppedAt ??= iso(execStopped) as unknown as Date;
      t.lastStatus = 'DEPROVISIONING';
      const eni = t.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
      if (eni) eni.status = 'DELETED';
      const eniId = eni?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
      if (eniId) releaseTaskEni({ account: ctx.account, region: ctx.region, sql: this.d.sql }, eniId);
    });
    if (!stillStopping(deprovisioning)) return { requeueAfterMs: 1 };
    // The containers' last log lines are shipped before the containers (and their logs) go.
    await this.d.drainLogs(arn);
    await Promise.all(observed.map((c) => this.d.driver.removeContainer(c.id)));
    await this.d.releaseMounts(task);
    const stopped = this.d.clock.now();
    const done = this.update(arn, (t) => {
      if (!stillStopping(t)) return;
      t.lastStatus = 'STOPPED';
      t.stoppedAt ??= iso(stopped) as unknown as Date;
      t.connectivity = 'DISCONNECTED';
      t.version = (t.version ?? 0) + 1;
    });
    if (!stillStopping(done)) return { requeueAfterMs: 1 };
    this.d.log.info('task stopped', {
      taskArn: arn, cluster: ctx.clusterName, group: done!.group, stopCode: done!.stopCode, reason: done!.stoppedReason,
      ...exitCodes(done!),
    });
  }
}

/** What a quiet pass saw: the task's document and its containers as listed (status, health, ports, exit). */
function quietDigest(doc: string, observed: ContainerState[]): string {
  return createHash('sha1').update(doc).update('\0').update(JSON.stringify(observed)).digest('base64');
}

/** Whether an essential container has exited (which ends the task). */
/**
 * A RUNNING task whose containers all run as recorded: every step of a pass would leave its row as it is (the
 * network attached, no container to start, none exited, and what the engine reports already in the document).
 */
function isQuiet(task: Task, doc: string, def: TaskDefinition, byName: Map<string, ContainerState>): boolean {
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') return false;
  for (const c of byName.values()) if (c.status !== 'running') return false;
  if (!(def.containerDefinitions ?? []).every((cd) => byName.has(cd.name!))) return false;
  if (def.networkMode === 'awsvpc') {
    const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    if (!byName.has('~pause') || (eni && eni.status !== 'ATTACHED')) return false;
  }
  const copy = JSON.parse(doc) as Task;
  observe(copy, def, byName);
  return JSON.stringify(copy) === doc;
}

/** Copies what the engine reports (`byName`: containers by name, the pause container as '~pause') into a task. */
function observe(t: Task, def: TaskDefinition, byName: Map<string, ContainerState>) {
  const pause = byName.get('~pause');
  const eni = t.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  const ip = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
  for (const c of t.containers ?? []) {
    const s = byName.get(c.name!);
    if (!s) {
      // Not there (removed, or not made again yet): it publishes nothing, whatever was recorded before (by an
      // earlier pass, or in a loaded snapshot). Its target is then unresolvable, never sent to a stale port.
      if (c.networkBindings?.length) c.networkBindings = [];
      continue;
    }
    applyContainerState(c, s, def, pause, eni?.id, ip);
  }
  t.healthStatus = taskHealth(t, def);
}

function essentialExited(def: TaskDefinition, byName: Map<string, ContainerState>): boolean {
  return (def.containerDefinitions ?? []).some((cd) => {
    const c = byName.get(cd.name!);
    return cd.essential !== false && !!c && (c.status === 'exited' || c.status === 'dead');
  });
}

/** Essential containers' exit codes, for the log line of a stopped task. */
function exitCodes(t: Task): { exitCodes?: Record<string, number> } {
  const codes = Object.fromEntries((t.containers ?? []).filter((c) => c.exitCode !== undefined).map((c) => [c.name!, c.exitCode!]));
  return Object.keys(codes).length ? { exitCodes: codes } : {};
}

/** An exit that may still turn out to be an OOM kill the engine has not recorded yet (see OOM_SETTLE_MS). */
function mayBeUnrecordedOom(s: ContainerState, now: number): boolean {
  if ((s.status !== 'exited' && s.status !== 'dead') || s.exitCode !== 137 || s.oomKilled || !s.finishedAt) return false;
  // Engine time: an engine whose clock is far off this one's is not waited for.
  return Math.abs(now - s.finishedAt.getTime()) < OOM_SETTLE_MS;
}

function applyContainerState(c: Container, s: ContainerState, def: TaskDefinition, pause: ContainerState | undefined, attachmentId?: string, ip?: string) {
  const cd = def.containerDefinitions?.find((x) => x.name === c.name);
  c.runtimeId = s.id;
  c.imageDigest ??= s.imageDigest;
  const up = s.status === 'running' || s.status === 'paused' || s.status === 'restarting';
  if (up) c.lastStatus = 'RUNNING';
  else if (s.status === 'exited' || s.status === 'dead') {
    c.lastStatus = 'STOPPED';
    if (s.exitCode !== undefined) c.exitCode = s.exitCode;
    if (s.oomKilled) c.reason = 'OutOfMemoryError: Container killed due to memory usage';
    else if (s.error && !c.reason) c.reason = s.error;
  }
  if (cd?.healthCheck) c.healthStatus = containerHealth(s);
  // awsvpc: the pause container publishes the task's ports, only while it runs.
  const published = def.networkMode === 'awsvpc' ? (pause?.status === 'running' ? pause.ports : []).filter((p) => cd?.portMappings?.some((m) => m.containerPort === p.containerPort))
    // host mode: the process binds the host's own ports, so the container port is the host port.
    : def.networkMode === 'host' ? (cd?.portMappings ?? []).map((m) => ({ containerPort: m.containerPort!, hostPort: m.containerPort!, protocol: (m.protocol ?? 'tcp') as 'tcp' | 'udp', hostIp: '0.0.0.0' }))
    : s.ports;
  if (c.lastStatus === 'RUNNING') {
    // A container that is not up (created, being removed) publishes nothing, whatever its recorded status says.
    c.networkBindings = up ? published.map((p) => ({ bindIP: p.hostIp, containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol })) : [];
  }
  if (def.networkMode === 'awsvpc' && attachmentId) c.networkInterfaces = [{ attachmentId, privateIpv4Address: ip }];
}

/** Waves of container names: containers nothing depends on stop first. */
function stopOrder(def: TaskDefinition): string[][] {
  const names = (def.containerDefinitions ?? []).map((c) => c.name!);
  const dependents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const cd of def.containerDefinitions ?? []) for (const dep of cd.dependsOn ?? []) dependents.get(dep.containerName!)?.add(cd.name!);
  const done = new Set<string>();
  const waves: string[][] = [];
  while (done.size < names.length) {
    const wave = names.filter((n) => !done.has(n) && [...dependents.get(n)!].every((d) => done.has(d)));
    if (!wave.length) {
      waves.push(names.filter((n) => !done.has(n)));
      break;
    }
    wave.forEach((n) => done.add(n));
    waves.push(wave);
  }
  // The pause container is not stopped: it is removed (killed) once the task's containers are down.
  return waves;
}
