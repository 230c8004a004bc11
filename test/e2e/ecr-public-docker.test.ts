/**
 * ECR Public with the real docker CLI and awscli v2, as a user types it: an anonymous push is refused, `aws
 * ecr-public get-login-password | docker login` to the public registry, docker push, describe-repositories and
 * describe-images through the CLI, then `docker pull` from a docker with no credentials at all (a separate, empty
 * DOCKER_CONFIG). Images are built offline from busybox.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRPUBLICClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr-public';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable } from '../helpers/cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { dockerCli } from '../helpers/docker-cli.js';

const pusher = dockerCli();
const anonymous = dockerCli();

const dockerAvailable = await new Promise<boolean>((resolve) => execFile('docker', ['info'], (err) => resolve(!err)));

describe('ECR Public with the docker CLI', { skip: !dockerAvailable && 'docker is not available' }, () => {
  const run = Math.random().toString(36).slice(2, 8);
  const local = `berth-test/ecr-public-e2e:${run}`;
  let uri: string;
  let image: string;

  after(async () => {
    for (const ref of [local, image]) if (ref) await pusher.docker(['rmi', '-f', ref]);
    rmSync(pusher.configDir, { recursive: true, force: true });
    rmSync(anonymous.configDir, { recursive: true, force: true });
  });
  const berth = useBerth({ runtime: 'fake', clients: { pub: ECRPUBLICClient } });
  before(async () => {
    uri = (await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }))).repository!.repositoryUri!;
    image = `${uri}:${run}`;
    const ctx = mkdtempSync(join(tmpdir(), 'berth-ecr-public-build-'));
    try {
      writeFileSync(join(ctx, 'Dockerfile'), [`FROM ${ensureBusyboxImage()}`, `RUN echo ${run} > /marker.txt`, ''].join('\n'));
      await pusher.ok(['build', '-q', '-t', local, ctx]);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    await pusher.ok(['tag', local, image]);
  });

  it('an anonymous docker push is refused: denied: requested access to the resource is denied', async () => {
    const r = await pusher.docker(['push', image]);
    assert.notEqual(r.code, 0);
    // The registry answers 401 UNAUTHORIZED (insufficient_scope); docker reports a refused push this way.
    assert.match(r.stderr, /denied: requested access to the resource is denied/);
  });

  it('docker login with ecr-public get-login-password, then docker push; the CLI describes what was pushed', async () => {
    const host = uri.split('/')[0];
    const password = cliAvailable('v2')
      ? (await aws('v2', berth.endpoint, ['ecr-public', 'get-login-password', '--region', 'us-east-1'])).stdout.trim()
      : Buffer.from((await berth.pub.send(new GetAuthorizationTokenCommand({}))).authorizationData!.authorizationToken!, 'base64').toString().slice(4);
    const bad = await pusher.docker(['login', '--username', 'AWS', '--password-stdin', host], `${password}x`);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /401|unauthorized/i);
    await pusher.ok(['login', '--username', 'AWS', '--password-stdin', host], password);
    await pusher.ok(['push', image]);

    const described = (await berth.pub.send(new DescribeImagesCommand({ repositoryName: 'team/web' }))).imageDetails!;
    assert.deepEqual(described.map((d) => d.imageTags), [[run]]);
    if (cliAvailable('v2')) {
      const repos = await aws('v2', berth.endpoint, ['ecr-public', 'describe-repositories', '--region', 'us-east-1']);
      assert.equal(repos.code, 0, repos.stderr);
      assert.deepEqual(repos.json.repositories.map((r: { repositoryUri: string }) => r.repositoryUri), [uri]);
      const images = await aws('v2', berth.endpoint, ['ecr-public', 'describe-images', '--repository-name', 'team/web', '--region', 'us-east-1']);
      assert.equal(images.json.imageDetails[0].imageDigest, described[0].imageDigest);
      // Elsewhere the service is not there: the CLI prints the service's refusal.
      const europe = await aws('v2', berth.endpoint, ['ecr-public', 'get-login-password', '--region', 'eu-west-1']);
      assert.notEqual(europe.code, 0);
      assert.match(europe.stderr, /UnsupportedCommandException/);
    }
  });

  it('a docker without any credentials pulls the image', async () => {
    const digest = (await berth.pub.send(new DescribeImagesCommand({ repositoryName: 'team/web' }))).imageDetails![0].imageDigest!;
    // Gone locally, so the pull fetches everything from the registry.
    await pusher.ok(['rmi', '-f', image, local]);
    const r = await anonymous.docker(['pull', image]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Digest: ${digest}`));
    const marker = await anonymous.ok(['run', '--rm', image, 'cat', '/marker.txt']);
    assert.equal(marker.trim(), run);
  });
});
