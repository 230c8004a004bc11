/**
 * The kubelet's volume mounts for kube-pods: a container's `volumeMounts` as runtime mounts, from the pod's
 * `volumes`. `emptyDir`: a directory of the pod's (0777), or tmpfs for medium Memory (sizeLimit its size);
 * `configMap` and `secret`: their keys (or `items`) written as files (`defaultMode`, 0644) into a directory of
 * the pod's, mounted read-only (written when a container is made, not kept in step afterwards); the pod's
 * directories go with it. A `persistentVolumeClaim` mounts its bound PersistentVolume through its CSI driver: EFS
 * (`efs.csi.aws.com`, volumeHandle `<fs>`, `<fs>:<path>` or `<fs>::<access point>`) binds the same host directory
 * ECS task volumes bind (task-volumes.ts' efsDirectory), so two pods on one claim share their files; EBS
 * (`ebs.csi.aws.com`) mounts the volume's engine volume. `subPath` and `readOnly` apply. A claim not bound yet
 * (or a configMap/secret that does not exist and is not `optional`) leaves the container waiting (ContainerCreating); a volume type Berth does not serve is a
 * CreateContainerConfigError naming it.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { MountSpec } from '../runtime/driver.js';
import { getObject, type KubeObject, type ObjectScope } from '../services/eks/index.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import { quantity } from './kube-pod-spec.js';
import { EBS_DRIVER, EFS_DRIVER, ebsEngineVolume } from './kube-volumes.js';
import { efsDirectory } from './task-volumes.js';

export interface PodVolumesDeps {
  sql: Statements;
  dataDir: string;
  log: Logger;
}

/** Why a container cannot be made yet: `reason` is what its waiting state says. */
export class VolumeNotReady extends Error {
  constructor(readonly reason: 'ContainerCreating' | 'CreateContainerConfigError', message: string) {
    super(message);
  }
}

export async function podMounts(d: PodVolumesDeps, store: Pick<ObjectScope, 'sql' | 'cluster'>, account: string, region: string,
  pod: KubeObject, container: any): Promise<MountSpec[]> {
  const mounts: MountSpec[] = [];
  for (const m of container.volumeMounts ?? []) {
    const v = (pod.spec.volumes ?? []).find((x: any) => x.name === m.name);
    if (!v) throw new VolumeNotReady('CreateContainerConfigError', `volume "${m.name}" not found in the pod's volumes`);
    const source = await volumeSource(d, store, account, region, pod, v);
    const sub = m.subPath ? posix.normalize(`/${m.subPath}`) : '';
    if (source.type === 'tmpfs') {
      mounts.push({ type: 'tmpfs', target: m.mountPath, ...(source.sizeBytes ? { tmpfsSizeBytes: Math.floor(source.sizeBytes) } : {}) });
      continue;
    }
    mounts.push({ type: source.type, source: sub && source.type === 'bind' ? posix.join(source.source, sub) : source.source, target: m.mountPath, readOnly: !!m.readOnly || !!source.readOnly });
  }
  return mounts;
}

/** A pod's own volume directories (emptyDir, configMap, secret), under the data directory; removed with the pod. */
const podDir = (dataDir: string, podUid: string) => join(dataDir, 'volumes', 'kube', podUid);

export async function releasePodVolumes(dataDir: string, podUid: string): Promise<void> {
  await rm(podDir(dataDir, podUid), { recursive: true, force: true });
}

/** Writes a configMap's or secret's keys (or the `items` chosen) as files into `dir`, as the kubelet projects them. */
async function project(dir: string, data: Record<string, Buffer>, items: { key: string; path: string; mode?: number }[] | undefined, defaultMode: number, what: string) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const chosen: { key: string; path: string; mode?: number }[] = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of chosen) {
    if (!(item.key in data)) throw new VolumeNotReady('ContainerCreating', `MountVolume.SetUp failed: configmap references non-existent config key: ${item.key} (${what})`);
    const file = join(dir, posix.normalize(`/${item.path}`));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data[item.key], { mode: item.mode ?? defaultMode });
    await chmod(file, item.mode ?? defaultMode);
  }
}

async function volumeSource(d: PodVolumesDeps, store: Pick<ObjectScope, 'sql' | 'cluster'>, account: string, region: string, pod: KubeObject, v: any)
  : Promise<{ type: 'bind' | 'volume' | 'tmpfs'; source: string; sizeBytes?: number; readOnly?: boolean }> {
  const dir = join(podDir(d.dataDir, pod.metadata.uid!), v.name);
  if (v.emptyDir) {
    if (v.emptyDir.medium === 'Memory') return { type: 'tmpfs', source: '', sizeBytes: quantity(v.emptyDir.sizeLimit) };
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777); // emptyDir is world-writable, as the kubelet makes it
    return { type: 'bind', source: dir };
  }
  if (v.configMap || v.secret) {
    const isSecret = !!v.secret;
    const src = v.configMap ?? v.secret;
    const name = isSecret ? src.secretName : src.name;
    const obj = getObject(store, isSecret ? 'secrets' : 'configmaps', pod.metadata.namespace!, name);
    const what = `${isSecret ? 'secret' : 'configmap'} "${name}"`;
    if (!obj && !src.optional) throw new VolumeNotReady('ContainerCreating', `MountVolume.SetUp failed for volume "${v.name}": ${what} not found`);
    const data: Record<string, Buffer> = {};
    for (const [k, val] of Object.entries<string>(obj?.data ?? {})) data[k] = isSecret ? Buffer.from(val, 'base64') : Buffer.from(val, 'utf8');
    for (const [k, val] of Object.entries<string>(obj?.binaryData ?? {})) data[k] = Buffer.from(val, 'base64');
    await project(dir, data, obj ? src.items : [], src.defaultMode ?? 0o644, what);
    return { type: 'bind', source: dir, readOnly: true };
  }
  if (!v.persistentVolumeClaim) {
    const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
    throw new VolumeNotReady('CreateContainerConfigError', `volume "${v.name}": ${kind} volumes are not served by Berth yet`);
  }
  const claim = v.persistentVolumeClaim.claimName;
  const pvc = getObject(store, 'persistentvolumeclaims', pod.metadata.namespace!, claim);
  if (!pvc) throw new VolumeNotReady('ContainerCreating', `persistentvolumeclaim "${claim}" not found`);
  const pv = pvc.status?.phase === 'Bound' ? getObject(store, 'persistentvolumes', '', pvc.spec.volumeName) : undefined;
  if (!pv) throw new VolumeNotReady('ContainerCreating', `pod has unbound immediate PersistentVolumeClaims (${claim})`);
  const csi = pv.spec?.csi;
  if (csi?.driver === EFS_DRIVER) {
    // volumeHandle: fs-id, fs-id:path, or fs-id::access-point-id (the driver's three forms).
    const [fsId, path, apId] = String(csi.volumeHandle).split(':');
    try {
      return { type: 'bind', source: await efsDirectory(d, account, region, fsId, apId || undefined, path || '/') };
    } catch (err) {
      throw new VolumeNotReady('ContainerCreating', `MountVolume.SetUp failed for volume "${pv.metadata.name}": ${(err as Error).message}`);
    }
  }
  if (csi?.driver === EBS_DRIVER) return { type: 'volume', source: ebsEngineVolume(csi.volumeHandle) };
  throw new VolumeNotReady('CreateContainerConfigError', `persistentvolume "${pv.metadata.name}": only the ${EFS_DRIVER} and ${EBS_DRIVER} CSI drivers are served by Berth`);
}
