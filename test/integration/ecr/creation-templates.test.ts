/**
 * ECR repository creation templates through @aws-sdk/client-ecr, both AWS
 * CLIs and the registry API: the template API and its errors; a push to a
 * missing repository fails without a CREATE_ON_PUSH template and creates the
 * repository with the most specific template's settings (tag mutability,
 * encryption, tags, repository and lifecycle policy) with one, through the
 * registry and through InitiateLayerUpload/PutImage; replication and pull
 * through cache create their repositories from REPLICATION and
 * PULL_THROUGH_CACHE templates.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompleteLayerUploadCommand, CreatePullThroughCacheRuleCommand, CreateRepositoryCommand, CreateRepositoryCreationTemplateCommand,
  DeleteRepositoryCreationTemplateCommand, DescribeImageReplicationStatusCommand, DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand, ECRClient, GetLifecyclePolicyCommand, GetRepositoryPolicyCommand,
  InitiateLayerUploadCommand, ListTagsForResourceCommand, PutImageCommand, PutReplicationConfigurationCommand,
  UpdateRepositoryCreationTemplateCommand, UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { aws, cliAvailable, type CliName } from '../../helpers/cli.js';
import { Registry, errorCode, makeImage, registryAuth, sha256 } from '../registry/client.js';

const ACCOUNT = '000000000000';
const wire = (name: string, region = 'us-east-1') => `${ACCOUNT}/${region}/${name}`;

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr:BatchGetImage'] }],
});
const LIFECYCLE = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }],
});

async function eventually<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ECR repository creation templates', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;

  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });

  it('CreateRepositoryCreationTemplate stores a template that Describe, Update and Delete see, with ECR\'s errors', async () => {
    const created = await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({
      prefix: 'svc', description: 'services', appliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      resourceTags: [{ Key: 'team', Value: 'core' }], repositoryPolicy: POLICY, lifecyclePolicy: LIFECYCLE,
      encryptionConfiguration: { encryptionType: 'KMS' },
    }));
    assert.equal(created.registryId, ACCOUNT);
    const t = created.repositoryCreationTemplate!;
    assert.deepEqual([t.prefix, t.description, t.imageTagMutability, t.appliedFor], ['svc', 'services', 'IMMUTABLE_WITH_EXCLUSION', ['CREATE_ON_PUSH', 'REPLICATION']]);
    assert.deepEqual(t.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    assert.deepEqual(t.resourceTags, [{ Key: 'team', Value: 'core' }]);
    assert.deepEqual(t.encryptionConfiguration, { encryptionType: 'KMS' });
    assert.equal(t.repositoryPolicy, POLICY);
    assert.equal(t.lifecyclePolicy, LIFECYCLE);
    assert.ok(t.createdAt instanceof Date && t.updatedAt instanceof Date);

    await rejects(berth.ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'svc/', appliedFor: ['REPLICATION'] })), 'TemplateAlreadyExistsException');
    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE'] }));

    const all = await berth.ecr.send(new DescribeRepositoryCreationTemplatesCommand({}));
    assert.deepEqual(all.repositoryCreationTemplates!.map((x) => x.prefix), ['svc', 'ROOT']);
    const root = all.repositoryCreationTemplates![1];
    // What ECR reports for a template that said nothing: MUTABLE, AES256, no tags.
    assert.deepEqual([root.imageTagMutability, root.encryptionConfiguration, root.resourceTags], ['MUTABLE', { encryptionType: 'AES256' }, []]);
    const one = await berth.ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['ROOT'] }));
    assert.deepEqual(one.repositoryCreationTemplates!.map((x) => x.prefix), ['ROOT']);
    const page = await berth.ecr.send(new DescribeRepositoryCreationTemplatesCommand({ maxResults: 1 }));
    assert.equal(page.repositoryCreationTemplates!.length, 1);
    const rest = await berth.ecr.send(new DescribeRepositoryCreationTemplatesCommand({ maxResults: 1, nextToken: page.nextToken }));
    assert.deepEqual(rest.repositoryCreationTemplates!.map((x) => x.prefix), ['ROOT']);
    assert.equal(rest.nextToken, undefined);

    const updated = await berth.ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'ROOT', description: 'everything else', appliedFor: ['PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'] }));
    assert.deepEqual([updated.repositoryCreationTemplate!.description, updated.repositoryCreationTemplate!.appliedFor], ['everything else', ['PULL_THROUGH_CACHE', 'CREATE_ON_PUSH']]);
    assert.ok(updated.repositoryCreationTemplate!.updatedAt! >= updated.repositoryCreationTemplate!.createdAt!);
    await rejects(berth.ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'nope', description: 'x' })), 'TemplateNotFoundException');
    await rejects(berth.ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'nope' })), 'TemplateNotFoundException');

    const deleted = await berth.ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'ROOT' }));
    assert.equal(deleted.repositoryCreationTemplate!.description, 'everything else');
    assert.deepEqual((await berth.ecr.send(new DescribeRepositoryCreationTemplatesCommand({}))).repositoryCreationTemplates!.map((x) => x.prefix), ['svc']);
  });

  it('invalid templates are refused as ECR refuses them', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreateRepositoryCreationTemplateCommand>[0]>) =>
      berth.ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'bad', appliedFor: ['REPLICATION'], ...input }));
    await rejects(create({ prefix: 'Bad_Prefix' }), 'ValidationException', /at 'prefix' failed to satisfy constraint/);
    await rejects(create({ appliedFor: ['SOMETIMES' as 'REPLICATION'] }), 'ValidationException', /appliedFor/);
    await rejects(create({ appliedFor: [] }), 'InvalidParameterException', /appliedFor/);
    await rejects(create({ lifecyclePolicy: '{"rules": []}' }), 'InvalidParameterException', /Lifecycle policy validation failure/);
    await rejects(create({ repositoryPolicy: '{"Statement": "nope"}' }), 'InvalidParameterException', /Invalid repository policy provided/);
    await rejects(create({ encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/abc' } }), 'InvalidParameterException', /AES256/);
    await rejects(create({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }), 'InvalidParameterException', /imageTagMutabilityExclusionFilters must be specified/);
    await rejects(create({ customRoleArn: 'arn:aws:iam::999999999999:role/ecr' }), 'InvalidParameterException', /same account/);
    await rejects(create({ resourceTags: [{ Key: 'aws:reserved', Value: 'x' }] }), 'InvalidTagParameterException');
  });

  for (const cli of ['v2', 'v1'] as CliName[]) {
    it(`awscli ${cli} creates, describes and deletes a template`, { skip: !cliAvailable(cli) && `awscli ${cli} is not installed` }, async (t) => {
      const prefix = `cli-${cli}`;
      const created = await aws(cli, berth.endpoint, ['ecr', 'create-repository-creation-template', '--prefix', prefix,
        '--applied-for', 'PULL_THROUGH_CACHE', '--image-tag-mutability', 'IMMUTABLE', '--resource-tags', 'Key=env,Value=dev']);
      if (/Invalid choice/.test(created.stderr)) return t.skip(`this awscli ${cli} predates repository creation templates`);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.json.repositoryCreationTemplate.prefix, prefix);
      const described = await aws(cli, berth.endpoint, ['ecr', 'describe-repository-creation-templates', '--prefixes', prefix]);
      assert.equal(described.code, 0, described.stderr);
      assert.deepEqual(described.json.repositoryCreationTemplates[0].resourceTags, [{ Key: 'env', Value: 'dev' }]);
      const again = await aws(cli, berth.endpoint, ['ecr', 'create-repository-creation-template', '--prefix', prefix, '--applied-for', 'REPLICATION']);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /TemplateAlreadyExistsException/);
      assert.equal((await aws(cli, berth.endpoint, ['ecr', 'delete-repository-creation-template', '--prefix', prefix])).code, 0);
    });
  }

  it('a push to a missing repository fails with NAME_UNKNOWN unless a CREATE_ON_PUSH template covers it', async () => {
    const image = makeImage();
    const miss = await reg.putBlob(wire('loose/app'), image.config);
    assert.equal(miss.status, 404);
    assert.equal(await errorCode(miss), 'NAME_UNKNOWN');
    // A template for other scenarios does not create on push.
    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'loose', appliedFor: ['REPLICATION', 'PULL_THROUGH_CACHE'] }));
    assert.equal((await reg.putBlob(wire('loose/app'), image.config)).status, 404);
    await rejects(berth.ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'loose/app' })), 'RepositoryNotFoundException');
    await rejects(berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['loose/app'] })), 'RepositoryNotFoundException');
  });

  it('with CREATE_ON_PUSH a registry push creates the repository with the most specific template\'s settings', async () => {
    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'ROOT', appliedFor: ['CREATE_ON_PUSH'], resourceTags: [{ Key: 'from', Value: 'root' }] }));
    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'svc/internal', appliedFor: ['REPLICATION'] }));
    const image = makeImage();
    const put = await reg.pushImage(wire('svc/internal/api'), image, 'v1');
    assert.equal(put.status, 201, await put.text());

    const { repositories } = await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['svc/internal/api'] }));
    const repo = repositories![0];
    // 'svc/internal' is longer but not for CREATE_ON_PUSH: the 'svc' template applies.
    assert.equal(repo.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repo.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    // KMS with no key: the account's aws/ecr managed key, reported by its key ARN as CreateRepository reports it.
    assert.equal(repo.encryptionConfiguration?.encryptionType, 'KMS');
    assert.match(repo.encryptionConfiguration?.kmsKey ?? '', new RegExp(`^arn:aws:kms:us-east-1:${ACCOUNT}:key/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
    assert.deepEqual((await berth.ecr.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags, [{ Key: 'team', Value: 'core' }]);
    assert.equal((await berth.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'svc/internal/api' }))).policyText, POLICY);
    // The lifecycle policy is in force: the ecr-lifecycle controller evaluates it.
    const evaluated = await eventually(async () => {
      const p = await berth.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'svc/internal/api' }));
      assert.equal(p.lifecyclePolicyText, LIFECYCLE);
      return p.lastEvaluatedAt;
    }, 'the lifecycle policy to be evaluated');
    assert.ok(evaluated instanceof Date);

    // Anything else falls to ROOT.
    assert.equal((await reg.pushImage(wire('misc/tool'), makeImage(), 'v1')).status, 201);
    const misc = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['misc/tool'] }))).repositories![0];
    assert.deepEqual([misc.imageTagMutability, misc.encryptionConfiguration], ['MUTABLE', { encryptionType: 'AES256' }]);
    assert.deepEqual((await berth.ecr.send(new ListTagsForResourceCommand({ resourceArn: misc.repositoryArn }))).tags, [{ Key: 'from', Value: 'root' }]);
    // A template changed later leaves the repositories it created alone.
    await berth.ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'ROOT', imageTagMutability: 'IMMUTABLE' }));
    assert.equal((await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['misc/tool'] }))).repositories![0].imageTagMutability, 'MUTABLE');
  });

  it('with CREATE_ON_PUSH the ECR layer API and PutImage create the repository too', async () => {
    const image = makeImage({ layers: [Buffer.from('layer through the api')] });
    const repositoryName = 'svc/by-api';
    for (const blob of [image.config, ...image.layers]) {
      const { uploadId } = await berth.ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
      await berth.ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: blob.length - 1, layerPartBlob: blob }));
      await berth.ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(blob)] }));
    }
    const out = await berth.ecr.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag: 'v1' }));
    assert.equal(out.image!.imageId!.imageDigest, image.digest);
    assert.equal((await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }))).repositories![0].imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');

    // A push that fails creates nothing: the repository comes and goes with the call's transaction.
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'svc/retag', imageManifest: image.manifest, imageTag: 'v1' })), 'LayersNotFoundException');
    await rejects(berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['svc/retag'] })), 'RepositoryNotFoundException');
  });

  it('replication creates its destination repository from the destination registry\'s REPLICATION template', async () => {
    const west = new ECRClient(clientConfig(berth.endpoint, 'us-west-2'));
    await west.send(new CreateRepositoryCreationTemplateCommand({
      prefix: 'rep', appliedFor: ['REPLICATION'], imageTagMutability: 'IMMUTABLE', resourceTags: [{ Key: 'replica', Value: 'yes' }],
    }));
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'rep/app' }));
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'plain/app', imageTagMutability: 'MUTABLE' }));
    await berth.ecr.send(new PutReplicationConfigurationCommand({
      replicationConfiguration: { rules: [{ destinations: [{ region: 'us-west-2', registryId: ACCOUNT }] }] },
    }));
    for (const name of ['rep/app', 'plain/app']) {
      const image = makeImage();
      assert.equal((await reg.pushImage(wire(name), image, 'v1')).status, 201);
      await eventually(async () => {
        const out = await berth.ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName: name, imageId: { imageDigest: image.digest } }));
        return out.replicationStatuses?.every((s) => s.status === 'COMPLETE') && out.replicationStatuses.length ? true : undefined;
      }, `${name} to replicate`);
    }
    const rep = (await west.send(new DescribeRepositoriesCommand({ repositoryNames: ['rep/app'] }))).repositories![0];
    assert.equal(rep.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual((await west.send(new ListTagsForResourceCommand({ resourceArn: rep.repositoryArn }))).tags, [{ Key: 'replica', Value: 'yes' }]);
    // No template covers plain/: the source's settings, as before templates.
    const plain = (await west.send(new DescribeRepositoriesCommand({ repositoryNames: ['plain/app'] }))).repositories![0];
    assert.equal(plain.imageTagMutability, 'MUTABLE');
    await berth.ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
  });

  it('a pull through cache creates its repository from the PULL_THROUGH_CACHE template of its prefix', async () => {
    // The upstream: an ECR private registry, which is this Berth's own us-west-2 registry.
    const west = new ECRClient(clientConfig(berth.endpoint, 'us-west-2'));
    await west.send(new CreateRepositoryCommand({ repositoryName: 'lib/base' }));
    const image = makeImage();
    assert.equal((await reg.pushImage(wire('lib/base', 'us-west-2'), image, 'v1')).status, 201);
    await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com` }));
    await berth.ecr.send(new CreateRepositoryCreationTemplateCommand({
      prefix: 'mirror', appliedFor: ['PULL_THROUGH_CACHE'], imageTagMutability: 'IMMUTABLE', repositoryPolicy: POLICY,
    }));
    const pulled = await reg.fetch(`/v2/${wire('mirror/lib/base')}/manifests/v1`, { headers: { accept: image.mediaType } });
    assert.equal(pulled.status, 200, await pulled.clone().text());
    assert.equal(pulled.headers.get('docker-content-digest'), image.digest);
    const repo = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['mirror/lib/base'] }))).repositories![0];
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.equal((await berth.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'mirror/lib/base' }))).policyText, POLICY);
  });
});
