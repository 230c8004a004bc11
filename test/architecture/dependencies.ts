/**
 * The doors of ../shared/docs/design.md as a checker over import specifiers: which `src/` file may import which.
 * dependencies.test.ts runs it over every non-test `src/**\/*.ts` (tests may import internals) and proves each rule
 * bites on a small set of files held in memory.
 *
 * A file's imports are read with a small lexer (comments, strings and template literals skipped), not the compiler:
 * `import … from '…'`, `import '…'`, `export … from '…'`, `import('…')` and `import x = require('…')`. Type-only
 * imports count: a door is about what a file knows of another, not only about what runs. Relative specifiers are
 * resolved as NodeNext resolves them (`./x.js` is `./x.ts`); bare ones (`node:fs`, `@aws-sdk/…`) are packages, never
 * a crossing.
 */
import { posix } from 'node:path';

export interface SourceFile {
  /** Repository-relative posix path, e.g. `src/services/ecs/tasks.ts`. */
  path: string;
  text: string;
}

export interface ImportRef {
  specifier: string;
  /** `import type …` / `export type … from` (erased at run time, still a dependency). */
  typeOnly: boolean;
  /** `import('…')`: loaded on first use. */
  dynamic: boolean;
}

export interface Edge extends ImportRef {
  from: string;
  /** The file the specifier names (repository-relative), or null for a package. */
  to: string | null;
}

export interface Violation {
  file: string;
  specifier: string;
  /** The resolved file, for the message. */
  target: string;
  rule: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading specifiers

/**
 * The source with comments removed and every string/template literal's content blanked except the quotes, plus the
 * literals themselves by offset, so the statement patterns below match code only and read the specifier back.
 */
function lex(text: string): { code: string; literals: Map<number, string> } {
  const out: string[] = [];
  const literals = new Map<number, string>();
  let i = 0;
  let lastSignificant = '';
  const n = text.length;
  // Where a `/` starts a regular expression rather than a division: after an operator or punctuation, or a keyword.
  const regexAllowedAfter = (prev: string) => prev === '' || /[(,=:[!&|?{};+\-*%<>~^]$/.test(prev) || /\b(return|typeof|case|do|else|in|of|void|yield|await)$/.test(prev);
  let word = '';
  let length = 0; // of out, joined
  const push = (s: string) => { out.push(s); length += s.length; };
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      push(' ');
      i = stop;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const start = length;
      let j = i + 1;
      let value = '';
      let depth = 0;
      while (j < n) {
        const d = text[j];
        if (d === '\\') { value += text.slice(j, j + 2); j += 2; continue; }
        if (c === '`' && d === '$' && text[j + 1] === '{') { depth++; value += '${'; j += 2; continue; }
        if (c === '`' && depth > 0 && d === '}') { depth--; value += d; j++; continue; }
        if (d === c && depth === 0) break;
        if (d === '\n' && c !== '`') break;
        value += d;
        j++;
      }
      push(c + c);
      literals.set(start, c === '`' ? (value.includes('${') ? '\0' : value) : value);
      lastSignificant = c;
      word = '';
      i = j + 1;
      continue;
    }
    if (c === '/' && regexAllowedAfter(lastSignificant === '' ? '' : (word || lastSignificant))) {
      // a regular expression literal: skip it (a class may hold `/`)
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        const d = text[j];
        if (d === '\\') { j += 2; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      push('/r/');
      i = j + 1;
      lastSignificant = '/';
      word = '';
      continue;
    }
    push(c);
    if (/[A-Za-z0-9_$]/.test(c)) {
      word += c;
      lastSignificant = c;
    } else if (!/\s/.test(c)) {
      word = '';
      lastSignificant = c;
    } else if (word) {
      // whitespace ends a word but keeps it as what came last (for `return /re/`)
      lastSignificant = word;
      word = '';
    }
    i++;
  }
  return { code: out.join(''), literals };
}

// `from` and the literal that follows it: the end of `import … from` / `export … from`. What precedes `from` decides
// whether the statement is type-only; the `''` is the blanked literal whose offset finds the specifier.
const STATEMENT = /(?:^|[;}\n])\s*(import|export)\b(\s+type\b)?([^;'"`]*?)\bfrom\s*(['"])\4|(?:^|[;}\n])\s*import\s*(['"])\5|\bimport\s*\(\s*(['"`])\6|\brequire\s*\(\s*(['"])\7/g;

/** Every module specifier `text` names, in order. */
export function importsOf(text: string): ImportRef[] {
  const { code, literals } = lex(text);
  const refs: ImportRef[] = [];
  for (const m of code.matchAll(STATEMENT)) {
    const quoteAt = m.index! + m[0].length - 2;
    const specifier = literals.get(quoteAt);
    if (specifier === undefined || specifier === '\0') continue; // a computed import(`…${x}`): not checkable
    if (m[1]) {
      // `import { type A, type B } from` is type-only too, as is `export type { … } from`
      const clause = m[3] ?? '';
      const allTyped = /^\s*\{([^}]*)\}\s*$/.test(clause) && clause.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((s) => s.startsWith('type'));
      refs.push({ specifier, typeOnly: Boolean(m[2]) || allTyped, dynamic: false });
    } else if (m[5]) {
      refs.push({ specifier, typeOnly: false, dynamic: false });
    } else {
      refs.push({ specifier, typeOnly: false, dynamic: Boolean(m[6]) });
    }
  }
  return refs;
}

/**
 * The repository-relative file a specifier names from `from`, as NodeNext resolves Berth's sources: `./x.js` is
 * `./x.ts` (or `./x.js`), a directory is its `index.ts`. Null for a package; the specifier itself, unresolved, when no
 * file answers (the type-check reports those).
 */
export function resolveSpecifier(from: string, specifier: string, exists: (path: string) => boolean): string | null {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(js|ts|mjs|mts|cjs|cts)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, base, `${stem}.js`, `${base}/index.ts`];
  return candidates.find(exists) ?? base;
}

/** Every import of every file, resolved. */
export function edgesOf(files: readonly SourceFile[]): Edge[] {
  const paths = new Set(files.map((f) => f.path));
  const exists = (p: string) => paths.has(p);
  return files.flatMap((f) => importsOf(f.text).map((ref) => ({ ...ref, from: f.path, to: resolveSpecifier(f.path, ref.specifier, exists) })));
}

// ---------------------------------------------------------------------------------------------------------------
// The rules

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const underAny = (path: string, dirs: readonly string[]) => dirs.some((d) => under(path, d));

/** `ecs` for `src/services/ecs/tasks.ts`; null for files directly in services/ (the wiring list and contracts). */
export function serviceOf(path: string): string | null {
  const m = /^src\/services\/([^/]+)\//.exec(path);
  return m ? m[1] : null;
}

/**
 * A service's doors: what a file outside `services/<svc>/` may import of it. `descriptor.ts` (for the wiring list),
 * `index.ts` (its exported functions), `store.ts` or `store/index.ts` (its tables and queries), `operations.ts` (its
 * operations, for a service provisioning on a caller's behalf in the caller's transaction, e.g. ECS Express Mode's
 * load balancer; apart from index.ts where index.ts loads before the ready line). Its `provider.ts` is the gateway's
 * door (next rule); every other file is the service's own.
 */
export const SERVICE_DOORS: readonly string[] = ['descriptor.ts', 'index.ts', 'store.ts', 'store/index.ts', 'operations.ts'];

/**
 * The files directly in services/ and who may import them. The wiring list (index.ts over descriptors.ts) is data:
 * the catalogue, state/ (migrations, reset, the change feed's kinds) and the provider loader read it. The contracts
 * (provider.ts: RequestContext and Provider; service-descriptor.ts) are for anyone; the provider loader
 * (providers.ts) runs operations, so it is the gateway's (and app.ts's, which hands it over).
 */
export const SERVICES_ROOT: ReadonlyMap<string, (importer: string) => boolean> = new Map([
  ['src/services/descriptors.ts', (p: string) => p === 'src/services/index.ts'],
  ['src/services/index.ts', (p: string) => p === 'src/protocol/catalog.ts' || under(p, 'src/state') || p === 'src/services/providers.ts'],
  ['src/services/service-descriptor.ts', () => true],
  ['src/services/provider.ts', () => true],
  ['src/services/providers.ts', (p: string) => under(p, 'src/gateway') || p === 'src/app.ts'],
]);

/**
 * protocol/ modules that carry no wire format and are open to every layer: AwsError (the error values services throw
 * and controllers recognise), the catalogue and models (which service a request names, its shapes), input
 * validation, the SigV4 credential scope (the caller's account and region), and aws-chunked (a request body's
 * transfer framing, decoded on the way in: S3 stores the Content-Encoding the client meant, without it). Every other
 * protocol/ file (the codecs, their XML/JSON/CBOR/query value writers and readers, HTTP bindings, error shapes,
 * refusals, and any file added later until it is listed here with its reason) is wire formatting: only protocol/ and
 * gateway/ import it.
 *
 * Not AWS wire, so not checked here: registry/http/ writes the OCI distribution spec's own JSON errors, lb/ its
 * listener's responses (fixed-response actions, 502/503 pages), metadata/ the task metadata endpoint's JSON.
 */
export const PROTOCOL_OPEN: ReadonlySet<string> = new Set([
  'src/protocol/errors.ts',
  'src/protocol/catalog.ts',
  'src/protocol/model.ts',
  'src/protocol/schema.ts',
  'src/protocol/validate.ts',
  'src/protocol/constraints.ts',
  'src/protocol/sigv4.ts',
  'src/protocol/aws-chunked.ts',
]);

export interface Rule {
  name: string;
  /** True when the (resolved) edge crosses this door. */
  breaks(edge: Edge & { to: string }): boolean;
}

export const RULES: readonly Rule[] = [
  {
    // A service records desired state: it never runs reconcilers, drives an engine or the data plane, and never
    // reaches back into the HTTP fronts that call it (gateway/, metadata/, the registry's HTTP surface registry/http/,
    // console/, cli/, app.ts). The blob store (registry/ outside http/) is a dependency ECR is handed
    // (RequestContext.registry), so its types and blob operations stay open.
    name: 'services never import controllers/, runtime/, lb/ or the fronts (gateway/, metadata/, registry/http/, console/, cli/, app.ts)',
    breaks: (e) => under(e.from, 'src/services') && underAny(e.to, [
      'src/controllers', 'src/runtime', 'src/lb', 'src/gateway', 'src/metadata', 'src/registry/http', 'src/console', 'src/cli', 'src/app.ts', 'src/state-control.ts',
    ]),
  },
  {
    // Also a service reaching into another's files (services/a → services/b/internal.ts).
    name: `outside services/<svc>/ only its doors (${SERVICE_DOORS.join(', ')})`,
    breaks: (e) => {
      const svc = serviceOf(e.to);
      if (svc === null || serviceOf(e.from) === svc) return false;
      const rest = e.to.slice(`src/services/${svc}/`.length);
      if (rest === 'provider.ts') return false; // the next rule's
      return !SERVICE_DOORS.includes(rest);
    },
  },
  {
    // Generic dispatch loads providers through the descriptors (providers.ts); S3's streaming handler
    // (gateway/s3.ts, loaded by app.ts on S3's first request) imports S3's provider.ts itself.
    name: "a service's provider.ts only from its own folder (the descriptor's loader) or gateway/",
    breaks: (e) => /^src\/services\/[^/]+\/provider\.ts$/.test(e.to) && serviceOf(e.from) !== serviceOf(e.to) && !under(e.from, 'src/gateway'),
  },
  {
    // Loading the wiring list loads every descriptor: each is data, its provider a loader run on first use.
    name: 'a descriptor is data: services/<svc>/descriptor.ts imports its service only by import() (and only types of anything but service-descriptor.ts)',
    breaks: (e) => /^src\/services\/[^/]+\/descriptor\.ts$/.test(e.from) && !e.dynamic && !e.typeOnly && e.to !== 'src/services/service-descriptor.ts',
  },
  {
    name: 'services/ itself: the wiring list (index.ts, descriptors.ts) only from protocol/catalog.ts, state/ and the provider loader; providers.ts only from gateway/ and app.ts',
    breaks: (e) => {
      if (!/^src\/services\/[^/]+\.ts$/.test(e.to)) return false;
      const allowed = SERVICES_ROOT.get(e.to);
      return allowed === undefined ? !under(e.from, 'src/services') : !allowed(e.from);
    },
  },
  {
    // Controllers work on stored state through the services' doors; they never see a request. AwsError is not wire:
    // a controller calling a service's door tells the service's refusal (recorded on the resource) from a bug by it.
    name: 'controllers never import gateway/ or protocol/ (protocol/errors.ts excepted)',
    breaks: (e) => under(e.from, 'src/controllers') && (under(e.to, 'src/gateway') || (under(e.to, 'src/protocol') && e.to !== 'src/protocol/errors.ts')),
  },
  {
    // The runtime is told where a container goes (labels, arguments); it reads no table and asks no one above it.
    name: 'runtime never imports services/, controllers/, state/, lb/, gateway/ or app.ts',
    breaks: (e) => under(e.from, 'src/runtime') && underAny(e.to, ['src/services', 'src/controllers', 'src/state', 'src/lb', 'src/gateway', 'src/app.ts']),
  },
  {
    // The console shows what the AWS APIs wrote, read through the services' doors and state/ (its change feed); it
    // drives nothing (no controller, engine or data plane) and speaks no AWS protocol.
    name: 'console reads: console/ never imports controllers/, runtime/, lb/, registry/, protocol/, gateway/ or app.ts',
    breaks: (e) => under(e.from, 'src/console') && underAny(e.to, [
      'src/controllers', 'src/runtime', 'src/lb', 'src/registry', 'src/protocol', 'src/gateway', 'src/app.ts', 'src/state-control.ts',
    ]),
  },
  {
    name: 'wire formatting stays in protocol/: its codec modules only from protocol/ and gateway/',
    breaks: (e) => under(e.to, 'src/protocol') && !PROTOCOL_OPEN.has(e.to) && !under(e.from, 'src/protocol') && !under(e.from, 'src/gateway'),
  },
];

/** Every edge of `files` that crosses a door, one violation per rule it breaks. */
export function checkDependencies(files: readonly SourceFile[], rules: readonly Rule[] = RULES): Violation[] {
  const violations: Violation[] = [];
  for (const edge of edgesOf(files)) {
    if (edge.to === null) continue;
    const e = edge as Edge & { to: string };
    for (const rule of rules) if (rule.breaks(e)) violations.push({ file: e.from, specifier: e.specifier, target: e.to, rule: rule.name });
  }
  return violations;
}

export const formatViolation = (v: Violation) => `${v.file} → ${v.specifier} (${v.rule})`;

/**
 * The shortest import path from a file matching `start` to one matching `goal`, following the resolved imports of
 * `files` (static, type-only and dynamic alike), or null when none exists.
 */
export function importPath(files: readonly SourceFile[], start: (p: string) => boolean, goal: (p: string) => boolean): string[] | null {
  const out = new Map<string, string[]>();
  for (const e of edgesOf(files)) if (e.to !== null) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  const prev = new Map<string, string | null>();
  const queue: string[] = [];
  for (const f of files) if (start(f.path)) { prev.set(f.path, null); queue.push(f.path); }
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (goal(at) && prev.get(at) !== null) {
      const path = [at];
      for (let p = prev.get(at); p != null; p = prev.get(p)) path.unshift(p);
      return path;
    }
    for (const to of out.get(at) ?? []) {
      if (prev.has(to)) continue;
      prev.set(to, at);
      queue.push(to);
    }
  }
  return null;
}
