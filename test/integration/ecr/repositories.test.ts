/**
 * ECR repositories through @aws-sdk/client-ecr: create with settings and tags,
 * name rules, describe with names and pagination, account and region scoping,
 * mutability and scanning updates, delete with and without force, tags.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRepositoryCommand, DeleteRepositoryCommand, DescribeRepositoriesCommand, ECRClient, ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand, PutImageTagMutabilityCommand, TagResourceCommand, UntagResourceCommand,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { Registry, makeImage, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';

describe('ECR repositories', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });


  it('CreateRepository returns the ARN, registry id, a pushable URI and ECR defaults', async () => {
    const { repository: r } = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }));
    assert.equal(r!.repositoryArn, `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/web`);
    assert.equal(r!.registryId, ACCOUNT);
    assert.equal(r!.repositoryName, 'team/web');
    assert.equal(r!.repositoryUri, `127.0.0.1:${berth.port}/${ACCOUNT}/us-east-1/team/web`);
    assert.equal(r!.imageTagMutability, 'MUTABLE');
    assert.deepEqual(r!.imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(r!.encryptionConfiguration, { encryptionType: 'AES256' });
    assert.ok(r!.createdAt instanceof Date && Math.abs(r!.createdAt.getTime() - Date.now()) < 60_000);
  });

  it('CreateRepository records mutability, scanning, KMS encryption and tags', async () => {
    const { repository: r } = await berth.ecr.send(new CreateRepositoryCommand({
      repositoryName: 'team/api', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' }, tags: [{ Key: 'team', Value: 'platform' }],
    }));
    assert.equal(r!.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual(r!.imageScanningConfiguration, { scanOnPush: true });
    assert.equal(r!.encryptionConfiguration!.encryptionType, 'KMS');
    assert.match(r!.encryptionConfiguration!.kmsKey!, /^arn:aws:kms:us-east-1:000000000000:/);
    const tags = await berth.ecr.send(new ListTagsForResourceCommand({ resourceArn: r!.repositoryArn }));
    assert.deepEqual(tags.tags, [{ Key: 'team', Value: 'platform' }]);
  });

  it('creating a repository that exists is RepositoryAlreadyExistsException', async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'dupe' }));
    await rejects(berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'dupe' })), 'RepositoryAlreadyExistsException',
      /The repository with name 'dupe' already exists in the registry with id '000000000000'/);
  });

  for (const name of ['Upper', 'a', 'trailing/', '/leading', 'double//slash', '../escape', 'dash-', 'x'.repeat(257), 'sp ace']) {
    it(`the repository name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}…(${name.length})` : name)} is InvalidParameterException`, async () => {
      await rejects(berth.ecr.send(new CreateRepositoryCommand({ repositoryName: name })), 'InvalidParameterException', /repositoryName/);
    });
  }

  it('names with dots, dashes, underscores and several path parts are valid', async () => {
    for (const name of ['ab', 'org/team/svc.v2', 'a_b-c.d/e-f']) {
      const { repository } = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      assert.equal(repository!.repositoryName, name);
    }
  });

  it('CreateRepository rejects exclusion filters without an *_WITH_EXCLUSION mutability', async () => {
    await rejects(berth.ecr.send(new CreateRepositoryCommand({
      repositoryName: 'filters', imageTagMutability: 'IMMUTABLE',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
    })), 'InvalidParameterException');
  });

  it('DescribeRepositories by name, and RepositoryNotFoundException for a missing one', async () => {
    const out = await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web', 'team/api'] }));
    assert.deepEqual(out.repositories!.map((r) => r.repositoryName), ['team/web', 'team/api']);
    await rejects(berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web', 'nope'] })), 'RepositoryNotFoundException',
      /The repository with name 'nope' does not exist in the registry with id '000000000000'/);
  });

  it('DescribeRepositories paginates every repository exactly once', async () => {
    for (let i = 0; i < 7; i++) await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: `page/r${i}` }));
    const names: string[] = [];
    for await (const page of paginateDescribeRepositories({ client: berth.ecr, pageSize: 3 }, {})) {
      assert.ok(page.repositories!.length <= 3);
      names.push(...page.repositories!.map((r) => r.repositoryName!));
    }
    assert.equal(new Set(names).size, names.length);
    for (let i = 0; i < 7; i++) assert.ok(names.includes(`page/r${i}`));
  });

  it('another account and another region see none of these repositories', async () => {
    const other = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'x' }));
    assert.deepEqual((await other.send(new DescribeRepositoriesCommand({}))).repositories, []);
    const west = new ECRClient(clientConfig(berth.endpoint, 'eu-west-1'));
    assert.deepEqual((await west.send(new DescribeRepositoriesCommand({}))).repositories, []);
    // The same name in another region is another repository, with its own URI.
    const { repository } = await west.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }));
    assert.equal(repository!.repositoryUri, `127.0.0.1:${berth.port}/${ACCOUNT}/eu-west-1/team/web`);
  });

  it('PutImageTagMutability and PutImageScanningConfiguration change what DescribeRepositories reports', async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'settings' }));
    const m = await berth.ecr.send(new PutImageTagMutabilityCommand({
      repositoryName: 'settings', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
    }));
    assert.equal(m.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    const s = await berth.ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'settings', imageScanningConfiguration: { scanOnPush: true } }));
    assert.deepEqual(s.imageScanningConfiguration, { scanOnPush: true });
    const [r] = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['settings'] }))).repositories!;
    assert.equal(r.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(r.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    assert.deepEqual(r.imageScanningConfiguration, { scanOnPush: true });
    await rejects(berth.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'missing', imageTagMutability: 'MUTABLE' })), 'RepositoryNotFoundException');
  });

  it('DeleteRepository refuses a repository with images unless forced', async () => {
    const { repository } = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'full' }));
    const reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    assert.equal((await reg.pushImage(`${ACCOUNT}/us-east-1/full`, makeImage(), 'v1')).status, 201);
    await rejects(berth.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full' })), 'RepositoryNotEmptyException',
      /cannot be deleted because it still contains images/);
    const out = await berth.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full', force: true }));
    assert.equal(out.repository!.repositoryArn, repository!.repositoryArn);
    await rejects(berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['full'] })), 'RepositoryNotFoundException');
    assert.equal((await reg.fetch(`/v2/${ACCOUNT}/us-east-1/full/manifests/v1`)).status, 404);
    // A new repository of the same name starts empty.
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'full' }));
    assert.equal((await reg.fetch(`/v2/${ACCOUNT}/us-east-1/full/manifests/v1`)).status, 404);
  });

  it('an empty repository is deleted without force', async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'empty' }));
    await berth.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'empty' }));
    await rejects(berth.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'empty' })), 'RepositoryNotFoundException');
  });

  it('TagResource, UntagResource and ListTagsForResource manage repository tags', async () => {
    const { repository } = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'tagged' }));
    const resourceArn = repository!.repositoryArn!;
    await berth.ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await berth.ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'a', Value: '3' }] }));
    await berth.ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['b'] }));
    assert.deepEqual((await berth.ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ Key: 'a', Value: '3' }]);
    await rejects(berth.ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'aws:reserved', Value: 'x' }] })), 'InvalidTagParameterException');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(berth.ecr.send(new TagResourceCommand({ resourceArn, tags: many })), 'TooManyTagsException');
    await rejects(berth.ecr.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })), 'InvalidParameterException');
    await rejects(berth.ecr.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ghost` })), 'RepositoryNotFoundException');
  });
});
