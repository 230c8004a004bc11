/**
 * The ECR workflow with the real docker CLI, as a user types it:
 * get-login-password | docker login, docker push of a multi-layer image,
 * describe-images, docker pull, the tag-immutability error docker prints, a
 * push to a missing repository (refused, then created by a CREATE_ON_PUSH
 * creation template), and a pull after the image is deleted. Images are built offline from busybox.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchDeleteImageCommand, BatchGetImageCommand, CreateRepositoryCommand, CreateRepositoryCreationTemplateCommand,
  DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable } from '../helpers/cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { dockerCli } from '../helpers/docker-cli.js';

const { configDir, docker, ok } = dockerCli();

/** Builds an image of busybox plus two layers, unique to this run. */
async function buildImage(tag: string, marker: string): Promise<void> {
  const ctx = mkdtempSync(join(tmpdir(), 'berth-ecr-build-'));
  try {
    writeFileSync(join(ctx, 'Dockerfile'), [
      `FROM ${ensureBusyboxImage()}`,
      `RUN echo ${marker} > /marker.txt`,
      'RUN dd if=/dev/urandom of=/random.bin bs=1024 count=256 2>/dev/null',
      '',
    ].join('\n'));
    await ok(['build', '-q', '-t', tag, ctx]);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

const dockerAvailable = await new Promise<boolean>((resolve) => execFile('docker', ['info'], (err) => resolve(!err)));

describe('ECR with the docker CLI', { skip: !dockerAvailable && 'docker is not available' }, () => {
  let webUri: string;
  let frozenUri: string;
  const run = Math.random().toString(36).slice(2, 8);
  const local = `berth-test/ecr-e2e:${run}`;
  const localOther = `berth-test/ecr-e2e:${run}-other`;
  const tagged: string[] = [local, localOther];

  after(async () => {
    // By id too: pushed images keep repo-digest references that outlive their tags.
    const ids = new Set<string>();
    for (const ref of tagged) {
      const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
      if (r.code === 0) ids.add(r.stdout.trim());
    }
    for (const ref of tagged) await docker(['rmi', '-f', ref]);
    for (const id of ids) await docker(['rmi', '-f', id]);
  });
  const berth = useBerth({ runtime: 'fake', clients: { ecr: ECRClient } });
  before(async () => {
    webUri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }))).repository!.repositoryUri!;
    frozenUri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/frozen', imageTagMutability: 'IMMUTABLE' }))).repository!.repositoryUri!;
    await buildImage(local, `one-${run}`);
    await buildImage(localOther, `two-${run}`);
  });

  after(async () => {
    rmSync(configDir, { recursive: true, force: true });
  });

  it('docker login with the password from get-login-password succeeds, and a wrong password fails', async () => {
    const password = cliAvailable('v2')
      ? (await aws('v2', berth.endpoint, ['ecr', 'get-login-password'])).stdout.trim()
      : Buffer.from((await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!, 'base64').toString().slice(4);
    const proxyEndpoint = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].proxyEndpoint!;
    const bad = await docker(['login', '--username', 'AWS', '--password-stdin', proxyEndpoint], `${password}x`);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /401|unauthorized|Not Authorized/i);
    const out = await ok(['login', '--username', 'AWS', '--password-stdin', proxyEndpoint], password);
    assert.match(out, /Login Succeeded/);
  });

  it('docker push of a multi-layer image is described by DescribeImages with ECR sizes and media types', async () => {
    const ref = `${webUri}:1.0`;
    tagged.push(ref);
    await ok(['tag', local, ref]);
    const out = await ok(['push', ref]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(out)![1];

    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' }));
    assert.equal(imageDetails!.length, 1);
    const d = imageDetails![0];
    assert.equal(d.imageDigest, digest);
    assert.deepEqual(d.imageTags, ['1.0']);
    assert.equal(d.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(d.artifactMediaType, 'application/vnd.docker.container.image.v1+json');
    const { images } = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'team/web', imageIds: [{ imageDigest: digest }] }));
    const manifest = JSON.parse(images![0].imageManifest!) as { layers: { size: number }[] };
    assert.ok(manifest.layers.length >= 3, 'busybox layers plus two RUN layers');
    assert.equal(d.imageSizeInBytes, manifest.layers.reduce((n, l) => n + l.size, 0));
    assert.ok(d.imageSizeInBytes! > 256 * 1024);
  });

  it('docker pull brings the same image back after it was removed locally', async () => {
    const ref = `${webUri}:1.0`;
    const id = (await ok(['image', 'inspect', '--format', '{{.Id}}', local])).trim();
    await ok(['rmi', ref]);
    await ok(['rmi', local]);
    const out = await ok(['pull', ref]);
    assert.match(out, /Downloaded newer image|Image is up to date/);
    assert.equal((await ok(['image', 'inspect', '--format', '{{.Id}}', ref])).trim(), id);
    await ok(['tag', ref, local]);
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web', imageIds: [{ imageTag: '1.0' }] }));
    assert.ok(imageDetails![0].lastRecordedPullTime instanceof Date);
  });

  it('pushing a different image to an existing tag of an immutable repository fails with ECR\'s message', async () => {
    const ref = `${frozenUri}:1`;
    tagged.push(ref);
    await ok(['tag', local, ref]);
    await ok(['push', ref]);
    await ok(['tag', localOther, ref]);
    const again = await docker(['push', ref]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr + again.stdout,
      /tag invalid: The image tag '1' already exists in the 'team\/frozen' repository and cannot be overwritten because the repository is immutable\./);
  });

  it('docker push to a missing repository fails with ECR\'s message; a CREATE_ON_PUSH template makes the push create it', async () => {
    const host = new URL(berth.endpoint).host;
    const ref = `${host}/000000000000/us-east-1/auto/api:1`;
    tagged.push(ref);
    await ok(['tag', local, ref]);
    const refused = await docker(['push', ref]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /name unknown: The repository with name 'auto\/api' does not exist in the registry with id '000000000000'/);

    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({
      prefix: 'auto', appliedFor: ['CREATE_ON_PUSH'], imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS' },
    }));
    await ok(['push', ref]);
    const repo = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['auto/api'] }))).repositories![0];
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.equal(repo.encryptionConfiguration!.encryptionType, 'KMS');
    assert.deepEqual((await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'auto/api' }))).imageDetails!.map((d) => d.imageTags), [['1']]);
  });

  it('after BatchDeleteImage docker pull reports the image is not found', async () => {
    await berth.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'team/web', imageIds: [{ imageTag: '1.0' }] }));
    await docker(['rmi', `${webUri}:1.0`]);
    const pull = await docker(['pull', `${webUri}:1.0`]);
    assert.notEqual(pull.code, 0);
    assert.match(pull.stderr, /manifest unknown|not found/i);
  });
});
