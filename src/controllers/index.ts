/**
 * Starts the controllers: the reconcile runtime, the change-feed subscription,
 * adoption of what a previous run left (every unfinished task is reconciled,
 * every container with this instance's label is checked), engine events, and
 * the periodic resync and retention jobs.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { BlobStore } from '../registry/blobs.js';
import type { RegistryAuth, RuntimeDriver } from '../runtime/driver.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Db, Statements } from '../state/db.js';
import { liveServiceArns, pruneStoppedTasks, unfinishedTaskArns } from '../services/ecs/index.js';
import { LABELS } from './container-spec.js';
import { LogShipper } from './log-shipper.js';
import { ControllerRuntime } from './runtime.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { registryAuth, resolveSecrets } from './task-secrets.js';
import { resolveEnvFiles } from './task-env-files.js';
import { ServiceScheduler } from './service-scheduler.js';
import { allFileSystemKeys, unsettledKeys } from '../services/efs/store.js';
import { EfsFileSystems } from './efs-file-systems.js';
import { TaskVolumes } from './task-volumes.js';
import { startEcrControllers } from './ecr.js';

/** The service a task belongs to (group "service:<name>"), as an ARN. */
function serviceArnOfTask(task: Task): string | undefined {
  if (!task.group?.startsWith('service:') || !task.taskArn) return undefined;
  const [prefix, rest] = [task.taskArn.slice(0, task.taskArn.indexOf(':task/')), task.taskArn.slice(task.taskArn.indexOf(':task/') + 6)];
  return `${prefix}:service/${rest.split('/')[0]}/${task.group.slice('service:'.length)}`;
}

export interface ControllerDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  changes: ChangeFeed;
  driver: RuntimeDriver;
  instanceId: string;
  /** Berth's data directory (EFS file systems live under volumes/). */
  dataDir: string;
  /** The registry's blob store: ECR image scans read layers from it. */
  blobs: BlobStore;
  /** The OSV directory ECR image scans match against (BERTH_VULN_DB). */
  vulnerabilityDb?: string;
  injectedEnv?: (task: Task, containerName: string) => Promise<Record<string, string>>;
  resolveImage?: (task: Task, image: string) => { ref: string; auth?: RegistryAuth };
}

const RESYNC_MS = 30_000;
const PRUNE_MS = 60_000;

export interface Controllers {
  runtime: ControllerRuntime;
  /** Resolves once every queued reconcile has run (tests, reset). */
  idle(): Promise<void>;
  /** Reconciles everything in the state now (after a reset or a snapshot load). */
  resync(): void;
  stop(): Promise<void>;
}

export function startControllers(d: ControllerDeps): Controllers {
  const runtime = new ControllerRuntime(d.log);
  // awslogs: the shipper follows task containers' output into CloudWatch Logs; the lifecycle calls its hooks.
  const shipper = new LogShipper(d);
  runtime.register(shipper);
  const SERVICES = 'service-scheduler';
  runtime.register(new ServiceScheduler(d));
  // Volumes: ECS task volumes become mounts; EFS file systems are directories the EFS controller keeps.
  const volumes = new TaskVolumes(d);
  const efs = new EfsFileSystems(d);
  runtime.register(efs);
  runtime.register(new TaskLifecycle({
    ...d, prepareLogging: (t, def) => shipper.prepare(t, def), drainLogs: (arn) => shipper.drain(arn),
    resolveMounts: volumes.resolveMounts, releaseMounts: volumes.releaseMounts,
    // Task-definition secrets and repositoryCredentials, from SSM and Secrets Manager (task-secrets.ts).
    resolveSecrets: (t, def, name) => resolveSecrets(d, t, def, name), registryAuth: (t, def, name) => registryAuth(d, t, def, name),
    // Container-definition environmentFiles, from Berth's S3 or local files (task-env-files.ts).
    resolveEnvFiles: (t, def, name) => resolveEnvFiles(d, t, def, name),
    onTaskChanged: (t) => {
      const service = serviceArnOfTask(t);
      if (service) runtime.enqueue(SERVICES, service);
    },
  }));
  const TASKS = 'task-lifecycle';
  const LOGS = shipper.name;
  // ECR lifecycle policies, their previews and image scans (ecr.ts).
  const ecr = startEcrControllers(runtime, d);

  const unsubscribe = d.changes.subscribe((kind, key) => {
    if (kind === 'ecs.service') runtime.enqueue(SERVICES, key);
    // Container instances came, went or changed state: the cluster's services re-plan.
    if (kind === 'ecs.cluster') {
      const cluster = key.slice(key.lastIndexOf('/') + 1);
      const prefix = key.slice(0, key.indexOf(':cluster/'));
      for (const arn of liveServiceArns(d.sql)) if (arn.startsWith(`${prefix}:service/${cluster}/`)) runtime.enqueue(SERVICES, arn);
    }
    if (kind === 'efs') runtime.enqueue(efs.name, key);
    if (kind === 'ecs.task') {
      runtime.enqueue(TASKS, key);
      runtime.enqueue(LOGS, key);
    }
  });
  const stopEvents = d.driver.watchEvents({ [LABELS.instance]: d.instanceId }, (e) => {
    const arn = e.labels[LABELS.taskArn];
    if (arn && e.action !== 'destroy') runtime.enqueue(TASKS, arn);
    if (arn && (e.action === 'start' || e.action === 'die')) runtime.enqueue(LOGS, arn);
  });

  const resync = () => {
    for (const arn of liveServiceArns(d.sql)) runtime.enqueue(SERVICES, arn);
    for (const arn of unfinishedTaskArns(d.sql)) {
      runtime.enqueue(TASKS, arn);
      runtime.enqueue(LOGS, arn);
    }
    for (const key of unsettledKeys(d.sql)) runtime.enqueue(efs.name, key);
    ecr.resync();
  };
  const adoptContainers = async () => {
    try {
      const mine = await d.driver.listContainers({ [LABELS.instance]: d.instanceId });
      for (const c of mine) runtime.enqueue(TASKS, c.labels[LABELS.taskArn]);
    } catch (err) {
      d.log.warn('container engine not reachable; tasks will start when it is', { error: (err as Error).message });
    }
  };
  resync();
  // Each file system then requeues itself to meter its size.
  for (const key of allFileSystemKeys(d.sql)) runtime.enqueue(efs.name, key);
  void adoptContainers();

  const resyncTimer = setInterval(() => {
    resync();
    void adoptContainers();
  }, RESYNC_MS);
  const pruneTimer = setInterval(() => {
    try {
      pruneStoppedTasks(d.sql, d.clock.now());
      shipper.housekeeping(d.clock.now());
    } catch (err) {
      d.log.warn('pruning stopped tasks failed', { error: String(err) });
    }
  }, PRUNE_MS);
  resyncTimer.unref();
  pruneTimer.unref();

  return {
    runtime,
    resync: () => {
      resync();
      void adoptContainers();
    },
    idle: () => runtime.idle(),
    async stop() {
      clearInterval(resyncTimer);
      clearInterval(pruneTimer);
      unsubscribe();
      ecr.stop();
      stopEvents();
      await runtime.stop();
      await shipper.stop();
    },
  };
}
