/**
 * The patch types PATCH accepts: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge
 * patch, Kubernetes' merge that treats lists of named things (containers, env, ports, volumes…) as maps
 * keyed by their merge key and understands the directives `kubectl apply` sends (`$patch`,
 * `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`).
 * https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
 *
 * Berth knows the merge keys by field name (the API types use the same key for a field name wherever it
 * appears), not from the OpenAPI schemas: see MERGE_KEYS.
 */
import { badRequest, KubeError } from './status.js';

type Json = any;

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

// ---- JSON merge patch ----

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, Json> = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---- JSON patch ----

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[]): { parent: Json; key: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : cur?.[p];
    if (cur === undefined) throw new KubeError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing path: ${'/' + parts.join('/')}`);
  }
  return { parent: cur, key: parts[parts.length - 1] };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const p of pointer(path)) cur = Array.isArray(cur) ? cur[Number(p)] : cur?.[p];
  return cur;
}

function addAt(doc: Json, path: string, value: Json): Json {
  const parts = pointer(path);
  if (!parts.length) return clone(value);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, clone(value));
  else parent[key] = clone(value);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else {
    if (!(key in parent)) throw new KubeError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing key: ${path}`);
    delete parent[key];
  }
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const op of ops) {
    switch (op.op) {
      case 'add': doc = addAt(doc, op.path, op.value); break;
      case 'remove': doc = removeAt(doc, op.path); break;
      case 'replace': doc = addAt(removeAt(doc, op.path), op.path, op.value); break;
      case 'move': { const v = getAt(doc, op.from); doc = addAt(removeAt(doc, op.from), op.path, v); break; }
      case 'copy': doc = addAt(doc, op.path, getAt(doc, op.from)); break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw new KubeError(422, 'Invalid', `testing value ${op.path} failed`);
        break;
      default: throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

// ---- strategic merge patch ----

/** Lists merged as maps by a key, by the field that holds them (the API types' patchMergeKey tags). */
const MERGE_KEYS: Record<string, string | ((items: Json[]) => string)> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name', imagePullSecrets: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', conditions: 'type', ownerReferences: 'uid', hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey', resourceClaims: 'name', addresses: 'type', secrets: 'name',
  // A container's ports merge by containerPort, a Service's by port.
  ports: (items) => (items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port'),
};
/** Lists of scalars merged as sets (patchStrategy merge). */
const MERGED_PRIMITIVES = new Set(['finalizers']);

function mergeKeyOf(field: string, items: Json[]): string | undefined {
  const k = MERGE_KEYS[field];
  return typeof k === 'function' ? k(items) : k;
}

function mergeList(field: string, original: Json[] | undefined, patch: Json[]): Json[] {
  const base = Array.isArray(original) ? clone(original) : [];
  if (patch.some((i) => isObject(i) && i.$patch === 'replace')) return patch.filter((i) => !(isObject(i) && i.$patch === 'replace')).map(stripDirectives);
  if (MERGED_PRIMITIVES.has(field)) return [...base, ...patch.filter((v) => !base.includes(v))];
  const key = mergeKeyOf(field, [...base, ...patch]);
  if (!key || !patch.every(isObject)) return patch.map(stripDirectives);
  let out = base;
  for (const item of patch) {
    const idx = out.findIndex((o: Json) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out = out.filter((_: Json, i: number) => i !== idx);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx], item);
    else out.push(stripDirectives(item));
  }
  return out;
}

/** Removes SMP directives from a value that is not merged into anything. */
function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.filter((i) => !(isObject(i) && i.$patch === 'delete')).map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (x !== null) out[k] = stripDirectives(x);
  }
  return out;
}

export function strategicMerge(original: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, Json> = isObject(original) ? clone(original) : {};
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field])) out[field] = out[field].filter((x: Json) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(k, out[k], v);
    else if (isObject(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  for (const [field, order] of orders) {
    const list = out[field];
    if (!Array.isArray(list)) continue;
    const key = mergeKeyOf(field, list);
    const rank = (item: Json) => {
      const i = order.findIndex((o) => (key && isObject(o) ? o[key] === item?.[key] : o === item));
      return i < 0 ? order.length : i;
    };
    out[field] = [...list].sort((a, b) => rank(a) - rank(b));
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  return out;
}
