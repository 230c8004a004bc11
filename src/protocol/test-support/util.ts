/** Small helpers shared by the protocol tests. */
import type { WireRequest } from '../codec.js';

/** Comparable form: bytes as base64, Dates as ISO strings, undefined members dropped. */
export function normalize(value: unknown): unknown {
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('base64')}`;
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && k !== '$metadata') out[k] = normalize(v);
    return out;
  }
  return value;
}

export interface RawRequest {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A WireRequest as the gateway builds it from raw HTTP. */
export function wireRequest(r: RawRequest): WireRequest {
  const rawPath = r.path ?? '/';
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch { /* keep raw */ }
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    method: r.method ?? 'POST',
    path,
    rawPath,
    query: new URLSearchParams(r.query ?? ''),
    headers,
    body: Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body ?? '', 'utf8'),
  };
}
