/**
 * What `berth up` loads before its ready line stays what answering the first request needs (issue 14: "no slower").
 * Node's ESM loader costs about a millisecond per module on the CI machine, and the front doors made it easy to pull
 * a whole service in through one import (app.ts importing ECS's door loaded ECS's operations and EC2's network:
 * 239 modules before the ready line instead of 150). Services' operations load on their first request (descriptor →
 * provider), controllers and state control right after the ready line, the registry's /v2/ surface and S3's
 * streaming handler on their first request.
 *
 * The files are found as dependencies.test.ts finds them: the static, non-type imports of the files below, which
 * Berth imports before it prints the ready line (dynamic imports elsewhere run later, on first use).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { edgesOf, type SourceFile } from './dependencies.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** bin/berth.js imports cli/main.ts; `up` imports app.ts, which imports the Docker runtime (the default) before listening. */
const BEFORE_READY: readonly [importer: string, file: string][] = [
  ['src/cli/main.ts', 'src/app.ts'],
  ['src/app.ts', 'src/runtime/docker/driver.ts'],
  ['src/app.ts', 'src/runtime/docker/engine-client.ts'],
  ['src/app.ts', 'src/runtime/multi/driver.ts'],
];

/** Loaded after the ready line or on first use: none of these may be among what the ready line waits for. */
const LATER: readonly [test: (path: string) => boolean, what: string][] = [
  [(p) => p.startsWith('src/controllers/'), 'controllers (loaded right after the ready line)'],
  [(p) => p === 'src/state-control.ts', 'state control (reset, snapshots: after the ready line)'],
  [(p) => /^src\/services\/[^/]+\/provider\.ts$/.test(p), "a service's operations (its descriptor loads them on its first request)"],
  [(p) => p === 'src/gateway/s3.ts', "S3's streaming handler (S3's first request)"],
  [(p) => p.startsWith('src/registry/http/') || p === 'src/registry/pull-through.ts', "the registry's /v2/ surface (its first request)"],
  [(p) => p.startsWith('src/services/ecr/scanner/'), "ECR's image scanner (the first scan)"],
  [(p) => p.startsWith('src/console/'), 'the console (its first request to /_berth/api/ or /_berth/ui/)'],
  [(p) => p === 'src/services/ecs/index.ts' || p === 'src/services/ec2/index.ts', "ECS's task rules and EC2's network (the controllers' and operations' doors; app.ts and metadata/ use ECS's store)"],
];

/**
 * Non-descriptor source files loaded before the ready line: 137 when this test was written (150 modules in all
 * before the restructuring, 239 at its end). A service's descriptor does not count (each service adds one); raise
 * this only for something the first request needs, and say why in the commit.
 */
// 148: the load balancer resolves EKS pod targets (Services of type LoadBalancer) from its first request, as ECS tasks.
// 149: HTTPS and TLS listeners read the ClientHello's server name (lb/client-hello.ts) to pick the certificate.
const BUDGET = 149;

function sourceFiles(): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  return walk('src')
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.endsWith('.test.ts') && !p.includes('/test-support/'))
    .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
}

/** Every file reached from `start` by static imports that run (type-only ones are erased, import() waits for its call). */
function loadedWith(files: readonly SourceFile[], start: readonly string[]): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const e of edgesOf(files)) {
    if (e.to === null || e.typeOnly || e.dynamic) continue;
    (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  }
  const via = new Map<string, string>(start.map((s) => [s, '']));
  const queue = [...start];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const to of out.get(at) ?? []) {
      if (via.has(to)) continue;
      via.set(to, at);
      queue.push(to);
    }
  }
  return via;
}

const chain = (via: Map<string, string>, file: string) => {
  const path = [file];
  for (let p = via.get(file); p; p = via.get(p)) path.unshift(p);
  return path.join(' → ');
};

describe('berth up loads what its first request needs before the ready line', () => {
  const files = sourceFiles();
  const edges = edgesOf(files);
  const loaded = loadedWith(files, ['src/cli/main.ts', ...BEFORE_READY.map(([, file]) => file)]);

  it('the files it starts from are the ones main.ts and app.ts import before the ready line', () => {
    for (const [importer, file] of BEFORE_READY) {
      assert.ok(edges.some((e) => e.from === importer && e.to === file), `${importer} no longer imports ${file}: update BEFORE_READY`);
    }
  });

  it('no controller, operation, scanner or first-use surface is among them', () => {
    const early = [...loaded.keys()].flatMap((p) => LATER.filter(([test]) => test(p)).map(([, what]) => `${chain(loaded, p)}\n    (${what})`));
    assert.deepEqual(early, [], `loaded before the ready line, but needed only later:\n  ${early.join('\n  ')}`);
  });

  it(`at most ${BUDGET} source files besides the descriptors`, () => {
    const counted = [...loaded.keys()].filter((p) => !/^src\/services\/[^/]+\/descriptor\.ts$/.test(p));
    assert.ok(counted.length <= BUDGET, `${counted.length} files before the ready line:\n  ${counted.sort().join('\n  ')}`);
  });
});
