/**
 * The runtime-driver interface: what controllers need from a container engine.
 * Implementations: docker/ (Docker Engine API, also Podman's compatible socket)
 * and fake/ (in memory, for scheduler scale tests). Both pass
 * test/conformance/runtime-driver.ts.
 *
 * Errors are typed (RuntimeError with a closed code set) and mapped to AWS
 * semantics once, by the controllers.
 */

export type RuntimeErrorCode =
  /** The container or image does not exist. */
  | 'NotFound'
  /** Name already in use, or the container is in the wrong state. */
  | 'Conflict'
  /** The engine cannot be reached. */
  | 'Unavailable'
  /** The image could not be pulled (bad name, no access, registry down). */
  | 'PullFailed'
  | 'PushFailed'
  /** The engine refused the container configuration. */
  | 'InvalidSpec';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = `RuntimeError(${code})`;
  }
}

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** 0 (or undefined) = let the engine pick a free port. */
  hostPort?: number;
  /** Defaults to 127.0.0.1: Berth never publishes beyond loopback unless told. */
  hostIp?: string;
}

export interface HealthCheckSpec {
  /** Docker form: ["CMD", ...] or ["CMD-SHELL", "..."] */
  test: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
}

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly?: boolean;
  tmpfsSizeBytes?: number;
  tmpfsOptions?: string[];
}

export interface ContainerSpec {
  /** Engine container name; unique per engine. */
  name: string;
  image: string;
  labels: Record<string, string>;
  env?: Record<string, string>;
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
  user?: string;
  hostname?: string;
  /** Hard limit in bytes (OOM-kill above it). */
  memoryBytes?: number;
  memoryReservationBytes?: number;
  /** CPU units as ECS counts them (1024 = one vCPU), used for shares. */
  cpuUnits?: number;
  /** Hard CPU cap in vCPUs (Fargate task size). */
  cpuLimit?: number;
  /** 'bridge' | 'host' | 'none' | 'container:<id>' | a network name. */
  networkMode: string;
  ports?: PortBinding[];
  healthCheck?: HealthCheckSpec;
  extraHosts?: { hostname: string; ipAddress: string }[];
  dnsServers?: string[];
  ulimits?: { name: string; softLimit: number; hardLimit: number }[];
  capAdd?: string[];
  capDrop?: string[];
  init?: boolean;
  sharedMemoryBytes?: number;
  readonlyRootFilesystem?: boolean;
  privileged?: boolean;
  mounts?: MountSpec[];
  /** Seconds between SIGTERM and SIGKILL on stop. */
  stopTimeoutSeconds?: number;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  /** Image digest the container runs (sha256:…), when the engine knows it. */
  imageDigest?: string;
  labels: Record<string, string>;
  status: ContainerStatus;
  exitCode?: number;
  oomKilled: boolean;
  /** Engine error (e.g. start failure), if any. */
  error?: string;
  startedAt?: Date;
  finishedAt?: Date;
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** Published ports (what the host can reach). */
  ports: Required<PortBinding>[];
  /** The container's own IP on its network, if it has one. */
  ipAddress?: string;
}

export interface ContainerEvent {
  id: string;
  /** start, die, oom, health_status (Docker: `health_status: healthy`), destroy, … */
  action: string;
  labels: Record<string, string>;
  /**
   * Where the stream stands once this event is seen: passed back as `since` to `watchEvents`, the
   * stream resumes here (this event may come again; none after it is lost while the engine still
   * holds it). Opaque, and only meaningful to the driver that made it (Docker: the engine's time of
   * the event in nanoseconds; several engines: one position per engine).
   */
  cursor?: string;
}

export interface RegistryAuth {
  username: string;
  password: string;
  serverAddress: string;
}

export interface ContainerStats {
  /** Bytes in use now (without the inactive page cache, as `docker stats` shows it) and the limit. */
  memoryUsage: number;
  memoryLimit: number;
  /** Cumulative CPU time in nanoseconds, and the system's, for a usage ratio. */
  cpuTotalNs: number;
  systemCpuNs: number;
  onlineCpus: number;
  raw: unknown;
}

/**
 * The engine a container, volume or image operation belongs to, as a label the
 * caller sets (on a spec's labels, an image call's labels, a list filter): its
 * URL (`unix://…`, `tcp://…`, `ssh://…`); absent, the local engine. A driver over
 * several engines (runtime/multi) routes by it; the runtime never looks it up.
 */
export const ENGINE_LABEL = 'berth.engine';

export interface RuntimeDriver {
  readonly name: string;
  /** Resolves when the engine answers; throws RuntimeError('Unavailable') otherwise. */
  ping(): Promise<void>;
  /**
   * Image operations take the labels of the task they are for (optional): a driver
   * over several engines (runtime/multi) routes by their ENGINE_LABEL; single engines ignore them.
   */
  /** True if the image is in the engine's local store. */
  hasImage(ref: string, labels?: Record<string, string>): Promise<boolean>;
  /** Pulls an image; throws RuntimeError('PullFailed') with the registry's reason. */
  pullImage(ref: string, auth?: RegistryAuth, labels?: Record<string, string>): Promise<void>;
  /** Builds an image from a tar build context (Dockerfile at its root). */
  buildImage(ref: string, context: Buffer, labels?: Record<string, string>): Promise<void>;
  /** Pushes a local image (`<registry>/<repo>:<tag>`) to its registry; throws RuntimeError('PushFailed') with the registry's reason. */
  pushImage(ref: string, auth?: RegistryAuth, labels?: Record<string, string>): Promise<void>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after the timeout. Stopping a stopped container is not an error. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes a container (forcefully); removing a missing one is not an error. */
  removeContainer(id: string): Promise<void>;
  /** undefined if the container does not exist. */
  inspectContainer(id: string): Promise<ContainerState | undefined>;
  /** All containers (running or not) carrying every given label (value '' = any value). */
  listContainers(labels: Record<string, string>): Promise<ContainerState[]>;
  /**
   * Streams container events with the given labels until the returned function is called. With
   * `since` (an event's cursor) the events the engine still holds from that point on come first
   * (what happened while no one listened: a restart of Berth); a stream that drops reconnects by
   * itself and resumes after the last event it delivered, so a reconnect loses nothing either.
   */
  watchEvents(labels: Record<string, string>, onEvent: (e: ContainerEvent) => void, since?: string): () => void;
  /**
   * An address on the host that containers on the default network can reach
   * (Docker's bridge gateway), for Berth's in-task endpoints; undefined if none.
   */
  hostAddressForContainers(labels?: Record<string, string>): Promise<string | undefined>;
  /**
   * One sample of resource usage, without waiting for a second one (Docker: `stream=false&one-shot=true`): a CPU
   * ratio needs two samples, which the caller keeps. undefined if the container does not exist.
   */
  stats(id: string): Promise<ContainerStats | undefined>;
  /** Log lines since a time, stdout and stderr interleaved in order; `follow` keeps streaming. */
  logs(id: string, opts: { since?: Date; follow?: boolean; onLine: (line: LogLine) => void; signal?: AbortSignal }): Promise<void>;
  /**
   * Runs a command in a running container (Docker's exec): its output comes to `onOutput` (stdout and stderr apart
   * without a TTY), stdin is written through the session. NotFound for a missing container, Conflict for one not running.
   */
  exec(id: string, opts: ExecOptions): Promise<ExecSession>;
  /** Creates a named volume; creating one that already exists under that name is not an error. */
  createVolume(spec: VolumeSpec): Promise<void>;
  /** undefined if no volume has this name. */
  inspectVolume(name: string): Promise<VolumeState | undefined>;
  /** Removes a named volume; removing a missing one is not an error; one a container uses is a Conflict. */
  removeVolume(name: string): Promise<void>;
  /** Named volumes carrying every given label (value '' = any value). */
  listVolumes(labels: Record<string, string>): Promise<VolumeState[]>;
}

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  tty: boolean;
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
}

export interface ExecSession {
  writeStdin(data: Buffer): void;
  /** Ends stdin (EOF for the command). */
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code once the command ended and its output was delivered. */
  readonly exited: Promise<number>;
  /** Drops the session (the command may keep running, as Docker's exec does when its client goes). */
  close(): void;
}

export interface VolumeSpec {
  name: string;
  /** Volume driver; the engine's default ('local') when absent. */
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface VolumeState {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

/** One line of a container's output (Docker's 16 KiB partial messages already rejoined). */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  timestamp: Date;
  message: string;
}
