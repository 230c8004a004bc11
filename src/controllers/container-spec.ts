/**
 * ECS container definition (+ overrides) → the runtime's ContainerSpec.
 * What ECS's agent does when it creates a container: environment, limits,
 * health check, Linux parameters, labels, and networking per network mode.
 */
import type { ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { ENGINE_LABEL, type ContainerSpec, type HealthCheckSpec, type MountSpec, type PortBinding } from '../runtime/driver.js';
import { taskIdOf } from '../shared/arns.js';

const MIB = 1024 * 1024;
/** ECS's default stop timeout (ECS_CONTAINER_STOP_TIMEOUT). */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

export const LABELS = {
  managed: 'berth.managed',
  instance: 'berth.instance',
  taskArn: 'berth.task-arn',
  containerName: 'berth.container-name',
  cluster: 'berth.cluster',
  account: 'berth.account',
  region: 'berth.region',
  role: 'berth.role',
} as const;

export interface SpecContext {
  task: Task;
  def: TaskDefinition;
  instanceId: string;
  account: string;
  region: string;
  clusterName: string;
  /** The engine the task runs on (its container instance's), undefined for the local one: labelled on every container. */
  engine?: string;
  /** For awsvpc: the pause container whose network namespace the task shares. */
  pauseContainerId?: string;
  /** Extra environment Berth injects (metadata endpoint, region). */
  injectedEnv?: Record<string, string>;
  /** Volumes resolved for this container (bind, Docker volume, EFS). */
  mounts?: MountSpec[];
}

export function engineName(taskArn: string, container: string): string {
  return `berth-${taskIdOf(taskArn)}-${container}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

export function baseLabels(c: SpecContext, role: 'container' | 'pause', containerName: string): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.instance]: c.instanceId,
    [LABELS.taskArn]: c.task.taskArn!,
    [LABELS.containerName]: containerName,
    [LABELS.cluster]: c.clusterName,
    [LABELS.account]: c.account,
    [LABELS.region]: c.region,
    [LABELS.role]: role,
    ...engineLabel(c.engine),
  };
}

/** The label that tells the runtime which engine (ENGINE_LABEL; none for the local engine). */
export function engineLabel(engine: string | undefined): Record<string, string> {
  return engine ? { [ENGINE_LABEL]: engine } : {};
}

/** The ports a container definition asks for, as loopback-published bindings. */
export function portsOf(cd: ContainerDefinition, networkMode: string): PortBinding[] {
  return (cd.portMappings ?? [])
    .filter((p) => p.containerPort !== undefined)
    .map((p) => ({
      containerPort: p.containerPort!,
      protocol: (p.protocol ?? 'tcp') as 'tcp' | 'udp',
      // bridge: hostPort 0/absent = dynamic. awsvpc: ECS has no host port; Berth publishes a dynamic one.
      hostPort: networkMode === 'bridge' ? (p.hostPort ?? 0) : 0,
      hostIp: '127.0.0.1',
    }));
}

function healthCheckOf(cd: ContainerDefinition): HealthCheckSpec | undefined {
  const hc = cd.healthCheck;
  if (!hc?.command?.length) return undefined;
  return {
    test: hc.command,
    intervalSeconds: hc.interval ?? 30,
    timeoutSeconds: hc.timeout ?? 5,
    retries: hc.retries ?? 3,
    startPeriodSeconds: hc.startPeriod ?? 0,
  };
}

function envOf(cd: ContainerDefinition, task: Task, injected: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = { ...injected };
  for (const kv of cd.environment ?? []) if (kv.name) env[kv.name] = kv.value ?? '';
  const o = task.overrides?.containerOverrides?.find((x) => x.name === cd.name);
  for (const kv of o?.environment ?? []) if (kv.name) env[kv.name] = kv.value ?? '';
  return env;
}

export function containerSpecOf(c: SpecContext, cd: ContainerDefinition): ContainerSpec {
  const o = c.task.overrides?.containerOverrides?.find((x) => x.name === cd.name);
  const networkMode = c.def.networkMode ?? 'bridge';
  const isFargate = c.task.launchType === 'FARGATE';
  const taskMemory = Number(c.task.memory ?? 0);
  const taskCpu = Number(c.task.cpu ?? 0);
  const memory = o?.memory ?? cd.memory ?? (isFargate && taskMemory ? taskMemory : undefined);
  const lp = cd.linuxParameters;
  const mounts: MountSpec[] = [...(c.mounts ?? []), ...(lp?.tmpfs ?? []).map((t): MountSpec => ({
    type: 'tmpfs', target: t.containerPath!, tmpfsSizeBytes: (t.size ?? 0) * MIB || undefined, tmpfsOptions: t.mountOptions,
  }))];
  let runtimeNetwork: string = networkMode;
  if (networkMode === 'awsvpc') runtimeNetwork = `container:${c.pauseContainerId}`;
  return {
    name: engineName(c.task.taskArn!, cd.name!),
    image: cd.image!,
    labels: { ...(cd.dockerLabels ?? {}), ...baseLabels(c, 'container', cd.name!) },
    env: envOf(cd, c.task, c.injectedEnv),
    entryPoint: cd.entryPoint?.length ? cd.entryPoint : undefined,
    command: o?.command?.length ? o.command : cd.command?.length ? cd.command : undefined,
    workingDirectory: cd.workingDirectory,
    user: cd.user,
    hostname: networkMode === 'bridge' ? cd.hostname : undefined,
    memoryBytes: memory ? memory * MIB : undefined,
    memoryReservationBytes: (o?.memoryReservation ?? cd.memoryReservation) ? (o?.memoryReservation ?? cd.memoryReservation)! * MIB : undefined,
    cpuUnits: (o?.cpu ?? cd.cpu) || undefined,
    // Fargate caps the whole task at its vCPU size; each container gets that ceiling.
    cpuLimit: isFargate && taskCpu ? taskCpu / 1024 : undefined,
    networkMode: runtimeNetwork,
    ports: networkMode === 'bridge' || networkMode === 'host' ? portsOf(cd, networkMode).filter(() => networkMode === 'bridge') : [],
    healthCheck: healthCheckOf(cd),
    extraHosts: networkMode === 'bridge' ? (cd.extraHosts ?? []).map((h) => ({ hostname: h.hostname!, ipAddress: h.ipAddress! })) : undefined,
    dnsServers: networkMode === 'bridge' ? cd.dnsServers : undefined,
    ulimits: (cd.ulimits ?? []).map((u) => ({ name: u.name!, softLimit: u.softLimit!, hardLimit: u.hardLimit! })),
    capAdd: lp?.capabilities?.add,
    capDrop: lp?.capabilities?.drop,
    init: lp?.initProcessEnabled,
    sharedMemoryBytes: lp?.sharedMemorySize ? lp.sharedMemorySize * MIB : undefined,
    readonlyRootFilesystem: cd.readonlyRootFilesystem,
    privileged: cd.privileged === true,
    mounts,
    stopTimeoutSeconds: cd.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS,
  };
}

/** awsvpc's pause container: owns the task's network namespace and its published ports. */
export function pauseSpecOf(c: SpecContext, image: string): ContainerSpec {
  const ports = (c.def.containerDefinitions ?? []).flatMap((cd) => portsOf(cd, 'awsvpc'));
  const extraHosts = (c.def.containerDefinitions ?? []).flatMap((cd) => cd.extraHosts ?? []);
  return {
    name: `berth-${taskIdOf(c.task.taskArn!)}-pause`,
    image,
    labels: baseLabels(c, 'pause', '~pause'),
    command: ['2147483647'],
    networkMode: 'bridge',
    ports,
    extraHosts: extraHosts.map((h) => ({ hostname: h.hostname!, ipAddress: h.ipAddress! })),
    dnsServers: (c.def.containerDefinitions ?? []).flatMap((cd) => cd.dnsServers ?? []),
    stopTimeoutSeconds: 0,
  };
}
