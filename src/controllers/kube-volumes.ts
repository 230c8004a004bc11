/**
 * kube-volumes: the PersistentVolume controller and the CSI provisioners of EKS clusters' builtin Kubernetes
 * API. Converges one PersistentVolumeClaim (key = <cluster>|persistentvolumeclaims|<namespace>|<name>):
 *
 * - A claim naming a volume (`spec.volumeName`), or matching an Available one (same storage class, its access
 *   modes, at least its size), is bound to it: the PV's `claimRef`, both `Bound`.
 * - Otherwise its StorageClass (`storageClassName`, or the class annotated default) provisions one:
 *   `efs.csi.aws.com` with `provisioningMode: efs-ap` makes an access point on Berth's EFS file system
 *   `fileSystemId` (root `<basePath>/<pv name>`, owned by a GID from `gidRangeStart`…`gidRangeEnd`, mode
 *   `directoryPerms`), as the EFS CSI driver does, through EFS's CreateAccessPoint (ClientToken = the claim's
 *   uid, so a retry makes no second one); the PV's volumeHandle is `<fs>::<access point>`.
 *   `ebs.csi.aws.com` makes an engine volume (`berth-ebs-<vol-id>`), the PV's volumeHandle its `vol-` id.
 *   Any other provisioner leaves the claim Pending, as a cluster without that driver does.
 * - A claim gone releases its volume: reclaimPolicy Delete deletes the PV and what backs it (the access point,
 *   the engine volume); Retain leaves the PV `Released`.
 *
 * Pods mount bound claims through kube-pod-volumes.ts. Binding is immediate (WaitForFirstConsumer binds at once).
 * https://kubernetes.io/docs/concepts/storage/persistent-volumes/ · https://github.com/kubernetes-sigs/aws-efs-csi-driver
 */
import { createHash } from 'node:crypto';
import type { RuntimeDriver } from '../runtime/driver.js';
import {
  allObjectKeys, byId, createObject, getObject, listObjects, parseObjectKey, putObject, removeObject, type KubeObject, type ObjectScope,
} from '../services/eks/index.js';
import { clusterByUid } from '../services/eks/store.js';
import type { Invoke } from '../services/provider.js';
import { quantity } from './kube-pod-spec.js';
import { writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import { clusterObjectKeys } from './kube-workload-pods.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

export interface KubeVolumesDeps extends KubeWorkloadsDeps {
  invoke: Invoke;
  driver: RuntimeDriver;
}

export const EFS_DRIVER = 'efs.csi.aws.com';
export const EBS_DRIVER = 'ebs.csi.aws.com';
/** The engine volume behind an EBS CSI volume id. */
export const ebsEngineVolume = (volumeId: string) => `berth-ebs-${volumeId}`;

const RESYNC_MS = 300_000;
const RETRY_MS = 5_000;
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

type Plan =
  | { kind: 'none' }
  | { kind: 'bind'; pv: KubeObject }
  | { kind: 'provision'; sc: KubeObject; pvName: string };

export class KubeVolumes implements Controller {
  readonly name = 'kube-volumes';
  readonly concurrency = 2;
  readonly watches: Watches = {
    changes: [{
      kind: 'eks.kube',
      keys: (k) => {
        const key = parseObjectKey(k);
        if (key?.resource === 'persistentvolumeclaims') return [k];
        if (key?.resource === 'persistentvolumes' || key?.resource === 'storage.k8s.io/storageclasses') {
          return clusterObjectKeys(this.d.sql, 'persistentvolumeclaims', key.cluster).filter((x) => this.pendingOrGone(x));
        }
        return [];
      },
    }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'persistentvolumeclaims') }],
  };

  constructor(private readonly d: KubeVolumesDeps) {}

  private pendingOrGone(key: string) {
    const k = parseObjectKey(key)!;
    return getObject({ sql: this.d.sql, cluster: k.cluster }, 'persistentvolumeclaims', k.namespace, k.name)?.status?.phase !== 'Bound';
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'persistentvolumeclaims') return;
    const cluster = clusterByUid(this.d.sql, k.cluster);
    if (!cluster) return;
    const store = { sql: this.d.sql, cluster: k.cluster };
    const pvc = getObject(store, 'persistentvolumeclaims', k.namespace, k.name);
    if (!pvc) return this.release(k.cluster, cluster.account, cluster.region, k.namespace, k.name);
    if (pvc.status?.phase === 'Bound') return;
    const plan = this.plan(store, pvc);
    if (plan.kind === 'none') return;
    if (plan.kind === 'bind') {
      writeObjects(this.d, k.cluster, (s) => this.bind(s, pvc, plan.pv));
      return;
    }
    const params: Record<string, string> = plan.sc.parameters ?? {};
    let pv: KubeObject;
    try {
      pv = plan.sc.provisioner === EFS_DRIVER
        ? await this.provisionEfs(cluster.account, cluster.region, pvc, plan.sc, plan.pvName, params, store)
        : await this.provisionEbs(pvc, plan.sc, plan.pvName);
    } catch (err) {
      this.d.log.warn('kube volume provisioning failed', { claim: `${k.namespace}/${k.name}`, error: (err as Error).message });
      return { requeueAfterMs: RETRY_MS };
    }
    writeObjects(this.d, k.cluster, (s, now) => {
      const fresh = getObject(s, 'persistentvolumeclaims', k.namespace, k.name);
      if (!fresh || fresh.metadata.uid !== pvc.metadata.uid || fresh.status?.phase === 'Bound') return;
      const made = getObject(s, 'persistentvolumes', '', pv.metadata.name!) ?? createObject({ store: s, now }, byId('persistentvolumes'), '', pv);
      this.bind(s, fresh, made);
    });
  }

  /** What a pending claim needs: a volume to bind, one to provision, or nothing it can have yet. */
  private plan(store: Pick<ObjectScope, 'sql' | 'cluster'>, pvc: KubeObject): Plan {
    const pvs = listObjects(store, 'persistentvolumes', '');
    const classes = listObjects(store, 'storage.k8s.io/storageclasses', '');
    const className: string | undefined = pvc.spec.storageClassName ?? classes.find((c) => c.metadata.annotations?.[DEFAULT_CLASS] === 'true')?.metadata.name;
    const mine = pvs.find((pv) => pv.spec?.claimRef?.uid === pvc.metadata.uid);
    if (mine) return { kind: 'bind', pv: mine };
    const want = quantity(pvc.spec.resources?.requests?.storage) ?? 0;
    const fits = (pv: KubeObject) => !pv.spec?.claimRef && pv.status?.phase === 'Available'
      && (pv.spec?.storageClassName ?? '') === (pvc.spec.storageClassName ?? '')
      && (pvc.spec.accessModes ?? []).every((m: string) => pv.spec?.accessModes?.includes(m))
      && (quantity(pv.spec?.capacity?.storage) ?? 0) >= want;
    if (pvc.spec.volumeName) {
      const named = pvs.find((pv) => pv.metadata.name === pvc.spec.volumeName);
      return named && (!named.spec?.claimRef || named.spec.claimRef.uid === pvc.metadata.uid) ? { kind: 'bind', pv: named } : { kind: 'none' };
    }
    const available = pvs.filter(fits).sort((a, b) => (quantity(a.spec.capacity.storage) ?? 0) - (quantity(b.spec.capacity.storage) ?? 0))[0];
    if (available) return { kind: 'bind', pv: available };
    const sc = classes.find((c) => c.metadata.name === className);
    if (!sc || (sc.provisioner !== EFS_DRIVER && sc.provisioner !== EBS_DRIVER)) return { kind: 'none' };
    return { kind: 'provision', sc, pvName: `pvc-${pvc.metadata.uid}` };
  }

  private bind(s: ObjectScope, pvc: KubeObject, pv: KubeObject) {
    const freshPv = getObject(s, 'persistentvolumes', '', pv.metadata.name!)!;
    freshPv.spec.claimRef = {
      kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion,
    };
    freshPv.status = { ...(freshPv.status ?? {}), phase: 'Bound' };
    putObject(s, 'persistentvolumes', freshPv, 'MODIFIED');
    const provisioner = freshPv.metadata.annotations?.[PROVISIONED_BY];
    pvc.spec.volumeName = freshPv.metadata.name;
    if (pvc.spec.storageClassName === undefined && freshPv.spec.storageClassName) pvc.spec.storageClassName = freshPv.spec.storageClassName;
    pvc.metadata.annotations = {
      ...(pvc.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes',
      ...(provisioner ? { 'volume.beta.kubernetes.io/storage-provisioner': provisioner, 'volume.kubernetes.io/storage-provisioner': provisioner } : {}),
    };
    pvc.status = { phase: 'Bound', accessModes: freshPv.spec.accessModes, capacity: freshPv.spec.capacity };
    putObject(s, 'persistentvolumeclaims', pvc, 'MODIFIED');
  }

  private pvFor(pvc: KubeObject, sc: KubeObject, name: string, driver: string, volumeHandle: string, extra: Record<string, unknown> = {}): KubeObject {
    return {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name, annotations: { [PROVISIONED_BY]: driver, 'volume.kubernetes.io/provisioner-deletion-secret-name': '', 'volume.kubernetes.io/provisioner-deletion-secret-namespace': '' }, finalizers: ['kubernetes.io/pv-protection'] },
      spec: {
        accessModes: pvc.spec.accessModes, capacity: { storage: pvc.spec.resources.requests.storage },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete', storageClassName: sc.metadata.name, volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
        ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
        csi: { driver, volumeHandle, ...extra },
      },
    };
  }

  /** The EFS CSI driver's dynamic provisioning: an access point per volume (provisioningMode efs-ap). */
  private async provisionEfs(account: string, region: string, pvc: KubeObject, sc: KubeObject, pvName: string, params: Record<string, string>,
    store: Pick<ObjectScope, 'sql' | 'cluster'>): Promise<KubeObject> {
    if (params.provisioningMode !== 'efs-ap') throw new Error(`provisioningMode ${params.provisioningMode ?? '(none)'}: Berth's EFS CSI driver provisions efs-ap only`);
    if (!params.fileSystemId) throw new Error('Missing provisioning parameter fileSystemId');
    const start = Number(params.gidRangeStart ?? 50000);
    const end = Number(params.gidRangeEnd ?? 7000000);
    const used = new Set(listObjects(store, 'persistentvolumes', '').map((pv) => Number(pv.spec?.csi?.volumeAttributes?.gid)).filter(Number.isFinite));
    let gid = start;
    while (used.has(gid) && gid <= end) gid++;
    if (gid > end) throw new Error(`Failed to locate a free GID for given file system: ${params.fileSystemId}`);
    const base = (params.basePath ?? '').replace(/\/+$/, '');
    const out = await this.d.invoke<{ AccessPointId: string }>({ account, region }, 'efs', 'CreateAccessPoint', {
      ClientToken: pvc.metadata.uid!.slice(0, 64),
      FileSystemId: params.fileSystemId,
      PosixUser: { Uid: Number(params.uid ?? gid), Gid: Number(params.gid ?? gid) },
      RootDirectory: { Path: `${base}/${pvName}`, CreationInfo: { OwnerUid: Number(params.uid ?? gid), OwnerGid: Number(params.gid ?? gid), Permissions: params.directoryPerms ?? '700' } },
      Tags: [{ Key: 'efs.csi.aws.com/cluster', Value: 'true' }, { Key: 'kubernetes.io/pvc-name', Value: pvc.metadata.name! }],
    });
    return this.pvFor(pvc, sc, pvName, EFS_DRIVER, `${params.fileSystemId}::${out.AccessPointId}`, { volumeAttributes: { gid: String(gid), 'storage.kubernetes.io/csiProvisionerIdentity': 'berth-efs.csi.aws.com' } });
  }

  /** The EBS CSI driver on Berth: a volume on the engine, named for the volume id the PV carries. */
  private async provisionEbs(pvc: KubeObject, sc: KubeObject, pvName: string): Promise<KubeObject> {
    const volumeId = `vol-${createHash('sha256').update(pvc.metadata.uid!).digest('hex').slice(0, 17)}`;
    if (!(await this.d.driver.inspectVolume(ebsEngineVolume(volumeId)))) {
      await this.d.driver.createVolume({ name: ebsEngineVolume(volumeId), labels: { 'berth.kube-volume': pvName } });
    }
    return this.pvFor(pvc, sc, pvName, EBS_DRIVER, volumeId, { fsType: sc.parameters?.['csi.storage.k8s.io/fstype'] ?? 'ext4' });
  }

  /** A claim is gone: its volume is deleted with what backs it (reclaimPolicy Delete) or kept Released. */
  private async release(cluster: string, account: string, region: string, ns: string, name: string): Promise<ReconcileResult | void> {
    const store = { sql: this.d.sql, cluster };
    const pvs = listObjects(store, 'persistentvolumes', '').filter((pv) => pv.spec?.claimRef?.namespace === ns && pv.spec.claimRef.name === name && pv.status?.phase === 'Bound');
    for (const pv of pvs) {
      if (pv.spec.persistentVolumeReclaimPolicy === 'Delete') {
        try {
          const handle: string = pv.spec.csi?.volumeHandle ?? '';
          if (pv.spec.csi?.driver === EFS_DRIVER && handle.includes('::')) {
            await this.d.invoke({ account, region }, 'efs', 'DeleteAccessPoint', { AccessPointId: handle.split('::')[1] }).catch((err: unknown) => {
              if (!/AccessPointNotFound/.test(`${(err as { code?: string }).code} ${String(err)}`)) throw err;
            });
          } else if (pv.spec.csi?.driver === EBS_DRIVER) {
            await this.d.driver.removeVolume(ebsEngineVolume(handle)).catch(() => undefined);
          }
        } catch (err) {
          this.d.log.warn('kube volume not deleted', { volume: pv.metadata.name, error: (err as Error).message });
          return { requeueAfterMs: RETRY_MS };
        }
        writeObjects(this.d, cluster, (s) => {
          const fresh = getObject(s, 'persistentvolumes', '', pv.metadata.name!);
          if (fresh) removeObject(s, 'persistentvolumes', fresh);
        });
      } else {
        writeObjects(this.d, cluster, (s) => {
          const fresh = getObject(s, 'persistentvolumes', '', pv.metadata.name!);
          if (fresh) putObject(s, 'persistentvolumes', { ...fresh, status: { phase: 'Released' } }, 'MODIFIED');
        });
      }
    }
  }
}
