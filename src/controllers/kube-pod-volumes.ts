/**
 * The kubelet's volume mounts for kube-pods: a container's `volumeMounts` as runtime mounts, from the pod's
 * `volumes`. A `persistentVolumeClaim` mounts its bound PersistentVolume through its CSI driver: EFS
 * (`efs.csi.aws.com`, volumeHandle `<fs>`, `<fs>:<path>` or `<fs>::<access point>`) binds the same host directory
 * ECS task volumes bind (task-volumes.ts' efsDirectory), so two pods on one claim share their files; EBS
 * (`ebs.csi.aws.com`) mounts the volume's engine volume. `subPath` and `readOnly` apply. A claim not bound yet
 * leaves the container waiting (ContainerCreating); a volume type Berth does not serve is a
 * CreateContainerConfigError naming it.
 */
import { posix } from 'node:path';
import type { MountSpec } from '../runtime/driver.js';
import { getObject, type KubeObject, type ObjectScope } from '../services/eks/index.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
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
    mounts.push({ type: source.type, source: sub && source.type === 'bind' ? posix.join(source.source, sub) : source.source, target: m.mountPath, readOnly: !!m.readOnly });
  }
  return mounts;
}

async function volumeSource(d: PodVolumesDeps, store: Pick<ObjectScope, 'sql' | 'cluster'>, account: string, region: string, pod: KubeObject, v: any)
  : Promise<{ type: 'bind' | 'volume'; source: string }> {
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
