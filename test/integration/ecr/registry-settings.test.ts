/**
 * Registry-wide ECR settings through @aws-sdk/client-ecr and the awscli:
 * GetAccountSetting/PutAccountSetting (defaults, validation, per region),
 * the signing configuration (stored, validated; Berth signs nothing), and
 * pull time update exclusions, which keep an excluded role's pulls from
 * moving lastRecordedPullTime.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetImageCommand, CreateRepositoryCommand, DeleteSigningConfigurationCommand, DeregisterPullTimeUpdateExclusionCommand,
  DescribeImageSigningStatusCommand, DescribeImagesCommand, ECRClient, GetAccountSettingCommand, GetSigningConfigurationCommand,
  ListPullTimeUpdateExclusionsCommand, PutAccountSettingCommand, PutSigningConfigurationCommand, RegisterPullTimeUpdateExclusionCommand,
} from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { aws, cliAvailable, type CliName } from '../../helpers/cli.js';
import { Registry, makeImage, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';
const PROFILE = `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/release_profile`;

describe('ECR registry settings', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;

  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'set/app' }));
  });

  it('GetAccountSetting reports ECR\'s defaults; PutAccountSetting changes one registry (account and region) only', async () => {
    const get = async (client: ECRClient, name: string) => (await client.send(new GetAccountSettingCommand({ name }))).value;
    assert.deepEqual(
      [await get(berth.ecr, 'BLOB_MOUNTING'), await get(berth.ecr, 'REGISTRY_POLICY_SCOPE'), await get(berth.ecr, 'BASIC_SCAN_TYPE_VERSION')],
      ['DISABLED', 'V2', 'AWS_NATIVE'],
    );
    assert.deepEqual(await berth.ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' })).then((o) => [o.name, o.value]), ['BLOB_MOUNTING', 'ENABLED']);
    assert.equal(await get(berth.ecr, 'BLOB_MOUNTING'), 'ENABLED');
    assert.equal(await get(new ECRClient(clientConfig(berth.endpoint, 'eu-west-1')), 'BLOB_MOUNTING'), 'DISABLED');
    await rejects(berth.ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'MAYBE' })), 'InvalidParameterException', /ENABLED, DISABLED/);
    await rejects(berth.ecr.send(new GetAccountSettingCommand({ name: 'NO_SUCH_SETTING' })), 'InvalidParameterException', /BLOB_MOUNTING/);
    await berth.ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }));
  });

  for (const cli of ['v2', 'v1'] as CliName[]) {
    it(`awscli ${cli} reads and writes an account setting`, { skip: !cliAvailable(cli) && `awscli ${cli} is not installed` }, async (t) => {
      const put = await aws(cli, berth.endpoint, ['ecr', 'put-account-setting', '--name', 'REGISTRY_POLICY_SCOPE', '--value', 'V1']);
      if (/Invalid choice/.test(put.stderr)) return t.skip(`this awscli ${cli} predates account settings`);
      assert.equal(put.code, 0, put.stderr);
      const got = await aws(cli, berth.endpoint, ['ecr', 'get-account-setting', '--name', 'REGISTRY_POLICY_SCOPE']);
      assert.deepEqual(got.json, { name: 'REGISTRY_POLICY_SCOPE', value: 'V1' });
      await aws(cli, berth.endpoint, ['ecr', 'put-account-setting', '--name', 'REGISTRY_POLICY_SCOPE', '--value', 'V2']);
    });
  }

  it('the signing configuration is validated, stored, read back and deleted; images have no signing statuses', async () => {
    await rejects(berth.ecr.send(new GetSigningConfigurationCommand({})), 'SigningConfigurationNotFoundException');
    await rejects(berth.ecr.send(new DeleteSigningConfigurationCommand({})), 'SigningConfigurationNotFoundException');
    const signingConfiguration = {
      rules: [{ signingProfileArn: PROFILE, repositoryFilters: [{ filter: 'set/*', filterType: 'WILDCARD_MATCH' as const }] }],
    };
    assert.deepEqual((await berth.ecr.send(new PutSigningConfigurationCommand({ signingConfiguration }))).signingConfiguration, signingConfiguration);
    const got = await berth.ecr.send(new GetSigningConfigurationCommand({}));
    assert.deepEqual([got.registryId, got.signingConfiguration], [ACCOUNT, signingConfiguration]);
    await rejects(berth.ecr.send(new PutSigningConfigurationCommand({ signingConfiguration: { rules: [{ signingProfileArn: 'arn:aws:signer:::nope' }] } })), 'ValidationException', /signingProfileArn/);
    await rejects(berth.ecr.send(new PutSigningConfigurationCommand({
      signingConfiguration: { rules: [{ signingProfileArn: PROFILE, repositoryFilters: [{ filter: 'Bad Filter', filterType: 'WILDCARD_MATCH' }] }] },
    })), 'ValidationException', /filter/);
    await rejects(berth.ecr.send(new PutSigningConfigurationCommand({
      signingConfiguration: { rules: Array.from({ length: 11 }, () => ({ signingProfileArn: PROFILE })) },
    })), 'ValidationException', /less than or equal to 10/);

    const image = makeImage();
    await reg.pushImage(`${ACCOUNT}/us-east-1/set/app`, image, 'v1');
    const status = await berth.ecr.send(new DescribeImageSigningStatusCommand({ repositoryName: 'set/app', imageId: { imageTag: 'v1' } }));
    assert.deepEqual([status.repositoryName, status.registryId, status.imageId, status.signingStatuses], ['set/app', ACCOUNT, { imageDigest: image.digest, imageTag: 'v1' }, []]);
    await rejects(berth.ecr.send(new DescribeImageSigningStatusCommand({ repositoryName: 'set/app', imageId: { imageTag: 'nope' } })), 'ImageNotFoundException');

    assert.deepEqual((await berth.ecr.send(new DeleteSigningConfigurationCommand({}))).signingConfiguration, signingConfiguration);
    await rejects(berth.ecr.send(new GetSigningConfigurationCommand({})), 'SigningConfigurationNotFoundException');
  });

  it('an excluded role\'s BatchGetImage leaves lastRecordedPullTime alone; others still move it', async () => {
    const iam = new IAMClient(clientConfig(berth.endpoint));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'scanner', AssumeRolePolicyDocument: trust }))).Role!;
    const sts = new STSClient(clientConfig(berth.endpoint));
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'nightly' }))).Credentials!;
    const asRole = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', {
      accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken!,
    } as { accessKeyId: string; secretAccessKey: string }));

    await rejects(berth.ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: `arn:aws:iam::${ACCOUNT}:group/devs` })), 'ValidationException');
    assert.equal((await berth.ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: role.Arn }))).principalArn, role.Arn);
    await rejects(berth.ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: role.Arn })), 'ExclusionAlreadyExistsException');
    assert.deepEqual((await berth.ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, [role.Arn]);

    const image = makeImage();
    await reg.pushImage(`${ACCOUNT}/us-east-1/set/app`, image, 'pulled');
    const pulledAt = async () => (await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'set/app', imageIds: [{ imageTag: 'pulled' }] }))).imageDetails![0].lastRecordedPullTime;
    await asRole.send(new BatchGetImageCommand({ repositoryName: 'set/app', imageIds: [{ imageTag: 'pulled' }] }));
    assert.equal(await pulledAt(), undefined);
    await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'set/app', imageIds: [{ imageTag: 'pulled' }] }));
    assert.ok((await pulledAt()) instanceof Date);

    assert.equal((await berth.ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: role.Arn }))).principalArn, role.Arn);
    await rejects(berth.ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: role.Arn })), 'ExclusionNotFoundException');
    assert.deepEqual((await berth.ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, []);
  });
});
