/**
 * The ECR workflow with the real podman CLI (push and pull run no
 * container, so no runtime or cgroup setup is needed): get-login-password |
 * podman login, podman push in OCI and Docker schema 2 formats,
 * DescribeImages, podman pull after the image was removed, the errors podman
 * prints for a missing repository and an immutable tag, and a push that
 * creates its repository through a CREATE_ON_PUSH creation template.
 * Podman runs with its own storage and auth file under a temp dir; Berth is
 * plain HTTP on 127.0.0.1, hence --tls-verify=false.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand, CreateRepositoryCreationTemplateCommand, DescribeImagesCommand, DescribeRepositoriesCommand,
  ECRClient, GetAuthorizationTokenCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable } from '../helpers/cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';

function podmanMissing(): string | undefined {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'podman is not installed (apt-get install podman): the podman e2e tests are skipped';
  }
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
  } catch {
    return 'docker is not available to provide the offline base image: the podman e2e tests are skipped';
  }
  return undefined;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('ECR with the podman CLI', { skip: podmanMissing() }, () => {
  let dir: string;
  let host: string;
  let uri: string;
  let frozenUri: string;
  const base = 'localhost/berth-test/busybox:2';

  /** podman with this test's own storage, run dir and auth file; `input` goes to stdin. */
  const podman = (args: string[], input?: string): Promise<Run> => new Promise((resolve) => {
    const global = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp')];
    const child = execFile('podman', [...global, ...args], { env: { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'auth.json') }, timeout: 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    child.stdin!.end(input ?? '');
  });
  const ok = async (args: string[], input?: string) => {
    const r = await podman(args, input);
    assert.equal(r.code, 0, `podman ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  /** An image of busybox plus a layer of random bytes (COPY: podman build runs no container for it). */
  async function build(tag: string) {
    const ctx = join(dir, `ctx-${randomBytes(3).toString('hex')}`);
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'random.bin'), randomBytes(300 * 1024));
    writeFileSync(join(ctx, 'Containerfile'), `FROM ${base}\nCOPY random.bin /random.bin\n`);
    await ok(['build', '-q', '-t', tag, ctx]);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-podman-e2e-'));
  });
  const berth = useBerth({ runtime: 'fake', clients: { ecr: ECRClient } });
  before(async () => {
    host = new URL(berth.endpoint).host;
    uri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'pod/web' }))).repository!.repositoryUri!;
    frozenUri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'pod/frozen', imageTagMutability: 'IMMUTABLE' }))).repository!.repositoryUri!;
    await new Promise<void>((resolve, reject) => execFile('sh', ['-c', `docker save "$1" | podman --root "$2/root" --runroot "$2/run" --tmpdir "$2/tmp" load`, 'sh', ensureBusyboxImage(), dir],
      { timeout: 120_000 }, (err) => (err ? reject(err) : resolve())));
    await build('localhost/pod/app:1');
    await build('localhost/pod/app:2');
  });

  after(async () => {
    if (dir) {
      await podman(['rmi', '--all', '--force']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('podman login takes the password from get-login-password, and refuses a wrong one', async () => {
    const password = cliAvailable('v2')
      ? (await aws('v2', berth.endpoint, ['ecr', 'get-login-password'])).stdout.trim()
      : Buffer.from((await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!, 'base64').toString().slice(4);
    const bad = await podman(['login', '--tls-verify=false', '--username', 'AWS', '--password-stdin', host], `${password}x`);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /401|unauthorized|invalid username\/password/i);
    assert.match(await ok(['login', '--tls-verify=false', '--username', 'AWS', '--password-stdin', host], password), /Login Succeeded/);
  });

  it('podman push stores OCI and Docker schema 2 images that DescribeImages reports with their media types', async () => {
    await ok(['push', '--tls-verify=false', '--format', 'oci', 'localhost/pod/app:1', `${uri}:oci`]);
    await ok(['push', '--tls-verify=false', '--format', 'v2s2', 'localhost/pod/app:1', `${uri}:v2s2`]);
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'pod/web' }));
    const byTag = new Map(imageDetails!.map((d) => [d.imageTags![0], d]));
    assert.equal(byTag.get('oci')!.imageManifestMediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(byTag.get('oci')!.artifactMediaType, 'application/vnd.oci.image.config.v1+json');
    assert.equal(byTag.get('v2s2')!.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.ok(byTag.get('oci')!.imageSizeInBytes! > 300 * 1024);
  });

  it('podman pull brings the image back after it was removed locally', async () => {
    const id = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'localhost/pod/app:1'])).trim();
    await ok(['rmi', '--force', 'localhost/pod/app:1', `${uri}:oci`, `${uri}:v2s2`]).catch(() => undefined);
    await podman(['rmi', '--force', id]);
    await ok(['pull', '--tls-verify=false', `${uri}:oci`]);
    assert.equal((await ok(['image', 'inspect', '--format', '{{.Id}}', `${uri}:oci`])).trim(), id);
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'pod/web', imageIds: [{ imageTag: 'oci' }] }));
    assert.ok(imageDetails![0].lastRecordedPullTime instanceof Date);
  });

  it('a push to a missing repository fails with ECR\'s message; with a CREATE_ON_PUSH template it creates the repository', async () => {
    const missing = `${host}/000000000000/us-east-1/pod-new/api:1`;
    const refused = await podman(['push', '--tls-verify=false', 'localhost/pod/app:2', missing]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /name unknown: The repository with name 'pod-new\/api' does not exist in the registry with id '000000000000'/);

    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({
      prefix: 'pod-new', appliedFor: ['CREATE_ON_PUSH'], imageTagMutability: 'IMMUTABLE', resourceTags: [{ Key: 'made-by', Value: 'push' }],
    }));
    await ok(['push', '--tls-verify=false', 'localhost/pod/app:2', missing]);
    const repo = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['pod-new/api'] }))).repositories![0];
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual((await berth.ecr.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags, [{ Key: 'made-by', Value: 'push' }]);
    assert.equal((await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'pod-new/api' }))).imageDetails!.length, 1);
  });

  it('pushing another image to an existing tag of an immutable repository fails with ECR\'s message', async () => {
    await ok(['push', '--tls-verify=false', 'localhost/pod/app:2', `${frozenUri}:1`]);
    await ok(['pull', '--tls-verify=false', `${uri}:oci`]);
    const again = await podman(['push', '--tls-verify=false', `${uri}:oci`, `${frozenUri}:1`]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /The image tag '1' already exists in the 'pod\/frozen' repository and cannot be overwritten because the repository is immutable/);
  });
});
