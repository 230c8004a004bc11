/**
 * The model's constraints, swept through the SDK v3 clients (issue 13): for every operation Berth
 * implements in every service whose AWS frontend enforces them, every member of its input that
 * carries an enum, length, range or pattern, at the top level or nested in structures and lists of
 * structures, gets a value breaking it, generated from models/constraints/<service>.json; the other
 * required members get values satisfying theirs. The answer must be the service's validation error
 * (frontendFor: ECS's InvalidParameterException, ECR's older wording, CloudWatch Logs' newer
 * operations' ValidationException, …), with HTTP 400, in its wording, naming the member's path and
 * the broken rule, and no provider may have run (nothing looked up, nothing stored).
 *
 * Each service prints the operations it covered and those it could not build a violating request
 * for, with the reason; members LEFT_TO_PROVIDER (or all of an operation's, as CloudWatch's PutMetricData)
 * are listed as skipped with theirs. SQS leaves every one of its model's constraints to its provider: its
 * sweep lists them, and test/integration/sqs/constraints.test.ts proves what SQS answers instead.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, ListServicesCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { constraintsFor, frontendFor, LEFT_TO_PROVIDER, operationLeftToProvider, patternOf, type Constraint } from '../../src/protocol/constraints.js';
import { errorShape } from '../../src/protocol/error-shapes.js';
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
  ['application-auto-scaling', () => import('../../src/services/application-auto-scaling/provider.js')],
  ['cloudwatch', () => import('../../src/services/cloudwatch/provider.js')],
  ['sqs', () => import('../../src/services/sqs/provider.js')],
];

/** The valid read that proves the spy sees calls, for a service whose reads all take a required member. */
const CONTROLS: Record<string, [string, Record<string, unknown>]> = {
  'application-auto-scaling': ['DescribeScalableTargets', { ServiceNamespace: 'ecs' }],
};

/** Requests in flight at once, per service. */
const BATCH = 8;
/** How deep into nested structures the sweep looks for constrained members. */
const MAX_DEPTH = 8;

/** The extraction script's output, read whole (the runtime copy drops the members LEFT_TO_PROVIDER). */
interface ConstraintFile { enums: string[][]; structures: Record<string, Record<string, Constraint>> }
const readConstraints = (id: string): ConstraintFile =>
  JSON.parse(readFileSync(new URL(`../../models/constraints/${id}.json`, import.meta.url), 'utf8')) as ConstraintFile;

const CANDIDATES = ['abc', 'abcd1234', 'x', 'arn:aws:iam::123456789012:role/x', 'fs-0123456789abcdef0', 'fsap-0123456789abcdef0',
  '123456789012', 'us-east-1', '/abc', 'abc.example.com', 'sha256:' + 'a'.repeat(64), 'a'.repeat(20)];
const BREAKING = ['', ' ', '!#$%^&*()~ <>', '\u0001', 'a'.repeat(70000)];
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

class Generator {
  /** `printed`: the enum value sets in the order AWS prints them (constraints.ts reorders a few). */
  constructor(private readonly file: ConstraintFile, private readonly printed: string[][]) {}

  of(shape: StructureShape): Record<string, Constraint> | undefined {
    return Object.hasOwn(this.file.structures, shape.name) ? this.file.structures[shape.name] : undefined;
  }

  /** A value of this shape that satisfies its constraint (as far as simple candidates can). */
  satisfying(shape: Shape, c: Constraint | undefined, depth = 0): unknown {
    switch (shape.kind) {
      case 'string': {
        if (c?.e !== undefined) return this.file.enums[c.e][0];
        const ok = (s: string) => (!c?.p || patternOf(c).test(s)) && (!c?.l || ((c.l[0] ?? 0) <= s.length && s.length <= (c.l[1] ?? Infinity)));
        return CANDIDATES.find(ok) ?? 'a'.repeat(Math.max(c?.l?.[0] ?? 1, 1));
      }
      case 'number': return c?.r?.[0] ?? c?.r?.[1] ?? 1;
      case 'boolean': return false;
      case 'timestamp': return new Date();
      case 'blob': return new Uint8Array([1]);
      case 'list': {
        const n = c?.l?.[0] ?? 0;
        return Array.from({ length: n }, () => this.satisfying(shape.member.shape, c?.m, depth + 1));
      }
      case 'map': return {};
      case 'structure': return depth > 6 ? {} : this.requiredOnly(shape, depth + 1);
      default: return undefined;
    }
  }

  requiredOnly(shape: StructureShape, depth = 0): Record<string, unknown> {
    const table = this.of(shape);
    const out: Record<string, unknown> = {};
    for (const name of shape.required) out[name] = this.satisfying(shape.byName.get(name)!.shape, table?.[name], depth);
    return out;
  }

  /** Values breaking each rule of a member's constraint, with the rule AWS names for each (null: nothing to break it with). */
  breaking(shape: Shape, c: Constraint, label: boolean): { value: unknown; rule: string }[] {
    const out: { value: unknown; rule: string }[] = [];
    if (shape.kind === 'string') {
      if (c.e !== undefined) out.push({ value: 'NOT_IN_THE_ENUM', rule: `Member must satisfy enum value set: [${this.enumText(c.e)}]` });
      if (c.l?.[1] != null && c.l[1] < 70000) out.push({ value: 'a'.repeat(c.l[1] + 1), rule: `Member must have length less than or equal to ${c.l[1]}` });
      // An empty URI label would change the path the request goes to, not the value.
      if (c.l?.[0] && !label) out.push({ value: '', rule: `Member must have length greater than or equal to ${c.l[0]}` });
      if (c.p !== undefined) {
        const bad = BREAKING.find((s) => !patternOf(c).test(s) && !(label && !s));
        if (bad !== undefined) out.push({ value: bad, rule: `Member must satisfy regular expression pattern: ${c.p}` });
      }
    } else if (shape.kind === 'number') {
      if (c.r?.[1] != null && c.r[1] < Number.MAX_SAFE_INTEGER) out.push({ value: c.r[1] + 1, rule: 'Member must have value less than or equal to ' });
      if (c.r?.[0] != null && c.r[0] > -Number.MAX_SAFE_INTEGER) out.push({ value: c.r[0] - 1, rule: 'Member must have value greater than or equal to ' });
    } else if (shape.kind === 'list') {
      const itemShape = shape.member.shape;
      if (c.l?.[1] != null && c.l[1] < 2000) {
        const item = this.satisfying(itemShape, c.m);
        // Query protocols send an empty structure as nothing at all: such a list would arrive empty.
        const empty = item && typeof item === 'object' && !Array.isArray(item) && !Object.keys(item).length;
        if (!empty) out.push({ value: Array.from({ length: c.l[1] + 1 }, () => item), rule: `Member must have length less than or equal to ${c.l[1]}` });
      }
      // A list of simple values is reported once, at the list, with every rule of its members.
      if (c.m && itemShape.kind !== 'structure' && itemShape.kind !== 'list' && itemShape.kind !== 'map') {
        const bad = this.breaking(itemShape, c.m, false)[0];
        if (bad) out.push({ value: [bad.value], rule: 'Member must satisfy constraint: [' });
      }
    } else if (shape.kind === 'map') {
      const valueShape = shape.value.shape;
      const ok = this.satisfying(valueShape, c.v);
      if (c.k && ok !== undefined) {
        const bad = this.breaking(shape.key.shape, c.k, false).find((b) => typeof b.value === 'string' && b.value !== '' && b.value.length < 1000);
        if (bad) out.push({ value: { [bad.value as string]: ok }, rule: 'Map keys must satisfy constraint: [' });
      }
      if (c.v && valueShape.kind === 'string') {
        const bad = this.breaking(valueShape, c.v, false)[0];
        if (bad) out.push({ value: { k: bad.value }, rule: 'Map value must satisfy constraint: [' });
      }
    }
    return out;
  }

  private enumText(e: number): string {
    return this.printed[e].join(', ');
  }
}

/** One step from a structure to its member; `list` steps into the member's first item. */
interface Step { name: string; shape: Shape; list?: StructureShape }
/** A constrained member somewhere in an operation's input. */
interface Site { steps: Step[]; c: Constraint; key: string }

/**
 * Every constrained member reachable from the input through structures and lists of structures, and those left
 * to the provider (by member, or all of an operation's).
 */
function sitesOf(gen: Generator, id: string, op: Operation): { sites: Site[]; left: string[] } {
  const sites: Site[] = [];
  const left: string[] = [];
  const wholeOp = operationLeftToProvider(id, op.name);
  const walk = (shape: StructureShape, steps: Step[], seen: Set<string>) => {
    const table = gen.of(shape);
    for (const m of shape.members) {
      const key = `${shape.name}.${m.name}`;
      const here: Step = { name: m.name, shape: m.shape };
      if (table?.[m.name]) {
        if (wholeOp || LEFT_TO_PROVIDER.has(`${id}:${key}`)) left.push(key);
        else sites.push({ steps: [...steps, here], c: table[m.name], key });
      }
      if (steps.length + 1 >= MAX_DEPTH) continue;
      const inner = m.shape.kind === 'structure' ? m.shape : m.shape.kind === 'list' && m.shape.member.shape.kind === 'structure' ? m.shape.member.shape : undefined;
      if (!inner || seen.has(inner.name)) continue;
      walk(inner, [...steps, { ...here, list: m.shape.kind === 'list' ? inner : undefined }], new Set([...seen, inner.name]));
    }
  };
  walk(op.input, [], new Set([op.input.name]));
  return { sites, left };
}

/** The operation's required-only input with `value` placed at the site (creating the structures on the way). */
function inputFor(gen: Generator, op: Operation, steps: Step[], value: unknown): Record<string, unknown> {
  const input = gen.requiredOnly(op.input);
  let cur = input;
  for (const step of steps.slice(0, -1)) {
    if (step.list) {
      const item = gen.requiredOnly(step.list);
      cur[step.name] = [item];
      cur = item;
    } else {
      const next = (cur[step.name] ??= gen.requiredOnly(step.shape as StructureShape)) as Record<string, unknown>;
      cur = next;
    }
  }
  cur[steps.at(-1)!.name] = value;
  return input;
}

/** The member path AWS's frontends name: camelCase, list items as `name.1.member`. */
const pathOf = (steps: Step[]) => steps.map((s) => lowerCamel(s.name) + (s.list ? '.1.member' : '')).join('.');

interface Probe { op: Operation; site: Site; value: unknown; rule: string }

describe('model constraints are enforced for every implemented operation, through the SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient, logs: CloudWatchLogsClient, ecr: ECRClient } });

  for (const [id, load] of SERVICES) {
    it(`${id}: every enum, length, range and pattern of every implemented operation's input is refused before the provider runs`, async () => {
      const model = loadModel(id);
      const gen = new Generator(readConstraints(id), constraintsFor(id)!.enums);
      const { provider } = await load();
      const mod = await import(model.entry.sdkPackage) as Record<string, any>;
      const client = berth.client(mod[model.entry.clientName], { maxAttempts: 1 }) as { send(c: unknown): Promise<unknown>; destroy(): void };

      const probes: Probe[] = [];
      const uncovered = new Map<string, string>();
      const skipped: string[] = [];
      const implemented = [...model.operations.values()].filter((op) => typeof provider[lowerCamel(op.name)] === 'function');
      for (const op of implemented) {
        if (!mod[`${op.name}Command`]) { uncovered.set(op.name, 'no command in the SDK client'); continue; }
        const { sites, left } = sitesOf(gen, id, op);
        if (operationLeftToProvider(id, op.name)) skipped.push(`${op.name} (all ${left.length} constrained members): ${LEFT_TO_PROVIDER.get(`${id}:${op.name}`)}`);
        else for (const key of left) skipped.push(`${op.name} ${key}: ${LEFT_TO_PROVIDER.get(`${id}:${key}`)}`);
        const before = probes.length;
        for (const site of sites) {
          const last = site.steps.at(-1)!;
          const member = site.steps.length === 1 ? op.input.byName.get(last.name) : undefined;
          for (const b of gen.breaking(last.shape, site.c, !!member?.traits.httpLabel)) probes.push({ op, site, ...b });
        }
        if (probes.length === before) {
          uncovered.set(op.name, left.length ? 'only members left to the provider' : sites.length
            ? `no value breaks its constraints (${sites.map((s) => s.key).join(', ')})` : `no constraint in its input (to depth ${MAX_DEPTH})`);
        }
      }
      // A service may leave every constraint to its provider (SQS): then each is listed below with the reason.
      assert.ok(probes.length > 0 || skipped.length > 0, `${id}: nothing to probe`);

      // A spy on the real provider: any call during the sweep means a request got past validation.
      const ran: string[] = [];
      const originals = new Map(Object.entries(provider));
      for (const [name, fn] of originals) provider[name] = (ctx, input) => { ran.push(name); return fn(ctx, input); };

      const problems: string[] = [];
      const passed = new Set<string>();
      const queue = [...probes];
      const started = Date.now();
      // The control: a valid read with no required members reaches the provider through the same spy.
      // (A service with no such read names its control and the input that makes it valid.)
      const [controlName, controlInput] = CONTROLS[id] ?? [implemented.find((op) => /^(List|Describe|Get)/.test(op.name) && !op.input.required.length && mod[`${op.name}Command`])!.name, {}];
      const control = { name: controlName };
      let duringProbes: string[] = [];
      try {
        await Promise.all(Array.from({ length: BATCH }, async () => {
          for (let p = queue.shift(); p; p = queue.shift()) {
            const problem = await send(p);
            if (problem) problems.push(problem);
            else passed.add(p.op.name);
          }
        }));
        duringProbes = [...new Set(ran)];
        await client.send(new mod[`${control.name}Command`](controlInput));
        assert.deepEqual(ran.slice(-1), [lowerCamel(control.name)], `the spy saw ${control.name}`);
      } finally {
        for (const [name, fn] of originals) provider[name] = fn;
        client.destroy();
      }

      async function send(p: Probe): Promise<string | undefined> {
        const fe = frontendFor(id, p.op.name)!;
        const path = pathOf(p.site.steps);
        const what = `${p.op.name} ${path}=${JSON.stringify(p.value)?.slice(0, 40)}`;
        try {
          await client.send(new mod[`${p.op.name}Command`](inputFor(gen, p.op, p.site.steps, p.value)));
          return `${what}: accepted`;
        } catch (err: any) {
          const status = err.$metadata?.httpStatusCode;
          const message = String(err.message);
          // An awsQueryCompatible service's code (CloudWatch's ValidationError) reaches the SDK in x-amzn-query-error:
          // the SDK names the error after the model's shape for that code (ValidationException) and keeps the code in Code.
          const name = model.queryCompatible ? errorShape(model, fe.code)?.name ?? fe.code : fe.code;
          if (err.name !== name || status !== 400) return `${what}: ${err.name} (HTTP ${status}): ${message.slice(0, 200)}`;
          if (model.queryCompatible && err.Code !== fe.code) return `${what}: Code ${err.Code}, not ${fe.code}`;
          if (fe.style === 'ecr') {
            // ECR's older frontend names its first failure only (another rule of the same value may come first).
            return new RegExp(`^Invalid parameter at '${esc(path)}' failed to satisfy constraint: '.+'$`, 's').test(message)
              ? undefined : `${what}: wording: ${message.slice(0, 300)}`;
          }
          const shape = /^(1 validation error|([2-9]|[1-9]\d+) validation errors) detected: Value( '.*')? at '.+' failed to satisfy constraint: .+/s;
          if (!shape.test(message)) return `${what}: wording: ${message.slice(0, 300)}`;
          if (!new RegExp(`at '${esc(path)}' failed to satisfy constraint: ${esc(p.rule)}`).test(message)) return `${what}: ${message.slice(0, 300)}`;
          return undefined;
        }
      }

      const covered = implemented.filter((op) => passed.has(op.name)).map((op) => op.name);
      for (const op of implemented) if (!passed.has(op.name) && !uncovered.has(op.name)) uncovered.set(op.name, 'every probe failed (above)');
      console.log([
        `${id}: ${probes.length} violating requests in ${Date.now() - started} ms; ${covered.length} of ${implemented.length} implemented operations covered: ${covered.join(', ')}`,
        ...(uncovered.size ? [`${id}: not covered:`, ...[...uncovered].map(([op, why]) => `  ${op}: ${why}`)] : []),
        ...(skipped.length ? [`${id}: members left to the provider (LEFT_TO_PROVIDER), not probed:`, ...skipped.map((s) => `  ${s}`)] : []),
      ].join('\n'));
      assert.deepEqual(problems, []);
      assert.deepEqual(duringProbes, [], 'provider operations ran for requests that break a constraint');
    });
  }

  describe('the cases issue 13 cites', () => {
    const LAUNCH_TYPES = '[EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]';
    const fails = async (p: Promise<unknown>, code: string, message: string) => {
      const err = await p.then(() => assert.fail('accepted'), (e: any) => e);
      assert.deepEqual([err.name, err.$metadata?.httpStatusCode, err.message], [code, 400, message]);
    };

    it('CreateService with launchType SOMETHING and schedulingStrategy WHATEVER: two failures counted, nothing stored', async () => {
      await berth.ecs.send(new CreateClusterCommand({ clusterName: 'c' }));
      await fails(berth.ecs.send(new CreateServiceCommand({
        cluster: 'c', serviceName: 's', taskDefinition: 'td', launchType: 'SOMETHING' as never, schedulingStrategy: 'WHATEVER' as never,
      })), 'InvalidParameterException', '2 validation errors detected: ' +
        `Value 'SOMETHING' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: ${LAUNCH_TYPES}; ` +
        "Value 'WHATEVER' at 'schedulingStrategy' failed to satisfy constraint: Member must satisfy enum value set: [REPLICA, DAEMON]");
      assert.deepEqual((await berth.ecs.send(new ListServicesCommand({ cluster: 'c' }))).serviceArns, []);
    });

    it('RunTask on cluster "nope" with launchType Fargate is the enum failure, not ClusterNotFoundException', async () => {
      await fails(berth.ecs.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: 'td', launchType: 'Fargate' as never })),
        'InvalidParameterException',
        `1 validation error detected: Value 'Fargate' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: ${LAUNCH_TYPES}`);
    });

    it("DescribeLogGroups with limit 51 says Value '51'", async () => {
      await fails(berth.logs.send(new DescribeLogGroupsCommand({ limit: 51 })), 'InvalidParameterException',
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
    });

    it('DescribeLogStreams refuses a log-group ARN ending in :* and accepts it without', async () => {
      await berth.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
      const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:g';
      await fails(berth.logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: `${arn}:*` })), 'InvalidParameterException',
        `1 validation error detected: Value '${arn}:*' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*`);
      assert.deepEqual((await berth.logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: arn }))).logStreams, []);
    });

    it("ECR's older frontend names the first failure in its own wording", async () => {
      await fails(berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'UPPER', imageTagMutability: 'SOMETIMES' as never })),
        'InvalidParameterException',
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'");
    });
  });
});
