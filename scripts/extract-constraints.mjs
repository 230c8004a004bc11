#!/usr/bin/env node
/**
 * Writes models/constraints/<service>.json: the `enum`, `pattern`, `min`/`max` (length and
 * range) constraints of every structure reachable from an operation's input, for each
 * service whose frontend enforces them (src/protocol/constraints.ts). Berth reads these
 * files lazily at run time; this script is only run by a developer to refresh them.
 *
 * Why botocore's data: the `@aws-sdk/client-*` v3 static schemas that Berth parses with
 * carry required members and types but no enum/length/pattern/range traits, and the npm
 * `aws-sdk` v2 package ships only `apis/*.min.json`, which strip them as well. botocore
 * (Apache-2.0, the data behind awscli v1) keeps them and tracks the current models.
 *
 *   node scripts/extract-constraints.mjs [path/to/botocore/data]
 * Without a path it asks `python3 -c 'import botocore'` where botocore lives.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Berth service id → botocore service directory. */
const SERVICES = {
  ecs: 'ecs', ecr: 'ecr', logs: 'logs', 'elastic-load-balancing-v2': 'elbv2', iam: 'iam', sts: 'sts',
  ssm: 'ssm', 'secrets-manager': 'secretsmanager', acm: 'acm', efs: 'efs',
  'application-auto-scaling': 'application-autoscaling', cloudwatch: 'cloudwatch', sqs: 'sqs',
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'models', 'constraints');

function botocoreDir() {
  if (process.argv[2]) return { data: process.argv[2], version: 'unknown' };
  const out = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__));print(botocore.__version__)'], { encoding: 'utf8' });
  const [dir, version] = out.trim().split('\n');
  return { data: join(dir, 'data'), version };
}

function readModel(data, dir) {
  const versions = readdirSync(join(data, dir)).sort();
  const base = join(data, dir, versions[versions.length - 1]);
  const gz = join(base, 'service-2.json.gz');
  const text = existsSync(gz) ? gunzipSync(readFileSync(gz)).toString('utf8') : readFileSync(join(base, 'service-2.json'), 'utf8');
  return JSON.parse(text);
}

/**
 * Java regex (what AWS's frontends run) → a JavaScript source and flags, or undefined when
 * it uses something JavaScript cannot express: such a pattern is left unchecked rather than
 * risking rejecting what AWS accepts.
 */
const POSIX = { Alnum: 'A-Za-z0-9', Alpha: 'A-Za-z', Digit: '0-9', Upper: 'A-Z', Lower: 'a-z', XDigit: '0-9A-Fa-f', Space: ' \\t\\n\\x0B\\f\\r', Punct: '!-\\/:-@\\[-`{-~', Print: '\\x20-\\x7E', Graph: '\\x21-\\x7E', ASCII: '\\x00-\\x7F', Cntrl: '\\x00-\\x1F\\x7F' };
function translatePattern(p) {
  let src = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const m = /^\\p\{(\w+)\}/.exec(p.slice(i));
      if (m && POSIX[m[1]]) {
        src += inClass ? POSIX[m[1]] : `[${POSIX[m[1]]}]`;
        i += m[0].length - 1;
        continue;
      }
      if (p[i + 1] === 'A' || p[i + 1] === 'z' || p[i + 1] === 'Z') { src += p[i + 1] === 'A' ? '^' : '$'; i++; continue; }
      src += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    src += c;
  }
  if (/[*+?}][+]/.test(src.replace(/\\./g, 'x'))) return undefined; // possessive quantifiers
  let extra = '';
  if (src.startsWith('(?i)')) { src = src.slice(4); extra = 'i'; }
  for (const base of ['u', '']) {
    const flags = base + extra;
    if (!base && /\\[pP]\{/.test(src)) return undefined;
    try {
      new RegExp(`^(?:${src})$`, flags);
      return flags ? [src, flags] : [src];
    } catch { /* next */ }
  }
  return undefined;
}

function extract(model, stats) {
  const shapes = model.shapes;
  const enums = [];
  const enumIndex = new Map();
  /** The constraint descriptor of a shape (list/map descend into members), or undefined. */
  const memo = new Map();
  function describe(name, seen = new Set()) {
    if (memo.has(name)) return memo.get(name);
    const s = shapes[name];
    let d = {};
    if (s.enum && s.type === 'string') {
      const key = JSON.stringify(s.enum);
      if (!enumIndex.has(key)) { enumIndex.set(key, enums.length); enums.push(s.enum); }
      d.e = enumIndex.get(key);
    }
    if (s.pattern !== undefined && s.type === 'string') {
      const t = translatePattern(s.pattern);
      if (t) { d.p = s.pattern; if (t[0] !== s.pattern) d.j = t[0]; if (t[1]) d.x = t[1]; } else stats.skippedPatterns.push(s.pattern);
    }
    if (s.min !== undefined || s.max !== undefined) {
      const bounds = [s.min ?? null, s.max ?? null];
      if (['string', 'list', 'map', 'blob'].includes(s.type)) d.l = bounds;
      else if (['integer', 'long', 'float', 'double'].includes(s.type)) { d.r = bounds; if (s.type === 'float' || s.type === 'double') d.f = 1; }
    }
    if (!seen.has(name)) {
      seen.add(name);
      if (s.type === 'list') { const m = describe(s.member.shape, seen); if (m) d.m = m; }
      if (s.type === 'map') {
        const k = describe(s.key.shape, seen); if (k) d.k = k;
        const v = describe(s.value.shape, seen); if (v) d.v = v;
      }
    }
    if (!Object.keys(d).length) d = undefined;
    memo.set(name, d);
    return d;
  }
  // Structures reachable from operation inputs.
  const structures = {};
  const queue = [];
  for (const op of Object.values(model.operations)) if (op.input) queue.push(op.input.shape);
  const visited = new Set();
  while (queue.length) {
    const name = queue.pop();
    if (visited.has(name)) continue;
    visited.add(name);
    const s = shapes[name];
    if (s.type === 'list') queue.push(s.member.shape);
    else if (s.type === 'map') queue.push(s.value.shape);
    else if (s.type === 'structure') {
      const members = {};
      for (const [m, ref] of Object.entries(s.members)) {
        queue.push(ref.shape);
        const d = describe(ref.shape);
        if (d) members[m] = d;
      }
      if (Object.keys(members).length) structures[name] = members;
    }
  }
  // Operations that declare the generic ValidationException and not InvalidParameterException: where a
  // service's frontend otherwise answers InvalidParameterException (CloudWatch Logs), these newer operations
  // answer ValidationException.
  const declares = (op, shape) => (op.errors ?? []).some((e) => e.shape === shape);
  const validationOps = Object.values(model.operations)
    .filter((op) => declares(op, 'ValidationException') && !declares(op, 'InvalidParameterException'))
    .map((op) => op.name).sort();
  return { enums, structures, validationOps };
}

const { data, version } = botocoreDir();
mkdirSync(outDir, { recursive: true });
for (const [id, dir] of Object.entries(SERVICES)) {
  const model = readModel(data, dir);
  const stats = { skippedPatterns: [] };
  const { enums, structures, validationOps } = extract(model, stats);
  const out = {
    source: `botocore ${version} data/${dir}/${model.metadata.apiVersion}/service-2.json (Apache-2.0), by scripts/extract-constraints.mjs`,
    validationOps, enums, structures,
  };
  const text = JSON.stringify(out);
  writeFileSync(join(outDir, `${id}.json`), text + '\n');
  console.log(`${id}: ${Object.keys(structures).length} structures, ${enums.length} enums, ${text.length} bytes` +
    (stats.skippedPatterns.length ? `; patterns left unchecked: ${[...new Set(stats.skippedPatterns)].join('  ')}` : ''));
}
