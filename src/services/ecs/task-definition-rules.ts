/**
 * RegisterTaskDefinition's checks and defaults: what ECS validates in a task
 * definition and what it fills in before storing it. The request's container
 * definitions are kept as given; ECS's defaults are added
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
 * Messages quote ECS where its wording is known; the rest keep its style.
 */
import { createRequire } from 'node:module';
import type {
  Compatibility, ContainerDefinition, EFSVolumeConfiguration, HealthCheck, PortMapping, RegisterTaskDefinitionRequest, TaskDefinition,
} from '@aws-sdk/client-ecs';

// The SDK's enum objects, read on first use: importing them statically would load the whole
// ECS client at start-up (it is loaded anyway, lazily, as ECS's model).
const sdk = createRequire(import.meta.url);
let enums: Record<string, Record<string, string>> | undefined;
// require() resolves the package path on every call (~70 µs): keep the module once loaded.
const ecsEnums = () => (enums ??= sdk('@aws-sdk/client-ecs') as Record<string, Record<string, string>>);
const enumOf = (name: string) => ecsEnums()[name];
import { clientException } from './errors.js';
import { checkEc2TaskCpu, fargateSizeError, isFargateSize, normalizeTaskCpu, normalizeTaskMemory } from './fargate-sizes.js';
import { isEcrImage, requiredAttributes } from './requires-attributes.js';

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_CONTAINERS = 10;
const FARGATE_LOG_DRIVERS = ['awslogs', 'splunk', 'awsfirelens'];

function oneOf<T extends string>(value: string | undefined, allowed: Record<string, T>, what: string) {
  if (value !== undefined && !Object.values(allowed).includes(value as T)) {
    throw clientException(`Invalid ${what}: '${value}'. Valid values are ${Object.values(allowed).join(', ')}.`);
  }
}

/** The stored task definition (without ARN, revision, status and registration stamps). */
export function buildTaskDefinition(input: RegisterTaskDefinitionRequest): TaskDefinition {
  const family = input.family ?? '';
  if (!NAME_RE.test(family)) {
    throw clientException('Family name can only contain letters (upper and lower case), numbers, hyphens, and underscores, and must be 1-255 characters long.');
  }
  const containers = structuredClone(input.containerDefinitions ?? []);
  if (containers.length === 0) throw clientException('Container list cannot be empty.');
  if (containers.length > MAX_CONTAINERS) throw clientException(`A task definition can contain at most ${MAX_CONTAINERS} containers.`);
  oneOf(input.networkMode, enumOf('NetworkMode'), 'networkMode');
  for (const c of input.requiresCompatibilities ?? []) oneOf(c, enumOf('Compatibility'), 'requiresCompatibilities value');
  oneOf(input.pidMode, enumOf('PidMode'), 'pidMode');
  oneOf(input.ipcMode, enumOf('IpcMode'), 'ipcMode');
  oneOf(input.runtimePlatform?.cpuArchitecture, enumOf('CPUArchitecture'), 'runtimePlatform.cpuArchitecture');
  oneOf(input.runtimePlatform?.operatingSystemFamily, enumOf('OSFamily'), 'runtimePlatform.operatingSystemFamily');
  for (const p of input.placementConstraints ?? []) {
    if (p.type !== 'memberOf') throw clientException(`Invalid placement constraint type: '${p.type}'. Valid values are memberOf.`);
  }
  if ((input.placementConstraints ?? []).length > 10) throw clientException('A task definition can have at most 10 placement constraints.');

  const def: TaskDefinition = {
    containerDefinitions: containers,
    family,
    ...(input.taskRoleArn !== undefined ? { taskRoleArn: input.taskRoleArn } : {}),
    ...(input.executionRoleArn !== undefined ? { executionRoleArn: input.executionRoleArn } : {}),
    // ECS echoes networkMode only when the request names one (the default is bridge on EC2).
    ...(input.networkMode !== undefined ? { networkMode: input.networkMode } : {}),
    volumes: structuredClone(input.volumes ?? []),
    placementConstraints: structuredClone(input.placementConstraints ?? []),
    ...(input.requiresCompatibilities ? { requiresCompatibilities: input.requiresCompatibilities } : {}),
    cpu: normalizeTaskCpu(input.cpu),
    memory: normalizeTaskMemory(input.memory),
    pidMode: input.pidMode,
    ipcMode: input.ipcMode,
    proxyConfiguration: input.proxyConfiguration,
    inferenceAccelerators: input.inferenceAccelerators,
    ephemeralStorage: input.ephemeralStorage,
    runtimePlatform: input.runtimePlatform,
    enableFaultInjection: input.enableFaultInjection,
  };
  const mode = def.networkMode ?? 'bridge';
  const requires = input.requiresCompatibilities ?? [];
  const wantsFargate = requires.includes('FARGATE');
  if (!wantsFargate) checkEc2TaskCpu(def.cpu);

  if (wantsFargate) checkFargateTaskLevel(def);
  if (requires.includes('EXTERNAL') && mode === 'awsvpc') {
    throw clientException('Tasks using the EXTERNAL launch type do not support the awsvpc network mode.');
  }

  const names = new Set<string>();
  for (const c of containers) {
    applyContainerDefaults(c);
    if (!c.name) throw clientException('Container.name should not be null or empty.');
    if (!NAME_RE.test(c.name)) {
      throw clientException(`Invalid container name '${c.name}'. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`);
    }
    if (names.has(c.name)) throw clientException(`Container names must be unique within a task definition. Duplicate name: '${c.name}'.`);
    names.add(c.name);
    if (!c.image) throw clientException('Container.image should not be null or empty.');
    checkContainerMemory(c, def, requires);
    normalizePortMappings(c, mode);
    if (c.healthCheck) c.healthCheck = healthCheckWithDefaults(c.name, c.healthCheck);
    checkLogConfiguration(c);
    checkEnvironmentFiles(c);
    if (c.links?.length && mode === 'awsvpc') throw clientException('Links are not supported when networkMode=awsvpc.');
  }
  if (!containers.some((c) => c.essential)) throw clientException('Task definition does not have any essential container');
  checkTaskWidePorts(containers, mode);
  checkDependencies(containers);
  checkVolumes(def);
  checkReservations(def);
  checkExecutionRole(def);

  const fargateProblems = fargateIncompatibilities(def);
  if (wantsFargate && fargateProblems.length) throw clientException(fargateProblems[0]);
  def.compatibilities = compatibilities(def, mode, fargateProblems.length === 0, requires);
  const attributes = requiredAttributes(def);
  if (attributes.length) def.requiresAttributes = attributes.map((name) => ({ name }));
  return def;
}

/** ECS fills these in on every container definition it stores. */
function applyContainerDefaults(c: ContainerDefinition) {
  c.cpu ??= 0;
  c.portMappings ??= [];
  c.essential ??= true;
  c.environment ??= [];
  c.mountPoints ??= [];
  c.volumesFrom ??= [];
  c.systemControls ??= [];
}

function checkFargateTaskLevel(def: TaskDefinition) {
  if (def.networkMode !== 'awsvpc') throw clientException('Fargate only supports network mode ‘awsvpc’.');
  if (def.cpu === undefined) throw clientException("Fargate requires that 'cpu' be defined at the task level.");
  if (def.memory === undefined) throw clientException("Fargate requires that 'memory' be defined at the task level.");
  const windows = def.runtimePlatform?.operatingSystemFamily?.startsWith('WINDOWS') ?? false;
  if (!isFargateSize(def.cpu, def.memory, windows)) throw fargateSizeError(def.cpu, def.memory);
  const size = def.ephemeralStorage?.sizeInGiB;
  if (size !== undefined && size < 21) throw clientException('EphemeralStorage size should be at least 21');
  if (size !== undefined && size > 200) throw clientException('EphemeralStorage size should be at most 200');
}

function checkContainerMemory(c: ContainerDefinition, def: TaskDefinition, requires: string[]) {
  const prefix = `Invalid setting for container '${c.name}'.`;
  // Fargate-only definitions size containers from the task; EC2 and EXTERNAL need a container limit.
  const needsContainerMemory = requires.length === 0 || requires.some((r) => r === 'EC2' || r === 'EXTERNAL');
  if (def.memory === undefined && c.memory === undefined && c.memoryReservation === undefined && needsContainerMemory) {
    throw clientException(`${prefix} At least one of 'memory' or 'memoryReservation' must be specified.`);
  }
  // Docker refuses a memory limit below 6 MiB.
  if (c.memory !== undefined && c.memory < 6) throw clientException(`${prefix} The 'memory' value must be at least 6 MiB.`);
  if (c.memoryReservation !== undefined && c.memoryReservation < 6) {
    throw clientException(`${prefix} The 'memoryReservation' value must be at least 6 MiB.`);
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw clientException(`${prefix} 'memory' must be greater than or equal to 'memoryReservation'.`);
  }
  if (c.memory !== undefined && def.memory !== undefined && c.memory > Number(def.memory)) {
    throw clientException(`${prefix} The container 'memory' (${c.memory} MiB) is greater than the task memory (${def.memory} MiB).`);
  }
  if (c.cpu !== undefined && c.cpu < 0) throw clientException(`${prefix} The 'cpu' value must not be negative.`);
}

/** "You can specify up to ten environment files" (ContainerDefinition.environmentFiles). */
const MAX_ENVIRONMENT_FILES = 10;

/**
 * `environmentFiles`: type "s3" (the only EnvironmentFileType) and an S3 object ARN, as ECS requires; Berth
 * also takes a `file:///absolute/path` value for a file on its own machine (task-env-files.ts).
 */
function checkEnvironmentFiles(c: ContainerDefinition) {
  const files = c.environmentFiles ?? [];
  if (files.length > MAX_ENVIRONMENT_FILES) {
    throw clientException(`Invalid setting for container '${c.name}'. At most ${MAX_ENVIRONMENT_FILES} environment files can be specified.`);
  }
  for (const f of files) {
    oneOf(f.type, enumOf('EnvironmentFileType'), 'environmentFiles type');
    const value = f.value ?? '';
    if (!/^arn:aws[a-z-]*:s3:::[^/]+\/.+$/.test(value) && !/^file:\/\/\/./.test(value)) {
      throw clientException(
        `Invalid environmentFiles value '${value}' for container '${c.name}'. Specify the ARN of an S3 object ` +
          '(arn:aws:s3:::bucket/key.env), or a file:/// URL of a file on the Berth host.',
      );
    }
  }
}

/** Containers share the task's cpu and memory (the task_definition_parameters page: "must be lower than the task-level cpu"). */
function checkReservations(def: TaskDefinition) {
  const cpu = def.containerDefinitions!.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  if (def.cpu !== undefined && cpu > Number(def.cpu)) {
    throw clientException(`Invalid setting for containers. The sum of container cpu (${cpu}) is greater than the task cpu (${def.cpu}).`);
  }
  if (def.memory === undefined) return;
  const reserved = def.containerDefinitions!.reduce((sum, c) => sum + (c.memoryReservation ?? 0), 0);
  if (reserved > Number(def.memory)) {
    throw clientException(`Invalid setting for containers. The sum of container memoryReservation (${reserved} MiB) is greater than the task memory (${def.memory} MiB).`);
  }
}

function normalizePortMappings(c: ContainerDefinition, mode: string) {
  const seen = new Set<string>();
  for (const pm of c.portMappings as PortMapping[]) {
    pm.protocol ??= 'tcp';
    oneOf(pm.protocol, enumOf('TransportProtocol'), 'port mapping protocol');
    oneOf(pm.appProtocol, enumOf('ApplicationProtocol'), 'port mapping appProtocol');
    if (pm.containerPortRange !== undefined) {
      if (pm.containerPort !== undefined) {
        throw clientException(`Invalid port mapping for container '${c.name}'. Specify either containerPort or containerPortRange, not both.`);
      }
      if (!/^\d{1,5}-\d{1,5}$/.test(pm.containerPortRange)) {
        throw clientException(`Invalid containerPortRange '${pm.containerPortRange}' for container '${c.name}'. Use the form start-end.`);
      }
      continue;
    }
    if (pm.containerPort === undefined || pm.containerPort < 1 || pm.containerPort > 65535) {
      throw clientException(`Invalid port mapping for container '${c.name}'. containerPort must be between 1 and 65535.`);
    }
    // awsvpc and host share the host's port numbers, so ECS defaults hostPort to containerPort.
    if (mode === 'awsvpc' || mode === 'host') {
      pm.hostPort ??= pm.containerPort;
      if (pm.hostPort !== pm.containerPort) {
        throw clientException(`When networkMode=${mode}, the host ports and container ports in port mappings must match.`);
      }
    }
    if (pm.hostPort !== undefined && (pm.hostPort < 0 || pm.hostPort > 65535)) {
      throw clientException(`Invalid port mapping for container '${c.name}'. hostPort must be between 0 and 65535.`);
    }
    const key = `${pm.containerPort}/${pm.protocol}`;
    if (seen.has(key)) throw clientException(`Container '${c.name}' maps container port ${key} more than once.`);
    seen.add(key);
  }
}

/** Host ports (and port-mapping names) must be unique across the task where they share a port space. */
function checkTaskWidePorts(containers: ContainerDefinition[], mode: string) {
  const hostPorts = new Set<string>();
  const portNames = new Set<string>();
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      if (pm.name !== undefined) {
        if (portNames.has(pm.name)) throw clientException(`Port mapping names must be unique within a task definition. Duplicate name: '${pm.name}'.`);
        portNames.add(pm.name);
      }
      const shared = mode === 'awsvpc' || mode === 'host' || (mode === 'bridge' && !!pm.hostPort);
      if (!shared || pm.hostPort === undefined) continue;
      const key = `${pm.hostPort}/${pm.protocol}`;
      if (hostPorts.has(key)) throw clientException(`Host port ${key} is mapped more than once in the task definition.`);
      hostPorts.add(key);
    }
  }
}

function healthCheckWithDefaults(name: string, hc: HealthCheck): HealthCheck {
  const out: HealthCheck = { ...hc, interval: hc.interval ?? 30, timeout: hc.timeout ?? 5, retries: hc.retries ?? 3 };
  const range = (field: keyof HealthCheck, min: number, max: number) => {
    const v = out[field] as number | undefined;
    if (v !== undefined && (v < min || v > max)) {
      throw clientException(`Invalid 'healthCheck' setting for container '${name}'. '${field}' must be between ${min} and ${max}.`);
    }
  };
  range('interval', 5, 300);
  range('timeout', 2, 60);
  range('retries', 1, 10);
  range('startPeriod', 0, 300);
  if (!out.command?.length) throw clientException(`Invalid 'healthCheck' setting for container '${name}'. 'command' must not be empty.`);
  return out;
}

function checkLogConfiguration(c: ContainerDefinition) {
  const log = c.logConfiguration;
  if (!log) return;
  oneOf(log.logDriver, enumOf('LogDriver'), 'log driver');
  if (log.logDriver === 'awslogs') {
    for (const option of ['awslogs-group', 'awslogs-region']) {
      if (!log.options?.[option]) throw clientException(`Log driver awslogs option '${option}' should not be null or empty.`);
    }
  }
}

function checkDependencies(containers: ContainerDefinition[]) {
  const byName = new Map(containers.map((c) => [c.name!, c]));
  for (const c of containers) {
    for (const dep of c.dependsOn ?? []) {
      const target = byName.get(dep.containerName ?? '');
      if (!target) throw clientException(`Cannot depend on container + '${dep.containerName}' because it does not exist`);
      oneOf(dep.condition, enumOf('ContainerCondition'), 'dependsOn condition');
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html
      if ((dep.condition === 'COMPLETE' || dep.condition === 'SUCCESS') && target.essential) {
        throw clientException(`Container '${c.name}' cannot depend on essential container '${target.name}' with condition ${dep.condition}.`);
      }
      if (dep.condition === 'HEALTHY' && !target.healthCheck) {
        throw clientException(`Container '${c.name}' depends on '${target.name}' being HEALTHY, but '${target.name}' has no health check.`);
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw clientException(`The container dependencies form a cycle that includes '${name}'.`);
    state.set(name, 'visiting');
    for (const dep of byName.get(name)?.dependsOn ?? []) visit(dep.containerName!);
    state.set(name, 'done');
  };
  for (const c of containers) visit(c.name!);
}

function checkVolumes(def: TaskDefinition) {
  const volumes = new Set<string>();
  for (const v of def.volumes ?? []) {
    if (!v.name) throw clientException('Volume name should not be null or empty.');
    if (!NAME_RE.test(v.name)) throw clientException(`Invalid volume name '${v.name}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`);
    if (volumes.has(v.name)) throw clientException(`Volume names must be unique within a task definition. Duplicate name: '${v.name}'.`);
    volumes.add(v.name);
    if (v.efsVolumeConfiguration) checkEfsVolume(v.efsVolumeConfiguration);
  }
  const containers = new Set(def.containerDefinitions!.map((c) => c.name));
  for (const c of def.containerDefinitions!) {
    for (const mp of c.mountPoints ?? []) {
      if (!mp.sourceVolume || !volumes.has(mp.sourceVolume)) {
        throw clientException(`Invalid 'mountPoints' setting for container '${c.name}'. The sourceVolume '${mp.sourceVolume ?? ''}' is not a volume of this task definition.`);
      }
      if (!mp.containerPath) throw clientException(`Invalid 'mountPoints' setting for container '${c.name}'. containerPath should not be null or empty.`);
    }
    for (const vf of c.volumesFrom ?? []) {
      if (!vf.sourceContainer || !containers.has(vf.sourceContainer) || vf.sourceContainer === c.name) {
        throw clientException(`Invalid 'volumesFrom' setting for container '${c.name}'. The sourceContainer '${vf.sourceContainer ?? ''}' is not another container of this task definition.`);
      }
    }
  }
}

/** EFS's rules: an access point fixes the root, and access points and IAM authorization need TLS. */
function checkEfsVolume(efs: EFSVolumeConfiguration) {
  const viaAccessPoint = !!efs.authorizationConfig?.accessPointId;
  if (viaAccessPoint && efs.rootDirectory !== undefined && efs.rootDirectory !== '/') {
    throw clientException('Invalid request provided: Create TaskDefinition: When using an EFS access point, the root directory must either be set to "/" or be omitted.');
  }
  if ((viaAccessPoint || efs.authorizationConfig?.iam === 'ENABLED') && efs.transitEncryption !== 'ENABLED') {
    throw clientException('Invalid request provided: Create TaskDefinition: Transit encryption must be enabled when using an EFS access point or IAM authorization.');
  }
}

/** Secrets and private registry credentials are fetched with the task execution role, so ECS wants one named. */
function checkExecutionRole(def: TaskDefinition) {
  if (def.executionRoleArn) return;
  for (const c of def.containerDefinitions!) {
    if (c.secrets?.length) throw clientException("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.");
    if (c.repositoryCredentials) {
      throw clientException('Private repository authentication requires that the task definition specify a value for executionRoleArn.');
    }
  }
}

/** Why this definition cannot run on Fargate (empty when it can). */
export function fargateIncompatibilities(def: TaskDefinition): string[] {
  const out: string[] = [];
  if (def.networkMode !== 'awsvpc') out.push('Fargate only supports network mode ‘awsvpc’.');
  if (def.cpu === undefined) out.push("Fargate requires that 'cpu' be defined at the task level.");
  else if (def.memory === undefined) out.push("Fargate requires that 'memory' be defined at the task level.");
  else if (!isFargateSize(def.cpu, def.memory, def.runtimePlatform?.operatingSystemFamily?.startsWith('WINDOWS'))) {
    out.push(fargateSizeError(def.cpu, def.memory).message);
  }
  if (def.ipcMode !== undefined) out.push('Fargate does not support the ipcMode parameter.');
  if (def.pidMode === 'host') out.push("Fargate only supports the 'task' pidMode.");
  if (def.placementConstraints?.length) out.push('Fargate does not support task placement constraints.');
  for (const v of def.volumes ?? []) {
    if (v.host?.sourcePath) out.push(`Fargate does not support host path volumes (volume '${v.name}').`);
    if (v.dockerVolumeConfiguration) out.push(`Fargate does not support Docker volumes (volume '${v.name}').`);
  }
  for (const c of def.containerDefinitions ?? []) {
    const driver = c.logConfiguration?.logDriver;
    if (driver && !FARGATE_LOG_DRIVERS.includes(driver)) {
      out.push(`Log driver ${driver} is not supported by Fargate. Supported log drivers are: ${FARGATE_LOG_DRIVERS.join(', ')}.`);
    }
    if (driver === 'awslogs' && !def.executionRoleArn) {
      out.push('Fargate requires task definition to have execution role ARN to support log driver awslogs.');
    }
    if (isEcrImage(c.image) && !def.executionRoleArn) {
      out.push('Fargate requires task definition to have execution role ARN to support ECR images.');
    }
    if (c.privileged) out.push(`Fargate does not support privileged containers (container '${c.name}').`);
    if (c.links?.length) out.push('Fargate does not support container links.');
    if (c.stopTimeout !== undefined && c.stopTimeout > 120) {
      out.push(`Fargate supports a container stopTimeout of at most 120 seconds (container '${c.name}').`);
    }
  }
  return out;
}

/** ECS reports where a definition can run: EC2 (+EXTERNAL) always, FARGATE when it qualifies. */
function compatibilities(def: TaskDefinition, mode: string, fargateOk: boolean, requires: string[]): Compatibility[] {
  const managed: Compatibility[] = requires.includes('MANAGED_INSTANCES') ? ['MANAGED_INSTANCES'] : [];
  // ECS Anywhere (EXTERNAL) runs bridge, host and none tasks, never awsvpc.
  if (mode !== 'awsvpc') return ['EXTERNAL', 'EC2', ...managed];
  return ['EC2', ...(fargateOk ? (['FARGATE'] as Compatibility[]) : []), ...managed];
}
