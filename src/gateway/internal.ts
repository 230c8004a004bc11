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
  /**
   * Berth's local certificate authority (made on first use), which issues ACM's requested certificates and the ECS
   * Express and App Runner URLs' ones: its PEM, and the file Berth keeps it in for `curl --cacert`.
   */
  localCa?: () => Promise<{ path: string; certificate: string }>;
}

const json = (status: number, value: unknown): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId() },
  body: JSON.stringify(value),
});

export function internalRoutes(info: InternalInfo) {
  return async (req: WireRequest): Promise<WireResponse> => {
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
    if (info.localCa && (req.method === 'GET' || req.method === 'HEAD')) {
      if (req.path === '/_berth/local-ca') return json(200, await info.localCa());
      if (req.path === '/_berth/local-ca.pem') {
        const { certificate } = await info.localCa();
        return { status: 200, headers: { 'content-type': 'application/x-pem-file', 'x-amzn-requestid': requestId() }, body: certificate };
      }
    }
    return json(404, { error: 'NotFound', message: `No Berth endpoint ${req.method} ${req.path}` });
  };
}
