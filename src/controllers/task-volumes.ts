/**
 * ECS task volumes → runtime mounts: what ECS's agent does with a task
 * definition's `volumes` and a container's `mountPoints` and `volumesFrom`
 * before it creates the container. The task lifecycle calls `resolveMounts`
 * for each container it creates and `releaseMounts` once a stopped task's
 * containers are gone.
 *
 * - `host.sourcePath`: a bind mount of that host path (EC2 and EXTERNAL only;
 *   RegisterTaskDefinition keeps it away from Fargate).
 * - no configuration (or `host` without a path): an empty volume private to
 *   the task, shared by its containers, removed when the task stops (Fargate's
 *   bind mounts; the agent's "docker local volume" on EC2).
 * - `dockerVolumeConfiguration`: a Docker named volume. Scope `task` is the
 *   task's own (`berth-<task id>-<volume>`), removed when it stops; scope
 *   `shared` is the volume named like the task-definition volume, kept across
 *   tasks, created on first use only with `autoprovision`.
 * - `efsVolumeConfiguration`: a bind mount of the file system's directory (or
 *   its `rootDirectory`, or the access point's root directory, which is
 *   created from the access point's CreationInfo on first mount, as EFS does).
 *   The task must be able to reach the file system: a mount target in its VPC.
 *
 * Failures are Errors whose message becomes the task's stoppedReason, worded
 * as ECS words them.
 */
import { chmod, chown, lstat, mkdir, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import type { EFSVolumeConfiguration, Task, TaskDefinition, Volume } from '@aws-sdk/client-ecs';
import { RuntimeError, type MountSpec, type RuntimeDriver } from '../runtime/driver.js';
import type { Logger } from '../shared/logger.js';
import { parseArn, taskIdOf } from '../shared/arns.js';
import type { Statements } from '../state/db.js';
import { findSubnets } from '../services/ec2/index.js';
import { fileSystemDir, mountableAccessPoint, mountableFileSystem, type MountableAccessPoint } from '../services/efs/index.js';
import { engineLabel, LABELS } from './container-spec.js';
import { engineForTask } from '../services/ecs/index.js';

export interface TaskVolumesDeps {
  sql: Statements;
  driver: RuntimeDriver;
  log: Logger;
  instanceId: string;
  /** Berth's data directory: EFS file systems live under volumes/efs/. */
  dataDir: string;
}

/** Where a volume comes from; the mount point adds the target and read-only flag. */
type Source = Pick<MountSpec, 'type' | 'source'>;

interface TaskScope {
  task: Task;
  def: TaskDefinition;
  account: string;
  region: string;
}

const EFS_UTILS_FAILED = 'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr:';

/** The stoppedReason of a task whose file system cannot be resolved (no such file system, or no mount target in its VPC). */
export function efsResolveFailure(fsId: string, region: string): string {
  return `${EFS_UTILS_FAILED} Failed to resolve "${fsId}.efs.${region}.amazonaws.com" - check that your file system ID is correct, and ensure `
    + 'that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. '
    + 'Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first. '
    + ': unsuccessful EFS utils command execution; code: 1';
}

function nfsFailure(detail: string): string {
  return `${EFS_UTILS_FAILED} b'mount.nfs4: ${detail}' : unsuccessful EFS utils command execution; code: 32`;
}

/** The name of a volume private to one task (ECS names its own ecs-<family>-<revision>-<volume>-<random>). */
export const taskVolumeName = (taskArn: string, volume: string) => `berth-${taskIdOf(taskArn)}-${volume}`;

export class TaskVolumes {
  constructor(private readonly d: TaskVolumesDeps) {}

  /** The mounts of one container: its mountPoints, then what volumesFrom brings (read-only if asked). */
  resolveMounts = async (task: Task, def: TaskDefinition, containerName: string): Promise<MountSpec[]> => {
    const arn = parseArn(task.taskArn!);
    const scope: TaskScope = { task, def, account: arn?.account ?? '', region: arn?.region ?? '' };
    return this.mountsOf(scope, containerName, new Set(), new Map());
  };

  /** Removes the task's private volumes once its containers are gone. */
  releaseMounts = async (task: Task): Promise<void> => {
    const volumes = await this.d.driver.listVolumes({ [LABELS.taskArn]: task.taskArn!, [LABELS.instance]: this.d.instanceId });
    for (const v of volumes) {
      try {
        await this.d.driver.removeVolume(v.name);
      } catch (err) {
        // Still used by a container outside Berth's control: leave it rather than hold the task in DEPROVISIONING.
        if (err instanceof RuntimeError && err.code === 'Conflict') {
          this.d.log.warn('task volume still in use; left in place', { taskArn: task.taskArn, volume: v.name, error: err.message });
        } else throw err;
      }
    }
  };

  private async mountsOf(scope: TaskScope, containerName: string, visiting: Set<string>, sources: Map<string, Source>): Promise<MountSpec[]> {
    const cd = scope.def.containerDefinitions?.find((c) => c.name === containerName);
    if (!cd || visiting.has(containerName)) return [];
    visiting.add(containerName);
    const out: MountSpec[] = [];
    const taken = new Set<string>();
    for (const mp of cd.mountPoints ?? []) {
      const volume = scope.def.volumes?.find((v) => v.name === mp.sourceVolume);
      if (!volume || !mp.containerPath || taken.has(mp.containerPath)) continue;
      let source = sources.get(volume.name!);
      if (!source) {
        source = await this.sourceOf(scope, volume);
        sources.set(volume.name!, source);
      }
      taken.add(mp.containerPath);
      out.push({ ...source, target: mp.containerPath, readOnly: mp.readOnly === true });
    }
    for (const vf of cd.volumesFrom ?? []) {
      // Docker's --volumes-from: the source container's mounts; ":ro" forces read-only, otherwise its own mode stays.
      for (const m of await this.mountsOf(scope, vf.sourceContainer!, visiting, sources)) {
        if (taken.has(m.target)) continue;
        taken.add(m.target);
        out.push({ ...m, readOnly: vf.readOnly === true || m.readOnly });
      }
    }
    visiting.delete(containerName);
    return out;
  }

  private async sourceOf(scope: TaskScope, v: Volume): Promise<Source> {
    if (v.efsVolumeConfiguration) return this.efsSource(scope, v.efsVolumeConfiguration);
    if (v.dockerVolumeConfiguration) return this.dockerSource(scope, v);
    if (v.fsxWindowsFileServerVolumeConfiguration || v.s3filesVolumeConfiguration || v.configuredAtLaunch) {
      throw new Error(`ResourceInitializationError: Berth does not support the kind of volume '${v.name}' uses (FSx for Windows, S3 Files or a volume configured at launch).`);
    }
    if (v.host?.sourcePath) return { type: 'bind', source: v.host.sourcePath };
    // An empty host volume: the agent turns it into a task-scoped Docker local volume.
    return this.taskVolume(scope, v.name!, {});
  }

  private async taskVolume(scope: TaskScope, volume: string, cfg: { driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> }): Promise<Source> {
    const arn = scope.task.taskArn!;
    const name = taskVolumeName(arn, volume);
    await this.d.driver.createVolume({
      name,
      driver: cfg.driver ?? 'local',
      driverOpts: cfg.driverOpts,
      labels: {
        ...cfg.labels,
        [LABELS.managed]: 'true',
        [LABELS.instance]: this.d.instanceId,
        [LABELS.taskArn]: arn,
        [LABELS.account]: scope.account,
        [LABELS.region]: scope.region,
        // On the engine the task runs on.
        ...engineLabel(engineForTask(this.d.sql, arn)),
      },
    });
    return { type: 'volume', source: name };
  }

  private async dockerSource(scope: TaskScope, v: Volume): Promise<Source> {
    const cfg = v.dockerVolumeConfiguration!;
    if ((cfg.scope ?? 'task') === 'task') return this.taskVolume(scope, v.name!, cfg);
    // A shared volume is the Docker volume named like the task definition's volume, on every task that names it.
    const name = v.name!;
    if (await this.d.driver.inspectVolume(name)) return { type: 'volume', source: name };
    if (!cfg.autoprovision) {
      // The agent's wording (task.go addSharedVolumes), which becomes the stopped reason as is.
      throw new Error(`initialize volume: volume detection failed, volume '${name}' does not exist and autoprovision is set to false: Error response from daemon: get ${name}: no such volume`);
    }
    await this.d.driver.createVolume({ name, driver: cfg.driver ?? 'local', driverOpts: cfg.driverOpts, labels: cfg.labels });
    return { type: 'volume', source: name };
  }

  /** The VPC of an awsvpc task (its ENI's subnet); undefined for bridge and host tasks. */
  private taskVpc(scope: TaskScope): string | undefined {
    const eni = scope.task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    const subnetId = eni?.details?.find((d) => d.name === 'subnetId')?.value;
    if (!subnetId) return undefined;
    return findSubnets(this.d.sql, scope.account, scope.region, [subnetId]).found[0]?.vpcId;
  }

  private async efsSource(scope: TaskScope, cfg: EFSVolumeConfiguration): Promise<Source> {
    const fsId = cfg.fileSystemId ?? '';
    const fs = mountableFileSystem(this.d.sql, scope.account, scope.region, fsId);
    const vpc = this.taskVpc(scope);
    // The mount helper resolves the file system's DNS name, which exists only where it has a mount target.
    const reachable = fs && fs.state === 'available' && (vpc ? fs.vpcs.includes(vpc) : fs.vpcs.length > 0);
    if (!fs || !reachable) throw new Error(efsResolveFailure(fsId, scope.region));
    const host = cfg.transitEncryption === 'ENABLED' ? '127.0.0.1' : `${fsId}.efs.${scope.region}.amazonaws.com`;
    const source = await efsDirectory(this.d, scope.account, scope.region, fsId, cfg.authorizationConfig?.accessPointId, cfg.rootDirectory, host);
    return { type: 'bind', source };
  }
}

/**
 * The host directory an EFS mount binds (ECS task volumes; EKS pods through the EFS CSI driver): the access
 * point's root (made from its CreationInfo on first mount), or `path` in the file system. Throws an Error whose
 * message is the mount helper's failure.
 */
export async function efsDirectory(d: Pick<TaskVolumesDeps, 'sql' | 'dataDir' | 'log'>, account: string, region: string, fsId: string,
  apId: string | undefined, path: string | undefined, host = `${fsId}.efs.${region}.amazonaws.com`): Promise<string> {
  const root = fileSystemDir(d.dataDir, account, region, fsId);
  await mkdir(root, { recursive: true, mode: 0o755 });
  if (apId) {
    const ap = mountableAccessPoint(d.sql, account, region, apId);
    if (!ap || ap.fileSystemId !== fsId) throw new Error(nfsFailure('access denied by server while mounting 127.0.0.1:/'));
    return accessPointRoot(root, ap, d.log);
  }
  const dir = await existingInside(root, posix.normalize(`/${path ?? '/'}`));
  if (!dir) throw new Error(nfsFailure(`mounting ${host}:${posix.normalize(`/${path ?? '/'}`)} failed, reason given by server: No such file or directory`));
  return dir;
}

/** The directory `path` names under `root`, if it exists there and (symlinks resolved) stays inside it. */
async function existingInside(root: string, path: string): Promise<string | undefined> {
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(posix.join(realRoot, path));
  } catch {
    return undefined;
  }
  if (real !== realRoot && !real.startsWith(`${realRoot}/`)) return undefined;
  return (await lstat(real)).isDirectory() ? real : undefined;
}

/**
 * An access point's root directory, created on first mount with CreationInfo's
 * owner and mode when it does not exist (each missing level gets them), as EFS
 * does; without CreationInfo a missing root fails the mount.
 */
async function accessPointRoot(root: string, ap: MountableAccessPoint, log: Logger): Promise<string> {
  const path = posix.normalize(`/${ap.rootPath}`);
  const found = await existingInside(root, path);
  if (found) return found;
  const noSuchDir = new Error(nfsFailure('access denied by server while mounting 127.0.0.1:/'));
  if (!ap.creationInfo) throw noSuchDir;
  const info = ap.creationInfo;
  const realRoot = await realpath(root);
  let current = realRoot;
  for (const part of path.split('/').filter(Boolean)) {
    const next = posix.join(current, part);
    let created = false;
    try {
      await mkdir(next, { mode: 0o700 });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (created) {
      try {
        await chown(next, info.ownerUid, info.ownerGid);
      } catch (err) {
        // Only root may give a directory away; Berth running unprivileged keeps its own ownership.
        log.warn('could not set the owner of an access point root directory', { path: next, error: (err as Error).message });
      }
      await chmod(next, parseInt(info.permissions, 8));
      current = next;
      continue;
    }
    // It exists (another task made it meanwhile, or it is a file or a link): it must be a directory inside the file system.
    const existing = await existingInside(realRoot, posix.relative(realRoot, next));
    if (!existing) throw noSuchDir;
    current = existing;
  }
  return current;
}
