/**
 * The `scale` subresource of Deployments and ReplicaSets: an `autoscaling/v1 Scale` whose spec.replicas is the
 * object's, what `kubectl scale` reads and patches (a merge patch of the Scale) and autoscalers use.
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/scale/
 */
import { patchObject, requireObject, type VerbContext } from './crud.js';
import type { KubeObject } from './objects.js';
import { jsonPatch, mergePatch } from './patch.js';
import type { ResourceType } from './resources.js';
import { badRequest, conflict, unsupportedMediaType } from './status.js';

/** A label selector as the Scale's status.selector string (`app=web,tier in (a,b)`). */
function selectorString(selector: any): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'In' || e.operator === 'NotIn') parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export function toScale(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj.spec?.selector) },
  };
}

/** PUT or PATCH of the Scale: the new spec.replicas is written to the object (a stale resourceVersion is a 409). */
export function writeScale(c: VerbContext, r: ResourceType, ns: string, name: string, method: string, contentType: string, body: any): KubeObject {
  const current = requireObject(c, r, ns, name);
  const scale = toScale(current);
  let next: KubeObject;
  const type = contentType.split(';')[0].trim();
  if (method === 'PUT') next = body;
  else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') next = mergePatch(scale, body);
  else if (type === 'application/json-patch+json') next = jsonPatch(scale, body);
  else throw unsupportedMediaType(type);
  const replicas = next?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) throw badRequest(`spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`);
  const rv = next.metadata?.resourceVersion;
  if (method === 'PUT' && rv && rv !== current.metadata.resourceVersion) throw conflict(r.resource, r.group, name);
  const updated = replicas === current.spec?.replicas ? current
    : patchObject(c, r, ns, name, 'application/merge-patch+json', { spec: { replicas } });
  return toScale(updated);
}


