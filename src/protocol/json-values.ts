/**
 * JSON bodies, shape by shape: shared by awsJson 1.0/1.1 and restJson1.
 * restJson1 honours `jsonName`; awsJson ignores it. Timestamps default to
 * epoch seconds, blobs to base64, as both protocols specify.
 */
import type { Shape, StructureShape } from './schema.js';
import { epochSeconds, httpDate, isoDateTime, parseTimestamp, toBase64 } from './values.js';

/** Wire JSON → input value. Leaves wrong types in place for the validator to report. */
export function readJson(shape: Shape, value: unknown, useJsonName: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case 'timestamp':
      return parseTimestamp(value) ?? value;
    case 'blob':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    case 'list':
      return Array.isArray(value) ? value.map((v) => readJson(shape.member.shape, v, useJsonName)) : value;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = readJson(shape.value.shape, v, useJsonName);
      return out;
    }
    case 'structure':
      return typeof value === 'object' && !Array.isArray(value)
        ? readStructure(shape, value as Record<string, unknown>, useJsonName)
        : value;
    case 'bigint':
    case 'bigdecimal':
      return typeof value === 'number' ? value : value;
    default:
      return value;
  }
}

export function readStructure(shape: StructureShape, value: Record<string, unknown>, useJsonName: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    const wireName = useJsonName ? (member.traits.jsonName ?? member.name) : member.name;
    const v = value[wireName];
    if (v === undefined || v === null) continue;
    out[member.name] = readJson(member.shape, v, useJsonName);
  }
  return out;
}

/** Output value → JSON-ready value (Dates to numbers, bytes to base64, undefined dropped). */
export function writeJson(shape: Shape, value: unknown, useJsonName: boolean, tsFormat?: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case 'timestamp': {
      const fmt = tsFormat ?? shape.traits.timestampFormat ?? (shape.format !== 'default' ? shape.format : undefined);
      if (fmt === 'date-time') return isoDateTime(value);
      if (fmt === 'http-date') return httpDate(value);
      return epochSeconds(value);
    }
    case 'blob':
      return toBase64(value);
    case 'list': {
      if (!Array.isArray(value)) return value;
      const m = shape.member;
      return value.map((v) => (v === null || v === undefined ? null : writeJson(m.shape, v, useJsonName, m.traits.timestampFormat)));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      const m = shape.value;
      for (const [k, v] of Object.entries(value as object)) {
        if (v !== undefined) out[k] = writeJson(m.shape, v, useJsonName, m.traits.timestampFormat);
      }
      return out;
    }
    case 'structure':
      return writeStructure(shape, value as Record<string, unknown>, useJsonName);
    default:
      return value;
  }
}

export function writeStructure(shape: StructureShape, value: Record<string, unknown>, useJsonName: boolean, skip?: (name: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    const v = value[member.name];
    if (v === undefined || v === null) continue;
    if (skip && skip(member.name)) continue;
    const wireName = useJsonName ? (member.traits.jsonName ?? member.name) : member.name;
    out[wireName] = writeJson(member.shape, v, useJsonName, member.traits.timestampFormat);
  }
  return out;
}
