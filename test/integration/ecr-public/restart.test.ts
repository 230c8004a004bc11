/**
 * ECR Public's state is in SQLite: after a restart on the same data dir the repositories, their catalog data, the
 * registry's alias and display name, and pushed images are all still there, and the image still pulls anonymously.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRepositoryCommand, DescribeImagesCommand, DescribeRegistriesCommand, ECRPUBLICClient, GetAuthorizationTokenCommand, GetRepositoryCatalogDataCommand,
  GetRegistryCatalogDataCommand, PutRegistryCatalogDataCommand,
} from '@aws-sdk/client-ecr-public';
import { berthsOnOneDataDir, clientConfig } from '../../helpers/berth.js';
import { makeImage, Registry } from '../registry/client.js';

describe('ECR Public across a restart', () => {
  const berths = berthsOnOneDataDir('ecr-public-restart');

  it('repositories, catalog data, the alias and images survive; the image pulls anonymously afterwards', async () => {
    let berth = await berths.start();
    let pub = new ECRPUBLICClient(clientConfig(berth.endpoint));
    await pub.send(new CreateRepositoryCommand({ repositoryName: 'kept', catalogData: { description: 'still here' } }));
    await pub.send(new PutRegistryCatalogDataCommand({ displayName: 'Kept Registry' }));
    const before = (await pub.send(new DescribeRegistriesCommand({}))).registries![0];
    const alias = before.aliases![0].name!;
    const publicEndpoint = `http://${before.registryUri!.split('/')[0]}`;
    const token = await fetch(`${publicEndpoint}/token/`, {
      headers: { authorization: `Basic ${(await pub.send(new GetAuthorizationTokenCommand({}))).authorizationData!.authorizationToken}` },
    });
    const pusher = new Registry(publicEndpoint, `Bearer ${((await token.json()) as { token: string }).token}`);
    const image = makeImage();
    assert.equal((await pusher.pushImage(`${alias}/kept`, image, 'v1')).status, 201);
    pub.destroy();
    await berth.stop();

    berth = await berths.start();
    pub = new ECRPUBLICClient(clientConfig(berth.endpoint));
    try {
      const after = (await pub.send(new DescribeRegistriesCommand({}))).registries![0];
      assert.equal(after.aliases![0].name, alias);
      assert.deepEqual((await pub.send(new GetRegistryCatalogDataCommand({}))).registryCatalogData, { displayName: 'Kept Registry' });
      assert.equal((await pub.send(new GetRepositoryCatalogDataCommand({ repositoryName: 'kept' }))).catalogData!.description, 'still here');
      const images = (await pub.send(new DescribeImagesCommand({ repositoryName: 'kept' }))).imageDetails!;
      assert.deepEqual(images.map((i) => [i.imageDigest, i.imageTags]), [[image.digest, ['v1']]]);
      const anonToken = await fetch(`http://${after.registryUri!.split('/')[0]}/token/`);
      const anonymous = new Registry(`http://${after.registryUri!.split('/')[0]}`, `Bearer ${((await anonToken.json()) as { token: string }).token}`);
      const pulled = await anonymous.fetch(`/v2/${alias}/kept/manifests/v1`, { headers: { accept: image.mediaType } });
      assert.equal(pulled.status, 200);
      assert.equal(pulled.headers.get('docker-content-digest'), image.digest);
    } finally {
      pub.destroy();
      await berth.stop();
    }
  });
});
