/**
 * ECR repository and registry policies through @aws-sdk/client-ecr: stored
 * as written, validated as IAM policy JSON, and reported missing with ECR's
 * exceptions. Also GetAuthorizationToken's shape.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRepositoryCommand, DeleteRegistryPolicyCommand, DeleteRepositoryPolicyCommand, DescribeImagesCommand, ECRClient,
  GetRegistryPolicyCommand, GetRepositoryPolicyCommand, PutAccountSettingCommand, PutRegistryPolicyCommand, SetRepositoryPolicyCommand, UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'ci', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr:BatchGetImage', 'ecr:DescribeImages'] }],
});

describe('ECR policies', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });

  before(async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'pol/app' }));
  });

  it('a repository policy is stored as written, read back and deleted', async () => {
    await rejects(berth.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'pol/app' })), 'RepositoryPolicyNotFoundException',
      /Repository policy does not exist for the repository with name 'pol\/app'/);
    const set = await berth.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'pol/app', policyText: POLICY }));
    assert.deepEqual([set.registryId, set.repositoryName, set.policyText], ['000000000000', 'pol/app', POLICY]);
    assert.equal((await berth.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'pol/app' }))).policyText, POLICY);
    assert.equal((await berth.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'pol/app' }))).policyText, POLICY);
    await rejects(berth.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'pol/app' })), 'RepositoryPolicyNotFoundException');
  });

  for (const [what, text] of [
    ['not JSON', '{"Version":'],
    ['without a Version', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Principal: '*' }] })],
    ['without statements', JSON.stringify({ Version: '2012-10-17', Statement: [] })],
    ['with a bad Effect', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Principal: '*' }] })],
  ]) {
    it(`a policy ${what} is InvalidParameterException`, async () => {
      await rejects(berth.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'pol/app', policyText: text })), 'InvalidParameterException');
    });
  }

  it('a repository policy lets the granted account use the repository through the API, and only for the granted actions', async () => {
    await berth.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'pol/app', policyText: POLICY }));
    const other = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'x' }));
    const out = await other.send(new DescribeImagesCommand({ registryId: '000000000000', repositoryName: 'pol/app' }));
    assert.deepEqual(out.imageDetails, []);
    await rejects(other.send(new SetRepositoryPolicyCommand({ registryId: '000000000000', repositoryName: 'pol/app', policyText: POLICY })), 'AccessDeniedException');
    const stranger = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '222222222222', secretAccessKey: 'x' }));
    await rejects(stranger.send(new DescribeImagesCommand({ registryId: '000000000000', repositoryName: 'pol/app' })), 'AccessDeniedException');
  });

  it("archiving another account's image needs a repository policy granting ecr:UpdateImageStorageClass", async () => {
    const stranger = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '222222222222', secretAccessKey: 'x' }));
    const input = { registryId: '000000000000', repositoryName: 'pol/app', imageId: { imageTag: 'v1' }, targetStorageClass: 'ARCHIVE' as const };
    await rejects(stranger.send(new UpdateImageStorageClassCommand(input)), 'AccessDeniedException', /ecr:UpdateImageStorageClass/);
  });

  it('a registry policy grants another account every repository under scope V2, only replication under V1; a repository deny wins', async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'pol/reg' }));
    const other = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'x' }));
    const describe = () => other.send(new DescribeImagesCommand({ registryId: '000000000000', repositoryName: 'pol/reg' }));
    await rejects(describe(), 'AccessDeniedException');
    await berth.ecr.send(new PutRegistryPolicyCommand({ policyText: POLICY }));
    assert.deepEqual((await describe()).imageDetails, []);
    await berth.ecr.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' }));
    await rejects(describe(), 'AccessDeniedException');
    await berth.ecr.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V2' }));
    const deny = POLICY.replace('"Allow"', '"Deny"');
    await berth.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'pol/reg', policyText: deny }));
    await rejects(describe(), 'AccessDeniedException');
    await berth.ecr.send(new DeleteRegistryPolicyCommand({}));
    other.destroy();
  });

  it('the registry policy is stored per account and region, read back and deleted', async () => {
    await rejects(berth.ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
    const put = await berth.ecr.send(new PutRegistryPolicyCommand({ policyText: POLICY }));
    assert.deepEqual([put.registryId, put.policyText], ['000000000000', POLICY]);
    assert.equal((await berth.ecr.send(new GetRegistryPolicyCommand({}))).policyText, POLICY);
    const west = new ECRClient(clientConfig(berth.endpoint, 'eu-west-1'));
    await rejects(west.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
    await berth.ecr.send(new DeleteRegistryPolicyCommand({}));
    await rejects(berth.ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException');
  });
});
