/**
 * Values carried as strings: form-encoded query parameters (awsQuery and
 * ec2Query input), and the scalar conversions that headers, URI labels, query
 * strings and XML text share. Parsers convert by shape so the validator sees
 * real numbers, booleans and Dates; a value that does not convert stays the raw
 * string so the validator reports it.
 */
import { AwsError } from './errors.js';
import type { Member, Shape, StructureShape, TimestampFormat, Traits } from './schema.js';
import { epochSeconds, httpDate, isoDateTime, parseTimestamp, toBase64 } from './values.js';

type Concrete = Exclude<TimestampFormat, 'default'>;

/** The timestamp format of a value: its trait, else its shape's, else the location's default. */
export function timestampFormat(shape: Shape, traits: Traits, fallback: Concrete): Concrete {
  const fmt = traits.timestampFormat ?? (shape.kind === 'timestamp' ? shape.format : undefined);
  return fmt && fmt !== 'default' ? fmt : fallback;
}

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A scalar read from a string; undefined for kinds that strings cannot carry. */
export function fromWireString(shape: Shape, traits: Traits, text: string, tsDefault: Concrete): unknown {
  switch (shape.kind) {
    case 'number':
    case 'bigint':
    case 'bigdecimal': {
      const t = text.trim();
      if (NUMBER_RE.test(t)) return Number(t);
      if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return Number(t);
      return text;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      return t === 'true' ? true : t === 'false' ? false : text;
    }
    case 'timestamp': {
      const fmt = timestampFormat(shape, traits, tsDefault);
      // Epoch seconds arrive as digits; the other formats are what Date parses.
      if (fmt === 'epoch-seconds' && !NUMBER_RE.test(text.trim())) return text;
      return parseTimestamp(text.trim()) ?? text;
    }
    case 'blob':
      return /^[A-Za-z0-9+/=\s_-]*$/.test(text) ? Buffer.from(text, 'base64') : text;
    default:
      return text;
  }
}

/** A scalar written as a string, in the location's default timestamp format. */
export function toWireString(shape: Shape, traits: Traits, value: unknown, tsDefault: Concrete): string {
  switch (shape.kind) {
    case 'timestamp': {
      const fmt = timestampFormat(shape, traits, tsDefault);
      if (fmt === 'http-date') return httpDate(value);
      if (fmt === 'epoch-seconds') return String(epochSeconds(value));
      return isoDateTime(value);
    }
    case 'blob':
      return toBase64(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** Sets a key without ever touching a prototype (keys come from the client). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function malformedQuery(message: string): AwsError {
  return new AwsError('MalformedQueryString', message, { status: 400 });
}

/** Parses application/x-www-form-urlencoded text strictly: bad escapes are a 400, not a guess. */
export function parseForm(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!text) return out;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq >= 0 ? part.slice(0, eq) : part;
    const rawValue = eq >= 0 ? part.slice(eq + 1) : '';
    out.push([decodeFormComponent(rawKey), decodeFormComponent(rawValue)]);
  }
  return out;
}

function decodeFormComponent(raw: string): string {
  const plus = raw.replace(/\+/g, ' ');
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    throw malformedQuery(`The query string contains an invalid percent-encoding near "${raw.slice(0, 40)}".`);
  }
}

/** `A.B.1.C=x` as a tree, so reading by shape is a walk. */
interface QueryNode {
  value?: string;
  kids?: Map<string, QueryNode>;
}

function buildTree(params: Iterable<[string, string]>): QueryNode {
  const root: QueryNode = {};
  for (const [key, value] of params) {
    let node = root;
    for (const seg of key.split('.')) {
      node.kids ??= new Map();
      let next = node.kids.get(seg);
      if (!next) node.kids.set(seg, (next = {}));
      node = next;
    }
    node.value ??= value; // the first occurrence wins, as in AWS's frontends
  }
  return root;
}

export interface QueryStyle {
  /** ec2Query: ec2QueryName / capitalised names, lists always flattened. */
  ec2: boolean;
}

/** The parameter name of a structure member. */
export function queryKey(member: Member, style: QueryStyle): string {
  const t = member.traits;
  if (style.ec2) {
    if (t.ec2QueryName) return t.ec2QueryName;
    const n: string = t.xmlName ?? member.name;
    return n.charAt(0).toUpperCase() + n.slice(1);
  }
  return t.xmlName ?? member.name;
}

/** Reads a structure from form parameters (Action and Version excluded by the caller). */
export function readQueryInput(shape: StructureShape, params: Iterable<[string, string]>, style: QueryStyle): Record<string, unknown> {
  return readStruct(shape, buildTree(params), style);
}

function readStruct(shape: StructureShape, node: QueryNode, style: QueryStyle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!node.kids) return out;
  for (const member of shape.members) {
    const child = node.kids.get(queryKey(member, style));
    if (!child) continue;
    const v = readValue(member.shape, member.traits, child, style);
    if (v !== undefined) out[member.name] = v;
  }
  return out;
}

/** Indexed children (1, 2, …) in numeric order. */
function indexed(node: QueryNode | undefined): QueryNode[] {
  if (!node?.kids) return [];
  const items: Array<[number, QueryNode]> = [];
  for (const [k, v] of node.kids) if (/^\d+$/.test(k)) items.push([Number(k), v]);
  return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function readValue(shape: Shape, traits: Traits, node: QueryNode, style: QueryStyle): unknown {
  switch (shape.kind) {
    case 'structure':
      // A structure sent as a plain value is a type error for the validator to report.
      return node.kids ? readStruct(shape, node, style) : node.value;
    case 'list': {
      // "Name=" with no members is how clients send an empty list.
      if (!node.kids) return node.value === '' ? [] : node.value;
      const flat = style.ec2 || !!traits.xmlFlattened;
      const container = flat ? node : (node.kids.get(shape.member.traits.xmlName ?? 'member') ?? node);
      return indexed(container).map((item) => readValue(shape.member.shape, shape.member.traits, item, style));
    }
    case 'map': {
      if (!node.kids) return node.value === '' ? {} : node.value;
      const container = traits.xmlFlattened ? node : (node.kids.get('entry') ?? node);
      const keyName: string = shape.key.traits.xmlName ?? 'key';
      const valueName: string = shape.value.traits.xmlName ?? 'value';
      const out: Record<string, unknown> = {};
      for (const entry of indexed(container)) {
        const k = entry.kids?.get(keyName)?.value;
        const v = entry.kids?.get(valueName);
        if (k === undefined || !v) continue;
        setOwn(out, k, readValue(shape.value.shape, shape.value.traits, v, style));
      }
      return out;
    }
    default:
      return node.value === undefined ? undefined : fromWireString(shape, traits, node.value, 'date-time');
  }
}
