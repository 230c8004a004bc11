/**
 * Starts the controllers: each is made with what it requires and added to the
 * reconcile runtime, which wires what each declares it watches (change kinds,
 * engine events, resyncs — adoption of what a previous run left included);
 * plus the retention job.
 */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { BlobStore } from '../registry/blobs.js';
import type { RegistryAuth, RuntimeDriver } from '../runtime/driver.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeFeed } from '../state/change-feed.js';
import { reclaimFreePages, type Db, type Statements } from '../state/db.js';
import { getMeta, setMeta } from '../state/meta.js';
import { pruneIdempotencyTokens, pruneStoppedTasks } from '../services/ecs/index.js';
import { LABELS } from './container-spec.js';
import { CloudWatchAlarms } from './cloudwatch-alarms.js';
import { EcrImageScan } from './ecr-image-scan.js';
import { EcsContainerInsights } from './ecs-container-insights.js';
import { EcsMetrics } from './ecs-metrics.js';
import { EcrLifecycle, EcrLifecyclePreview } from './ecr-lifecycle.js';
import { EcrReplication } from './ecr-replication.js';
import { AutoScalingGroups } from './auto-scaling-groups.js';
import { CapacityProviderScaling } from './capacity-provider-scaling.js';
import { Ec2Metrics } from './ec2-metrics.js';
import { CapacityPlacement } from './capacity-placement.js';
import { Ec2Instances } from './ec2-instances.js';
import { EfsFileSystems } from './efs-file-systems.js';
import { EksClusters, type EksDeps } from './eks-clusters.js';
import { EksNodegroups } from './eks-nodegroups.js';
import { EksFargate } from './eks-fargate.js';
import { KubeDeployments } from './kube-deployments.js';
import { KubePods } from './kube-pods.js';
import type { PodEnvironment } from './kube-pod-spec.js';
import { KubeCronJobs } from './kube-cron-jobs.js';
import { KubeDaemonSets } from './kube-daemon-sets.js';
import { KubeJobs } from './kube-jobs.js';
import { KubeStatefulSets } from './kube-stateful-sets.js';
import { KubeVolumes } from './kube-volumes.js';
import { KubeGarbageCollector } from './kube-garbage-collector.js';
import { KubeEndpoints } from './kube-endpoints.js';
import { KubeServices } from './kube-services.js';
import { KubeNodePorts } from './kube-node-ports.js';
import { KubeReplicaSets } from './kube-replica-sets.js';
import { EventDelivery } from './event-delivery.js';
import { EventSchedules } from './event-schedules.js';
import { LogShipper } from './log-shipper.js';
import { LogsExportTasks } from './logs-export-tasks.js';
import { ControllerRuntime } from './runtime.js';
import { ServiceScheduler } from './service-scheduler.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { scalingActionInvoker } from './scaling-policies.js';
import { ScalingSchedules } from './scaling-schedules.js';
import { AutoScalingSchedules } from './auto-scaling-schedules.js';
import { ScalingTargets } from './scaling-targets.js';
import { SchedulerSchedules } from './scheduler-schedules.js';
import { SqsMetrics } from './sqs-metrics.js';
import { ExpressTeardown } from './express-teardown.js';
import { AppRunnerServices } from './apprunner-services.js';
import { AppRunnerBuilds } from './apprunner-builds.js';
import type { GroupLoad } from '../services/apprunner/index.js';
import { CloudFormationStacks } from './cloudformation-stacks.js';
import type { Invoke } from '../services/provider.js';
import { registryAuth, resolveSecrets, type AuthorizeExecutionRole } from './task-secrets.js';
import { resolveEnvFiles } from './task-env-files.js';
import { TaskVolumes } from './task-volumes.js';

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
  /** The OSV directory ECR image scans match against (BERTH_VULN_DB); without it a scan fails, saying so. */
  vulnerabilityDb?: string;
  /** Environment Berth injects into a task's container (metadata and credentials endpoints, region). */
  injectedEnv: (task: Task, containerName: string) => Promise<Record<string, string>>;
  /** Real seconds per CloudWatch minute (`--metrics-period`): alarms evaluate on it. */
  metricsPeriod: number;
  /** With --enforce-iam: whether a task's execution role may read its secrets (task-secrets.ts). */
  authorizeExecutionRole?: AuthorizeExecutionRole;
  /** Runs another service's operation as an internal caller (services/providers.ts): CloudFormation's resource providers. */
  invoke: Invoke;
  /** Where a task's image is pulled from, with which credentials (Berth's ECR). */
  resolveImage: (task: Task, image: string, def?: TaskDefinition) => { ref: string; auth?: RegistryAuth };
  /** The most requests in flight at once on a target group since the last call (the load balancer's count): App Runner scales on it. */
  groupLoad: (targetGroupArn: string) => GroupLoad;
  /**
   * The engine's name for an image in Berth's ECR and credentials to push or pull it, for an account: EKS pods pull
   * with it (the cluster's account, as nodes pull with their role), App Runner pushes its builds.
   */
  registryImage: (account: string, image: string) => { ref: string; auth?: RegistryAuth };
  /** App Runner's base image per runtime (`BERTH_APPRUNNER_RUNTIME_IMAGES`). */
  appRunnerRuntimeImages?: Record<string, string>;
  /** EKS: where cluster APIs listen and how they authenticate callers. */
  eks: EksDeps;
  /** EKS pods: Berth's environment for their containers and the Pod Identity Agent (kube-pod-spec.ts). */
  podEnv: PodEnvironment;
}

const PRUNE_MS = 60_000;
/** The berth_meta key of the engine event stream's cursor. */
const ENGINE_EVENTS_CURSOR = 'engine-events-cursor';
/** Free pages handed back to the file system per retention pass (64 MiB of 4 KiB pages), in steps of a few ms. */
const RECLAIM_PAGES_PER_PASS = 16_384;
/** Free pages up to this share of state.db stay for reuse: the file stays within it of its live size (issue 15: 10 %). */
const RECLAIM_SLACK = 0.05;

/**
 * One pass of the retention job: ECS's stopped tasks past their hour and RunTask
 * client tokens past their window are deleted, then the pages they held are
 * returned to the file system (a bounded number per pass) once they are more than
 * RECLAIM_SLACK of it, so state.db stays near its live size.
 */
export async function pruneState(d: Pick<ControllerDeps, 'db' | 'sql' | 'clock'>): Promise<{ tasks: number; tokens: number; pages: number }> {
  const now = d.clock.now();
  const { tasks, tokens } = d.db.transaction(() => {
    const stopped = pruneStoppedTasks(d.sql, now);
    return { tasks: stopped.tasks, tokens: stopped.tokens + pruneIdempotencyTokens(d.sql, now) };
  })();
  const pages = await reclaimFreePages(d.db, RECLAIM_PAGES_PER_PASS, RECLAIM_SLACK);
  return { tasks, tokens, pages };
}

export interface Controllers {
  runtime: ControllerRuntime;
  /** Resolves once every queued reconcile has run (tests, reset). */
  idle(): Promise<void>;
  /** Reconciles everything in the state now (after a reset or a snapshot load). */
  resync(): void;
  /** Keeps controllers from starting passes until released (ControllerRuntime.hold). */
  hold(waitMs?: number): Promise<() => void>;
  stop(): Promise<void>;
}

export function startControllers(d: ControllerDeps): Controllers {
  const runtime = new ControllerRuntime(d.log);
  // awslogs: the shipper follows task containers' output into CloudWatch Logs; the lifecycle calls its hooks.
  const shipper = new LogShipper(d);
  // Volumes: ECS task volumes become mounts; EFS file systems are directories the EFS controller keeps.
  const volumes = new TaskVolumes(d);
  runtime.add(shipper);
  runtime.add(new ServiceScheduler(d));
  runtime.add(new EfsFileSystems(d));
  // EC2 instances move through their states; those from ECS-optimized AMIs join their cluster as container instances.
  runtime.add(new Ec2Instances(d));
  // EC2 Auto Scaling groups converge to their desired capacity through EC2's door.
  runtime.add(new AutoScalingGroups(d));
  // ECS managed scaling: each ASG capacity provider's CapacityProviderReservation, its policy's alarms, protection.
  runtime.add(new CapacityProviderScaling(d));
  // Tasks waiting in PROVISIONING for a capacity provider's instances are placed as the instances arrive.
  runtime.add(new CapacityPlacement(d));
  // AWS/EC2 instance metrics (from their tasks' containers) and AWS/AutoScaling group metrics, once per metric minute.
  runtime.add(new Ec2Metrics(d));
  runtime.add(new TaskLifecycle({
    ...d,
    prepareLogging: (t, def) => shipper.prepare(t, def), drainLogs: (arn) => shipper.drain(arn),
    resolveMounts: volumes.resolveMounts, releaseMounts: volumes.releaseMounts,
    // Task-definition secrets and repositoryCredentials, from SSM and Secrets Manager (task-secrets.ts).
    resolveSecrets: (t, def, name) => resolveSecrets(d, t, def, name), registryAuth: (t, def, name) => registryAuth(d, t, def, name),
    // Container-definition environmentFiles, from Berth's S3 or local files (task-env-files.ts).
    resolveEnvFiles: (t, def, name) => resolveEnvFiles(d, t, def, name),
  }));
  // ECR lifecycle policies, their previews, image scans and replication.
  runtime.add(new EcrLifecycle(d));
  runtime.add(new EcrLifecyclePreview(d));
  runtime.add(new EcrImageScan(d));
  runtime.add(new EcrReplication(d));
  // CloudWatch Logs export tasks write their objects into Berth's S3.
  runtime.add(new LogsExportTasks(d));
  // CloudWatch alarms evaluate in metric time; Application Auto Scaling policies they name run (other actions are
  // recorded), and scheduled actions run on the same clock.
  runtime.add(new CloudWatchAlarms({ ...d, alarmActions: scalingActionInvoker(d) }));
  runtime.add(new ScalingSchedules(d));
  // EC2 Auto Scaling's scheduled actions run on the same clock.
  runtime.add(new AutoScalingSchedules(d));
  // A deleted ECS service's scalable target (its policies, alarms, scheduled actions) goes with it.
  runtime.add(new ScalingTargets(d));
  // A deleted ECS Express service's security groups and log group go once its tasks have stopped.
  runtime.add(new ExpressTeardown(d));
  // App Runner services: operations end as their Express service's deployments do; auto deployments; scaling by concurrency.
  runtime.add(new AppRunnerServices(d));
  // App Runner source code services: builds (engine build, push to Berth's ECR) and new commits on watched branches.
  runtime.add(new AppRunnerBuilds({ ...d, runtimeImages: d.appRunnerRuntimeImages ?? {} }));
  // AWS/ECS CPUUtilization and MemoryUtilization, measured from the service tasks' containers each metric minute.
  runtime.add(new EcsMetrics(d));
  // ECS/ContainerInsights service task counts of clusters with Container Insights on, each metric minute.
  runtime.add(new EcsContainerInsights(d));
  // EventBridge: queued events go to their targets; scheduled rules and Scheduler's schedules run on the (compressed) clock.
  runtime.add(new EventDelivery(d));
  runtime.add(new EventSchedules(d));
  runtime.add(new SchedulerSchedules(d));
  // CloudFormation stacks: their resources created, updated and deleted through each service's operations.
  runtime.add(new CloudFormationStacks(d));
  // AWS/SQS metrics, each metric period.
  runtime.add(new SqsMetrics(d));
  // EKS: each cluster's Kubernetes API (HTTPS on loopback), and its builtin workload controllers and kubelet.
  const eksClusters = new EksClusters(d);
  runtime.add(eksClusters);
  runtime.add(new EksNodegroups(d));
  runtime.add(new EksFargate(d));
  runtime.add(new KubeDeployments(d));
  runtime.add(new KubeReplicaSets(d));
  runtime.add(new KubePods(d));
  runtime.add(new KubeJobs(d));
  runtime.add(new KubeCronJobs(d));
  runtime.add(new KubeStatefulSets(d));
  runtime.add(new KubeDaemonSets(d));
  runtime.add(new KubeVolumes(d));
  runtime.add(new KubeGarbageCollector(d));
  runtime.add(new KubeEndpoints(d));
  runtime.add(new KubeServices(d));
  // kube-proxy's part: Services' node ports listened on at 127.0.0.1, forwarding to their ready endpoints.
  const nodePorts = new KubeNodePorts(d);
  runtime.add(nodePorts);
  runtime.start({
    changes: d.changes,
    engineEvents: (onEvent, since) => d.driver.watchEvents({ [LABELS.instance]: d.instanceId }, onEvent, since),
    // Where this Berth's event stream stood: a restart replays what the engine still holds from there.
    eventCursor: {
      load: () => getMeta(d.db, ENGINE_EVENTS_CURSOR),
      save: (cursor) => { if (d.db.open) setMeta(d.db, ENGINE_EVENTS_CURSOR, cursor); },
    },
  });

  let pruning: Promise<void> | undefined;
  const pruneTimer = setInterval(() => {
    if (pruning) return; // the last pass is still reclaiming pages
    pruning = (async () => {
      try {
        const pruned = await pruneState(d);
        if (pruned.tasks || pruned.tokens || pruned.pages) d.log.debug('retention pass', pruned);
        shipper.housekeeping(d.clock.now());
      } catch (err) {
        d.log.warn('pruning stopped tasks failed', { error: String(err) });
      }
    })().finally(() => { pruning = undefined; });
  }, PRUNE_MS);
  pruneTimer.unref();

  return {
    runtime,
    resync: () => runtime.resync(),
    idle: () => runtime.idle(),
    hold: (waitMs) => runtime.hold(waitMs),
    async stop() {
      clearInterval(pruneTimer);
      await pruning;
      await runtime.stop();
      await shipper.stop();
      await eksClusters.stop();
      await nodePorts.stop();
    },
  };
}
