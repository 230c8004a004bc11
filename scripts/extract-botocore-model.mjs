#!/usr/bin/env node
/**
 * Writes models/services/<service>.json: botocore's model of a service Berth serves before its
 * `@aws-sdk/client-*` package is installed (issue 18: EventBridge, EventBridge Scheduler). Documentation is dropped; every
 * shape, member, trait and constraint is kept as botocore has it. src/protocol/model.ts reads the file
 * only when the service's SDK package cannot be resolved; once it is installed, the package wins.
 *
 *   node scripts/extract-botocore-model.mjs [path/to/botocore/data]
 * Without a path it asks `python3 -c 'import botocore'` where botocore lives.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Berth service id → botocore service directory. */
const SERVICES = { eventbridge: 'events', scheduler: 'scheduler' };
const DROPPED = new Set(['documentation', 'documentationUrl', 'deprecatedMessage', 'examples']);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'models', 'services');

function botocoreDir() {
  if (process.argv[2]) return { data: process.argv[2], version: 'unknown' };
  const out = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__));print(botocore.__version__)'], { encoding: 'utf8' });
  const [dir, version] = out.trim().split('\n');
  return { data: join(dir, 'data'), version };
}

function readModel(data, dir) {
  const version = readdirSync(join(data, dir)).sort().at(-1);
  const base = join(data, dir, version, 'service-2.json');
  const text = existsSync(base) ? readFileSync(base, 'utf8') : gunzipSync(readFileSync(`${base}.gz`)).toString('utf8');
  return { version, model: JSON.parse(text) };
}

const strip = (v) => Array.isArray(v) ? v.map(strip)
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !DROPPED.has(k)).map(([k, x]) => [k, strip(x)])) : v;

const { data, version: botocoreVersion } = botocoreDir();
mkdirSync(outDir, { recursive: true });
for (const [id, dir] of Object.entries(SERVICES)) {
  const { version, model } = readModel(data, dir);
  const out = { source: `botocore ${botocoreVersion} data/${dir}/${version}/service-2.json (Apache-2.0), by scripts/extract-botocore-model.mjs`, ...strip(model) };
  writeFileSync(join(outDir, `${id}.json`), JSON.stringify(out) + '\n');
  console.log(`${id}: ${Object.keys(model.operations).length} operations`);
}
