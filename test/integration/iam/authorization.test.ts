/**
 * Issue 23, policy evaluation: with `--enforce-iam` every operation is
 * authorized against the caller's policies (users' inline and managed
 * policies, AWS managed policies Berth ships, roles' policies and session
 * policies) and the resource's policy, and refused with each protocol's error
 * in AWS's words; the account root is allowed; SimulatePrincipalPolicy and
 * SimulateCustomPolicy answer from the same evaluator.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, GetGroupCommand,
  RemoveUserFromGroupCommand, CreateRoleCommand, CreateUserCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand,
  GetPolicyVersionCommand, IAMClient, ListAttachedUserPoliciesCommand, ListRolesCommand, PutRolePolicyCommand, PutUserPolicyCommand,
  SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateRepositoryCommand, DeleteRepositoryCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, GetSecretValueCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';

const ACCOUNT = '000000000000';
const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
const POWER_USER = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser';
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('IAM policy evaluation with --enforce-iam', () => {
  const berth = useBerth({ runtime: 'fake', enforceIam: true, clients: { iam: IAMClient, ecr: ECRClient, sm: SecretsManagerClient } });
  let ci: Creds;
  const as = <T extends { destroy(): void }>(C: new (c: any) => T, creds: Creds, extra: Record<string, unknown> = {}) =>
    berth.client(C, { credentials: creds, ...extra });

  before(async () => {
    await berth.iam.send(new CreateUserCommand({ UserName: 'ci' }));
    const key = (await berth.iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    ci = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  });

  it('a user without policies is refused in each protocol, in AWS\'s words; the root and GetCallerIdentity are not', async () => {
    const user = `arn:aws:iam::${ACCOUNT}:user/ci`;
    const ecr = await as(ECRClient, ci).send(new CreateRepositoryCommand({ repositoryName: 'app' })).catch((e) => e);
    assert.equal(ecr.name, 'AccessDeniedException');
    assert.equal(ecr.$metadata.httpStatusCode, 400);
    assert.equal(ecr.message, `User: ${user} is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app because no identity-based policy allows the ecr:CreateRepository action`);
    const ecs = await as(ECSClient, ci).send(new ListClustersCommand({})).catch((e) => e);
    assert.equal(ecs.name, 'AccessDeniedException');
    const iam = await as(IAMClient, ci).send(new ListRolesCommand({})).catch((e) => e);
    assert.deepEqual([iam.name, iam.$metadata.httpStatusCode], ['AccessDenied', 403]);
    assert.equal(iam.message, `User: ${user} is not authorized to perform: iam:ListRoles on resource: * because no identity-based policy allows the iam:ListRoles action`);
    const s3 = await as(S3Client, ci, { forcePathStyle: true }).send(new ListBucketsCommand({})).catch((e) => e);
    assert.deepEqual([s3.name, s3.$metadata.httpStatusCode], ['AccessDenied', 403]);
    assert.match(s3.message, /is not authorized to perform: s3:ListAllMyBuckets on resource: "\*" because no identity-based policy allows/);
    const ec2 = await as(EC2Client, ci).send(new DescribeVpcsCommand({})).catch((e) => e);
    assert.deepEqual([ec2.name, ec2.$metadata.httpStatusCode], ['UnauthorizedOperation', 403]);
    assert.match(ec2.message, /^You are not authorized to perform this operation\. User: .* ec2:DescribeVpcs/);
    // GetCallerIdentity needs no permission; the root (the default test credentials) may do anything.
    assert.equal((await as(STSClient, ci).send(new GetCallerIdentityCommand({}))).Arn, user);
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
  });

  it('an AWS managed policy Berth ships grants what its document says; detaching it takes effect at once', async () => {
    await berth.iam.send(new AttachUserPolicyCommand({ UserName: 'ci', PolicyArn: READ_ONLY }));
    const attached = await berth.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'ci' }));
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'AmazonEC2ContainerRegistryReadOnly', PolicyArn: READ_ONLY }]);
    const ecr = as(ECRClient, ci);
    assert.equal((await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }))).repositories![0].repositoryName, 'app');
    assert.ok((await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken);
    const del = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'app' })).catch((e) => e);
    assert.equal(del.name, 'AccessDeniedException');
    // Its document is the one AWS publishes (default version v3).
    const v = await berth.iam.send(new GetPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: 'v3' }));
    assert.ok(JSON.parse(decodeURIComponent(v.PolicyVersion!.Document!)).Statement[0].Action.includes('ecr:BatchGetImage'));
    await berth.iam.send(new DetachUserPolicyCommand({ UserName: 'ci', PolicyArn: READ_ONLY }));
    const after = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] })).catch((e) => e);
    assert.equal(after.name, 'AccessDeniedException');
  });

  it('an explicit deny in an inline policy wins over a managed allow', async () => {
    await berth.iam.send(new AttachUserPolicyCommand({ UserName: 'ci', PolicyArn: POWER_USER }));
    await berth.iam.send(new PutUserPolicyCommand({
      UserName: 'ci', PolicyName: 'no-describe',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecr:DescribeRepositories', Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/app` }] }),
    }));
    const err = await as(ECRClient, ci).send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] })).catch((e) => e);
    assert.equal(err.message, `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app with an explicit deny in an identity-based policy`);
    await berth.iam.send(new DeleteUserPolicyCommand({ UserName: 'ci', PolicyName: 'no-describe' }));
    assert.equal((await as(ECRClient, ci).send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }))).repositories!.length, 1);
    await berth.iam.send(new DetachUserPolicyCommand({ UserName: 'ci', PolicyArn: POWER_USER }));
  });

  it('a group\'s policies apply to its members, until the user leaves the group', async () => {
    await berth.iam.send(new CreateGroupCommand({ GroupName: 'deployers' }));
    await berth.iam.send(new AttachGroupPolicyCommand({ GroupName: 'deployers', PolicyArn: READ_ONLY }));
    await berth.iam.send(new AddUserToGroupCommand({ GroupName: 'deployers', UserName: 'ci' }));
    assert.deepEqual((await berth.iam.send(new GetGroupCommand({ GroupName: 'deployers' }))).Users!.map((u) => u.UserName), ['ci']);
    assert.equal((await as(ECRClient, ci).send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] }))).repositories!.length, 1);
    await berth.iam.send(new RemoveUserFromGroupCommand({ GroupName: 'deployers', UserName: 'ci' }));
    const after = await as(ECRClient, ci).send(new DescribeRepositoriesCommand({ repositoryNames: ['app'] })).catch((e) => e);
    assert.equal(after.name, 'AccessDeniedException');
  });

  it('a role session: the trust policy, the role\'s policies, session policies, a secret\'s resource policy and iam:PassRole', async () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/ci` }, Action: 'sts:AssumeRole' }] };
    const role = (await berth.iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!;
    await berth.iam.send(new PutRolePolicyCommand({
      RoleName: 'app', PolicyName: 'secrets',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ecs:*'], Resource: '*' }] }),
    }));
    // The trust policy names the user: no identity policy of the user is needed to assume the role.
    const assumed = await as(STSClient, ci).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 's1' }));
    const c = assumed.Credentials!;
    const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const secret = (await berth.sm.send(new CreateSecretCommand({ Name: 'db', SecretString: 'pw' }))).ARN!;
    assert.equal((await as(SecretsManagerClient, session).send(new GetSecretValueCommand({ SecretId: 'db' }))).SecretString, 'pw');
    // An explicit deny in the secret's resource policy wins over the role's allow.
    await berth.sm.send(new PutResourcePolicyCommand({
      SecretId: 'db',
      ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: role.Arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
    }));
    const denied = await as(SecretsManagerClient, session).send(new GetSecretValueCommand({ SecretId: 'db' })).catch((e) => e);
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/app/s1 is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret} with an explicit deny in a resource-based policy`);
    // A session policy narrows the session to what it names.
    const narrow = await as(STSClient, ci).send(new AssumeRoleCommand({
      RoleArn: role.Arn, RoleSessionName: 's2',
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }] }),
    }));
    const n = narrow.Credentials!;
    const narrowed = { accessKeyId: n.AccessKeyId!, secretAccessKey: n.SecretAccessKey!, sessionToken: n.SessionToken! };
    await as(ECSClient, narrowed).send(new ListClustersCommand({}));
    const outside = await as(ECSClient, narrowed).send(new RegisterTaskDefinitionCommand({
      family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }],
    })).catch((e) => e);
    assert.match(outside.message, /because no session policy allows the ecs:RegisterTaskDefinition action$/);
    // Handing a role to ECS needs iam:PassRole on it.
    const pass = await as(ECSClient, session).send(new RegisterTaskDefinitionCommand({
      family: 'web', taskRoleArn: role.Arn, containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }],
    })).catch((e) => e);
    assert.equal(pass.message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/app/s1 is not authorized to perform: iam:PassRole on resource: ${role.Arn} because no identity-based policy allows the iam:PassRole action`);
    // Someone the trust policy does not name cannot assume the role.
    await berth.iam.send(new CreateUserCommand({ UserName: 'other' }));
    const k = (await berth.iam.send(new CreateAccessKeyCommand({ UserName: 'other' }))).AccessKey!;
    const refused = await as(STSClient, { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! })
      .send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'other' })).catch((e) => e);
    assert.equal(refused.name, 'AccessDenied');
    assert.match(refused.message, /user\/other is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role\/app/);
  });

  it('SimulatePrincipalPolicy and SimulateCustomPolicy answer from the same evaluator', async () => {
    await berth.iam.send(new AttachUserPolicyCommand({ UserName: 'ci', PolicyArn: READ_ONLY }));
    const sim = await berth.iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/ci`, ActionNames: ['ecr:BatchGetImage', 'ecr:PutImage'],
      ResourceArns: [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app`],
    }));
    assert.deepEqual(sim.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision]), [['ecr:BatchGetImage', 'allowed'], ['ecr:PutImage', 'implicitDeny']]);
    assert.deepEqual(sim.EvaluationResults![0].MatchedStatements, [{ SourcePolicyId: 'AmazonEC2ContainerRegistryReadOnly', SourcePolicyType: 'aws-managed' }]);
    const custom = await berth.iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
          { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
        ],
      })],
      ActionNames: ['s3:GetObject', 's3:DeleteBucket'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ip', ContextKeyValues: ['10.1.2.3'] }],
    }));
    assert.deepEqual(custom.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements![0].SourcePolicyId]),
      [['s3:GetObject', 'allowed', 'PolicyInputList.1'], ['s3:DeleteBucket', 'explicitDeny', 'PolicyInputList.1']]);
  });
});
