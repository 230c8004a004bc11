/**
 * The doors of ../shared/docs/design.md hold: no non-test file under src/ imports across them (dependencies.ts
 * states each rule and why), and nothing the runtime imports leads back into a service. The checker is proven to bite
 * on small sets of files held in memory, one crossing per rule.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  checkDependencies, edgesOf, formatViolation, importPath, importsOf, resolveSpecifier, RULES, type SourceFile,
} from './dependencies.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every non-test `src/**\/*.ts` (tests and their support files may import internals). */
function sourceFiles(): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  return walk('src')
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.endsWith('.test.ts') && !p.includes('/test-support/'))
    .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
}

const underDir = (dir: string) => (p: string) => p.startsWith(`${dir}/`);

describe('Berth source keeps to its doors', () => {
  const files = sourceFiles();

  it('no file under src/ imports across a door', () => {
    const violations = checkDependencies(files);
    assert.equal(violations.length, 0, `imports across the doors of design.md:\n${violations.map(formatViolation).join('\n')}`);
  });

  it('the checker reads the whole tree: every relative import resolves to a file under src/', () => {
    assert.ok(files.length > 300, `only ${files.length} files read`);
    const edges = edgesOf(files);
    assert.ok(edges.length > 1000, `only ${edges.length} imports read`);
    const paths = new Set(files.map((f) => f.path));
    const unresolved = edges.filter((e) => e.to !== null && !paths.has(e.to) && !e.to.endsWith('.json'));
    assert.deepEqual(unresolved.map((e) => `${e.from} → ${e.specifier}`), []);
  });

  it('following RunTask by its imports: gateway → provider → store; task lifecycle → runtime; driver → engine', () => {
    // The forward paths exist (so the next assertion is not vacuous)…
    const toStore = importPath(files, (p) => p === 'src/gateway/dispatch.ts', (p) => p === 'src/services/ecs/store/tasks.ts');
    assert.ok(toStore, 'gateway/dispatch.ts reaches ECS tasks store');
    assert.ok(toStore.includes('src/services/ecs/provider.ts'), `through ECS's provider: ${toStore.join(' → ')}`);
    const toRuntime = importPath(files, (p) => p === 'src/controllers/task-lifecycle.ts', underDir('src/runtime'));
    assert.ok(toRuntime, 'the task lifecycle reaches the runtime');
    // app.ts picks the driver the task lifecycle is handed
    assert.ok(importPath(files, (p) => p === 'src/app.ts', (p) => p === 'src/runtime/docker/driver.ts'), 'app.ts loads the Docker driver');
    assert.ok(importPath(files, (p) => p === 'src/runtime/docker/driver.ts', (p) => p === 'src/runtime/docker/engine-client.ts'), 'the Docker driver reaches the engine');
  });

  it('no import path from the runtime loops back into a service, a controller or state', () => {
    for (const [goal, what] of [['src/services', 'a service'], ['src/controllers', 'a controller'], ['src/state', "state's tables"]] as const) {
      const path = importPath(files, underDir('src/runtime'), underDir(goal));
      assert.equal(path, null, `the runtime reaches ${what}: ${path?.join(' → ')}`);
    }
  });
});

describe('import specifiers are read from code only', () => {
  it('import, export … from, side-effect imports, import() and require are read; comments and strings are not', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './cd.js';",
      "import { type E, f } from './ef.js';",
      "import * as g from \"./g.js\";",
      'import {',
      '  h,',
      '  i,',
      "} from './hi.js';",
      "import './side-effect.js';",
      "export { j } from './j.js';",
      "export type { K } from './k.js';",
      "export * from './star.js';",
      "const l = () => import('./lazy.js');",
      "const m = require('./req.js');",
      "// import x from './commented.js';",
      "/* export * from './block.js'; */",
      "const s = \"import y from './in-string.js'\";",
      "const t = `import('./in-template.js')`;",
      "const re = /import z from '.\\/in-regex.js'/;",
      "const u = import(`./${name}.js`);",
      "const v = x / 2; import w from './after-division.js';",
      "const from = 'x'; export const q = from;",
    ].join('\n');
    assert.deepEqual(importsOf(text), [
      { specifier: './a.js', typeOnly: false, dynamic: false },
      { specifier: './b.js', typeOnly: true, dynamic: false },
      { specifier: './cd.js', typeOnly: true, dynamic: false },
      { specifier: './ef.js', typeOnly: false, dynamic: false },
      { specifier: './g.js', typeOnly: false, dynamic: false },
      { specifier: './hi.js', typeOnly: false, dynamic: false },
      { specifier: './side-effect.js', typeOnly: false, dynamic: false },
      { specifier: './j.js', typeOnly: false, dynamic: false },
      { specifier: './k.js', typeOnly: true, dynamic: false },
      { specifier: './star.js', typeOnly: false, dynamic: false },
      { specifier: './lazy.js', typeOnly: false, dynamic: true },
      { specifier: './req.js', typeOnly: false, dynamic: false },
      { specifier: './after-division.js', typeOnly: false, dynamic: false },
    ]);
  });

  it('relative specifiers resolve as NodeNext does; packages are not files', () => {
    const exists = (p: string) => ['src/a/x.ts', 'src/a/dir/index.ts', 'src/b/y.ts'].includes(p);
    assert.equal(resolveSpecifier('src/a/z.ts', './x.js', exists), 'src/a/x.ts');
    assert.equal(resolveSpecifier('src/a/z.ts', './dir/index.js', exists), 'src/a/dir/index.ts');
    assert.equal(resolveSpecifier('src/a/z.ts', './dir', exists), 'src/a/dir/index.ts');
    assert.equal(resolveSpecifier('src/a/z.ts', '../b/y.js', exists), 'src/b/y.ts');
    assert.equal(resolveSpecifier('src/a/z.ts', 'node:fs', exists), null);
    assert.equal(resolveSpecifier('src/a/z.ts', '@aws-sdk/client-ecs', exists), null);
  });
});

/** The rule names each synthetic file breaks (`file → import (rule)` for the failure message). */
function broken(files: Record<string, string>): string[] {
  return checkDependencies(Object.entries(files).map(([path, text]) => ({ path, text }))).map(formatViolation);
}

/** A tree of empty files the synthetic importers point at. */
const TARGETS: Record<string, string> = Object.fromEntries([
  'src/controllers/task-lifecycle.ts', 'src/runtime/driver.ts', 'src/lb/index.ts', 'src/gateway/dispatch.ts', 'src/gateway/s3.ts',
  'src/metadata/server.ts', 'src/registry/http/handler.ts', 'src/registry/blobs.ts', 'src/registry/index.ts', 'src/app.ts',
  'src/services/index.ts', 'src/services/descriptors.ts', 'src/services/provider.ts', 'src/services/providers.ts',
  'src/services/service-descriptor.ts',
  'src/services/ecs/index.ts', 'src/services/ecs/store/index.ts', 'src/services/ecs/store/tasks.ts', 'src/services/ecs/tasks.ts',
  'src/services/ecs/provider.ts', 'src/services/ecs/descriptor.ts', 'src/services/ecs/errors.ts',
  'src/services/ec2/store.ts', 'src/services/ec2/vpcs.ts', 'src/services/s3/provider.ts',
  'src/protocol/errors.ts', 'src/protocol/model.ts', 'src/protocol/aws-json.ts', 'src/protocol/xml.ts', 'src/protocol/rpc-v2-cbor.ts',
  'src/protocol/catalog.ts', 'src/shared/arns.ts', 'src/state/db.ts', 'src/state/migrations.ts',
].map((p) => [p, '']));

/** The violations of one importer added to TARGETS, as `import → rule`. */
function crossings(path: string, ...specifiers: string[]): string[] {
  const text = specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n');
  return checkDependencies(Object.entries({ ...TARGETS, [path]: text }).map(([p, t]) => ({ path: p, text: t })))
    .filter((v) => v.file === path)
    .map((v) => `${v.specifier} (${v.rule})`);
}

const ruleNamed = (start: string) => {
  const rule = RULES.find((r) => r.name.startsWith(start));
  assert.ok(rule, `a rule starting "${start}"`);
  return rule.name;
};

describe('the dependency checker bites, rule by rule', () => {
  it('a service importing controllers/, runtime/, lb/ or a front is a violation; the blob store is not', () => {
    const rule = ruleNamed('services never import');
    assert.deepEqual(
      crossings('src/services/ecs/tasks2.ts', '../../controllers/task-lifecycle.js', '../../runtime/driver.js', '../../lb/index.js',
        '../../gateway/dispatch.js', '../../metadata/server.js', '../../registry/http/handler.js', '../../app.js', '../../registry/blobs.js', '../../shared/arns.js'),
      ['../../controllers/task-lifecycle.js', '../../runtime/driver.js', '../../lb/index.js', '../../gateway/dispatch.js',
        '../../metadata/server.js', '../../registry/http/handler.js', '../../app.js'].map((s) => `${s} (${rule})`),
    );
  });

  it("outside a service only its doors: another service's or a controller's import of an internal file is a violation", () => {
    const rule = ruleNamed('outside services/<svc>/ only its doors');
    assert.deepEqual(crossings('src/services/ecs/tasks2.ts', '../ec2/vpcs.js', '../ec2/store.js', './tasks.js', './store/tasks.js'), [
      `../ec2/vpcs.js (${rule})`,
    ]);
    assert.deepEqual(
      crossings('src/controllers/x.ts', '../services/ecs/tasks.js', '../services/ecs/store/tasks.js', '../services/ecs/errors.js',
        '../services/ecs/index.js', '../services/ecs/store/index.js', '../services/ec2/store.js'),
      [`../services/ecs/tasks.js (${rule})`, `../services/ecs/store/tasks.js (${rule})`, `../services/ecs/errors.js (${rule})`],
    );
  });

  it("a service's provider.ts is the gateway's and its descriptor's only", () => {
    const rule = ruleNamed("a service's provider.ts");
    assert.deepEqual(crossings('src/controllers/x.ts', '../services/ecs/provider.js'), [`../services/ecs/provider.js (${rule})`]);
    assert.deepEqual(crossings('src/services/ec2/x.ts', '../ecs/provider.js'), [`../ecs/provider.js (${rule})`]);
    assert.deepEqual(crossings('src/gateway/s3-2.ts', '../services/s3/provider.js'), []);
    assert.deepEqual(broken({ ...TARGETS, 'src/services/ecs/descriptor.ts': "const p = () => import('./provider.js');" }), []);
  });

  it('a descriptor imports its service only by import()', () => {
    const rule = ruleNamed('a descriptor is data');
    assert.deepEqual(broken({
      ...TARGETS,
      'src/services/ecs/descriptor.ts': [
        "import { defineService } from '../service-descriptor.js';",
        "import type { Migration } from '../../state/migrations.js';",
        "import { provider } from './provider.js';",
        "const lazy = () => import('./provider.js');",
      ].join('\n'),
    }), [`src/services/ecs/descriptor.ts → ./provider.js (${rule})`]);
  });

  it('the wiring list is read by the catalogue, state/ and the provider loader; the loader by the gateway and app.ts', () => {
    const rule = ruleNamed('services/ itself');
    assert.deepEqual(crossings('src/controllers/x.ts', '../services/index.js', '../services/descriptors.js', '../services/providers.js', '../services/provider.js'), [
      `../services/index.js (${rule})`, `../services/descriptors.js (${rule})`, `../services/providers.js (${rule})`,
    ]);
    assert.deepEqual(crossings('src/state/reset2.ts', '../services/index.js'), []);
    assert.deepEqual(crossings('src/gateway/x.ts', '../services/providers.js'), []);
    assert.deepEqual(crossings('src/services/helpers.ts', './index.js'), [`./index.js (${rule})`]);
  });

  it('a controller importing gateway/ or protocol/ is a violation; AwsError is not', () => {
    const rule = ruleNamed('controllers never import');
    const wire = ruleNamed('wire formatting');
    assert.deepEqual(crossings('src/controllers/x.ts', '../gateway/dispatch.js', '../protocol/model.js', '../protocol/errors.js'), [
      `../gateway/dispatch.js (${rule})`, `../protocol/model.js (${rule})`,
    ]);
    assert.deepEqual(crossings('src/controllers/x.ts', '../protocol/xml.js'), [`../protocol/xml.js (${rule})`, `../protocol/xml.js (${wire})`]);
  });

  it('the runtime importing a service, a controller or state is a violation', () => {
    const rule = ruleNamed('runtime never imports');
    assert.deepEqual(
      crossings('src/runtime/docker/x.ts', '../../services/ecs/index.js', '../../controllers/task-lifecycle.js', '../../state/db.js', '../driver.js', '../../shared/arns.js'),
      [`../../services/ecs/index.js (${rule})`, `../../controllers/task-lifecycle.js (${rule})`, `../../state/db.js (${rule})`],
    );
  });

  it("the console importing a controller, the runtime, the data plane or the gateway is a violation; services' doors and state are not", () => {
    const rule = ruleNamed('console reads');
    const doors = ruleNamed('outside services/<svc>/ only its doors');
    assert.deepEqual(
      crossings('src/console/x.ts', '../controllers/task-lifecycle.js', '../runtime/driver.js', '../lb/index.js', '../gateway/dispatch.js',
        '../registry/index.js', '../services/ecs/store/index.js', '../services/ecs/store/tasks.js', '../state/db.js', '../shared/arns.js'),
      [`../controllers/task-lifecycle.js (${rule})`, `../runtime/driver.js (${rule})`, `../lb/index.js (${rule})`, `../gateway/dispatch.js (${rule})`,
        `../registry/index.js (${rule})`, `../services/ecs/store/tasks.js (${doors})`],
    );
  });

  it("only protocol/ and gateway/ import protocol/'s codecs; its errors, models and catalogue are open", () => {
    const rule = ruleNamed('wire formatting');
    assert.deepEqual(crossings('src/services/ecs/x.ts', '../../protocol/aws-json.js', '../../protocol/rpc-v2-cbor.js', '../../protocol/errors.js', '../../protocol/model.js'), [
      `../../protocol/aws-json.js (${rule})`, `../../protocol/rpc-v2-cbor.js (${rule})`,
    ]);
    assert.deepEqual(crossings('src/registry/http/respond2.ts', '../../protocol/xml.js'), [`../../protocol/xml.js (${rule})`]);
    assert.deepEqual(crossings('src/gateway/x.ts', '../protocol/aws-json.js', '../protocol/xml.js'), []);
    assert.deepEqual(crossings('src/protocol/x.ts', './aws-json.js'), []);
  });

  it('type-only and lazy imports cross a door as much as any', () => {
    const doors = ruleNamed('outside services/<svc>/ only its doors');
    assert.deepEqual(broken({ ...TARGETS, 'src/lb/x.ts': "import type { T } from '../services/ecs/tasks.js';\nconst l = () => import('../services/ec2/vpcs.js');" }), [
      `src/lb/x.ts → ../services/ecs/tasks.js (${doors})`, `src/lb/x.ts → ../services/ec2/vpcs.js (${doors})`,
    ]);
  });

  it("the crossings issue 14 found would fail", () => {
    const files = {
      ...TARGETS,
      'src/services/sts/sessions.ts': '',
      'src/services/ecs/task-store.ts': '',
      'src/services/ecs/engine-routing.ts': '',
      'src/gateway/identity.ts': "import { findSession } from '../services/sts/sessions.js';",
      'src/services/ecs/lb-target-resolver.ts': "import type { TargetResolver } from '../../lb/index.js';",
      'src/controllers/service-scheduler.ts': "import { loadTask } from '../services/ecs/task-store.js';",
      'src/runtime/multi/driver.ts': "import { engineForTask } from '../../services/ecs/engine-routing.js';",
      'src/controllers/ecr-image-scan.ts': "import { scanImage } from '../services/ecr/scanner/index.js';",
      'src/services/ecr/scanner/index.ts': '',
    };
    assert.deepEqual(broken(files).map((v) => v.replace(/ \(.*/, '')), [
      'src/gateway/identity.ts → ../services/sts/sessions.js',
      'src/services/ecs/lb-target-resolver.ts → ../../lb/index.js',
      'src/controllers/service-scheduler.ts → ../services/ecs/task-store.js',
      'src/runtime/multi/driver.ts → ../../services/ecs/engine-routing.js',
      'src/runtime/multi/driver.ts → ../../services/ecs/engine-routing.js',
      'src/controllers/ecr-image-scan.ts → ../services/ecr/scanner/index.js',
    ]);
  });

  it('every rule has a synthetic crossing above', () => {
    // The names the tests above look up, in RULES order: a new rule needs its own test.
    const tested = ['services never import', 'outside services/<svc>/ only its doors', "a service's provider.ts", 'a descriptor is data',
      'services/ itself', 'controllers never import', 'runtime never imports', 'console reads', 'wire formatting'];
    assert.deepEqual(RULES.map((r) => tested.find((t) => r.name.startsWith(t))), tested);
  });

  it('an import path from the runtime into a service is found through any file between', () => {
    const files = Object.entries({
      'src/runtime/docker/driver.ts': "import { x } from '../../shared/helper.js';",
      'src/shared/helper.ts': "export { y } from '../services/ecs/index.js';",
      'src/services/ecs/index.ts': '',
      'src/services/ecs/tasks.ts': "import { d } from '../../runtime/docker/driver.js';",
    }).map(([path, text]) => ({ path, text }));
    assert.deepEqual(importPath(files, underDir('src/runtime'), underDir('src/services')), [
      'src/runtime/docker/driver.ts', 'src/shared/helper.ts', 'src/services/ecs/index.ts',
    ]);
    assert.equal(importPath(files.slice(0, 1), underDir('src/runtime'), underDir('src/services')), null);
  });
});
