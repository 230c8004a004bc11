/**
 * An offline test image with Node.js and an unmodified AWS SDK (v3, STS): the
 * host's own `node` binary and the shared libraries it links, on the busybox
 * test image, plus `/sdk/caller-identity.mjs`, a bundle (esbuild, from this
 * repository's node_modules) of a script that prints GetCallerIdentity as the
 * SDK's default credential chain and endpoint settings make it. Built once per
 * content (the tag carries a hash).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from './berth.js';
import { ensureBusyboxImage } from './images.js';

const SCRIPT = `
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
const out = await new STSClient({}).send(new GetCallerIdentityCommand({}));
console.log(JSON.stringify({ UserId: out.UserId, Account: out.Account, Arn: out.Arn }));
`;

export function ensureAwsSdkImage(): string {
  const base = ensureBusyboxImage();
  const dir = mkdtempSync(join(tmpdir(), 'berth-sdk-image-'));
  try {
    writeFileSync(join(dir, 'entry.mjs'), SCRIPT);
    buildSync({
      entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'caller-identity.mjs'),
      nodePaths: [join(REPO_ROOT, 'node_modules')], logLevel: 'error',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    const node = process.execPath;
    const hash = createHash('sha256').update(readFileSync(join(dir, 'caller-identity.mjs'))).update(process.version).update(base).digest('hex').slice(0, 12);
    const tag = `berth-test/aws-sdk-node:${hash}`;
    try {
      execFileSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' });
      return tag;
    } catch { /* build it */ }
    const libs = execFileSync('ldd', [node], { encoding: 'utf8' }).match(/\/lib[^\s]*/g) ?? [];
    for (const lib of libs) {
      mkdirSync(join(dir, 'rootfs', dirname(lib)), { recursive: true });
      copyFileSync(lib, join(dir, 'rootfs', lib));
    }
    copyFileSync(node, join(dir, 'node'));
    writeFileSync(join(dir, 'Dockerfile'), [
      `FROM ${base}`, 'COPY rootfs/ /', 'COPY node /bin/node', 'COPY caller-identity.mjs /sdk/caller-identity.mjs', '',
    ].join('\n'));
    execFileSync('docker', ['build', '-q', '-t', tag, dir], { stdio: 'ignore', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
