/**
 * The HTTP listener: reads a request, hands /_berth/* to Berth's own routes and
 * everything else to the AWS pipeline, and writes the answer. Registry requests
 * (/v2/…) go to the registry's streaming handler before any body is read, and the
 * console's (/_berth/ui/…, /_berth/api/…) to the console.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WireRequest, WireResponse } from '../protocol/codec.js';
import type { Logger } from '../shared/logger.js';
import { isS3Request } from '../protocol/s3.js';
import { isStateRequest } from './state-routes.js';

/** API bodies larger than this are refused (registry uploads stream separately). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export type Handler = (req: WireRequest) => Promise<WireResponse> | WireResponse;

/** A handler that reads the request and writes the response itself (streaming). */
export type StreamHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export interface Routes {
  internal: Handler;
  aws: Handler;
  /** The OCI registry (/v2/…): blobs stream through it, so it gets the request before any body is read. */
  registry?: StreamHandler;
  /** Reset and snapshots (/_berth/reset, /_berth/state): archives stream through it. */
  state?: StreamHandler;
  /** S3 (requests signed for "s3"): object bodies stream through it, so it gets the request before any body is read. */
  s3?: StreamHandler;
  /** Berth's console (/_berth/ui/…, /_berth/api/…): its event stream stays open, so it answers the request itself. */
  console?: StreamHandler;
  /** Load balancers by Host header (their DNS names): true when the request was theirs and answered. */
  loadBalancer?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** Upgrade (WebSocket) requests for a load balancer's DNS name: true when taken. */
  loadBalancerUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

/** /v2 and /v2/… are the registry's, unless the request is SigV4-signed or names an X-Amz-Target (an AWS API). */
function isRegistryRequest(req: http.IncomingMessage): boolean {
  const url = req.url ?? '/';
  if (!(url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?'))) return false;
  return !req.headers['x-amz-target'] && !(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256');
}

/** The console's paths (here, not in console/: that module loads on its first request). */
function isConsoleRequest(url: string): boolean {
  return /^\/_berth\/(api|ui)(\/|\?|$)/.test(url);
}

export function createServer(routes: Routes, log: Logger): http.Server {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    if (routes.loadBalancer?.(req, res)) return;
    // A person opening Berth's address in a browser meets the console (no AWS client asks for text/html unsigned).
    if (routes.console && req.method === 'GET' && req.url === '/' && !req.headers.authorization && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(302, { location: '/_berth/ui/', 'content-length': '0' }).end();
      return;
    }
    const work = routes.registry && isRegistryRequest(req) ? routes.registry(req, res)
      : routes.state && isStateRequest(req.url ?? '/') ? routes.state(req, res)
      : routes.console && isConsoleRequest(req.url ?? '/') ? routes.console(req, res)
      : routes.s3 && isS3Request(req.url ?? '/', req.headers, req.method) ? routes.s3(req, res)
      : handle(routes, req, res);
    work.catch((err) => {
      log.error('http handler failed', { error: (err as Error)?.stack ?? String(err) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('InternalFailure');
    });
  });
  server.keepAliveTimeout = 65_000;
  // A registry push sends a whole layer in one request: Node's default 5-minute limit on
  // receiving a request would cut off multi-GiB layers (headersTimeout still applies).
  if (routes.registry) server.requestTimeout = 0;
  server.on('upgrade', (req, socket, head) => {
    if (routes.loadBalancerUpgrade?.(req, socket, head)) return;
    // Not a load balancer's: ignore the Upgrade (e.g. curl --http2's h2c) and answer it as HTTP/1.1, as Node
    // does when no 'upgrade' listener exists.
    if (head.length) socket.unshift(head);
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as import('node:net').Socket);
    res.on('finish', () => socket.end());
    server.emit('request', req, res);
  });
  return server;
}

async function handle(routes: Routes, req: http.IncomingMessage, res: http.ServerResponse) {
  const body = await readBody(req);
  if (body === null) {
    res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
    res.end(`Request body larger than ${MAX_BODY_BYTES} bytes.`);
    return;
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const wire: WireRequest = {
    method: req.method ?? 'GET',
    path,
    rawPath,
    query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
    rawQuery: q >= 0 ? url.slice(q + 1) : '',
    headers,
    body,
    sourceIp: clientAddress(req),
  };
  const handler = path.startsWith('/_berth/') ? routes.internal : routes.aws;
  const out = await handler(wire);
  // A string body goes out in the same write as the head (Node joins them); a Buffer needs a second one.
  const length = typeof out.body === 'string' ? Buffer.byteLength(out.body, 'utf8') : out.body.length;
  out.headers['content-length'] = String(length);
  res.writeHead(out.status, out.headers);
  res.end(wire.method === 'HEAD' ? undefined : out.body);
}

/** The peer's address, an IPv4-mapped IPv6 address as its IPv4 form (as AWS reports aws:SourceIp). */
export function clientAddress(req: http.IncomingMessage): string | undefined {
  const a = req.socket?.remoteAddress;
  return a?.startsWith('::ffff:') ? a.slice(7) : a;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
