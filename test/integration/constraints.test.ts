/**
 * The model's constraints, swept through the SDK v3 clients: for every operation Berth
 * implements in every service whose AWS frontend enforces them, each top-level input member
 * that carries an enum, length, range or pattern gets a value breaking it (the other
 * required members get values that satisfy theirs). The answer must be the service's
 * validation error, in its wording, naming the member, before any provider runs (so before
 * any "not found").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constraintsFor, frontendFor, patternOf, type Constraint } from '../../src/protocol/constraints.js';
import { loadModel, type Operation } from '../../src/protocol/model.js';
import type { Shape, StructureShape } from '../../src/protocol/schema.js';
import { lowerCamel, type Provider } from '../../src/services/provider.js';
import { useBerth } from '../helpers/use-berth.js';

const SERVICES: [string, () => Promise<{ provider: Provider }>][] = [
  ['ecs', () => import('../../src/services/ecs/provider.js')],
  ['ecr', () => import('../../src/services/ecr/provider.js')],
  ['logs', () => import('../../src/services/logs/provider.js')],
  ['elastic-load-balancing-v2', () => import('../../src/services/elastic-load-balancing-v2/provider.js')],
  ['iam', () => import('../../src/services/iam/provider.js')],
  ['sts', () => import('../../src/services/sts/provider.js')],
  ['ssm', () => import('../../src/services/ssm/provider.js')],
  ['secrets-manager', () => import('../../src/services/secrets-manager/provider.js')],
  ['acm', () => import('../../src/services/acm/provider.js')],
  ['efs', () => import('../../src/services/efs/provider.js')],
];

const CANDIDATES = ['abc', 'abcd1234', 'x', 'arn:aws:iam::123456789012:role/x', 'fs-0123456789abcdef0', 'fsap-0123456789abcdef0',
  '123456789012', 'us-east-1', '/abc', 'abc.example.com', 'sha256:' + 'a'.repeat(64), 'a'.repeat(20)];
const BREAKING = ['', ' ', '!#$%^&*()~ <>', '\u0001', 'a'.repeat(70000)];

/** A value of this shape that satisfies its constraint (as far as simple candidates can). */
function satisfying(shape: Shape, c: Constraint | undefined, enums: string[][], depth = 0): unknown {
  switch (shape.kind) {
    case 'string': {
      if (c?.e !== undefined) return enums[c.e][0];
      const ok = (s: string) => (!c?.p || patternOf(c).test(s)) && (!c?.l || ((c.l[0] ?? 0) <= s.length && s.length <= (c.l[1] ?? Infinity)));
      return CANDIDATES.find(ok) ?? 'a'.repeat(Math.max(c?.l?.[0] ?? 1, 1));
    }
    case 'number': return c?.r?.[0] ?? c?.r?.[1] ?? 1;
    case 'boolean': return false;
    case 'timestamp': return new Date();
    case 'blob': return new Uint8Array([1]);
    case 'list': {
      const n = c?.l?.[0] ?? 0;
      return Array.from({ length: n }, () => satisfying(shape.member.shape, c?.m, enums, depth + 1));
    }
    case 'map': return {};
    case 'structure': return depth > 6 ? {} : requiredOnly(shape, enums, depth + 1);
    default: return undefined;
  }
}

function requiredOnly(shape: StructureShape, enums: string[][], depth = 0): Record<string, unknown> {
  const table = constraintsOf(shape);
  const out: Record<string, unknown> = {};
  for (const name of shape.required) out[name] = satisfying(shape.byName.get(name)!.shape, table?.[name], enums, depth);
  return out;
}

let constraintsOf: (s: StructureShape) => Record<string, Constraint> | undefined = () => undefined;

interface Probe { op: Operation; member: string; value: unknown; rule: RegExp }

/** Values breaking each constraint of a member, with the rule AWS names for each. */
function breaking(shape: Shape, c: Constraint, enums: string[][], label: boolean): { value: unknown; rule: RegExp }[] {
  const out: { value: unknown; rule: RegExp }[] = [];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (shape.kind === 'string') {
    if (c.e !== undefined) out.push({ value: 'NOT_IN_THE_ENUM', rule: new RegExp(esc(`Member must satisfy enum value set: [${enums[c.e].join(', ')}]`)) });
    if (c.l?.[1] != null && c.l[1] < 70000) out.push({ value: 'a'.repeat(c.l[1] + 1), rule: new RegExp(`Member must have length less than or equal to ${c.l[1]}`) });
    if (c.l?.[0] && !label) out.push({ value: '', rule: new RegExp(`Member must have length greater than or equal to ${c.l[0]}`) });
    if (c.p !== undefined) {
      const bad = BREAKING.find((s) => !patternOf(c).test(s) && !(label && !s));
      if (bad !== undefined) out.push({ value: bad, rule: new RegExp(esc(`Member must satisfy regular expression pattern: ${c.p}`)) });
    }
  } else if (shape.kind === 'number') {
    if (c.r?.[1] != null && c.r[1] < Number.MAX_SAFE_INTEGER) out.push({ value: c.r[1] + 1, rule: /Member must have value less than or equal to / });
    if (c.r?.[0] != null && c.r[0] > -Number.MAX_SAFE_INTEGER) out.push({ value: c.r[0] - 1, rule: /Member must have value greater than or equal to / });
  } else if (shape.kind === 'list' && c.l?.[1] != null && c.l[1] < 2000) {
    const item = satisfying(shape.member.shape, c.m, enums);
    // Query protocols send an empty structure as nothing at all: such a list would arrive empty.
    if (item && typeof item === 'object' && !Array.isArray(item) && !Object.keys(item).length) return out;
    out.push({ value: Array.from({ length: c.l[1] + 1 }, () => item), rule: new RegExp(`Member must have length less than or equal to ${c.l[1]}`) });
  }
  return out;
}

describe('model constraints are enforced for every implemented operation, through the SDK', () => {
  const berth = useBerth();

  for (const [id, load] of SERVICES) {
    it(`${id}: every enum, length, range and pattern of every implemented operation's input is refused as AWS's frontend refuses it`, async () => {
      const model = loadModel(id);
      const table = constraintsFor(id)!;
      constraintsOf = (s) => table.of(s);
      const { provider } = await load();
      const mod = await import(model.entry.sdkPackage) as Record<string, any>;
      const client = new mod[model.entry.clientName]({
        endpoint: berth.endpoint, region: 'us-east-1', maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const probes: Probe[] = [];
      for (const op of model.operations.values()) {
        if (typeof provider[lowerCamel(op.name)] !== 'function' || !mod[`${op.name}Command`]) continue;
        const members = table.of(op.input) ?? {};
        for (const [name, c] of Object.entries(members)) {
          const member = op.input.byName.get(name);
          if (!member) continue;
          for (const b of breaking(member.shape, c, table.enums, !!member.traits.httpLabel)) probes.push({ op, member: name, ...b });
        }
      }
      assert.ok(probes.length > 0, `${id}: nothing to probe`);
      const problems: string[] = [];
      const queue = [...probes];
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let p = queue.shift(); p; p = queue.shift()) {
          const input = { ...requiredOnly(p.op.input, table.enums), [p.member]: p.value };
          const fe = frontendFor(id, p.op.name)!;
          const path = p.member[0].toLowerCase() + p.member.slice(1);
          const what = `${p.op.name}.${p.member}=${JSON.stringify(p.value).slice(0, 40)}`;
          try {
            await client.send(new mod[`${p.op.name}Command`](input));
            problems.push(`${what}: accepted`);
          } catch (err: any) {
            if (err.name !== fe.code) { problems.push(`${what}: ${err.name}: ${String(err.message).slice(0, 200)}`); continue; }
            const shape = fe.style === 'ecr'
              ? /^Invalid parameter at '[^']+' failed to satisfy constraint: '.+'$/s
              : /^(1 validation error|[2-9]\d* validation errors) detected: Value( '.*')? at '.+' failed to satisfy constraint: .+/s;
            if (!shape.test(err.message)) { problems.push(`${what}: wording: ${String(err.message).slice(0, 200)}`); continue; }
            const named = new RegExp(`at '${path}' failed to satisfy constraint: '?${p.rule.source}`);
            // ECR's older frontend names its first failure only: another rule of the same value, or a placeholder of another member.
            if (!named.test(err.message) && fe.style !== 'ecr') {
              problems.push(`${what}: ${String(err.message).slice(0, 300)}`);
            }
          }
        }
      }));
      client.destroy();
      assert.deepEqual(problems, []);
    });
  }
});
