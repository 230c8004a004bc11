/**
 * What an Application Load Balancer itself answers: its error pages (502 when
 * a target fails, 503 when no target is registered, 504 when a target times
 * out), fixed-response and redirect actions, and the X-Forwarded-* and
 * X-Amzn-Trace-Id headers it adds to requests.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-502-issues
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-request-tracing.html
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type http from 'node:http';
import type { FixedResponseActionConfig, RedirectActionConfig } from '@aws-sdk/client-elastic-load-balancing-v2';

export const SERVER_HEADER = 'awselb/2.0';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The reason phrase the load balancer sends with a status code. */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? STATUS_CODES[status] ?? 'Unknown';
}

export function errorPage(status: number): { headers: Record<string, string>; body: string } {
  const text = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const body = `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { headers: { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)) }, body };
}

export function sendError(res: http.ServerResponse, status: number, serverHeader: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const page = errorPage(status);
  res.writeHead(status, STATUS_TEXT[status], serverHeader ? { ...page.headers, server: SERVER_HEADER } : page.headers);
  res.end(page.body);
}

/** The raw bytes of a response (for upgrade requests, answered on the socket). */
export function rawResponse(status: number, statusText: string, headers: Record<string, string>, body = ''): string {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  for (const [k, v] of Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function rawErrorResponse(status: number): string {
  const page = errorPage(status);
  return rawResponse(status, STATUS_TEXT[status] ?? 'Error', { ...page.headers, server: SERVER_HEADER }, page.body);
}

export function fixedResponse(config: FixedResponseActionConfig): { status: number; headers: Record<string, string>; body: string } {
  const body = config.MessageBody ?? '';
  return {
    status: Number(config.StatusCode ?? '200'),
    headers: { 'content-type': config.ContentType ?? 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}

export interface RedirectFacts {
  protocol: string;
  /** Host header as the client sent it (may carry a port). */
  hostHeader: string;
  host: string;
  listenerPort: number;
  path: string;
  query: string;
}

/**
 * The Location of a redirect action: #{protocol}, #{host}, #{port}, #{path}
 * (without its leading slash) and #{query} replaced; the port left out when
 * it is the protocol's default. A redirect that keeps the client's host and
 * port keeps the authority the client used, so it also works through a
 * listener Berth had to bind on another port.
 */
export function redirectLocation(c: RedirectActionConfig, f: RedirectFacts): string {
  const sub = (s: string) =>
    s.replace(/#\{protocol\}/g, f.protocol).replace(/#\{host\}/g, f.host).replace(/#\{port\}/g, String(f.listenerPort))
      .replace(/#\{path\}/g, f.path.replace(/^\//, '')).replace(/#\{query\}/g, f.query);
  const protocol = (c.Protocol ?? '#{protocol}') === '#{protocol}' ? f.protocol : c.Protocol!.toLowerCase();
  let authority: string;
  if ((c.Host ?? '#{host}') === '#{host}' && (c.Port ?? '#{port}') === '#{port}' && protocol === f.protocol) {
    authority = f.hostHeader;
  } else {
    const host = sub(c.Host ?? '#{host}');
    const port = sub(c.Port ?? '#{port}');
    const standard = (protocol === 'http' && port === '80') || (protocol === 'https' && port === '443');
    authority = standard ? host : `${host}:${port}`;
  }
  const path = sub(c.Path ?? '/#{path}');
  const query = sub(c.Query ?? '#{query}');
  return `${protocol}://${authority}${path}${query ? `?${query}` : ''}`;
}

// Random bytes are drawn in blocks: one syscall serves many trace ids.
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex12(): string {
  if (offset + 12 > pool.length) {
    pool = randomBytes(12 * 512);
    offset = 0;
  }
  offset += 12;
  return pool.toString('hex', offset - 12, offset);
}

let epochSecond = -1;
let epochHex = '';

/** X-Amzn-Trace-Id: a new Root, or, when the client sent one, a Self field ahead of it. */
export function traceHeader(existing: string | undefined, nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== epochSecond) {
    epochSecond = second;
    epochHex = second.toString(16).padStart(8, '0');
  }
  const id = `1-${epochHex}-${randomHex12()}`;
  if (existing && existing.includes('Root=')) return `Self=${id};${existing.replace(/Self=[^;]*;?/, '')}`;
  return `Root=${id}`;
}
