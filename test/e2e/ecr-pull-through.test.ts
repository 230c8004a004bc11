/**
 * ECR pull through cache end to end: the busybox test image exists only in a
 * local CNCF distribution registry (`docker-registry`, pushed there with
 * skopeo); a pull through cache rule points at it; the real docker CLI pulls
 * `<berth>/<account>/<region>/<prefix>/library/busybox:2` and runs it; the
 * whole image gets cached (also the layers docker already had and never
 * asked for); then, with the upstream stopped, docker pulls it again and
 * skopeo copies it out, both served from Berth's cache with the upstream's
 * digest.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchCheckLayerAvailabilityCommand, BatchGetImageCommand, CreatePullThroughCacheRuleCommand, DescribeImagesCommand,
  DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../helpers/use-berth.js';
import { distributionAvailable, startDistribution, type Distribution } from '../helpers/distribution.js';
import { ensureBusyboxImage } from '../helpers/images.js';

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const configDir = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
/** docker with a private config dir, so logins never touch the user's. */
const docker = (args: string[], input?: string) => run('docker', args, { DOCKER_CONFIG: configDir }, input);

async function ok(cmd: 'docker' | 'skopeo', args: string[], input?: string): Promise<string> {
  const r = cmd === 'docker' ? await docker(args, input) : await run('skopeo', args);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const available = await Promise.all(['docker info', 'skopeo --version'].map((c) => new Promise<boolean>((resolve) => {
  const [bin, ...args] = c.split(' ');
  execFile(bin, args, (err) => resolve(!err));
})));
const skip = !available[0] ? 'docker is not available' : !available[1] ? 'skopeo is not installed'
  : !distributionAvailable() ? 'docker-registry is not installed' : false;

describe('ECR pull through cache with docker and skopeo', { skip }, () => {
  let upstream: Distribution;
  let creds: string;
  let ref: string;
  let upstreamDigest: string;
  const work = mkdtempSync(join(tmpdir(), 'berth-pull-through-'));

  after(async () => {
    if (ref) await docker(['rmi', '-f', ref]);
  });
  const berth = useBerth({ runtime: 'fake', clients: { ecr: ECRClient } });
  before(async () => {
    const busybox = ensureBusyboxImage();
    upstream = await startDistribution();
    await ok('skopeo', ['copy', '--dest-tls-verify=false', '--dest-no-creds', `docker-daemon:${busybox}`, `docker://${upstream.host}/library/busybox:2`]);
    const raw = await ok('skopeo', ['inspect', '--tls-verify=false', '--no-creds', `docker://${upstream.host}/library/busybox:2`]);
    upstreamDigest = (JSON.parse(raw) as { Digest: string }).Digest;

    // A loopback host:port is a local upstream (Berth's extension to ECR's list of upstream registries).
    await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: upstream.host }));
    const auth = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    creds = Buffer.from(auth.authorizationToken!, 'base64').toString('utf8');
    await ok('docker', ['login', '--username', 'AWS', '--password-stdin', auth.proxyEndpoint!], creds.slice(4));
    ref = `${new URL(berth.endpoint).host}/000000000000/us-east-1/hub/library/busybox:2`;
  });

  after(async () => {
    await upstream?.destroy();
    rmSync(work, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  });

  it('docker pull of <prefix>/library/busybox:2 fetches it from the upstream on first use, and it runs', async () => {
    await docker(['rmi', '-f', ref]);
    const out = await ok('docker', ['pull', ref]);
    assert.match(out, new RegExp(`Digest: ${upstreamDigest}`));
    assert.equal((await ok('docker', ['run', '--rm', ref, 'echo', 'pulled-through'])).trim(), 'pulled-through');
    const { repositories } = await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['hub/library/busybox'] }));
    assert.equal(repositories![0].repositoryName, 'hub/library/busybox');
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'hub/library/busybox' }));
    assert.equal(imageDetails![0].imageDigest, upstreamDigest);
    assert.deepEqual(imageDetails![0].imageTags, ['2']);
  });

  it('the whole image is cached, also the layers the docker engine already had and never asked for', async () => {
    const { images } = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'hub/library/busybox', imageIds: [{ imageTag: '2' }] }));
    const manifest = JSON.parse(images![0].imageManifest!) as { config: { digest: string }; layers: { digest: string }[] };
    const layerDigests = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { layers } = await berth.ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'hub/library/busybox', layerDigests }));
      if (layers!.every((l) => l.layerAvailability === 'AVAILABLE')) break;
      assert.ok(Date.now() < deadline, `layers not cached: ${JSON.stringify(layers)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('with the upstream stopped, docker pull and skopeo copy are served from the cache', async () => {
    await upstream.stop();
    await ok('docker', ['rmi', '-f', ref]);
    const out = await ok('docker', ['pull', ref]);
    assert.match(out, new RegExp(`Digest: ${upstreamDigest}`));
    assert.equal((await ok('docker', ['run', '--rm', ref, 'echo', 'from-cache'])).trim(), 'from-cache');

    // A dir: destination keeps the manifest byte for byte (an OCI layout would convert docker schema 2).
    const dir = join(work, 'copy');
    await ok('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${ref}`, `dir:${dir}`]);
    assert.equal(`sha256:${createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex')}`, upstreamDigest);
  });
});
