/**
 * Events the kubelet records about a pod (`kubectl describe pod`, `kubectl get events`): core/v1 Events named
 * `<pod>.<hex>`, whose `involvedObject` is the pod (and `fieldPath` the container); a repeat of the same reason and
 * message for the same object adds to its `count` and `lastTimestamp`, as client-go's event correlator aggregates.
 * Other components record theirs about other objects the same way (recordEvent: kube-proxy's about a Service).
 */
import { randomBytes } from 'node:crypto';
import { newMetadata, rfc3339 } from './defaults.js';
import { listObjects, putObject, type KubeObject, type ObjectScope } from './objects.js';
import { byId } from './resources.js';

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The container the event is about. */
  container?: string;
}

export function recordPodEvent(s: ObjectScope, pod: KubeObject, e: PodEvent, now: number): void {
  recordEvent(s, pod, e, now, 'kubelet');
}

/** An Event about any namespaced object (its `kind` as involvedObject), from `component` (kubelet, kube-proxy…). */
export function recordEvent(s: ObjectScope, pod: KubeObject, e: PodEvent, now: number, component: string): void {
  const ns = pod.metadata.namespace!;
  const fieldPath = e.container ? `spec.containers{${e.container}}` : undefined;
  const at = rfc3339(now);
  const same = listObjects(s, 'events', ns).find((x) => x.involvedObject?.uid === pod.metadata.uid && x.reason === e.reason
    && x.message === e.message && x.involvedObject?.fieldPath === fieldPath);
  if (same) {
    putObject(s, 'events', { ...same, count: (same.count ?? 1) + 1, lastTimestamp: at }, 'MODIFIED');
    return;
  }
  const node = pod.spec?.nodeName;
  const ev: KubeObject = {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
    involvedObject: { kind: pod.kind ?? 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: pod.apiVersion ?? 'v1', ...(fieldPath ? { fieldPath } : {}) },
    reason: e.reason, message: e.message, type: e.type, count: 1, firstTimestamp: at, lastTimestamp: at,
    source: { component, ...(node ? { host: node } : {}) }, reportingComponent: component, reportingInstance: node ?? '',
  };
  newMetadata(byId('events'), ev, now);
  putObject(s, 'events', ev, 'ADDED');
}
