/**
 * Berth's state endpoints (streaming, so snapshots of any size pass through):
 *   POST /_berth/reset[?service=ecs,ecr]   back to a fresh start; answers when done
 *   GET  /_berth/state                     a snapshot archive (application/gzip)
 *   POST /_berth/state                     load a snapshot archive (the request body)
 */
import type http from 'node:http';
import type { Readable, Writable } from 'node:stream';

export interface StateOps {
  reset(services?: string[]): Promise<string[]>;
  save(out: Writable): Promise<void>;
  load(input: Readable): Promise<void>;
}

export const isStateRequest = (url: string) => /^\/_berth\/(reset|state)(\?|$)/.test(url);

function json(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Errors these operations throw for bad input (unknown service, bad archive) carry a `name` ending in Error. */
const clientError = (err: unknown) => ['ResetError', 'SnapshotError'].includes((err as Error)?.constructor?.name);

export function stateRoutes(ops: StateOps) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://berth');
    const started = Date.now();
    try {
      if (url.pathname === '/_berth/reset' && req.method === 'POST') {
        const list = url.searchParams.get('service')?.split(',').filter(Boolean);
        req.resume();
        const services = await ops.reset(list);
        return json(res, 200, { reset: services, durationMs: Date.now() - started });
      }
      if (url.pathname === '/_berth/state' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/gzip', 'content-disposition': 'attachment; filename="berth-state.tar.gz"' });
        await ops.save(res);
        return;
      }
      if (url.pathname === '/_berth/state' && (req.method === 'POST' || req.method === 'PUT')) {
        await ops.load(req);
        return json(res, 200, { loaded: true, durationMs: Date.now() - started });
      }
      req.resume();
      return json(res, 404, { error: 'NotFound', message: `No Berth endpoint ${req.method} ${url.pathname}` });
    } catch (err) {
      req.resume();
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      return json(res, clientError(err) ? 400 : 500, { error: clientError(err) ? 'BadRequest' : 'InternalFailure', message: (err as Error).message });
    }
  };
}
