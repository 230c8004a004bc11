/**
 * ECR pull through cache through @aws-sdk/client-ecr and the registry API,
 * with CNCF distribution (`docker-registry`) on a loopback port as the
 * upstream: the rule API and its errors; a first pull of <prefix>/<name>
 * fetches from upstream, creates the repository and stores the image; later
 * pulls are served from the cache with the upstream stopped; a Bearer-token
 * upstream gets its token with the rule's Secrets Manager credentials; an
 * offline public upstream fails with a message saying why.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreatePullThroughCacheRuleCommand, CreateRepositoryCommand, DeletePullThroughCacheRuleCommand, DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand, DescribeRepositoriesCommand, ECRClient, UpdatePullThroughCacheRuleCommand,
  ValidatePullThroughCacheRuleCommand,
} from '@aws-sdk/client-ecr';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { distributionAvailable, startDistribution, type Distribution } from '../../helpers/distribution.js';
import { MEDIA, Registry, errorCode, makeImage, makeIndex, registryAuth, sha256 } from '../registry/client.js';

const ACCOUNT = '000000000000';
const wire = (name: string) => `${ACCOUNT}/us-east-1/${name}`;

/** Pushes to distribution (which ignores a monolithic POST ?digest=): POST, then PUT ?digest= with the bytes. */
async function pushUpstream(up: Registry, name: string, image: { config: Buffer; layers: Buffer[]; manifest: string; mediaType: string }, reference: string) {
  for (const blob of [image.config, ...image.layers]) {
    const start = await up.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = new URL(start.headers.get('location')!, up.endpoint);
    location.searchParams.set('digest', sha256(blob));
    const done = await up.fetch(location.toString(), { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(done.status, 201, await done.text());
  }
  const res = await up.putManifest(name, reference, image.manifest, image.mediaType);
  assert.equal(res.status, 201, await res.text());
}

async function secret(endpoint: string, name: string, value: unknown): Promise<string> {
  const sm = new SecretsManagerClient(clientConfig(endpoint));
  return (await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN!;
}

describe('ECR pull through cache rules', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let credentialArn: string;

  before(async () => {
    credentialArn = await secret(berth.endpoint, 'ecr-pullthroughcache/hub', { username: 'u', accessToken: 't' });
  });

  it('CreatePullThroughCacheRule names the upstream registry; DescribePullThroughCacheRules lists the rules', async () => {
    const out = await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' }));
    assert.equal(out.ecrRepositoryPrefix, 'ecr-public');
    assert.equal(out.upstreamRegistry, 'ecr-public');
    assert.equal(out.registryId, ACCOUNT);
    assert.equal(out.upstreamRepositoryPrefix, 'ROOT');
    assert.ok(out.createdAt instanceof Date);
    const hub = await berth.ecr.send(new CreatePullThroughCacheRuleCommand({
      ecrRepositoryPrefix: 'docker-hub', upstreamRegistryUrl: 'registry-1.docker.io', upstreamRegistry: 'docker-hub', credentialArn,
    }));
    assert.equal(hub.credentialArn, credentialArn);
    const { pullThroughCacheRules } = await berth.ecr.send(new DescribePullThroughCacheRulesCommand({}));
    assert.deepEqual(pullThroughCacheRules!.map((r) => [r.ecrRepositoryPrefix, r.upstreamRegistryUrl]), [
      ['ecr-public', 'public.ecr.aws'], ['docker-hub', 'registry-1.docker.io'],
    ]);
    const one = await berth.ecr.send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ['docker-hub'] }));
    assert.equal(one.pullThroughCacheRules!.length, 1);
    const page = await berth.ecr.send(new DescribePullThroughCacheRulesCommand({ maxResults: 1 }));
    assert.equal(page.pullThroughCacheRules!.length, 1);
    assert.ok(page.nextToken);
  });

  it('refuses unsupported upstreams, Docker Hub without credentials, bad prefixes, unknown secrets, duplicates and itself as upstream', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreatePullThroughCacheRuleCommand>[0]>) =>
      berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'x-cache', upstreamRegistryUrl: 'quay.io', ...input }));
    await rejects(create({ upstreamRegistryUrl: 'registry.example.com' }), 'UnsupportedUpstreamRegistryException');
    await rejects(create({ upstreamRegistryUrl: 'registry-1.docker.io' }), 'UnsupportedUpstreamRegistryException', /requires authentication/);
    await rejects(create({ upstreamRegistry: 'docker-hub' }), 'UnsupportedUpstreamRegistryException');
    await rejects(create({ ecrRepositoryPrefix: 'X' }), 'InvalidParameterException', /ecrRepositoryPrefix/);
    await rejects(create({ credentialArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:other/x' }), 'InvalidParameterException', /credentialArn/);
    await rejects(
      create({ credentialArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ecr-pullthroughcache/missing-AbCdEf' }),
      'SecretNotFoundException',
    );
    await rejects(create({ ecrRepositoryPrefix: 'ecr-public' }), 'PullThroughCacheRuleAlreadyExistsException');
    // A registry cannot be its own upstream (every miss would come back to it).
    await rejects(create({ upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com` }), 'InvalidParameterException', /cannot be the registry/);
  });

  it('Update changes the credentials, Validate checks them, Delete returns the rule; unknown prefixes are PullThroughCacheRuleNotFoundException', async () => {
    const next = await secret(berth.endpoint, 'ecr-pullthroughcache/hub-2', { username: 'u2' });
    const updated = await berth.ecr.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub', credentialArn: next }));
    assert.equal(updated.credentialArn, next);
    assert.ok(updated.updatedAt instanceof Date);
    const invalid = await berth.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub' }));
    assert.equal(invalid.isValid, false);
    assert.match(invalid.failure!, /accessToken/);
    await berth.ecr.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub', credentialArn }));
    assert.equal((await berth.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub' }))).isValid, true);

    const deleted = await berth.ecr.send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub' }));
    assert.equal(deleted.upstreamRegistryUrl, 'registry-1.docker.io');
    for (const send of [
      () => berth.ecr.send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub' })),
      () => berth.ecr.send(new UpdatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub', credentialArn })),
      () => berth.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'docker-hub' })),
      () => berth.ecr.send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ['docker-hub'] })),
    ]) {
      await rejects(send(), 'PullThroughCacheRuleNotFoundException');
    }
  });
});

/**
 * A token-auth front for distribution: /v2/ asks for a Bearer token from
 * /token, which hands one out for the right Basic credentials.
 */
async function tokenFront(upstream: Distribution, user: string, password: string) {
  const issued = new Set<string>();
  const tokenRequests: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      tokenRequests.push(url.searchParams);
      if (req.headers.authorization !== `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`) return res.writeHead(401).end();
      const token = randomBytes(8).toString('hex');
      issued.add(token);
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !issued.has(bearer)) {
      const name = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
      const { port } = server.address() as AddressInfo;
      return res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="berth-test",scope="repository:${name}:pull"`,
      }).end();
    }
    const proxied = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: { accept: req.headers.accept ?? '*/*' } }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    proxied.on('error', () => res.destroy());
    req.pipe(proxied);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokenRequests };
}

describe('ECR pull through cache with a local upstream registry', { skip: !distributionAvailable() && 'docker-registry is not installed' }, () => {
  before(async () => {
    upstream = await startDistribution();
    up = new Registry(upstream.url, undefined);
    await pushUpstream(up, 'library/app', image, '1');
  });
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;
  let upstream: Distribution;
  let up: Registry;
  const image = makeImage({ layers: [randomBytes(8 * 1024 * 1024), Buffer.from(`small ${Math.random()}`)] });

  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'local', upstreamRegistryUrl: upstream.url }));
  });
  after(async () => {
    await upstream.destroy();
  });

  it('the first pull of <prefix>/<name>:tag fetches from upstream, creates the repository and stores the image', async () => {
    const res = await reg.fetch(`/v2/${wire('local/library/app')}/manifests/1`, { headers: { accept: MEDIA.dockerManifest } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
    assert.equal(await res.text(), image.manifest);
    for (const [i, layer] of image.layers.entries()) {
      const blob = await reg.fetch(`/v2/${wire('local/library/app')}/blobs/${sha256(layer)}`);
      assert.equal(blob.status, 200, `layer ${i}`);
      assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), sha256(layer));
    }
    const { repositories } = await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['local/library/app'] }));
    assert.equal(repositories![0].imageTagMutability, 'MUTABLE');
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'local/library/app' }));
    assert.equal(imageDetails![0].imageDigest, image.digest);
    assert.deepEqual(imageDetails![0].imageTags, ['1']);
  });

  it('an image the upstream does not have is MANIFEST_UNKNOWN and creates no repository; a name under no rule is NAME_UNKNOWN', async () => {
    const res = await reg.fetch(`/v2/${wire('local/library/absent')}/manifests/1`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'MANIFEST_UNKNOWN');
    await rejects(berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['local/library/absent'] })), 'RepositoryNotFoundException');
    const elsewhere = await reg.fetch(`/v2/${wire('nocache/library/app')}/manifests/1`);
    assert.equal(elsewhere.status, 404);
    assert.equal(await errorCode(elsewhere), 'NAME_UNKNOWN');
  });

  it('a multi-arch index pulled by tag, then its platform image by digest', async () => {
    const amd = makeImage({ oci: true, arch: 'amd64' });
    const arm = makeImage({ oci: true, arch: 'arm64' });
    await pushUpstream(up, 'library/multi', amd, amd.digest);
    await pushUpstream(up, 'library/multi', arm, arm.digest);
    const index = makeIndex([{ image: amd, arch: 'amd64' }, { image: arm, arch: 'arm64' }]);
    assert.equal((await up.putManifest('library/multi', 'latest', index.body, MEDIA.ociIndex)).status, 201);
    const res = await reg.fetch(`/v2/${wire('local/library/multi')}/manifests/latest`, { headers: { accept: MEDIA.ociIndex } });
    assert.equal(res.headers.get('docker-content-digest'), index.digest);
    const child = await reg.fetch(`/v2/${wire('local/library/multi')}/manifests/${arm.digest}`, { headers: { accept: MEDIA.ociManifest } });
    assert.equal(child.status, 200);
    assert.equal(await child.text(), arm.manifest);
  });

  it('with the upstream stopped, cached images are still served; an uncached tag fails naming the upstream and Validate reports it', async () => {
    await upstream.stop();
    try {
      const res = await reg.fetch(`/v2/${wire('local/library/app')}/manifests/1`, { headers: { accept: MEDIA.dockerManifest } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-content-digest'), image.digest);
      const blob = await reg.fetch(`/v2/${wire('local/library/app')}/blobs/${sha256(image.layers[0])}`);
      assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), sha256(image.layers[0]));

      const missing = await reg.fetch(`/v2/${wire('local/library/app')}/manifests/2`);
      assert.equal(missing.status, 404);
      const body = await missing.json() as { errors: { code: string; message: string }[] };
      assert.equal(body.errors[0].code, 'MANIFEST_UNKNOWN');
      assert.match(body.errors[0].message, new RegExp(`${upstream.url.replace(/[.]/g, '\\.')}.*ECONNREFUSED`));
      const v = await berth.ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'local' }));
      assert.equal(v.isValid, false);
      assert.match(v.failure!, /ECONNREFUSED/);
    } finally {
      await upstream.restart();
    }
  });

  it('a Bearer-token upstream gets its token from the realm with the Secrets Manager credentials of the rule', async () => {
    const front = await tokenFront(upstream, 'robot', 's3cret');
    try {
      const arn = await secret(berth.endpoint, 'ecr-pullthroughcache/front', { username: 'robot', accessToken: 's3cret' });
      await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'front', upstreamRegistryUrl: front.url, credentialArn: arn }));
      const res = await reg.fetch(`/v2/${wire('front/library/app')}/manifests/1`, { headers: { accept: MEDIA.dockerManifest } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('docker-content-digest'), image.digest);
      const blob = await reg.fetch(`/v2/${wire('front/library/app')}/blobs/${sha256(image.layers[1])}`);
      assert.deepEqual(Buffer.from(await blob.arrayBuffer()), image.layers[1]);
      assert.equal(front.tokenRequests[0].get('service'), 'berth-test');
      assert.equal(front.tokenRequests[0].get('scope'), 'repository:library/app:pull');
      // The token is reused for the blob (one token request for the repository).
      assert.equal(front.tokenRequests.length, 1);

      const wrong = await secret(berth.endpoint, 'ecr-pullthroughcache/wrong', { username: 'robot', accessToken: 'nope' });
      await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'wrong', upstreamRegistryUrl: front.url, credentialArn: wrong }));
      const denied = await reg.fetch(`/v2/${wire('wrong/library/app')}/manifests/1`);
      assert.equal(denied.status, 404);
      assert.match(((await denied.json()) as { errors: { message: string }[] }).errors[0].message, /credentials were refused/);
    } finally {
      front.server.close();
      front.server.closeAllConnections();
    }
  });

  it('an ECR private registry upstream (ECR to ECR) is served by this Berth: another region of the account', async () => {
    const west = new ECRClient(clientConfig(berth.endpoint, 'us-west-2'));
    await west.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    const source = makeImage();
    assert.equal((await reg.pushImage(`${ACCOUNT}/us-west-2/team/app`, source, 'v3')).status, 201);
    const rule = await berth.ecr.send(new CreatePullThroughCacheRuleCommand({
      ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com`,
    }));
    assert.equal(rule.upstreamRegistry, 'ecr');
    const res = await reg.fetch(`/v2/${wire('mirror/team/app')}/manifests/v3`, { headers: { accept: MEDIA.dockerManifest } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-content-digest'), source.digest);
    const layer = await reg.fetch(`/v2/${wire('mirror/team/app')}/blobs/${sha256(source.layers[0])}`);
    assert.deepEqual(Buffer.from(await layer.arrayBuffer()), source.layers[0]);
  });

  it('a public upstream is unreachable offline: the pull fails saying why', async () => {
    await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io' }));
    const res = await reg.fetch(`/v2/${wire('quay/prometheus/busybox')}/manifests/latest`);
    assert.equal(res.status, 404);
    const body = await res.json() as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0].code, 'MANIFEST_UNKNOWN');
    assert.match(body.errors[0].message, /quay\.io is unreachable/);
  });
});

describe('ECR pull through cache tag freshness', { skip: !distributionAvailable() && 'docker-registry is not installed' }, () => {
  const clock = new ManualClock(Date.now());
  let app: App;
  let upstream: Distribution;

  before(async () => {
    upstream = await startDistribution();
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { clock, log: createLogger('error') });
    await new ECRClient(clientConfig(app.endpoint)).send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'local', upstreamRegistryUrl: upstream.url }));
  });
  after(async () => {
    await app.stop();
    await upstream.destroy();
  });

  it('a cached tag is checked upstream again only after 24 hours, and then follows the moved tag', async () => {
    const up = new Registry(upstream.url, undefined);
    const first = makeImage();
    const second = makeImage();
    await pushUpstream(up, 'library/moving', first, 'latest');
    const pull = async () => {
      const reg = new Registry(app.endpoint, await registryAuth(app.endpoint));
      const res = await reg.fetch(`/v2/${wire('local/library/moving')}/manifests/latest`, { headers: { accept: MEDIA.dockerManifest } });
      assert.equal(res.status, 200);
      return res.headers.get('docker-content-digest');
    };
    assert.equal(await pull(), first.digest);
    await pushUpstream(up, 'library/moving', second, 'latest');
    clock.advance(23 * 60 * 60 * 1000);
    assert.equal(await pull(), first.digest, 'within 24 hours the cache answers');
    clock.advance(2 * 60 * 60 * 1000);
    assert.equal(await pull(), second.digest, 'after 24 hours the upstream is asked again');
    const { imageDetails } = await new ECRClient(clientConfig(app.endpoint)).send(new DescribeImagesCommand({ repositoryName: 'local/library/moving' }));
    assert.deepEqual(imageDetails!.map((d) => [d.imageDigest, d.imageTags ?? []]).sort(), [[first.digest, []], [second.digest, ['latest']]].sort());
  });
});
