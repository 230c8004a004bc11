/**
 * Issue 23, ECR's registry policy under `--enforce-iam`: another account's user
 * reaches a repository only when both sides allow — its own identity policies,
 * and the repository's policy or the registry's (scope V2 governs every ECR
 * action, V1 only replication and pull-through imports); an explicit deny in
 * either resource policy wins. The API and the registry's /v2/ answer alike.
 * A pull that would create a pull through cache repository also needs
 * ecr:CreateRepository and ecr:BatchImportUpstreamImage.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreatePullThroughCacheRuleCommand, CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, PutAccountSettingCommand, PutRegistryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../../helpers/use-berth.js';

const OWNER = '000000000000';
const OTHER = '111111111111';
const REPO = `arn:aws:ecr:us-east-1:${OWNER}:repository/shared/base`;
const grant = (effect: 'Allow' | 'Deny') => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: effect, Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:DescribeImages', 'ecr:BatchGetImage'], Resource: REPO }],
});
type Creds = { accessKeyId: string; secretAccessKey: string };

describe('ECR registry policies with --enforce-iam', () => {
  const berth = useBerth({ runtime: 'fake', enforceIam: true, clients: { ecr: ECRClient } });
  // The other account's root (a 12-digit key is its own account; root keys sign with the secret "test").
  const otherRoot = { accessKeyId: OTHER, secretAccessKey: 'test' };
  let reader: Creds;
  let nobody: Creds;

  const describeAs = (creds: Creds) => berth.client(ECRClient, { credentials: creds })
    .send(new DescribeImagesCommand({ registryId: OWNER, repositoryName: 'shared/base' })).then(() => 'allowed', (e) => `${e.name}: ${e.message}`);
  let lastBody = '';
  /** A manifest GET through /v2/ with the caller's registry token: 404 once authorized (no such tag), 403 when denied. */
  async function pullAs(creds: Creds, repo = 'shared/base'): Promise<number> {
    const token = (await berth.client(ECRClient, { credentials: creds }).send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    const res = await fetch(`${berth.endpoint}/v2/${OWNER}/us-east-1/${repo}/manifests/latest`, {
      headers: { authorization: `Basic ${token}` }, signal: AbortSignal.timeout(10_000),
    });
    lastBody = await res.text();
    return res.status;
  }

  before(async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'shared/base' }));
    const iam = berth.client(IAMClient, { credentials: otherRoot });
    const keyOf = async (user: string) => {
      await iam.send(new CreateUserCommand({ UserName: user }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    reader = await keyOf('reader');
    nobody = await keyOf('nobody');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
  });

  it('without a resource policy the other account is refused, naming the resource-based policy that is missing', async () => {
    assert.equal(await describeAs(reader), `AccessDeniedException: User: arn:aws:iam::${OTHER}:user/reader is not authorized to perform: ecr:DescribeImages on resource: ${REPO} because no resource-based policy allows the ecr:DescribeImages action`);
    assert.equal(await pullAs(reader), 403);
  });

  it('a registry policy (scope V2) grants the other account; its user still needs an identity policy; scope V1 stops it', async () => {
    await berth.ecr.send(new PutRegistryPolicyCommand({ policyText: grant('Allow') }));
    assert.equal(await describeAs(reader), 'allowed');
    assert.equal(await pullAs(reader), 404);
    assert.match(await describeAs(nobody), /because no identity-based policy allows the ecr:DescribeImages action$/);
    await berth.ecr.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' }));
    assert.match(await describeAs(reader), /because no resource-based policy allows/);
    await berth.ecr.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V2' }));
    assert.equal(await describeAs(reader), 'allowed');
  });

  it('an explicit deny in the repository policy wins over the registry policy\'s allow', async () => {
    await berth.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'shared/base', policyText: grant('Deny') }));
    assert.match(await describeAs(reader), /with an explicit deny in a resource-based policy$/);
    assert.equal(await pullAs(reader), 403);
  });

  it('a pull that would create a pull through cache repository needs ecr:CreateRepository and ecr:BatchImportUpstreamImage', async () => {
    await berth.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' }));
    const iam = berth.client(IAMClient);
    await iam.send(new CreateUserCommand({ UserName: 'puller' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'puller', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'puller' }))).AccessKey!;
    const puller = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    assert.equal(await pullAs(puller, 'ecr-public/library/alpine'), 403);
    assert.match(lastBody, /"DENIED".*is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:0{12}:repository\/ecr-public\/library\/alpine/);
    // The registry policy may grant both to the user itself (ECR's "pull through cache policy" statements).
    await berth.ecr.send(new PutRegistryPolicyCommand({ policyText: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:user/puller` }, Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
        Resource: `arn:aws:ecr:us-east-1:${OWNER}:repository/ecr-public/*`,
      }],
    }) }));
    // Now authorized: the (offline) upstream answers instead.
    assert.notEqual(await pullAs(puller, 'ecr-public/library/alpine'), 403);
  });
});
