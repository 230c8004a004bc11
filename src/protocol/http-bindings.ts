/**
 * The HTTP bindings restJson1 and restXml share: routing a request to the
 * operation whose `http` trait matches (URI labels, greedy `{Key+}` labels,
 * literal query parts such as `?tagging`), and moving members between the
 * message and httpLabel / httpQuery / httpQueryParams / httpHeader /
 * httpPrefixHeaders / httpResponseCode locations. The body (and httpPayload)
 * belongs to each protocol. Timestamps: http-date in headers, date-time in
 * labels and query strings, unless the member says otherwise.
 * https://smithy.io/2.0/spec/http-bindings.html
 */
import type { WireRequest } from './codec.js';
import { AwsError } from './errors.js';
import type { Operation, ServiceModel } from './model.js';
import { fromWireString, setOwn, timestampFormat, toWireString } from './query-values.js';
import type { Member, Shape, StructureShape } from './schema.js';

interface Template {
  method: string;
  regex: RegExp;
  labels: string[];
  /** Literal query parts (`?tagging`, `?x-id=Foo`): key and required value, if any. */
  query: Array<[string, string | null]>;
  /** Specificity: literal characters in the path, then fewer greedy labels, then query literals. */
  literal: number;
  greedy: number;
}

const templates = new WeakMap<Operation, Template | null>();
const routes = new WeakMap<ServiceModel, Array<[Operation, Template]>>();

function compile(op: Operation): Template | null {
  let t = templates.get(op);
  if (t !== undefined) return t;
  t = null;
  if (op.http) {
    const [path, search] = op.http.uri.split('?', 2);
    const labels: string[] = [];
    let literal = 0;
    let greedy = 0;
    let source = '';
    let last = 0;
    for (const m of path.matchAll(/\{([^{}+]+)(\+)?\}/g)) {
      const lit = path.slice(last, m.index);
      source += escapeRegex(lit);
      literal += lit.length;
      labels.push(m[1]);
      if (m[2]) greedy++;
      source += m[2] ? '(.+)' : '([^/]+)';
      last = m.index! + m[0].length;
    }
    const tail = path.slice(last);
    literal += tail.length;
    source += escapeRegex(tail);
    // Clients differ on a trailing slash (botocore keeps the model's, the v3 SDK may not); accept either.
    const regex = new RegExp(`^${source.replace(/\/$/, '')}/?$`);
    const query: Array<[string, string | null]> = search
      ? search.split('&').filter(Boolean).map((p) => {
        const eq = p.indexOf('=');
        return eq >= 0 ? [p.slice(0, eq), p.slice(eq + 1)] : [p, null];
      })
      : [];
    t = { method: op.http.method.toUpperCase(), regex, labels, query, literal, greedy };
  }
  templates.set(op, t);
  return t;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function routesOf(model: ServiceModel): Array<[Operation, Template]> {
  let list = routes.get(model);
  if (!list) {
    list = [];
    for (const op of model.operations.values()) {
      const t = compile(op);
      if (t) list.push([op, t]);
    }
    routes.set(model, list);
  }
  return list;
}

function queryMatches(t: Template, req: WireRequest): boolean {
  return t.query.every(([k, v]) => (v === null ? req.query.has(k) : req.query.get(k) === v));
}

/** The most specific operation whose method, path and literal query parts match. */
export function matchOperation(req: WireRequest, model: ServiceModel): Operation | undefined {
  let best: [Operation, Template] | undefined;
  const method = req.method.toUpperCase();
  for (const entry of routesOf(model)) {
    const t = entry[1];
    if (t.method !== method || !t.regex.test(req.rawPath) || !queryMatches(t, req)) continue;
    if (!best || moreSpecific(t, best[1])) best = entry;
  }
  return best?.[0];
}

function moreSpecific(a: Template, b: Template): boolean {
  if (a.literal !== b.literal) return a.literal > b.literal;
  if (a.greedy !== b.greedy) return a.greedy < b.greedy;
  return a.query.length > b.query.length;
}

/** Decoded label values of a request routed to `op`. */
function labelValues(req: WireRequest, op: Operation): Record<string, string> {
  const t = compile(op);
  const out: Record<string, string> = {};
  const m = t?.regex.exec(req.rawPath);
  if (!t || !m) return out;
  t.labels.forEach((name, i) => {
    try {
      out[name] = decodeURIComponent(m[i + 1]);
    } catch {
      throw new AwsError('InvalidURI', `The URI path segment "${m[i + 1].slice(0, 64)}" is not valid percent-encoding.`, { status: 400 });
    }
  });
  return out;
}

/** A member carried outside the body. */
export function isBound(member: Member): boolean {
  const t = member.traits;
  return !!(t.httpLabel || t.httpQuery || t.httpQueryParams || t.httpHeader || t.httpPrefixHeaders !== undefined || t.httpResponseCode || t.httpPayload);
}

export function payloadMember(shape: StructureShape): Member | undefined {
  return shape.members.find((m) => m.traits.httpPayload);
}

export function bodyMembers(shape: StructureShape): Member[] {
  return shape.members.filter((m) => !isBound(m));
}

/** Reads every label, query, header and prefix-header member of the operation's input. */
export function readBindings(req: WireRequest, op: Operation): Record<string, unknown> {
  const shape = op.input;
  const labels = labelValues(req, op);
  const out: Record<string, unknown> = {};
  // Literal query parts of the URI (`?mode=full`) are routing, not httpQueryParams.
  const boundQueryKeys = new Set<string>(compile(op)?.query.map(([k]) => k));
  let queryParams: Member | undefined;
  for (const member of shape.members) {
    const t = member.traits;
    let v: unknown;
    if (t.httpLabel) {
      const raw = labels[member.name];
      v = raw === undefined ? undefined : fromWireString(member.shape, t, raw, 'date-time');
    } else if (t.httpQuery) {
      boundQueryKeys.add(t.httpQuery);
      v = readQueryValue(member.shape, t, req.query.getAll(t.httpQuery));
    } else if (t.httpQueryParams) {
      queryParams = member;
    } else if (t.httpHeader) {
      const raw = req.headers[String(t.httpHeader).toLowerCase()];
      v = raw === undefined ? undefined : readHeaderValue(member.shape, t, raw);
    } else if (t.httpPrefixHeaders !== undefined && member.shape.kind === 'map') {
      const prefix = String(t.httpPrefixHeaders).toLowerCase();
      const map: Record<string, unknown> = {};
      let any = false;
      for (const [name, raw] of Object.entries(req.headers)) {
        if (raw === undefined || !name.startsWith(prefix)) continue;
        setOwn(map, name.slice(prefix.length), readHeaderValue(member.shape.value.shape, member.shape.value.traits, raw));
        any = true;
      }
      if (any) v = map;
    }
    if (v !== undefined) out[member.name] = v;
  }
  // httpQueryParams collects what the named httpQuery members did not take.
  if (queryParams && queryParams.shape.kind === 'map') {
    const map: Record<string, unknown> = {};
    const value = queryParams.shape.value;
    let any = false;
    for (const key of new Set(req.query.keys())) {
      if (boundQueryKeys.has(key)) continue;
      setOwn(map, key, readQueryValue(value.shape, value.traits, req.query.getAll(key)));
      any = true;
    }
    if (any) out[queryParams.name] = map;
  }
  return out;
}

function readQueryValue(shape: Shape, traits: Member['traits'], values: string[]): unknown {
  if (!values.length) return undefined;
  if (shape.kind === 'list') return values.map((v) => fromWireString(shape.member.shape, shape.member.traits, v, 'date-time'));
  return fromWireString(shape, traits, values[0], 'date-time');
}

function readHeaderValue(shape: Shape, traits: Member['traits'], raw: string): unknown {
  if (shape.kind === 'list') {
    const item = shape.member;
    const isDate = item.shape.kind === 'timestamp' && timestampFormat(item.shape, item.traits, 'http-date') === 'http-date';
    return splitHeader(raw, isDate).map((v) => readHeaderValue(item.shape, item.traits, v));
  }
  // A mediaType string in a header travels base64-encoded.
  if (shape.kind === 'string' && traits.mediaType) return Buffer.from(raw, 'base64').toString('utf8');
  return fromWireString(shape, traits, raw.trim(), 'http-date');
}

/** Splits a list header on commas outside quotes; an http-date list on every second comma. */
function splitHeader(raw: string, httpDates: boolean): string[] {
  if (httpDates) {
    const parts = raw.split(',');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i += 2) out.push(`${parts[i]},${parts[i + 1] ?? ''}`.trim());
    return out;
  }
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quoted && c === '\\' && i + 1 < raw.length) cur += raw[++i];
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Writes header and status-code members of an output or error; returns the status if bound. */
export function writeBindings(shape: StructureShape, value: Record<string, unknown>, headers: Record<string, string>): number | undefined {
  let status: number | undefined;
  for (const member of shape.members) {
    const v = value[member.name];
    if (v === undefined || v === null) continue;
    const t = member.traits;
    if (t.httpResponseCode && typeof v === 'number') status = v;
    else if (t.httpHeader) headers[String(t.httpHeader).toLowerCase()] = headerSafe(writeHeaderValue(member.shape, t, v));
    else if (t.httpPrefixHeaders !== undefined && member.shape.kind === 'map') {
      const val = member.shape.value;
      for (const [k, item] of Object.entries(v as object)) {
        if (item !== undefined && item !== null) headers[`${t.httpPrefixHeaders}${k}`.toLowerCase()] = headerSafe(writeHeaderValue(val.shape, val.traits, item));
      }
    }
  }
  return status;
}

function writeHeaderValue(shape: Shape, traits: Member['traits'], value: unknown): string {
  if (shape.kind === 'list' && Array.isArray(value)) {
    const item = shape.member;
    return value
      .filter((v) => v !== undefined && v !== null)
      .map((v) => {
        const s = writeHeaderValue(item.shape, item.traits, v);
        return item.shape.kind === 'string' && /[",]/.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
      })
      .join(', ');
  }
  if (shape.kind === 'string' && traits.mediaType) return Buffer.from(String(value), 'utf8').toString('base64');
  return toWireString(shape, traits, value, 'http-date');
}

/** Header values carry Latin-1 without control characters; Node throws on anything else. */
const UNSAFE_HEADER = /[^\t\x20-\x7e\x80-\xff]/g;
function headerSafe(value: string): string {
  return value.replace(UNSAFE_HEADER, '?');
}
