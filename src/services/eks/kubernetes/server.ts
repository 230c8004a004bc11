/**
 * A cluster's Kubernetes API over HTTP: authentication (auth.ts), discovery and OpenAPI, then the
 * object verbs on `/api/v1/…` and `/apis/<group>/<version>/…` (crud.ts), list (with label and field
 * selectors, limit/continue and server-side printing for kubectl get), watch (watch.ts) and pod logs.
 * Each write runs in one SQLite transaction; its changes are published (`eks.kube`) after it commits,
 * which is what controllers and watches react to. The HTTPS listener that calls this is the cluster
 * controller's (controllers/eks-clusters.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../../shared/clock.js';
import type { Logger } from '../../../shared/logger.js';
import type { ChangeFeed } from '../../../state/change-feed.js';
import type { Db, Statements } from '../../../state/db.js';
import { authenticate, type PresignedCallerVerifier } from './auth.js';
import { createObject, deleteObject, patchObject, requireObject, updateObject, withType, type DeleteOptions, type VerbContext } from './crud.js';
import { aggregated, AGGREGATED_V2, apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo, wantsAggregated } from './discovery.js';
import { currentRv, getObject, listObjects, type KubeObject, type ObjectScope } from './objects.js';
import { OPENAPI_V2_PROTOBUF, openApiV2Json, openApiV2Protobuf, openApiV3Document, openApiV3Index } from './openapi.js';
import { findResource, resourceId, type ResourceType } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { badRequest, KubeError, methodNotAllowed, resourceNotServed, unsupportedMediaType } from './status.js';
import { toTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';
import { refuseUpgrade, serveExec, type PodExecQuery, type PodExecSession } from './exec.js';
import { toScale, writeScale } from './scale.js';

/** What the API needs to know of the cluster it serves. */
export interface ClusterEndpoint {
  uid: string;
  name: string;
  /** The principal that is the cluster's admin ('' for none). */
  creator: string;
  /** Whether an IAM identity (a role for a session) may use the API: the cluster's access entries and mode decide. */
  admits?: (identity: string) => boolean;
  gitVersion: string;
  /** host:port clients reach the API at. */
  serverAddress: string;
}

export interface PodLogQuery {
  cluster: string;
  pod: KubeObject;
  container: string;
  follow: boolean;
  tailLines?: number;
  timestamps: boolean;
  /** Output from this time on (sinceSeconds, sinceTime). */
  since?: Date;
  /** The previous instance of the container (one that restarted): its output before the current start. */
  previous: boolean;
  signal: AbortSignal;
  write(text: string): void;
}

export interface KubernetesApiDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  changes: ChangeFeed;
  verify: PresignedCallerVerifier;
  /** Streams a pod's container output (the engine's logs); false when the container has not been created. */
  podLogs(q: PodLogQuery): Promise<boolean>;
  /** Runs a command in a pod's container (the engine's exec); undefined when the container is not running. */
  podExec(q: PodExecQuery): Promise<PodExecSession | undefined>;
}

const MAX_BODY = 3 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<any> {
  // Typed clients (kubectl create, client-go clientsets) may send protobuf; Berth speaks JSON only, and says so.
  const type = req.headers['content-type'] ?? '';
  if (type.includes('protobuf')) {
    req.resume();
    return Promise.reject(unsupportedMediaType(type));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new KubeError(413, 'RequestEntityTooLarge', 'the request is too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(badRequest('the body of the request could not be decoded as JSON (Berth accepts JSON bodies only)'));
      }
    });
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, contentType = 'application/json') {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
  res.end(text);
}

interface Target {
  r: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** `/api/v1/…` or `/apis/<g>/<v>/…` after the group/version: a served resource, or undefined. */
function target(group: string, version: string, rest: string[]): Target | undefined {
  let namespace: string | undefined;
  let parts = rest;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2])) {
    namespace = rest[1];
    parts = rest.slice(2);
  }
  const r = findResource(group, version, parts[0]);
  if (!r || parts.length > 3) return undefined;
  if (namespace !== undefined && !r.namespaced) return undefined;
  const sub = parts[2];
  if (sub !== undefined && !r.subresources.includes(sub)) return undefined;
  return { r, namespace, name: parts[1], sub };
}

export function kubernetesApi(deps: KubernetesApiDeps) {
  const inTransaction = <T>(cluster: string, work: (c: VerbContext) => T): T => {
    const keys: string[] = [];
    const store: ObjectScope = { sql: deps.sql, cluster, changed: (k) => keys.push(k) };
    const out = deps.db.transaction(() => work({ store, now: deps.clock.now() }))();
    for (const k of keys) deps.changes.publish('eks.kube', k);
    return out;
  };

  async function objects(cluster: ClusterEndpoint, t: Target, req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
    const { r, sub } = t;
    const ns = r.namespaced ? (t.namespace ?? (t.name !== undefined || req.method === 'POST' ? 'default' : undefined)) : '';
    const typed = (o: KubeObject) => withType(r, o);
    const method = req.method ?? 'GET';
    if (t.name === undefined) {
      if (method === 'POST') {
        const body = await readBody(req);
        const created = inTransaction(cluster.uid, (c) => createObject(c, r, ns!, body));
        return json(res, 201, typed(created));
      }
      if (method === 'DELETE') {
        const opts = deleteOptions(await readBody(req), q);
        const match = labelMatcher(q.get('labelSelector'));
        const fields = fieldMatcher(q.get('fieldSelector'));
        const deleted = inTransaction(cluster.uid, (c) => listObjects(c.store, resourceId(r), ns).filter((o) => match(o) && fields(o))
          .map((o) => deleteObject(c, r, o.metadata.namespace ?? '', o.metadata.name!, opts)));
        return json(res, 200, { kind: `${r.kind}List`, apiVersion: typed({ metadata: {} }).apiVersion, metadata: {}, items: deleted });
      }
      if (method !== 'GET') throw methodNotAllowed();
      const match = labelMatcher(q.get('labelSelector'));
      const fields = fieldMatcher(q.get('fieldSelector'));
      const both = (o: KubeObject) => match(o) && fields(o);
      if (q.get('watch') === 'true' || q.get('watch') === '1') {
        return serveWatch({
          store: { sql: deps.sql, cluster: cluster.uid }, resource: r, namespace: ns, match: both, resourceVersion: q.get('resourceVersion'),
          timeoutSeconds: Number(q.get('timeoutSeconds') ?? 0), typed,
          subscribe: (fn) => deps.changes.subscribe((kind, key) => { if (kind === 'eks.kube') fn(key); }),
        }, req, res);
      }
      return list(cluster, r, ns, both, q, req, res);
    }
    if (sub === 'log') {
      if (method !== 'GET') throw methodNotAllowed();
      return podLog(cluster, r, ns!, t.name, q, req, res);
    }
    if (sub === 'exec' || sub === 'portforward') throw badRequest('Upgrade request required');
    if (sub === 'scale') {
      if (method === 'GET') return json(res, 200, toScale(requireObject({ store: { sql: deps.sql, cluster: cluster.uid, changed: () => undefined }, now: deps.clock.now() }, r, ns!, t.name)));
      if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed();
      const body = await readBody(req);
      return json(res, 200, inTransaction(cluster.uid, (c) => writeScale(c, r, ns!, t.name!, method, req.headers['content-type'] ?? '', body)));
    }
    switch (method) {
      case 'GET': {
        const obj = requireObject({ store: { sql: deps.sql, cluster: cluster.uid, changed: () => undefined }, now: deps.clock.now() }, r, ns!, t.name);
        return wantsTable(req.headers.accept)
          ? json(res, 200, toTable(r, [typed(obj)], { resourceVersion: obj.metadata.resourceVersion }, q.get('includeObject'), deps.clock.now()), 'application/json;as=Table;v=v1;g=meta.k8s.io')
          : json(res, 200, typed(obj));
      }
      case 'PUT': {
        const body = await readBody(req);
        return json(res, 200, typed(inTransaction(cluster.uid, (c) => updateObject(c, r, ns!, t.name!, body, sub))));
      }
      case 'PATCH': {
        const body = await readBody(req);
        const type = req.headers['content-type'] ?? '';
        const existed = !!getObject({ sql: deps.sql, cluster: cluster.uid }, resourceId(r), ns!, t.name);
        const out = inTransaction(cluster.uid, (c) => patchObject(c, r, ns!, t.name!, type, body, sub));
        return json(res, existed ? 200 : 201, typed(out));
      }
      case 'DELETE': {
        const opts = deleteOptions(await readBody(req), q);
        return json(res, 200, inTransaction(cluster.uid, (c) => deleteObject(c, r, ns!, t.name!, opts)));
      }
      default:
        throw methodNotAllowed();
    }
  }

  function list(cluster: ClusterEndpoint, r: ResourceType, ns: string | undefined, match: (o: KubeObject) => boolean, q: URLSearchParams,
    req: IncomingMessage, res: ServerResponse) {
    const rv = currentRv(deps.sql);
    let items = listObjects({ sql: deps.sql, cluster: cluster.uid }, resourceId(r), ns).filter(match);
    // limit/continue: the continue token is the last (namespace, name) returned.
    const cont = q.get('continue');
    if (cont) {
      let after: [string, string];
      try {
        after = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8'));
      } catch {
        throw badRequest(`continue key is not valid: ${cont}`);
      }
      items = items.filter((o) => `${o.metadata.namespace ?? ''}\0${o.metadata.name}` > `${after[0]}\0${after[1]}`);
    }
    const limit = Number(q.get('limit') ?? 0);
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (limit > 0 && items.length > limit) {
      items = items.slice(0, limit);
      const lastItem = items[items.length - 1].metadata;
      metadata.continue = Buffer.from(JSON.stringify([lastItem.namespace ?? '', lastItem.name])).toString('base64url');
      metadata.remainingItemCount = undefined;
    }
    if (wantsTable(req.headers.accept)) {
      return json(res, 200, toTable(r, items.map((o) => withType(r, o)), metadata, q.get('includeObject'), deps.clock.now()), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    }
    const apiVersion = withType(r, { metadata: {} }).apiVersion;
    const bare = items.map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    });
    return json(res, 200, { kind: `${r.kind}List`, apiVersion, metadata, items: bare });
  }

  async function podLog(cluster: ClusterEndpoint, r: ResourceType, ns: string, name: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    const pod = requireObject({ store: { sql: deps.sql, cluster: cluster.uid, changed: () => undefined }, now: deps.clock.now() }, r, ns, name);
    const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    const container = q.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
    if (!container) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    let started = false;
    const write = (text: string) => {
      if (!started) {
        res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
        started = true;
      }
      res.write(text);
    };
    const tail = q.get('tailLines');
    const previous = q.get('previous') === 'true';
    if (previous && !(pod.status?.containerStatuses ?? []).some((s: any) => s.name === container && s.restartCount > 0)) {
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    }
    const sinceSeconds = q.get('sinceSeconds');
    const sinceTime = q.get('sinceTime');
    const since = sinceSeconds ? new Date(deps.clock.now() - Number(sinceSeconds) * 1000) : sinceTime ? new Date(sinceTime) : undefined;
    const found = await deps.podLogs({
      cluster: cluster.uid, pod, container, follow: q.get('follow') === 'true' && !previous, timestamps: q.get('timestamps') === 'true', previous,
      ...(since && !Number.isNaN(since.getTime()) ? { since } : {}),
      ...(tail !== null ? { tailLines: Number(tail) } : {}), signal: abort.signal, write,
    });
    if (!found && !started) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
    if (!started) write('');
    res.end();
  }

  /**
   * Connection upgrades: pods/exec over WebSocket (exec.ts), pods/portforward over SPDY, tunnelled in a WebSocket or
   * not (port-forward.ts, loaded on the first one: SPDY and zlib are not on the start-up path); anything else is
   * refused as a plain request would be.
   */
  async function upgrade(cluster: ClusterEndpoint, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    try {
      authenticate(req.headers.authorization, cluster, deps.verify, deps.clock.now());
      const url = new URL(req.url ?? '/', 'https://kubernetes');
      const segs = url.pathname.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
      const t = segs[0] === 'api' && segs[1] === 'v1' ? target('', 'v1', segs.slice(2)) : undefined;
      if (!t || t.r.resource !== 'pods' || (t.sub !== 'exec' && t.sub !== 'portforward') || !t.name) throw resourceNotServed();
      const pod = requireObject({ store: { sql: deps.sql, cluster: cluster.uid, changed: () => undefined }, now: deps.clock.now() }, t.r, t.namespace ?? 'default', t.name);
      if (t.sub === 'portforward') {
        const { servePortForward } = await import('./port-forward.js');
        // Each forwarded connection reads the pod afresh: its published ports move when its sandbox is made again.
        const [uid, namespace, name] = [pod.metadata.uid, t.namespace ?? 'default', t.name];
        return servePortForward(req, socket, head, pod, () => {
          const now = getObject({ sql: deps.sql, cluster: cluster.uid }, resourceId(t.r), namespace, name);
          return now?.metadata.uid === uid ? now : undefined;
        });
      }
      await serveExec(req, socket, head, pod, url.searchParams, (q) => deps.podExec({ ...q, cluster: cluster.uid }));
    } catch (err) {
      if (err instanceof KubeError) return refuseUpgrade(socket, err);
      deps.log.error('kubernetes api: unexpected exception in an upgrade', { cluster: cluster.name, url: req.url, error: (err as Error)?.stack ?? String(err) });
      socket.destroy();
    }
  }

  return Object.assign(handle, { upgrade });

  async function handle(cluster: ClusterEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kubernetes');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const q = url.searchParams;
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      authenticate(req.headers.authorization, cluster, deps.verify, deps.clock.now());
      if (path === '/version') return json(res, 200, versionInfo(cluster.gitVersion));
      if (path === '/api') {
        return wantsAggregated(req.headers.accept) ? json(res, 200, aggregated(true), AGGREGATED_V2) : json(res, 200, apiVersions(cluster.serverAddress));
      }
      if (path === '/apis') {
        return wantsAggregated(req.headers.accept) ? json(res, 200, aggregated(false), AGGREGATED_V2) : json(res, 200, apiGroupList());
      }
      if (path === '/openapi/v2') {
        if ((req.headers.accept ?? '').includes('protobuf')) {
          const body = openApiV2Protobuf();
          res.writeHead(200, { 'content-type': OPENAPI_V2_PROTOBUF, 'content-length': body.length }).end(body);
          return;
        }
        return json(res, 200, openApiV2Json(cluster.gitVersion));
      }
      if (path === '/openapi/v3') return json(res, 200, openApiV3Index(cluster.gitVersion));
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiV3Document(path.slice('/openapi/v3/'.length), cluster.gitVersion);
        if (!doc) throw resourceNotServed();
        return json(res, 200, doc);
      }
      const segs = path.split('/').slice(1).map(decodeURIComponent);
      let group: string;
      let version: string;
      let rest: string[];
      if (segs[0] === 'api' && segs[1]) [group, version, rest] = ['', segs[1], segs.slice(2)];
      else if (segs[0] === 'apis' && segs[1] && segs[2]) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
      else if (segs[0] === 'apis' && segs[1]) {
        const g = apiGroup(segs[1]);
        if (!g) throw resourceNotServed();
        return json(res, 200, g);
      } else throw resourceNotServed();
      if (!rest.length) {
        const list = apiResourceList(group, version);
        if (!list) throw resourceNotServed();
        return json(res, 200, list);
      }
      const t = target(group, version, rest);
      if (!t) throw resourceNotServed();
      await objects(cluster, t, req, res, q);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof KubeError) return json(res, err.code, err.status());
      deps.log.error('kubernetes api: unexpected exception', { cluster: cluster.name, method: req.method, url: req.url, error: (err as Error)?.stack ?? String(err) });
      json(res, 500, new KubeError(500, 'InternalError', 'an error on the server has prevented the request from succeeding').status());
    }
  }
}

function deleteOptions(body: any, q: URLSearchParams): DeleteOptions {
  const grace = q.get('gracePeriodSeconds') ?? body?.gracePeriodSeconds;
  return {
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    propagationPolicy: q.get('propagationPolicy') ?? body?.propagationPolicy ?? (body?.orphanDependents ? 'Orphan' : 'Background'),
    preconditions: body?.preconditions,
  };
}
