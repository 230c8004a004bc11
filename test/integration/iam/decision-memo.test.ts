/**
 * Issue 23, the memoized decisions of `--enforce-iam`: a decision is reused
 * only for the same action, resource, resource policy and values of the
 * context keys the caller's statements read — a resource's tags changing (no
 * IAM write) or a request carrying other tags is decided afresh.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, TagResourceCommand } from '@aws-sdk/client-ecr';
import { useBerth } from '../../helpers/use-berth.js';

const ACCOUNT = '000000000000';
const arnOf = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;

describe('memoized IAM decisions follow the context keys they read', () => {
  const berth = useBerth({ runtime: 'fake', enforceIam: true, clients: { iam: IAMClient, ecr: ECRClient } });
  let ecr: ECRClient;

  before(async () => {
    await berth.iam.send(new CreateUserCommand({ UserName: 'team-a' }));
    await berth.iam.send(new PutUserPolicyCommand({
      UserName: 'team-a', PolicyName: 'tagged',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:DescribeImages', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } } },
          { Effect: 'Allow', Action: 'ecr:CreateRepository', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'a' } } },
        ],
      }),
    }));
    const k = (await berth.iam.send(new CreateAccessKeyCommand({ UserName: 'team-a' }))).AccessKey!;
    ecr = berth.client(ECRClient, { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } });
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'a-app', tags: [{ Key: 'team', Value: 'a' }] }));
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'b-app', tags: [{ Key: 'team', Value: 'b' }] }));
  });

  const describeImages = (name: string) => ecr.send(new DescribeImagesCommand({ repositoryName: name })).then(() => 'allowed', (e) => e.name);

  it('a resource tag decides per resource, and a retag is seen at once', async () => {
    assert.deepEqual([await describeImages('a-app'), await describeImages('b-app'), await describeImages('a-app')],
      ['allowed', 'AccessDeniedException', 'allowed']);
    await berth.ecr.send(new TagResourceCommand({ resourceArn: arnOf('b-app'), tags: [{ Key: 'team', Value: 'a' }] }));
    assert.equal(await describeImages('b-app'), 'allowed');
  });

  it('a request tag decides per request', async () => {
    const create = (name: string, team: string) =>
      ecr.send(new CreateRepositoryCommand({ repositoryName: name, tags: [{ Key: 'team', Value: team }] })).then(() => 'allowed', (e) => e.name);
    assert.deepEqual([await create('r1', 'a'), await create('r2', 'b'), await create('r2', 'a')], ['allowed', 'AccessDeniedException', 'allowed']);
  });
});
