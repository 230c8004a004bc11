/**
 * Binding a pending pod to a node (kubernetes/scheduling.ts decides where): what kube-pods calls for a pod
 * without spec.nodeName. It reads the cluster's Fargate profiles (ACTIVE ones select pods) and writes the
 * binding (spec.nodeName, PodScheduled True; on Fargate the profile label and the `CapacityProvisioned`
 * annotation, as EKS's Fargate sets them), or PodScheduled False with the scheduler's reason. A pod that
 * stays pending is looked at again (`retryMs`): nodes joining or pods leaving may make room.
 */
import type { FargateProfile } from '@aws-sdk/client-eks';
import { findSubnets } from '../ec2/index.js';
import { rfc3339 } from './kubernetes/defaults.js';
import { getObject, putObject, type KubeObject, type ObjectScope } from './kubernetes/objects.js';
import { schedulePod, type FargateChoice } from './kubernetes/scheduling.js';
import { clusterByUid, clusterDoc, listItems } from './store.js';
import { versionInfo } from './versions.js';

export const PENDING_RETRY_MS = 2_000;

function fargateChoices(store: ObjectScope, account: string, region: string, cluster: string): FargateChoice[] {
  const s = { sql: store.sql, account, region };
  return listItems<FargateProfile>(s, cluster, 'fargateprofile').filter((p) => p.doc.status === 'ACTIVE').map((p) => {
    const { found } = findSubnets(store.sql, account, region, p.doc.subnets ?? []);
    return {
      name: p.name,
      selectors: (p.doc.selectors ?? []).map((x) => ({ namespace: x.namespace, labels: x.labels })),
      subnets: found.map((x) => ({ zone: x.availabilityZone, cidr: x.cidrBlock })),
    };
  });
}

/** Binds the pod if a node takes it; answers whether it stays pending (then look again after PENDING_RETRY_MS). */
export function bindPendingPod(store: ObjectScope, namespace: string, name: string, uid: string, now: number): { pending: boolean } {
  const pod = getObject(store, 'pods', namespace, name);
  if (!pod || pod.spec?.nodeName || pod.metadata.uid !== uid || pod.metadata.deletionTimestamp) return { pending: false };
  const row = clusterByUid(store.sql, store.cluster);
  const cluster = row ? clusterDoc(row) : undefined;
  const placement = schedulePod(store, pod, {
    now,
    region: row?.region ?? 'us-east-1',
    gitVersion: versionInfo(cluster?.version ?? '')?.gitVersion ?? 'v1.32.9-eks-berth',
    fargateProfiles: row ? fargateChoices(store, row.account, row.region, row.name) : [],
  });
  const at = rfc3339(now);
  if ('unschedulable' in placement) {
    const was = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (was?.status === 'False' && was.message === placement.unschedulable) return { pending: true };
    pod.status = {
      ...(pod.status ?? {}), phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: at, reason: 'Unschedulable', message: placement.unschedulable }],
    };
    putObject(store, 'pods', pod, 'MODIFIED');
    return { pending: true };
  }
  const bound: KubeObject = pod;
  bound.spec.nodeName = placement.nodeName;
  if (placement.fargate) {
    bound.spec.schedulerName = 'fargate-scheduler';
    bound.metadata.labels = { ...(bound.metadata.labels ?? {}), 'eks.amazonaws.com/fargate-profile': placement.fargate.profile };
    bound.metadata.annotations = { ...(bound.metadata.annotations ?? {}), CapacityProvisioned: placement.fargate.capacity };
  }
  bound.status = { ...(bound.status ?? {}), conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at }] };
  putObject(store, 'pods', bound, 'MODIFIED');
  return { pending: false };
}
