/**
 * Registry auth as ECR does it: GetAuthorizationToken's AWS:<token> as Basic
 * auth, a Basic challenge for anonymous clients, 12-hour expiry, no access to
 * another account's repositories unless its repository policy allows it, and
 * anonymous pulls only when Berth is told to allow them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ECRClient, GetAuthorizationTokenCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { ACCOUNT, REGION, Registry, createRepo, errorCode, makeImage, registryAuth, registryWithRepo } from './client.js';

const OTHER = '111111111111';
const NAME = `${ACCOUNT}/${REGION}/auth/app`;

describe('registry authentication', () => {
  const berth = useBerth();
  let owner: Registry;

  before(async () => {
    owner = await registryWithRepo(berth.endpoint, 'auth/app');
    assert.equal((await owner.pushImage(NAME, makeImage(), 'v1')).status, 201);
  });

  it('GetAuthorizationToken returns base64 AWS:<token> valid 12 hours and Berth as proxyEndpoint', async () => {
    const ecr = new ECRClient(clientConfig(berth.endpoint));
    const before = Date.now();
    const data = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const decoded = Buffer.from(data.authorizationToken!, 'base64').toString('utf8');
    assert.match(decoded, /^AWS:.{20,}$/);
    assert.equal(data.proxyEndpoint, berth.endpoint);
    const ttl = data.expiresAt!.getTime() - before;
    assert.ok(Math.abs(ttl - 12 * 3600_000) < 60_000, `ttl ${ttl}`);
  });

  it('an anonymous client gets 401 UNAUTHORIZED with a Basic challenge', async () => {
    const anon = new Registry(berth.endpoint, undefined);
    for (const path of ['/v2/', `/v2/${NAME}/manifests/v1`, `/v2/${NAME}/tags/list`]) {
      const res = await anon.fetch(path);
      assert.equal(res.status, 401, path);
      assert.equal(await errorCode(res), 'UNAUTHORIZED');
      assert.match(res.headers.get('www-authenticate')!, /^Basic realm="/);
    }
    assert.equal((await anon.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' })).status, 401);
  });

  it('a wrong password or user name is 401', async () => {
    const good = Buffer.from(owner.auth!.slice('Basic '.length), 'base64').toString('utf8');
    const badPassword = `Basic ${Buffer.from(`${good}x`).toString('base64')}`;
    const badUser = `Basic ${Buffer.from(`bob:${good.slice(4)}`).toString('base64')}`;
    for (const auth of [badPassword, badUser, 'Bearer abc']) {
      const res = await new Registry(berth.endpoint, auth).fetch('/v2/');
      assert.equal(res.status, 401);
    }
  });

  it("another account's token cannot read or push the repository", async () => {
    const other = new Registry(berth.endpoint, await registryAuth(berth.endpoint, OTHER));
    assert.equal((await other.fetch('/v2/')).status, 200);
    const read = await other.fetch(`/v2/${NAME}/manifests/v1`);
    assert.equal(read.status, 403);
    assert.equal(await errorCode(read), 'DENIED');
    const push = await other.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    assert.equal(push.status, 403);
    // Nor does it learn whether a repository exists.
    const missing = await other.fetch(`/v2/${ACCOUNT}/${REGION}/auth/nothing/manifests/v1`);
    assert.equal(missing.status, 403);
  });

  it('a repository policy granting pulls to another account lets it pull but not push', async () => {
    const ecr = new ECRClient(clientConfig(berth.endpoint));
    await ecr.send(new SetRepositoryPolicyCommand({
      repositoryName: 'auth/app',
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        }],
      }),
    }));
    const other = new Registry(berth.endpoint, await registryAuth(berth.endpoint, OTHER));
    const read = await other.fetch(`/v2/${NAME}/manifests/v1`);
    assert.equal(read.status, 200);
    const push = await other.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    assert.equal(push.status, 403);
  });

  it('the catalog lists only the caller account repositories', async () => {
    await createRepo(berth.endpoint, { repositoryName: 'mine' }, OTHER);
    const other = new Registry(berth.endpoint, await registryAuth(berth.endpoint, OTHER));
    const body = (await (await other.fetch('/v2/_catalog')).json()) as { repositories: string[] };
    assert.deepEqual(body.repositories, [`${OTHER}/${REGION}/mine`]);
  });
});

describe('registry token expiry', () => {
  let app: App;
  const clock = new ManualClock(Date.now());

  before(async () => {
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { clock, log: createLogger('error') });
  });
  after(() => app.stop());

  it('a token is refused once its 12 hours are over', async () => {
    await createRepo(app.endpoint, { repositoryName: 'auth/expiry' });
    const reg = new Registry(app.endpoint, await registryAuth(app.endpoint));
    assert.equal((await reg.fetch('/v2/')).status, 200);
    clock.advance(12 * 3600_000 + 1000);
    const ping = await reg.fetch('/v2/');
    assert.equal(ping.status, 401);
    const pull = await reg.fetch(`/v2/${ACCOUNT}/${REGION}/auth/expiry/tags/list`);
    assert.equal(pull.status, 403);
    assert.match(((await pull.json()) as { errors: { message: string }[] }).errors[0].message, /authorization token has expired/);
  });
});

describe('anonymous pulls', () => {
  const berth = useBerth({ registryAnonymousPull: true });

  before(async () => {
    await createRepo(berth.endpoint, { repositoryName: 'public/app' });
    const owner = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    await owner.pushImage(`${ACCOUNT}/${REGION}/public/app`, makeImage(), 'v1');
  });

  it('with registryAnonymousPull an unauthenticated client pulls but cannot push', async () => {
    const anon = new Registry(berth.endpoint, undefined);
    assert.equal((await anon.fetch(`/v2/${ACCOUNT}/${REGION}/public/app/manifests/v1`)).status, 200);
    assert.equal((await anon.fetch(`/v2/${ACCOUNT}/${REGION}/public/app/blobs/uploads/`, { method: 'POST' })).status, 401);
    // The ping still challenges, so docker learns to send credentials when it has them.
    assert.equal((await anon.fetch('/v2/')).status, 401);
  });
});
