/**
 * Checks parsed input against the model: required members present, values of
 * the declared type. Messages follow the wording of AWS's frontends:
 *   1 validation error detected: Value null at 'family' failed to satisfy
 *   constraint: Member must not be null
 */
import type { Shape, StructureShape } from './schema.js';

export interface Violation {
  kind: 'missing' | 'type';
  path: string;
  message: string;
}

const MAX_VIOLATIONS = 10;

export function validateInput(shape: StructureShape, input: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  checkStructure(shape, input, '', out, 0);
  return out;
}

export function violationMessage(violations: Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`;
}

function at(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function checkStructure(shape: StructureShape, value: Record<string, unknown>, path: string, out: Violation[], depth: number) {
  for (const name of shape.required) {
    const v = value[name];
    if (v === undefined || v === null) {
      const p = at(path, name);
      out.push({ kind: 'missing', path: p, message: `Value null at '${p}' failed to satisfy constraint: Member must not be null` });
    }
  }
  for (const key in value) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    const member = shape.byName.get(key);
    if (!member) continue;
    check(member.shape, v, at(path, key), out, depth + 1);
    if (out.length >= MAX_VIOLATIONS) return;
  }
}

function typeError(out: Violation[], path: string, value: unknown, expected: string) {
  out.push({ kind: 'type', path, message: `Value ${describe(value)} at '${path}' failed to satisfy constraint: Member must be ${expected}` });
}

/** A short rendering of a value, without serializing it whole (it may be huge or deeply nested). */
function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 64)}'`;
  if (Array.isArray(value)) return `[list of ${value.length}]`;
  if (value && typeof value === 'object') return '{structure}';
  return String(value);
}


function check(shape: Shape, value: unknown, path: string, out: Violation[], depth: number): void {
  if (depth > 64) return typeError(out, path, '…', 'nested less deeply');
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') typeError(out, path, value, 'a string');
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) typeError(out, path, value, 'a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError(out, path, value, 'a boolean');
      return;
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) typeError(out, path, value, 'a timestamp');
      return;
    case 'blob':
      if (!(value instanceof Uint8Array) && typeof value !== 'string') typeError(out, path, value, 'a blob');
      return;
    case 'list':
      if (!Array.isArray(value)) return typeError(out, path, value, 'a list');
      for (let i = 0; i < value.length && out.length < MAX_VIOLATIONS; i++) {
        const item = value[i];
        const p = `${path}.${i + 1}.member`;
        if (item === null || item === undefined) {
          out.push({ kind: 'missing', path: p, message: `Value null at '${p}' failed to satisfy constraint: Member must not be null` });
        } else check(shape.member.shape, item, p, out, depth + 1);
      }
      return;
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value)) return typeError(out, path, value, 'a map');
      for (const [k, v] of Object.entries(value)) {
        if (v === null || v === undefined) continue;
        check(shape.value.shape, v, `${path}.${k}`, out, depth + 1);
        if (out.length >= MAX_VIOLATIONS) return;
      }
      return;
    case 'structure':
      if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
        return typeError(out, path, value, 'a structure');
      }
      return checkStructure(shape, value as Record<string, unknown>, path, out, depth);
    default:
      return;
  }
}
