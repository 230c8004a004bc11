/**
 * What the API server fills in and checks when an object is created or replaced: metadata (uid,
 * creationTimestamp, generation, generateName), each served kind's defaults (the ones kubectl shows back:
 * a pod's restartPolicy, dnsPolicy, imagePullPolicy…, a Deployment's strategy and revisionHistoryLimit),
 * and the name and required-field rules that answer 422 Invalid.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';
import { invalid } from './status.js';
import { applyWorkloadDefaults } from './workload-defaults.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The alphabet of generated name suffixes (no vowels, no look-alikes), as apimachinery's rand.String. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  return [...bytes].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

/** Names of namespaces (and pods' containers) are DNS labels; other objects' DNS subdomains. */
export function validateName(r: ResourceType, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  const label = r.resource === 'namespaces';
  const ok = name.length > 0 && name.length <= (label ? 63 : 253) && (label ? DNS_LABEL : DNS_SUBDOMAIN).test(name);
  if (!ok) {
    const rule = label
      ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
      : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    throw invalid(r.kind, r.group, name, [{ field: 'metadata.name', message: name ? `Invalid value: "${name}": ${rule}` : 'Required value: name or generateName is required' }]);
  }
}

export function podSpecDefaults(spec: any): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    // An image without a tag, or tagged latest, is pulled every time (imagePullPolicy Always).
    const tag = /:([^/:@]+)$/.exec(c.image ?? '')?.[1];
    c.imagePullPolicy ??= !c.image?.includes('@') && (!tag || tag === 'latest') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
}

export function validatePodSpec(r: ResourceType, obj: KubeObject, spec: any, at: string): void {
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(r.kind, r.group, obj.metadata.name!, [{ field: `${at}.containers`, message: 'Required value' }]);
  }
  containers.forEach((c: any, i: number) => {
    if (!c.name) throw invalid(r.kind, r.group, obj.metadata.name!, [{ field: `${at}.containers[${i}].name`, message: 'Required value' }]);
    if (!c.image) throw invalid(r.kind, r.group, obj.metadata.name!, [{ field: `${at}.containers[${i}].image`, message: 'Required value' }]);
  });
}

export function validateWorkload(r: ResourceType, obj: KubeObject): void {
  const spec = obj.spec ?? {};
  const name = obj.metadata.name!;
  if (!spec.selector) throw invalid(r.kind, r.group, name, [{ field: 'spec.selector', message: 'Required value' }]);
  const labels = spec.template?.metadata?.labels ?? {};
  const matches = Object.entries(spec.selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  if (!matches) {
    throw invalid(r.kind, r.group, name, [{ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` }]);
  }
  validatePodSpec(r, obj, spec.template?.spec, 'spec.template.spec');
}

/**
 * A pod's QoS class: Guaranteed when every container has CPU and memory limits equal to its requests, BestEffort when
 * none has any, Burstable otherwise. https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/
 */
export function qosClass(spec: any): string {
  const containers: any[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const set = (c: any, k: 'requests' | 'limits') => Object.keys(c.resources?.[k] ?? {}).filter((r) => r === 'cpu' || r === 'memory');
  if (containers.every((c) => !set(c, 'requests').length && !set(c, 'limits').length)) return 'BestEffort';
  const guaranteed = containers.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined
    && String(c.resources.limits[r]) === String(c.resources?.requests?.[r] ?? c.resources.limits[r])));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Fills in and checks the kind's spec (create and update alike). */
export function applyKindDefaults(r: ResourceType, obj: KubeObject): void {
  switch (r.kind) {
    case 'Namespace':
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
      obj.status = { phase: obj.status?.phase ?? 'Active' };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      if (obj.stringData) {
        obj.data = { ...(obj.data ?? {}) };
        for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) obj.data[k] = Buffer.from(v, 'utf8').toString('base64');
        delete obj.stringData;
      }
      break;
    case 'Pod':
      validatePodSpec(r, obj, obj.spec, 'spec');
      podSpecDefaults(obj.spec);
      // A pod's limit without a request is also its request (SetDefaults_Pod; not in templates).
      for (const c of [...obj.spec.containers, ...(obj.spec.initContainers ?? [])]) {
        for (const [k, v] of Object.entries(c.resources.limits ?? {})) c.resources.requests = { [k]: v, ...(c.resources.requests ?? {}) };
      }
      obj.status ??= { phase: 'Pending', qosClass: qosClass(obj.spec) };
      break;
    case 'Deployment':
      validateWorkload(r, obj);
      obj.spec.replicas ??= 1;
      obj.spec.strategy ??= { type: 'RollingUpdate' };
      if (obj.spec.strategy.type === 'RollingUpdate') obj.spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(obj.spec.strategy.rollingUpdate ?? {}) };
      obj.spec.revisionHistoryLimit ??= 10;
      obj.spec.progressDeadlineSeconds ??= 600;
      obj.spec.template.metadata ??= {};
      podSpecDefaults(obj.spec.template.spec);
      obj.status ??= {};
      break;
    case 'ReplicaSet':
      validateWorkload(r, obj);
      obj.spec.replicas ??= 1;
      obj.spec.template.metadata ??= {};
      podSpecDefaults(obj.spec.template.spec);
      obj.status ??= { replicas: 0 };
      break;
    default:
      applyWorkloadDefaults(r, obj);
      break;
  }
}

/** A new object's server-set metadata. */
export function newMetadata(r: ResourceType, obj: KubeObject, now: number): void {
  const m = obj.metadata;
  if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
  m.uid = randomUUID();
  m.creationTimestamp = rfc3339(now);
  if (r.generation) m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
}
