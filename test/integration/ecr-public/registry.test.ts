/**
 * The public registry over HTTP, as docker meets it: a Bearer challenge, a token service that hands anonymous
 * callers a pull token and `aws ecr-public get-login-password` holders a push token, anonymous pulls, owner-only
 * pushes, and tokens that do not cross between the public and the private registry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRepositoryCommand, DescribeRegistriesCommand, ECRPUBLICClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr-public';
import { useBerth } from '../../helpers/use-berth.js';
import { errorCode, makeImage, Registry } from '../registry/client.js';

describe('the public registry', () => {
  const berth = useBerth({ clients: { pub: ECRPUBLICClient } });
  const loginToken = async (client = berth.pub) =>
    (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData!.authorizationToken!;
  /** What docker does after the challenge: GET the realm, with Basic credentials or none. */
  const bearer = async (basic?: string) => {
    const res = await fetch(`${berth.app.publicEndpoint}/token/?service=public.ecr.aws&scope=repository:x/y:pull`, {
      headers: basic ? { authorization: `Basic ${basic}` } : {},
    });
    assert.equal(res.status, 200, await res.clone().text());
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  };
  const alias = async (client = berth.pub) => (await client.send(new DescribeRegistriesCommand({}))).registries![0].aliases![0].name!;

  it('GET /v2/ without credentials is 401 with a Bearer challenge naming the token service; with a token it is 200', async () => {
    const res = await fetch(`${berth.app.publicEndpoint}/v2/`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${berth.app.publicEndpoint}/token/",service="public.ecr.aws",scope="aws"`);
    assert.equal(await errorCode(res), 'UNAUTHORIZED');
    const ok = await fetch(`${berth.app.publicEndpoint}/v2/`, { headers: { authorization: await bearer() } });
    assert.equal(ok.status, 200);
  });

  it('an image pushed with the login token is pulled by anyone; an anonymous push is 401 UNAUTHORIZED', async () => {
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    const name = `${await alias()}/app`;
    const pusher = new Registry(berth.app.publicEndpoint, await bearer(await loginToken()));
    const image = makeImage();
    const pushed = await pusher.pushImage(name, image, 'v1');
    assert.equal(pushed.status, 201, await pushed.clone().text());

    const anonymous = new Registry(berth.app.publicEndpoint, await bearer());
    const pulled = await anonymous.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: image.mediaType } });
    assert.equal(pulled.status, 200);
    assert.equal(pulled.headers.get('docker-content-digest'), image.digest);
    const blob = await anonymous.fetch(`/v2/${name}/blobs/${JSON.parse(image.manifest).layers[0].digest}`);
    assert.deepEqual(Buffer.from(await blob.arrayBuffer()), image.layers[0]);

    const denied = await anonymous.putBlob(name, Buffer.from('anonymous layer'));
    assert.equal(denied.status, 401);
    assert.match(denied.headers.get('www-authenticate')!, new RegExp(`scope="repository:${name}:pull,push",error="insufficient_scope"`));
    assert.equal(await errorCode(denied), 'UNAUTHORIZED');
    const missing = await anonymous.fetch(`/v2/${await alias()}/absent/manifests/v1`);
    assert.equal(missing.status, 404);
    assert.equal(await errorCode(missing), 'NAME_UNKNOWN');
  });

  it('another account may pull but not push (403 DENIED)', async () => {
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'owned' }));
    const other = berth.client(ECRPUBLICClient, { credentials: { accessKeyId: '111111111111', secretAccessKey: 'test' } });
    const stranger = new Registry(berth.app.publicEndpoint, await bearer(await loginToken(other)));
    const res = await stranger.putBlob(`${await alias()}/owned`, Buffer.from('not yours'));
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'DENIED');
  });

  it('tokens do not cross: the private registry refuses a public login token, the token service a private one or garbage', async () => {
    const token = await loginToken();
    const priv = await fetch(`${berth.endpoint}/v2/`, { headers: { authorization: `Basic ${token}` } });
    assert.equal(priv.status, 401);
    const garbage = await fetch(`${berth.app.publicEndpoint}/token/`, { headers: { authorization: `Basic ${Buffer.from('AWS:nope').toString('base64')}` } });
    assert.equal(garbage.status, 401);
    assert.equal(await errorCode(garbage), 'UNAUTHORIZED');
  });
});
