/**
 * ECR Public through @aws-sdk/client-ecr-public: repositories with catalog data, the registry alias and display
 * name, the layer upload API and PutImage, image listings, deletes, policies, tags, its errors, pagination, and the
 * regions it answers in. Public repositories are a namespace apart from private ECR's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchCheckLayerAvailabilityCommand, BatchDeleteImageCommand, CompleteLayerUploadCommand, CreateRepositoryCommand,
  DeleteRepositoryCommand, DeleteRepositoryPolicyCommand, DescribeImagesCommand, DescribeImageTagsCommand, DescribeRegistriesCommand,
  DescribeRepositoriesCommand, ECRPUBLICClient, GetAuthorizationTokenCommand, GetRegistryCatalogDataCommand,
  GetRepositoryCatalogDataCommand, GetRepositoryPolicyCommand, InitiateLayerUploadCommand, ListTagsForResourceCommand,
  PutImageCommand, PutRegistryCatalogDataCommand, PutRepositoryCatalogDataCommand, SetRepositoryPolicyCommand,
  TagResourceCommand, UntagResourceCommand, UploadLayerPartCommand, paginateDescribeRepositories,
} from '@aws-sdk/client-ecr-public';
import { CreateRepositoryCommand as CreatePrivateRepository, DescribeRepositoriesCommand as DescribePrivateRepositories, ECRClient } from '@aws-sdk/client-ecr';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { useBerth } from '../../helpers/use-berth.js';
import { makeImage, sha256 } from '../registry/client.js';

const ACCOUNT = '000000000000';
/** The smallest PNG header a logo check looks at, with some bytes after it. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not really an image')]);

describe('ECR Public API', () => {
  const berth = useBerth({ clients: { pub: ECRPUBLICClient, ecr: ECRClient } });
  const publicHost = () => new URL(berth.app.publicEndpoint).host;
  const alias = async () => (await berth.pub.send(new DescribeRegistriesCommand({}))).registries![0].aliases![0].name!;

  it('CreateRepository answers a regionless ARN, a URI on the public registry and the catalog data it was given', async () => {
    const out = await berth.pub.send(new CreateRepositoryCommand({
      repositoryName: 'team/web',
      catalogData: {
        description: 'A web server', aboutText: '# About', usageText: 'docker pull it', architectures: ['x86-64', 'ARM 64'],
        operatingSystems: ['Linux'],
      },
      tags: [{ Key: 'team', Value: 'platform' }],
    }));
    const r = out.repository!;
    assert.equal(r.repositoryArn, `arn:aws:ecr-public::${ACCOUNT}:repository/team/web`);
    assert.equal(r.registryId, ACCOUNT);
    assert.equal(r.repositoryName, 'team/web');
    assert.equal(r.repositoryUri, `${publicHost()}/${await alias()}/team/web`);
    assert.ok(r.createdAt instanceof Date && Math.abs(r.createdAt.getTime() - Date.now()) < 60_000);
    assert.deepEqual(out.catalogData, {
      description: 'A web server', aboutText: '# About', usageText: 'docker pull it', architectures: ['x86-64', 'ARM 64'],
      operatingSystems: ['Linux'], marketplaceCertified: false,
    });
    const tags = await berth.pub.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn }));
    assert.deepEqual(tags.tags, [{ Key: 'team', Value: 'platform' }]);
  });

  it('a second CreateRepository of a name is RepositoryAlreadyExistsException; a bad name is InvalidParameterException', async () => {
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'dup' }));
    await rejectsNamed(berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'dup' })), 'RepositoryAlreadyExistsException',
      `The repository with name 'dup' already exists in the registry with id '${ACCOUNT}'`, 400);
    await rejectsNamed(berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'Bad_Name!' })), 'InvalidParameterException', /repositoryName/, 400);
    await rejectsNamed(berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'long', catalogData: { description: 'x'.repeat(1025) } })),
      'InvalidParameterException', /description/);
  });

  it('public and private repositories of one name are separate namespaces', async () => {
    await berth.ecr.send(new CreatePrivateRepository({ repositoryName: 'shared-name' }));
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'shared-name' }));
    await berth.pub.send(new DeleteRepositoryCommand({ repositoryName: 'shared-name' }));
    const priv = await berth.ecr.send(new DescribePrivateRepositories({ repositoryNames: ['shared-name'] }));
    assert.equal(priv.repositories![0].repositoryArn, `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/shared-name`);
    await rejectsNamed(berth.pub.send(new DescribeRepositoriesCommand({ repositoryNames: ['shared-name'] })), 'RepositoryNotFoundException',
      `The repository with name 'shared-name' does not exist in the registry with id '${ACCOUNT}'`);
    // And the other way round: a public repository is not a private one.
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'only-public' }));
    await rejectsNamed(berth.ecr.send(new DescribePrivateRepositories({ repositoryNames: ['only-public'] })), 'RepositoryNotFoundException');
  });

  it('DescribeRepositories pages with maxResults and nextToken, and refuses names together with them', async () => {
    for (const n of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await berth.pub.send(new CreateRepositoryCommand({ repositoryName: n }));
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeRepositories({ client: berth.pub, pageSize: 2 }, {})) {
      pages++;
      assert.ok(page.repositories!.length <= 2);
      names.push(...page.repositories!.map((r) => r.repositoryName!));
    }
    assert.ok(pages >= 3);
    for (const n of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) assert.ok(names.includes(n), n);
    assert.equal(new Set(names).size, names.length, 'no repository twice');
    await rejectsNamed(berth.pub.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-a'], maxResults: 1 })), 'InvalidParameterException');
    await rejectsNamed(berth.pub.send(new DescribeRepositoriesCommand({ maxResults: 1001 })), 'InvalidParameterException', /maxResults/);
    await rejectsNamed(berth.pub.send(new DescribeRepositoriesCommand({ nextToken: 'garbage' })), 'InvalidParameterException', /nextToken/);
  });

  it('repository catalog data is replaced by PutRepositoryCatalogData; its logo is served anonymously at logoUrl', async () => {
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'catalogued', catalogData: { description: 'old', usageText: 'old usage' } }));
    const put = await berth.pub.send(new PutRepositoryCatalogDataCommand({
      repositoryName: 'catalogued', catalogData: { description: 'new', logoImageBlob: PNG, operatingSystems: ['Linux', 'Plan 9'] },
    }));
    assert.equal(put.catalogData!.description, 'new');
    assert.equal(put.catalogData!.usageText, undefined);
    // Unlisted systems are kept: "it's associated with the repository and can be retrieved using the API".
    assert.deepEqual(put.catalogData!.operatingSystems, ['Linux', 'Plan 9']);
    const got = await berth.pub.send(new GetRepositoryCatalogDataCommand({ repositoryName: 'catalogued' }));
    assert.deepEqual(got.catalogData, put.catalogData);
    const logo = await fetch(got.catalogData!.logoUrl!);
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await logo.arrayBuffer()), PNG);
    await rejectsNamed(berth.pub.send(new PutRepositoryCatalogDataCommand({ repositoryName: 'catalogued', catalogData: { logoImageBlob: Buffer.from('GIF89a') } })),
      'InvalidParameterException', /logoImageBlob/);
    await rejectsNamed(berth.pub.send(new GetRepositoryCatalogDataCommand({ repositoryName: 'nope' })), 'RepositoryNotFoundException');
  });

  it('DescribeRegistries answers one registry with a stable alias; its display name is Put/GetRegistryCatalogData', async () => {
    const first = (await berth.pub.send(new DescribeRegistriesCommand({}))).registries!;
    const again = (await berth.pub.send(new DescribeRegistriesCommand({}))).registries!;
    assert.deepEqual(again, first);
    assert.equal(first.length, 1);
    const reg = first[0];
    assert.equal(reg.registryId, ACCOUNT);
    assert.equal(reg.registryArn, `arn:aws:ecr-public::${ACCOUNT}:registry/${ACCOUNT}`);
    assert.equal(reg.verified, false);
    assert.equal(reg.aliases!.length, 1);
    const a = reg.aliases![0];
    assert.match(a.name!, /^[a-z][a-z0-9]{7}$/);
    assert.deepEqual({ ...a, name: undefined }, { name: undefined, status: 'ACTIVE', primaryRegistryAlias: true, defaultRegistryAlias: true });
    assert.equal(reg.registryUri, `${publicHost()}/${a.name}`);
    // Another account has its own alias.
    const other = berth.client(ECRPUBLICClient, { credentials: { accessKeyId: '111111111111', secretAccessKey: 'test' } });
    const otherAlias = (await other.send(new DescribeRegistriesCommand({}))).registries![0].aliases![0].name;
    assert.notEqual(otherAlias, a.name);

    assert.deepEqual((await berth.pub.send(new GetRegistryCatalogDataCommand({}))).registryCatalogData, { displayName: '' });
    const put = await berth.pub.send(new PutRegistryCatalogDataCommand({ displayName: 'Berth Team' }));
    assert.deepEqual(put.registryCatalogData, { displayName: 'Berth Team' });
    assert.deepEqual((await berth.pub.send(new GetRegistryCatalogDataCommand({}))).registryCatalogData, { displayName: 'Berth Team' });
  });

  it('the layer API and PutImage push an image; DescribeImages, DescribeImageTags and BatchDeleteImage see it', async () => {
    const repositoryName = 'pushed';
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName }));
    const image = makeImage();
    for (const blob of [image.config, ...image.layers]) {
      const { uploadId, partSize } = await berth.pub.send(new InitiateLayerUploadCommand({ repositoryName }));
      assert.equal(partSize, 10 * 1024 * 1024);
      const part = await berth.pub.send(new UploadLayerPartCommand({
        repositoryName, uploadId, partFirstByte: 0, partLastByte: blob.length - 1, layerPartBlob: blob,
      }));
      assert.equal(part.lastByteReceived, blob.length - 1);
      const done = await berth.pub.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(blob)] }));
      assert.equal(done.layerDigest, sha256(blob));
    }
    await rejectsNamed(berth.pub.send(new UploadLayerPartCommand({
      repositoryName, uploadId: 'nope', partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('x'),
    })), 'UploadNotFoundException');
    const check = await berth.pub.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [sha256(image.layers[0]), sha256('missing')] }));
    assert.deepEqual(check.layers!.map((l) => [l.layerDigest, l.layerAvailability, l.layerSize]), [[sha256(image.layers[0]), 'AVAILABLE', image.layers[0].length]]);
    assert.deepEqual(check.failures!.map((f) => f.failureCode), ['MissingLayerDigest']);

    const put = await berth.pub.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: 'v1' }));
    assert.deepEqual(put.image!.imageId, { imageDigest: image.digest, imageTag: 'v1' });
    assert.equal(put.image!.imageManifestMediaType, image.mediaType);
    await rejectsNamed(berth.pub.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: 'v1' })), 'ImageAlreadyExistsException');
    await berth.pub.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: 'latest' }));
    const missing = makeImage();
    await rejectsNamed(berth.pub.send(new PutImageCommand({ repositoryName, imageManifest: missing.manifest, imageTag: 'broken' })), 'LayersNotFoundException');

    const described = (await berth.pub.send(new DescribeImagesCommand({ repositoryName }))).imageDetails!;
    assert.equal(described.length, 1);
    assert.equal(described[0].imageDigest, image.digest);
    assert.deepEqual(described[0].imageTags!.sort(), ['latest', 'v1']);
    assert.equal(described[0].imageSizeInBytes, image.layers.reduce((n, l) => n + l.length, 0));
    assert.ok(described[0].imagePushedAt instanceof Date);
    await rejectsNamed(berth.pub.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'nope' }] })), 'ImageNotFoundException');

    const tags = (await berth.pub.send(new DescribeImageTagsCommand({ repositoryName }))).imageTagDetails!;
    assert.deepEqual(tags.map((t) => t.imageTag).sort(), ['latest', 'v1']);
    for (const t of tags) {
      assert.equal(t.imageDetail!.imageDigest, image.digest);
      assert.ok(t.createdAt instanceof Date);
    }
    const paged = await berth.pub.send(new DescribeImageTagsCommand({ repositoryName, maxResults: 1 }));
    assert.equal(paged.imageTagDetails!.length, 1);
    assert.ok(paged.nextToken);

    await rejectsNamed(berth.pub.send(new DeleteRepositoryCommand({ repositoryName })), 'RepositoryNotEmptyException');
    const del = await berth.pub.send(new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageTag: 'v1' }, { imageTag: 'gone' }] }));
    assert.deepEqual(del.imageIds, [{ imageDigest: image.digest, imageTag: 'v1' }]);
    assert.deepEqual(del.failures!.map((f) => f.failureCode), ['ImageNotFound']);
    const deleted = await berth.pub.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
    assert.equal(deleted.repository!.repositoryName, repositoryName);
    await rejectsNamed(berth.pub.send(new DescribeImagesCommand({ repositoryName })), 'RepositoryNotFoundException');
  });

  it('repository policies are set, read and deleted; a missing one is RepositoryPolicyNotFoundException', async () => {
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'with-policy' }));
    await rejectsNamed(berth.pub.send(new GetRepositoryPolicyCommand({ repositoryName: 'with-policy' })), 'RepositoryPolicyNotFoundException');
    const policyText = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'push', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr-public:PutImage'] }],
    });
    const set = await berth.pub.send(new SetRepositoryPolicyCommand({ repositoryName: 'with-policy', policyText }));
    assert.equal(set.policyText, policyText);
    assert.equal((await berth.pub.send(new GetRepositoryPolicyCommand({ repositoryName: 'with-policy' }))).policyText, policyText);
    await rejectsNamed(berth.pub.send(new SetRepositoryPolicyCommand({ repositoryName: 'with-policy', policyText: '{not json' })), 'InvalidParameterException');
    const del = await berth.pub.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'with-policy' }));
    assert.equal(del.policyText, policyText);
    await rejectsNamed(berth.pub.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'with-policy' })), 'RepositoryPolicyNotFoundException');
  });

  it('TagResource, UntagResource and ListTagsForResource take the regionless ARN; others are refused', async () => {
    const { repository } = await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'tagged' }));
    const resourceArn = repository!.repositoryArn!;
    await berth.pub.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await berth.pub.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] }));
    assert.deepEqual((await berth.pub.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ Key: 'b', Value: '2' }]);
    await rejectsNamed(berth.pub.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'aws:x', Value: '1' }] })), 'InvalidTagParameterException');
    await rejectsNamed(berth.pub.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/tagged` })), 'InvalidParameterException');
    await rejectsNamed(berth.pub.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr-public::${ACCOUNT}:repository/absent` })), 'RepositoryNotFoundException');
  });

  it('GetAuthorizationToken answers a 12-hour AWS:<token> in us-east-1 only; us-west-2 serves the rest, other regions nothing', async () => {
    const { authorizationData } = await berth.pub.send(new GetAuthorizationTokenCommand({}));
    assert.match(Buffer.from(authorizationData!.authorizationToken!, 'base64').toString(), /^AWS:.+/);
    const ttl = authorizationData!.expiresAt!.getTime() - Date.now();
    assert.ok(ttl > 11.9 * 3600_000 && ttl <= 12 * 3600_000, `expires in ${ttl} ms`);

    const west = berth.client(ECRPUBLICClient, { region: 'us-west-2' });
    await rejectsNamed(west.send(new GetAuthorizationTokenCommand({})), 'UnsupportedCommandException',
      'GetAuthorizationToken command is only supported in us-east-1.', 400);
    // ECR Public is global: us-west-2's endpoint sees the same repositories.
    await berth.pub.send(new CreateRepositoryCommand({ repositoryName: 'global' }));
    assert.equal((await west.send(new DescribeRepositoriesCommand({ repositoryNames: ['global'] }))).repositories![0].repositoryName, 'global');

    const europe = berth.client(ECRPUBLICClient, { region: 'eu-west-1' });
    await rejectsNamed(europe.send(new DescribeRepositoriesCommand({})), 'UnsupportedCommandException', /eu-west-1/);
    await rejectsNamed(europe.send(new GetAuthorizationTokenCommand({})), 'UnsupportedCommandException');
  });
});
