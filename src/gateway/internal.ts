/** Berth's own endpoints under /_berth/ (JSON). */
import type { WireRequest, WireResponse } from '../protocol/codec.js';
import { requestId } from '../shared/ids.js';

export interface InternalInfo {
  version: string;
  startedAt: number;
  dataDir: string | null;
  endpoint: () => string;
  /** The load balancers' listeners and where Berth serves them (GET /_berth/load-balancers). */
  loadBalancers?: () => unknown;
}

const json = (status: number, value: unknown): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId() },
  body: JSON.stringify(value),
});

export function internalRoutes(info: InternalInfo) {
  return (req: WireRequest): WireResponse => {
    if (req.path === '/_berth/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      return json(200, {
        status: 'ready',
        version: info.version,
        uptimeSeconds: Math.round((Date.now() - info.startedAt) / 10) / 100,
        endpoint: info.endpoint(),
        dataDir: info.dataDir,
      });
    }
    if (req.path === '/_berth/load-balancers' && info.loadBalancers && (req.method === 'GET' || req.method === 'HEAD')) {
      return json(200, { loadBalancers: info.loadBalancers() });
    }
    return json(404, { error: 'NotFound', message: `No Berth endpoint ${req.method} ${req.path}` });
  };
}
