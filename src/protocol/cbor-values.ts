/**
 * CBOR bodies, shape by shape (Smithy RPC v2 CBOR): timestamps travel as tag 1
 * over epoch seconds, blobs as byte strings, everything else as its natural CBOR
 * type; member names are the model's (no jsonName). The generic decoder
 * (cbor.ts) has already turned tag 1 into a Date; here an untagged number for a
 * timestamp is read as epoch seconds too, and a text blob as its UTF-8 bytes.
 */
import { CborDouble } from './cbor.js';
import type { Shape, StructureShape } from './schema.js';
import { parseTimestamp, toDate } from './values.js';

/** Decoded CBOR → input value. Leaves wrong types in place for the validator to report. */
export function readCbor(shape: Shape, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case 'timestamp':
      return value instanceof Date ? value : parseTimestamp(value) ?? value;
    case 'blob':
      return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    case 'list':
      return Array.isArray(value) ? value.map((v) => readCbor(shape.member.shape, v)) : value;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = readCbor(shape.value.shape, v);
      return out;
    }
    case 'structure':
      return typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date)
        ? readCborStructure(shape, value as Record<string, unknown>)
        : value;
    case 'number':
      // Integers past 2^53 decode as bigint; a number member holds them as the nearest double.
      return typeof value === 'bigint' ? Number(value) : value;
    default:
      return value;
  }
}

export function readCborStructure(shape: StructureShape, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    const v = value[member.name];
    if (v === undefined || v === null) continue;
    out[member.name] = readCbor(member.shape, v);
  }
  return out;
}

/** Members (Structure.Member) whose numbers are doubles (cbor-doubles.ts): written as floats even when integral. */
export type Doubles = ReadonlySet<string> | undefined;

const asDouble = (v: unknown): unknown => (typeof v === 'number' ? new CborDouble(v) : v);

/** Output value → a value cbor.ts encodes as the protocol says (Dates as tag 1, bytes as byte strings). */
export function writeCbor(shape: Shape, value: unknown, doubles?: Doubles): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case 'timestamp':
      return toDate(value);
    case 'blob':
      return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    case 'list': {
      if (!Array.isArray(value)) return value;
      const m = shape.member.shape;
      return value.map((v) => (v === null || v === undefined ? null : writeCbor(m, v, doubles)));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      const m = shape.value.shape;
      for (const [k, v] of Object.entries(value as object)) {
        if (v !== undefined) out[k] = writeCbor(m, v, doubles);
      }
      return out;
    }
    case 'structure':
      return writeCborStructure(shape, value as Record<string, unknown>, doubles);
    default:
      return value;
  }
}

export function writeCborStructure(shape: StructureShape, value: Record<string, unknown>, doubles?: Doubles): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    const v = value[member.name];
    if (v === undefined || v === null) continue;
    let w = writeCbor(member.shape, v, doubles);
    if (doubles?.has(`${shape.name}.${member.name}`)) {
      if (Array.isArray(w)) w = w.map(asDouble);
      else if (w && typeof w === 'object') w = Object.fromEntries(Object.entries(w).map(([k, x]) => [k, asDouble(x)]));
      else w = asDouble(w);
    }
    out[member.name] = w;
  }
  return out;
}
