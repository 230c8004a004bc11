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
 * CreateContainerConfigError naming it. A `projected` volume of `serviceAccountToken` sources (what the Pod Identity
 * webhook adds) holds bound tokens the API issues for the pod, rewritten once 80 % of their life has passed, as
 * the kubelet rotates them (refreshProjectedTokens).
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { MountSpec } from '../runtime/driver.js';
import { getObject, issueServiceAccountToken, type KubeObject, type ObjectScope } from '../services/eks/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import { quantity } from './kube-pod-spec.js';
import { EBS_DRIVER, EFS_DRIVER, ebsEngineVolume } from './kube-volumes.js';
import { efsDirectory } from './task-volumes.js';

export interface PodVolumesDeps {
  sql: Statements;
  clock: Clock;
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
  if (v.projected) {
    await writeProjectedTokens(d, store, pod, v, dir);
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

/** A token's lifetime by default (the API server's minimum for a projected token is 10 minutes; kubelets ask for an hour). */
const DEFAULT_TOKEN_SECONDS = 3600;

/** Writes each `serviceAccountToken` source of a projected volume into `dir`; other sources are not served yet. */
async function writeProjectedTokens(d: PodVolumesDeps, store: Pick<ObjectScope, 'sql' | 'cluster'>, pod: KubeObject, v: any, dir: string) {
  const sources: any[] = v.projected.sources ?? [];
  const other = sources.find((src) => !src.serviceAccountToken);
  if (other) {
    throw new VolumeNotReady('CreateContainerConfigError', `volume "${v.name}": projected ${Object.keys(other)[0]} sources are not served by Berth yet`);
  }
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const src of sources) {
    const t = src.serviceAccountToken;
    const token = issueServiceAccountToken(d.sql, store.cluster, pod, t.audience ?? 'kubernetes', t.expirationSeconds ?? DEFAULT_TOKEN_SECONDS, d.clock.now());
    if (!token) throw new VolumeNotReady('ContainerCreating', `MountVolume.SetUp failed for volume "${v.name}": the cluster cannot issue tokens yet`);
    const file = join(dir, posix.normalize(`/${t.path}`));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, token, { mode: v.projected.defaultMode ?? 0o644 });
    await chmod(file, v.projected.defaultMode ?? 0o644);
  }
}

/**
 * Rewrites a running pod's projected tokens once 80 % of their life has passed (the kubelet's rotation); answers in how
 * many ms the next one is due, or undefined when the pod has none.
 */
export async function refreshProjectedTokens(d: PodVolumesDeps, store: Pick<ObjectScope, 'sql' | 'cluster'>, pod: KubeObject): Promise<number | undefined> {
  let next: number | undefined;
  const now = d.clock.now();
  for (const v of pod.spec?.volumes ?? []) {
    if (!v.projected) continue;
    const dir = join(podDir(d.dataDir, pod.metadata.uid!), v.name);
    let refreshAt = Infinity;
    for (const src of v.projected.sources ?? []) {
      if (!src.serviceAccountToken) continue;
      const claims = await readFile(join(dir, posix.normalize(`/${src.serviceAccountToken.path}`)), 'utf8')
        .then((t) => JSON.parse(Buffer.from(t.split('.')[1] ?? '', 'base64url').toString('utf8')), () => undefined);
      // Not written (no container of the pod has been made yet): nothing to rotate.
      if (claims?.exp) refreshAt = Math.min(refreshAt, (claims.iat + (claims.exp - claims.iat) * 0.8) * 1000);
    }
    if (refreshAt === Infinity) continue;
    if (refreshAt <= now) {
      try {
        await writeProjectedTokens(d, store, pod, v, dir);
      } catch (err) {
        d.log.warn('projected token refresh failed', { pod: pod.metadata.name, error: String(err) });
      }
      const lives = (v.projected.sources ?? []).filter((x: any) => x.serviceAccountToken).map((x: any) => x.serviceAccountToken.expirationSeconds ?? DEFAULT_TOKEN_SECONDS);
      next = Math.min(next ?? Infinity, Math.min(...lives) * 800);
      continue;
    }
    next = Math.min(next ?? Infinity, refreshAt - now);
  }
  return next;
}
