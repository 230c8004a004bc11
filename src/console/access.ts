/**
 * Who may open the console. Bound to a loopback address (Berth's default), the console answers requests from this
 * machine whose Host header names a loopback address (a web page elsewhere cannot reach it by DNS rebinding). Bound
 * to any other address, every request must carry the console token (`berth status` prints the URL with it): in the
 * query (`?token=`, which sets a cookie for the rest of the visit), a cookie, or `Authorization: Bearer`.
 * This slice changes nothing (GET and HEAD only), so cross-site requests can only read what the token already shows.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'berth_console';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The host part of a Host header (`127.0.0.1:4566` → `127.0.0.1`, `[::1]:4566` → `[::1]`). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return (colon >= 0 ? header.slice(0, colon) : header).toLowerCase();
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries, from the query, the cookie or a bearer header. */
export function tokenOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const fromQuery = query.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v;
  }
  return undefined;
}

export type AccessDecision = { ok: true; viaToken: boolean } | { ok: false; status: 403 | 421; message: string };

/** Whether this request may read the console, given the address Berth is bound to and the console token. */
export function decide(req: IncomingMessage, query: URLSearchParams, boundHost: string, token: string): AccessDecision {
  if (LOOPBACK_HOSTS.has(boundHost) || boundHost.startsWith('127.')) {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      return { ok: false, status: 403, message: 'The Berth console answers only on the address Berth listens on.' };
    }
    if (!LOOPBACK_HOSTS.has(hostName(req.headers.host)) && !hostName(req.headers.host).startsWith('127.')) {
      return { ok: false, status: 421, message: 'The Berth console answers only to a loopback Host (open it at 127.0.0.1 or localhost).' };
    }
    return { ok: true, viaToken: false };
  }
  if (sameToken(tokenOf(req, query), token)) return { ok: true, viaToken: true };
  return { ok: false, status: 403, message: 'Berth is bound to a non-loopback address: open the console with the URL `berth status` prints (it carries the token).' };
}
