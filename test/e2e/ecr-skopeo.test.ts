/**
 * ECR with skopeo (containers/image): copies between Berth and OCI layout
 * directories keep every digest, a streamed multi-MiB layer goes through the
 * upload path, and a multi-arch OCI index built by hand is pushed with --all,
 * read back per platform, and copied back whole.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { tar } from '../../src/shared/tar.js';
import { useBerth } from '../helpers/use-berth.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Run { code: number; stdout: string; stderr: string }
function skopeo(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('skopeo', args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
async function ok(args: string[]): Promise<string> {
  const r = await skopeo(args);
  assert.equal(r.code, 0, `skopeo ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

/** Writes OCI layouts by hand: blobs by digest, index.json naming refs. */
class Layout {
  readonly refs: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] = [];
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }
  blob(bytes: Buffer): { digest: string; size: number } {
    const digest = sha256(bytes);
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  }
  /** An image with one gzip'd tar layer holding `files`. */
  image(arch: string, files: Record<string, Buffer>): { mediaType: string; digest: string; size: number; body: Buffer } {
    const rawTar = tar(Object.entries(files).map(([name, data]) => ({ name, data })));
    const layer = this.blob(gzipSync(rawTar, { level: 1 }));
    const config = this.blob(Buffer.from(JSON.stringify({
      architecture: arch, os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [sha256(rawTar)] },
    })));
    const body = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }));
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...this.blob(body), body };
  }
  index(children: { mediaType: string; digest: string; size: number; arch: string }[]) {
    const body = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, platform: { architecture: c.arch, os: 'linux' } })),
    }));
    return { mediaType: 'application/vnd.oci.image.index.v1+json', ...this.blob(body), body };
  }
  tag(name: string, desc: { mediaType: string; digest: string; size: number }) {
    this.refs.push({ mediaType: desc.mediaType, digest: desc.digest, size: desc.size, annotations: { 'org.opencontainers.image.ref.name': name } });
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: this.refs }));
  }
}

/** The digest index.json of a layout gives for a ref. */
function refDigest(dir: string, name: string): string {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  return index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === name)!.digest;
}

const skopeoAvailable = await new Promise<boolean>((resolve) => execFile('skopeo', ['--version'], (err) => resolve(!err)));

describe('ECR with skopeo', { skip: !skopeoAvailable && 'skopeo is not installed' }, () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecr: ECRClient } });
  let creds: string;
  let appUri: string;
  let multiUri: string;
  const work = mkdtempSync(join(tmpdir(), 'berth-skopeo-'));
  const src = new Layout(join(work, 'src'));
  let app: ReturnType<Layout['image']>;
  let amd: ReturnType<Layout['image']>;
  let arm: ReturnType<Layout['image']>;
  let index: ReturnType<Layout['index']>;

  before(async () => {
    appUri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'sko/app' }))).repository!.repositoryUri!;
    multiUri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'sko/multi' }))).repository!.repositoryUri!;
    const token = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    creds = Buffer.from(token, 'base64').toString('utf8');
    // 12 MiB of incompressible data: a layer big enough to stream in several TCP chunks.
    app = src.image('amd64', { 'app/data.bin': randomBytes(12 * 1024 * 1024), 'app/hello.txt': Buffer.from('hello\n') });
    src.tag('v1', app);
    amd = src.image('amd64', { 'arch.txt': Buffer.from('amd64\n') });
    arm = src.image('arm64', { 'arch.txt': Buffer.from('arm64\n') });
    index = src.index([{ ...amd, arch: 'amd64' }, { ...arm, arch: 'arm64' }]);
    src.tag('multi', index);
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  it('an image copied from an OCI layout to Berth and back keeps its manifest digest and layer bytes', async () => {
    await ok(['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${src.dir}:v1`, `docker://${appUri}:v1`]);
    const raw = await ok(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${appUri}:v1`]);
    assert.equal(sha256(Buffer.from(raw)), app.digest);

    const back = join(work, 'back');
    await ok(['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${appUri}:v1`, `oci:${back}:v1`]);
    assert.equal(refDigest(back, 'v1'), app.digest);
    const manifest = JSON.parse(app.body.toString()) as { layers: { digest: string }[] };
    const layer = manifest.layers[0].digest.slice(7);
    assert.ok(readFileSync(join(back, 'blobs', 'sha256', layer)).equals(readFileSync(join(src.dir, 'blobs', 'sha256', layer))));
  });

  it('a re-copy of an unchanged image under a new tag finds every blob present and takes well under a second', async () => {
    const started = Date.now();
    await ok(['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${src.dir}:v1`, `docker://${appUri}:v1-again`]);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `re-push took ${elapsed} ms`);
    const raw = await ok(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${appUri}:v1-again`]);
    assert.equal(sha256(Buffer.from(raw)), app.digest);
  });

  it('a multi-arch OCI index pushed with --all is stored whole and served per platform', async () => {
    await ok(['copy', '--all', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${src.dir}:multi`, `docker://${multiUri}:1`]);
    const raw = await ok(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${multiUri}:1`]);
    assert.equal(sha256(Buffer.from(raw)), index.digest);
    for (const [arch, child] of [['arm64', arm], ['amd64', amd]] as const) {
      const info = JSON.parse(await ok(['inspect', '--override-arch', arch, '--override-os', 'linux', '--tls-verify=false', '--creds', creds, `docker://${multiUri}:1`])) as { Architecture: string; Digest: string };
      assert.equal(info.Architecture, arch);
      assert.equal(info.Digest, index.digest);
      const childRaw = await ok(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${multiUri}@${child.digest}`]);
      assert.equal(sha256(Buffer.from(childRaw)), child.digest);
    }

    // As in ECR, the index is the tagged image and its platform images are untagged ones.
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'sko/multi' }));
    const byDigest = new Map(imageDetails!.map((d) => [d.imageDigest, d]));
    assert.deepEqual(byDigest.get(index.digest)!.imageTags, ['1']);
    assert.equal(byDigest.get(index.digest)!.imageManifestMediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(byDigest.get(amd.digest)!.imageTags, undefined);
    assert.equal(byDigest.get(arm.digest)!.imageTags, undefined);
  });

  it('a multi-arch index copied back with --all keeps the index and both platform images', async () => {
    const back = join(work, 'multi-back');
    await ok(['copy', '--all', '--src-tls-verify=false', '--src-creds', creds, `docker://${multiUri}:1`, `oci:${back}:1`]);
    assert.equal(refDigest(back, '1'), index.digest);
    for (const child of [amd, arm]) {
      assert.ok(readFileSync(join(back, 'blobs', 'sha256', child.digest.slice(7))).equals(child.body));
    }
  });

  it('skopeo without credentials is refused', async () => {
    const out = await skopeo(['inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${appUri}:v1`]);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /unauthorized|authentication required|Not Authorized/i);
  });
});
