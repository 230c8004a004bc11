/**
 * Discovery: /version, the legacy lists (/api, /apis, /api/v1, /apis/<group>/<version>) and aggregated
 * discovery (apidiscovery.k8s.io/v2), which kubectl 1.32 asks /api and /apis for first and falls back from.
 * https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api
 */
import { apiVersionOf, groupVersions, RESOURCES, verbsOf, type ResourceType } from './resources.js';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export const wantsAggregated = (accept: string | undefined) => !!accept && accept.includes('g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');

const SUB_VERBS: Record<string, string[]> = { status: ['get', 'patch', 'update'], log: ['get'], exec: ['create', 'get'], portforward: ['create', 'get'], scale: ['get', 'patch', 'update'] };

export function versionInfo(gitVersion: string) {
  const [major, minor] = gitVersion.replace(/^v/, '').split('.');
  return {
    major, minor, gitVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

const groupEntry = (group: string) => {
  const versions = groupVersions().filter((g) => g.group === group).map((g) => ({ groupVersion: `${group}/${g.version}`, version: g.version }));
  return { name: group, versions, preferredVersion: versions[0] };
};

export function apiGroupList() {
  const groups = [...new Set(groupVersions().map((g) => g.group).filter(Boolean))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupEntry) };
}

export function apiGroup(group: string) {
  return groupVersions().some((g) => g.group === group) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) } : undefined;
}

export function apiResourceList(group: string, version: string) {
  const list = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!list.length) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }),
    resources: list.flatMap((r) => [
      { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r),
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}) },
      ...r.subresources.map((s) => ({ name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: SUB_VERBS[s] ?? ['get'] })),
    ]),
  };
}

function discoveredResource(r: ResourceType) {
  const responseKind = { group: r.group, version: r.version, kind: r.kind };
  return {
    resource: r.resource, responseKind, scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singular, verbs: verbsOf(r),
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length ? { subresources: r.subresources.map((s) => ({ subresource: s, responseKind, verbs: SUB_VERBS[s] ?? ['get'] })) } : {}),
  };
}

/** /api (the core group only) or /apis (every named group) as an APIGroupDiscoveryList. */
export function aggregated(core: boolean) {
  const groups = [...new Set(groupVersions().map((g) => g.group))].filter((g) => (core ? g === '' : g !== ''));
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {},
    items: groups.map((group) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: groupVersions().filter((g) => g.group === group).map((g) => ({
        version: g.version,
        resources: RESOURCES.filter((r) => r.group === group && r.version === g.version).map(discoveredResource),
        freshness: 'Current',
      })),
    })),
  };
}
