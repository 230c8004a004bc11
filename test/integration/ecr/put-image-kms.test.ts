/**
 * ECR wire details through the v3 SDK and both AWS CLIs: a KMS-encrypted repository without a key reports the
 * AWS managed key by its key ARN, and PutImage refuses a manifest whose media type nobody names.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';
import { MEDIA, Registry, makeImage, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';
const KEY_ARN = /^arn:aws:kms:(us-east-1|eu-west-1):000000000000:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INVALID_JSON = "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'";

/** An image manifest (with its blobs pushed) that carries no top-level mediaType, as OCI allows. */
async function pushBlobsOfUntypedManifest(reg: Registry, repo: string): Promise<string> {
  const image = makeImage({ oci: true, layers: [Buffer.from(`layer of ${repo}`)] });
  assert.equal((await reg.pushImage(`${ACCOUNT}/us-east-1/${repo}`, image, 'typed')).status, 201);
  const doc = JSON.parse(image.manifest);
  delete doc.mediaType;
  return JSON.stringify(doc);
}

describe('ECR KMS default key and PutImage media types', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;
  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });

  it('CreateRepository with KMS and no key reports the aws/ecr managed key ARN, the same for every repository of the region', async () => {
    const a = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'kms/a', encryptionConfiguration: { encryptionType: 'KMS' } }));
    const b = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'kms/b', encryptionConfiguration: { encryptionType: 'KMS' } }));
    const key = a.repository!.encryptionConfiguration!.kmsKey!;
    assert.match(key, KEY_ARN);
    assert.ok(key.startsWith('arn:aws:kms:us-east-1:'));
    assert.equal(b.repository!.encryptionConfiguration!.kmsKey, key);
    const { repositories } = await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['kms/a'] }));
    assert.deepEqual(repositories![0].encryptionConfiguration, { encryptionType: 'KMS', kmsKey: key });

    const west = berth.client(ECRClient, { region: 'eu-west-1' });
    const w = await west.send(new CreateRepositoryCommand({ repositoryName: 'kms/a', encryptionConfiguration: { encryptionType: 'KMS' } }));
    assert.match(w.repository!.encryptionConfiguration!.kmsKey!, KEY_ARN);
    assert.notEqual(w.repository!.encryptionConfiguration!.kmsKey, key);
  });

  it('CreateRepository with KMS and a key keeps the key given', async () => {
    const kmsKey = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    const r = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'kms/own', encryptionConfiguration: { encryptionType: 'KMS', kmsKey } }));
    assert.equal(r.repository!.encryptionConfiguration!.kmsKey, kmsKey);
  });

  it('PutImage of a manifest without mediaType and without imageManifestMediaType is InvalidParameterException', async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'put/untyped' }));
    const manifest = await pushBlobsOfUntypedManifest(reg, 'put/untyped');
    await rejectsNamed(berth.ecr.send(new PutImageCommand({ repositoryName: 'put/untyped', imageManifest: manifest, imageTag: 'x' })),
      'InvalidParameterException', INVALID_JSON, 400);
    const ok = await berth.ecr.send(new PutImageCommand({
      repositoryName: 'put/untyped', imageManifest: manifest, imageTag: 'x', imageManifestMediaType: MEDIA.ociManifest,
    }));
    assert.equal(ok.image!.imageManifestMediaType, MEDIA.ociManifest);
  });
});

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`ECR KMS and PutImage through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({});
    let reg: Registry;
    before(async () => {
      reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    });

    it('create-repository --encryption-configuration encryptionType=KMS reports a key ARN', async () => {
      const r = await aws(name, berth.endpoint, ['ecr', 'create-repository', '--repository-name', 'cli/kms', '--encryption-configuration', 'encryptionType=KMS']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.json.repository.encryptionConfiguration.kmsKey, KEY_ARN);
    });

    it('put-image without a media type fails with InvalidParameterException; with --image-manifest-media-type it succeeds', async () => {
      const created = await aws(name, berth.endpoint, ['ecr', 'create-repository', '--repository-name', 'cli/untyped']);
      assert.equal(created.code, 0, created.stderr);
      const manifest = await pushBlobsOfUntypedManifest(reg, 'cli/untyped');
      const bad = await aws(name, berth.endpoint, ['ecr', 'put-image', '--repository-name', 'cli/untyped', '--image-tag', 'y', '--image-manifest', manifest]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /InvalidParameterException/);
      assert.ok(bad.stderr.includes(INVALID_JSON), bad.stderr);
      const good = await aws(name, berth.endpoint, [
        'ecr', 'put-image', '--repository-name', 'cli/untyped', '--image-tag', 'y', '--image-manifest', manifest, '--image-manifest-media-type', MEDIA.ociManifest,
      ]);
      assert.equal(good.code, 0, good.stderr);
    });
  });
}
