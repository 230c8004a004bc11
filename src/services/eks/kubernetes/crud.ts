/**
 * The object verbs of the Kubernetes API on the store: get, list, create, update (PUT), patch, delete,
 * with the API server's rules — resourceVersion preconditions (409 Conflict), metadata the server owns,
 * the status subresource (the main resource ignores status, /status takes only status), generation
 * bumped by spec changes, graceful deletion of pods (deletionTimestamp; the pods controller removes the
 * object once its containers have stopped) and deletion of dependents through ownerReferences (the
 * garbage collector's background propagation, done at once; `Orphan` keeps them).
 * Each function runs inside the caller's transaction.
 */
import { applyKindDefaults, newMetadata, rfc3339, validateName } from './defaults.js';
import { getObject, listObjects, putObject, removeObject, type KubeObject, type ObjectScope } from './objects.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { apiVersionOf, byId, resourceId, RESOURCES, type ResourceType } from './resources.js';
import { injectPodIdentity } from './pod-identity-webhook.js';
import { prepareService } from './services.js';
import { alreadyExists, badRequest, conflict, KubeError, notFound, unsupportedMediaType } from './status.js';

export interface VerbContext {
  store: ObjectScope;
  now: number;
}

/** Namespaces a cluster always has (kube-system and default may not be deleted). */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

export function withType(r: ResourceType, obj: KubeObject): KubeObject {
  return { apiVersion: apiVersionOf(r), kind: r.kind, ...obj, metadata: obj.metadata };
}

export function requireObject(c: VerbContext, r: ResourceType, ns: string, name: string): KubeObject {
  const obj = getObject(c.store, resourceId(r), ns, name);
  if (!obj) throw notFound(r.resource, r.group, name);
  return obj;
}

function requireNamespace(c: VerbContext, ns: string) {
  const nsObj = getObject(c.store, 'namespaces', '', ns);
  if (!nsObj) throw notFound('namespaces', '', ns);
  if (nsObj.status?.phase === 'Terminating') {
    throw new KubeError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`);
  }
}

export function createObject(c: VerbContext, r: ResourceType, ns: string, body: KubeObject): KubeObject {
  if (!body || typeof body !== 'object' || !body.metadata) throw badRequest('the body of the request must be an object with metadata');
  const obj = clone(body);
  if (r.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = ns;
    requireNamespace(c, ns);
  } else delete obj.metadata.namespace;
  newMetadata(r, obj, c.now);
  validateName(r, obj);
  if (getObject(c.store, resourceId(r), ns, obj.metadata.name!)) throw alreadyExists(r.resource, r.group, obj.metadata.name!);
  applyKindDefaults(r, obj);
  if (r.kind === 'Service') prepareService(c, obj);
  // EKS's mutating admission webhook for Pod Identity (the only admission webhook a cluster has here).
  if (r.kind === 'Pod') injectPodIdentity(c.store, obj);
  const stored = putObject(c.store, resourceId(r), withType(r, obj), 'ADDED');
  if (r.kind === 'Namespace') ensureDefaultServiceAccount(c, obj.metadata.name!);
  return stored;
}

/** Every namespace has a `default` service account (the service account controller's job). */
export function ensureDefaultServiceAccount(c: VerbContext, ns: string) {
  if (getObject(c.store, 'serviceaccounts', ns, 'default')) return;
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } };
  newMetadata(byId('serviceaccounts'), sa, c.now);
  putObject(c.store, 'serviceaccounts', sa, 'ADDED');
}

const hasStatus = (r: ResourceType) => r.subresources.includes('status');

/** Writes `next` over `current`: server-owned fields kept, status per subresource, generation per spec. */
function replace(c: VerbContext, r: ResourceType, current: KubeObject, next: KubeObject, sub: string | undefined): KubeObject {
  if (next.metadata?.name !== undefined && next.metadata.name !== current.metadata.name) {
    throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
  }
  const rv = next.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(r.resource, r.group, current.metadata.name!);
  let out: KubeObject;
  if (sub === 'status') {
    out = { ...clone(current), status: next.status };
  } else {
    out = { ...clone(next), metadata: { ...next.metadata } };
    if (hasStatus(r)) out.status = clone(current.status);
  }
  const m = out.metadata;
  const cm = current.metadata;
  m.name = cm.name;
  m.uid = cm.uid;
  m.creationTimestamp = cm.creationTimestamp;
  if (cm.namespace !== undefined) m.namespace = cm.namespace;
  else delete m.namespace;
  if (cm.deletionTimestamp) {
    m.deletionTimestamp = cm.deletionTimestamp;
    m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
  }
  if (sub !== 'status') applyKindDefaults(r, out);
  if (sub !== 'status' && r.kind === 'Service') prepareService(c, out, current);
  if (r.generation) {
    const generation = cm.generation ?? 1;
    m.generation = JSON.stringify(out.spec) !== JSON.stringify(current.spec) ? generation + 1 : generation;
  }
  if (JSON.stringify({ ...out, metadata: { ...out.metadata, resourceVersion: undefined } })
      === JSON.stringify({ ...withType(r, current), metadata: { ...current.metadata, resourceVersion: undefined } })) {
    return current; // a no-op write keeps its resourceVersion, as the API server does
  }
  return putObject(c.store, resourceId(r), withType(r, out), 'MODIFIED');
}

export function updateObject(c: VerbContext, r: ResourceType, ns: string, name: string, body: KubeObject, sub?: string): KubeObject {
  if (!body || typeof body !== 'object') throw badRequest('the body of the request must be an object');
  const current = requireObject(c, r, ns, name);
  return replace(c, r, current, { ...body, metadata: body.metadata ?? {} }, sub);
}

export function patchObject(c: VerbContext, r: ResourceType, ns: string, name: string, contentType: string, body: any, sub?: string): KubeObject {
  const type = contentType.split(';')[0].trim();
  const current = getObject(c.store, resourceId(r), ns, name);
  if (type === 'application/apply-patch+yaml') {
    // Server-side apply, without field ownership: the applied configuration is created, or merged in.
    if (!current) return createObject(c, r, ns, { ...body, metadata: { ...(body?.metadata ?? {}), name } });
    return replace(c, r, current, strategicMerge(withType(r, current), body), sub);
  }
  if (!current) throw notFound(r.resource, r.group, name);
  const base = withType(r, current);
  let next: KubeObject;
  if (type === 'application/json-patch+json') next = jsonPatch(base, body);
  else if (type === 'application/merge-patch+json') next = mergePatch(base, body);
  else if (type === 'application/strategic-merge-patch+json') next = strategicMerge(base, body);
  else throw unsupportedMediaType(type);
  return replace(c, r, current, next, sub);
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Deletes an object: a pod gracefully (its containers stop first), anything else at once with its dependents. */
export function deleteObject(c: VerbContext, r: ResourceType, ns: string, name: string, opts: DeleteOptions): KubeObject {
  const obj = requireObject(c, r, ns, name);
  if (opts.preconditions?.uid && opts.preconditions.uid !== obj.metadata.uid) {
    throw new KubeError(409, 'Conflict', `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (r.kind === 'Namespace' && SYSTEM_NAMESPACES.includes(name)) {
    throw new KubeError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
  if (r.kind === 'Pod') return deletePod(c, obj, opts.gracePeriodSeconds);
  if (opts.propagationPolicy === 'Foreground' && r.kind !== 'Namespace') {
    const deps = dependentsOf(c, obj);
    // Foreground: the owner stays (deletionTimestamp, the foregroundDeletion finalizer) until its dependents are
    // gone; the garbage collector (controllers/kube-garbage-collector.ts) then removes it.
    if (deps.length) {
      if (!obj.metadata.finalizers?.includes(FOREGROUND)) {
        obj.metadata.deletionTimestamp ??= rfc3339(c.now);
        obj.metadata.deletionGracePeriodSeconds ??= 0;
        obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), FOREGROUND];
        putObject(c.store, resourceId(r), obj, 'MODIFIED');
      }
      for (const [dr, o] of deps) {
        const ns2 = o.metadata.namespace ?? '';
        const fresh = getObject(c.store, resourceId(dr), ns2, o.metadata.name!);
        if (fresh && !fresh.metadata.deletionTimestamp) deleteObject(c, dr, ns2, o.metadata.name!, { propagationPolicy: 'Foreground' });
      }
      return withType(r, obj);
    }
  }
  if (r.kind === 'Namespace') {
    for (const other of RESOURCES.filter((x) => x.namespaced)) {
      for (const o of listObjects(c.store, resourceId(other), name)) deleteObject(c, other, name, o.metadata.name!, { propagationPolicy: 'Background' });
    }
  }
  removeObject(c.store, resourceId(r), obj);
  // batch/v1 Jobs orphan their pods by default when the caller names no policy (kubectl sends Background).
  if ((opts.propagationPolicy ?? (r.kind === 'Job' ? 'Orphan' : 'Background')) === 'Orphan') orphanDependents(c, obj);
  else deleteDependents(c, obj);
  return withType(r, obj);
}

function deletePod(c: VerbContext, pod: KubeObject, grace: number | undefined): KubeObject {
  const seconds = grace ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  // A pod never scheduled has no containers to stop; grace 0 is a forced delete.
  if (seconds === 0 || !pod.spec?.nodeName) {
    removeObject(c.store, 'pods', pod);
    return withType(byId('pods'), pod);
  }
  if (pod.metadata.deletionTimestamp) return pod;
  pod.metadata.deletionTimestamp = rfc3339(c.now + seconds * 1000);
  pod.metadata.deletionGracePeriodSeconds = seconds;
  return putObject(c.store, 'pods', pod, 'MODIFIED');
}

/** The finalizer of an owner being deleted in the foreground. */
export const FOREGROUND = 'foregroundDeletion';

/** Objects in the owner's namespace (or any, for a cluster-scoped owner) that name it in ownerReferences. */
export function dependentsOf(c: VerbContext, owner: KubeObject): [ResourceType, KubeObject][] {
  const out: [ResourceType, KubeObject][] = [];
  for (const r of RESOURCES.filter((x) => x.namespaced)) {
    for (const o of listObjects(c.store, resourceId(r), owner.metadata.namespace)) {
      if (o.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid)) out.push([r, o]);
    }
  }
  return out;
}

function deleteDependents(c: VerbContext, owner: KubeObject) {
  for (const [r, o] of dependentsOf(c, owner)) {
    if (getObject(c.store, resourceId(r), o.metadata.namespace ?? '', o.metadata.name!)) {
      deleteObject(c, r, o.metadata.namespace ?? '', o.metadata.name!, { propagationPolicy: 'Background' });
    }
  }
}

function orphanDependents(c: VerbContext, owner: KubeObject) {
  for (const [r, o] of dependentsOf(c, owner)) {
    o.metadata.ownerReferences = o.metadata.ownerReferences!.filter((ref) => ref.uid !== owner.metadata.uid);
    if (!o.metadata.ownerReferences.length) delete o.metadata.ownerReferences;
    putObject(c.store, resourceId(r), o, 'MODIFIED');
  }
}
