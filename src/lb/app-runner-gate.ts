/**
 * App Runner's front on Berth's main port (hosts `<id>.<region>.awsapprunner.localhost`): the load balancer serves
 * the URL (the host is on its Express service's Host rule), and before it this gate answers as App Runner does when
 * every instance is saturated — the service at MaxSize instances, each with MaxConcurrency requests in flight —
 * with 429 Too Many Requests instead of queueing more. The in-flight count is the data plane's own (balancer.ts,
 * per target group). Loaded on the first App Runner request (app.ts).
 */
import type http from 'node:http';
import { servingView, type ServingView } from '../services/apprunner/store.js';
import type { Statements } from '../state/db.js';
import type { LoadBalancing } from './index.js';
import { errorPage } from './responses.js';

/** How long a host's service settings are reused before they are read again. */
const VIEW_MS = 250;

export class AppRunnerGate {
  private views = new Map<string, { at: number; view: ServingView | undefined }>();

  constructor(private readonly d: { sql: Statements; loadBalancing: LoadBalancing }) {}

  private view(host: string): ServingView | undefined {
    const now = Date.now();
    const cached = this.views.get(host);
    if (cached && now - cached.at < VIEW_MS) return cached.view;
    const view = servingView(this.d.sql, host);
    if (this.views.size > 10_000) this.views.clear();
    this.views.set(host, { at: now, view });
    return view;
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const host = (req.headers.host ?? '').split(':')[0].toLowerCase();
    const v = this.view(host);
    if (v?.targetGroupArn && !v.paused) {
      const load = this.d.loadBalancing.groupLoad(v.targetGroupArn);
      if (load.targets >= v.maxSize && load.inFlight >= load.targets * v.maxConcurrency) return reply(req, res, 429);
    }
    if (!this.d.loadBalancing.route(req, res)) reply(req, res, 404);
  }
}

function reply(req: http.IncomingMessage, res: http.ServerResponse, status: number): void {
  req.resume();
  const page = status === 429 ? { headers: { 'content-type': 'text/plain' }, body: 'Too Many Requests' } : errorPage(status);
  res.writeHead(status, { ...page.headers, 'content-length': String(Buffer.byteLength(page.body)) });
  res.end(req.method === 'HEAD' ? undefined : page.body);
}
