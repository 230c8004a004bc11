/**
 * Berth's console: the UI under /_berth/ui/ and its JSON under /_berth/api/ (see README.md). app.ts loads this module
 * on the first such request, never before Berth's ready line.
 *
 *   GET /_berth/api/overview                                         Overview
 *   GET /_berth/api/clusters/<account>/<region>/<cluster>            ClusterView
 *   GET /_berth/api/clusters/<account>/<region>/<cluster>/services/<name>   ServiceView
 *   GET /_berth/api/clusters/<account>/<region>/<cluster>/tasks/<id>        TaskView
 *   GET /_berth/api/clusters/<account>/<region>/<cluster>/tasks/<id>/logs?search=&limit=   TaskLogsView
 *   GET /_berth/api/registry                                         RegistryView
 *   GET /_berth/api/registry/<account>/<region>/<repository>          RepositoryView (the name URL-encoded as one segment)
 *   GET /_berth/api/load-balancers                                   LoadBalancersView
 *   GET /_berth/api/instances                                        InstancesView
 *   GET /_berth/api/queues                                           QueuesView (SQS)
 *   GET /_berth/api/queues/<account>/<region>/<name>                 QueueView
 *   GET /_berth/api/apps                                             AppsView (App Runner and ECS Express services)
 *   GET /_berth/api/apps/<account>/<region>/<name>                   AppRunnerServiceView (its operations)
 *   GET /_berth/api/eks                                              EksView (clusters, their pods by phase)
 *   GET /_berth/api/eks/<account>/<region>/<cluster>                 EksClusterView (node groups, Fargate profiles)
 *   GET /_berth/api/event-buses                                      EventBusesView (EventBridge)
 *   GET /_berth/api/event-buses/<account>/<region>/<name>            EventBusView (its rules and their targets)
 *   GET /_berth/api/feed                                             EventsView (service events, waiting EventBridge deliveries)
 *   GET /_berth/api/events                                           text/event-stream of ChangeEvent
 *   GET /_berth/api/access                                           (loopback callers only) the console's URL with its token
 *   GET /_berth/api/session                                          the token console actions carry (to whoever may read)
 *   POST /_berth/api/actions/<service>/<Operation>                   an action (actions.ts)
 *   GET /_berth/ui/…                                                 the built UI (assets.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Statements } from '../state/db.js';
import { appRunnerServiceView, appsView } from './apps.js';
import { clusterView, overview, serviceView, taskLogs, taskView, type OverviewFacts } from './api.js';
import { decide, isLoopbackAddress, TOKEN_COOKIE } from './access.js';
import { refuseAction, runAction, type Act } from './actions.js';
import { uiAsset, UI_DIR, UI_PREFIX } from './assets.js';
import { eksClusterView, eksView } from './eks.js';
import { eventBusesView, eventBusView } from './event-buses.js';
import { eventsView } from './events.js';
import { instancesView } from './instances.js';
import { LiveUpdates, type LiveOptions } from './live.js';
import { loadBalancersView } from './load-balancers.js';
import { queuesView, queueView } from './queues.js';
import { registryView, repositoryView } from './registry.js';

export interface ConsoleDeps {
  sql: Statements;
  changes: ChangeFeed;
  version: string;
  startedAt: number;
  dataDir: string | null;
  /** The address Berth listens on (config.host). */
  host: string;
  endpoint: () => string;
  /** The console token (required when Berth listens on a non-loopback address). */
  token: () => string;
  /** The container engine's status (app.ts pings the runtime driver). */
  engine: () => Promise<OverviewFacts['engine']>;
  now?: () => number;
  /** `--metrics-period` (real seconds per CloudWatch minute), for the charts' time axis. */
  metricsPeriod?: number;
  live?: LiveOptions;
  /** Where the built UI is (tests). */
  uiDir?: string;
  /** Runs a console action's AWS operation (actions.ts); without it the console only reads. */
  act?: Act;
}

export interface BerthConsole {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): void;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string, head: boolean) {
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.writeHead(status, headers);
  res.end(head ? undefined : body);
}

const json = (res: ServerResponse, status: number, value: unknown, head = false) =>
  send(res, status, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify(value), head);

const notFound = (res: ServerResponse, what: string) => json(res, 404, { error: 'NotFound', message: `${what} not found.` });

export function createConsole(deps: ConsoleDeps): BerthConsole {
  const live = new LiveUpdates(deps.changes, deps.live);
  const now = deps.now ?? Date.now;
  const uiDir = deps.uiDir ?? UI_DIR;

  async function api(req: IncomingMessage, res: ServerResponse, parts: string[], head: boolean, query: URLSearchParams) {
    const [first, account, region, cluster, kind, name] = parts;
    if (first === 'overview' && parts.length === 1) {
      const facts = { version: deps.version, endpoint: deps.endpoint(), dataDir: deps.dataDir, startedAt: deps.startedAt, engine: await deps.engine() };
      return json(res, 200, overview(deps.sql, facts, now()), head);
    }
    if (first === 'events' && parts.length === 1) return live.open(req, res);
    if (first === 'registry' && parts.length === 1) return json(res, 200, registryView(deps.sql, deps.endpoint()), head);
    if (first === 'registry' && parts.length === 4) {
      const view = repositoryView({ sql: deps.sql, account, region }, deps.endpoint(), parts[3]);
      return view ? json(res, 200, view, head) : notFound(res, `Repository ${parts[3]}`);
    }
    if (first === 'feed' && parts.length === 1) return json(res, 200, eventsView(deps.sql), head);
    if (first === 'instances' && parts.length === 1) return json(res, 200, instancesView(deps.sql), head);
    if (first === 'queues' && parts.length === 1) return json(res, 200, queuesView(deps.sql, deps.endpoint(), now()), head);
    if (first === 'apps' && parts.length === 1) return json(res, 200, appsView(deps.sql, deps.endpoint()), head);
    if (first === 'apps' && parts.length === 4) {
      const view = appRunnerServiceView({ sql: deps.sql, account, region }, deps.endpoint(), parts[3]);
      return view ? json(res, 200, view, head) : notFound(res, `App Runner service ${parts[3]}`);
    }
    if (first === 'eks' && parts.length === 1) return json(res, 200, eksView(deps.sql), head);
    if (first === 'eks' && parts.length === 4) {
      const view = eksClusterView({ sql: deps.sql, account, region }, parts[3]);
      return view ? json(res, 200, view, head) : notFound(res, `EKS cluster ${parts[3]}`);
    }
    if (first === 'event-buses' && parts.length === 1) return json(res, 200, eventBusesView(deps.sql), head);
    if (first === 'event-buses' && parts.length === 4) {
      const view = eventBusView({ sql: deps.sql, account, region }, parts[3]);
      return view ? json(res, 200, view, head) : notFound(res, `Event bus ${parts[3]}`);
    }
    if (first === 'queues' && parts.length === 4) {
      const view = queueView({ sql: deps.sql, account, region }, deps.endpoint(), parts[3], now());
      return view ? json(res, 200, view, head) : notFound(res, `Queue ${parts[3]}`);
    }
    if (first === 'load-balancers' && parts.length === 1) return json(res, 200, loadBalancersView(deps.sql, now(), deps.metricsPeriod), head);
    if (first === 'clusters' && account && region && cluster) {
      const scope = { sql: deps.sql, account, region };
      if (parts.length === 4) {
        const view = clusterView(scope, cluster);
        return view ? json(res, 200, view, head) : notFound(res, `Cluster ${cluster}`);
      }
      if (parts.length === 6 && kind === 'services') {
        const view = serviceView(scope, cluster, name, { now: now(), metricsPeriod: deps.metricsPeriod });
        return view ? json(res, 200, view, head) : notFound(res, `Service ${name}`);
      }
      if (parts.length === 7 && kind === 'tasks' && parts[6] === 'logs') {
        const view = taskLogs(scope, cluster, name, { search: query.get('search') ?? undefined, limit: Number(query.get('limit') ?? '') || undefined });
        return view ? json(res, 200, view, head) : notFound(res, `Task ${name}`);
      }
      if (parts.length === 6 && kind === 'tasks') {
        const view = taskView(scope, cluster, name);
        return view ? json(res, 200, view, head) : notFound(res, `Task ${name}`);
      }
    }
    return notFound(res, `Console endpoint /_berth/api/${parts.join('/')}`);
  }

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://berth');
      const path = url.pathname;
      const head = req.method === 'HEAD';
      const isAction = req.method === 'POST' && path.startsWith('/_berth/api/actions/') && !!deps.act;
      if (req.method !== 'GET' && !head && !isAction) {
        // Only actions change anything, each with its own checks (actions.ts).
        return send(res, 405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }, 'The Berth console only reads, except POST /_berth/api/actions/….\n', head);
      }
      // The token for `berth status`: only to a caller on this machine.
      if (path === '/_berth/api/access') {
        // On this machine: over loopback, or to one of its own addresses from that same address.
        const local = isLoopbackAddress(req.socket.remoteAddress) || req.socket.remoteAddress === req.socket.localAddress;
        if (!local) return json(res, 403, { error: 'Forbidden', message: 'Only from this machine.' });
        const open = deps.host === 'localhost' || deps.host === '::1' || deps.host.startsWith('127.');
        return json(res, 200, { url: `${deps.endpoint()}${UI_PREFIX}${open ? '' : `?token=${deps.token()}`}`, tokenRequired: !open });
      }
      const access = decide(req, url.searchParams, deps.host, deps.token());
      if (!access.ok) return send(res, access.status, { 'content-type': 'text/plain; charset=utf-8' }, `${access.message}\n`, head);
      if (isAction) {
        const refused = refuseAction(req, deps.token());
        if (refused) return json(res, refused.status, { error: refused.error, message: refused.message });
        const result = await runAction(req, decodeURIComponent(path.slice('/_berth/api/actions/'.length)), deps.act!);
        return 'output' in result ? json(res, 200, result) : json(res, result.error.status, { error: result.error.code, message: result.error.message });
      }
      // The console's own pages read the token their actions carry; another site's cannot (no CORS).
      if (path === '/_berth/api/session') return json(res, 200, { token: deps.token(), actions: !!deps.act }, head);
      if (path === '/_berth/ui') return send(res, 308, { location: UI_PREFIX + url.search }, '', head);
      if (path.startsWith(UI_PREFIX)) {
        const asset = await uiAsset(path, uiDir);
        // A token given in the URL becomes a cookie, so the page's own requests (assets, API, events) carry it.
        if (access.viaToken && url.searchParams.has('token')) {
          asset.headers['set-cookie'] = `${TOKEN_COOKIE}=${url.searchParams.get('token')}; Path=/_berth/; HttpOnly; SameSite=Strict`;
        }
        return send(res, asset.status, asset.headers, asset.body, head);
      }
      const parts = path.slice('/_berth/api/'.length).split('/').filter(Boolean).map((p) => decodeURIComponent(p));
      return api(req, res, parts, head, url.searchParams);
    },
    close: () => live.close(),
  };
}
