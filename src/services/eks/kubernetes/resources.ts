/**
 * The Kubernetes resources the builtin API serves, as discovery describes them. Anything else
 * answers 404 NotFound, as an API server does for a resource it does not serve.
 */
export interface ResourceType {
  /** API group ('' for the core group). */
  group: string;
  version: string;
  /** Plural, lower case: the path segment. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served (status, log, scale…). */
  subresources: string[];
  /** Whether spec changes bump metadata.generation (objects with a spec the controllers act on). */
  generation: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const verbsOf = (_r: ResourceType) => VERBS;

const core = (resource: string, singular: string, kind: string, namespaced: boolean, shortNames: string[], extra: Partial<ResourceType> = {}): ResourceType => ({
  group: '', version: 'v1', resource, singular, kind, namespaced, shortNames, categories: [], subresources: [], generation: false, ...extra,
});
const apps = (resource: string, singular: string, kind: string, shortNames: string[]): ResourceType => ({
  group: 'apps', version: 'v1', resource, singular, kind, namespaced: true, shortNames, categories: ['all'], subresources: ['status'], generation: true,
});

const batch = (resource: string, singular: string, kind: string, shortNames: string[]): ResourceType => ({
  group: 'batch', version: 'v1', resource, singular, kind, namespaced: true, shortNames, categories: ['all'], subresources: ['status'], generation: true,
});

export const RESOURCES: readonly ResourceType[] = [
  core('namespaces', 'namespace', 'Namespace', false, ['ns'], { subresources: ['status'] }),
  core('configmaps', 'configmap', 'ConfigMap', true, ['cm']),
  core('secrets', 'secret', 'Secret', true, []),
  core('serviceaccounts', 'serviceaccount', 'ServiceAccount', true, ['sa']),
  core('events', 'event', 'Event', true, ['ev']),
  core('nodes', 'node', 'Node', false, ['no'], { subresources: ['status'] }),
  core('pods', 'pod', 'Pod', true, ['po'], { categories: ['all'], subresources: ['status', 'log', 'exec', 'portforward'] }),
  core('persistentvolumeclaims', 'persistentvolumeclaim', 'PersistentVolumeClaim', true, ['pvc'], { subresources: ['status'] }),
  core('persistentvolumes', 'persistentvolume', 'PersistentVolume', false, ['pv'], { subresources: ['status'] }),
  { ...apps('deployments', 'deployment', 'Deployment', ['deploy']), subresources: ['status', 'scale'] },
  { ...apps('replicasets', 'replicaset', 'ReplicaSet', ['rs']), subresources: ['status', 'scale'] },
  apps('statefulsets', 'statefulset', 'StatefulSet', ['sts']),
  apps('daemonsets', 'daemonset', 'DaemonSet', ['ds']),
  batch('jobs', 'job', 'Job', []),
  batch('cronjobs', 'cronjob', 'CronJob', ['cj']),
  { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', singular: 'storageclass', kind: 'StorageClass', namespaced: false, shortNames: ['sc'], categories: [], subresources: [], generation: false },
  core('services', 'service', 'Service', true, ['svc'], { categories: ['all'], subresources: ['status'] }),
  core('endpoints', 'endpoints', 'Endpoints', true, ['ep']),
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true, shortNames: [], categories: [], subresources: [], generation: false },
];

/** The store's name of a resource: `pods`, `apps/deployments`. */
export const resourceId = (r: Pick<ResourceType, 'group' | 'resource'>) => (r.group ? `${r.group}/${r.resource}` : r.resource);

export const apiVersionOf = (r: Pick<ResourceType, 'group' | 'version'>) => (r.group ? `${r.group}/${r.version}` : r.version);

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export const byId = (id: string) => RESOURCES.find((r) => resourceId(r) === id)!;

/** The group/versions served, in discovery's order (core first). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
