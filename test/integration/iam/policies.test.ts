/** A role's policies through the v3 SDK: inline, attached AWS and customer managed, and DeleteConflict. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, DeletePolicyCommand,
  DeletePolicyVersionCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, GetPolicyCommand,
  GetPolicyVersionCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListPoliciesCommand,
  ListPolicyVersionsCommand, ListRolePoliciesCommand, PutRolePolicyCommand, SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { useBerth } from '../../helpers/use-berth.js';
import { ECS_TRUST } from './fixtures.js';

const READ_BUCKET = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::bucket/*' }],
});
const EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

describe('IAM role policies', () => {
  const berth = useBerth({ clients: { iam: IAMClient } });
  before(async () => {
    await berth.iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: ECS_TRUST }));
  });

  it('PutRolePolicy stores an inline policy that GetRolePolicy returns URL-encoded and ListRolePolicies names', async () => {
    await berth.iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'read-bucket', PolicyDocument: READ_BUCKET }));
    await berth.iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'another', PolicyDocument: READ_BUCKET }));
    const got = await berth.iam.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'read-bucket' }));
    assert.equal(got.RoleName, 'worker');
    assert.equal(decodeURIComponent(got.PolicyDocument!), READ_BUCKET);
    const page = await berth.iam.send(new ListRolePoliciesCommand({ RoleName: 'worker', MaxItems: 1 }));
    assert.deepEqual(page.PolicyNames, ['another']);
    assert.equal(page.IsTruncated, true);
    const rest = await berth.iam.send(new ListRolePoliciesCommand({ RoleName: 'worker', Marker: page.Marker }));
    assert.deepEqual(rest.PolicyNames, ['read-bucket']);
  });

  it('an inline policy with a principal, without resources or with an action lacking a vendor is MalformedPolicyDocument', async () => {
    const cases: [object, string][] = [
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }, 'Policy document should not specify a principal.'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] }, 'Policy statement must contain resources.'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'Policy statement must contain actions.'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] }, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'bucket' }] }, 'Resource bucket must be in ARN format or "*".'],
    ];
    for (const [doc, message] of cases) {
      const err = await berth.iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'bad', PolicyDocument: JSON.stringify(doc) })).catch((e) => e);
      assert.equal(err.name, 'MalformedPolicyDocumentException');
      assert.equal(err.message, message);
    }
  });

  it('GetRolePolicy and DeleteRolePolicy of an unknown inline policy are NoSuchEntity', async () => {
    for (const cmd of [new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'ghost' }), new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'ghost' })]) {
      const err = await berth.iam.send(cmd as never).catch((e) => e);
      assert.equal(err.name, 'NoSuchEntityException');
      assert.equal(err.message, 'The role policy with name ghost cannot be found.');
    }
  });

  it('AWS managed policies always exist and attach; ListAttachedRolePolicies names them and filters by path', async () => {
    await berth.iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: EXECUTION_POLICY }));
    await berth.iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const all = await berth.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'worker' }));
    assert.deepEqual(all.AttachedPolicies, [
      { PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: EXECUTION_POLICY },
      { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ]);
    const byPath = await berth.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'worker', PathPrefix: '/service-role/' }));
    assert.deepEqual(byPath.AttachedPolicies!.map((p) => p.PolicyName), ['AmazonECSTaskExecutionRolePolicy']);
  });

  it('a customer managed policy must exist to be attached, counts its attachments and cannot be deleted while attached', async () => {
    const missing = await berth.iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: 'arn:aws:iam::000000000000:policy/nope' })).catch((e) => e);
    assert.equal(missing.name, 'NoSuchEntityException');
    assert.equal(missing.message, 'Policy arn:aws:iam::000000000000:policy/nope does not exist or is not attachable.');
    const { Policy } = await berth.iam.send(new CreatePolicyCommand({ PolicyName: 'read-bucket', Path: '/app/', PolicyDocument: READ_BUCKET }));
    assert.equal(Policy!.Arn, 'arn:aws:iam::000000000000:policy/app/read-bucket');
    assert.match(Policy!.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    await berth.iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: Policy!.Arn }));
    assert.equal((await berth.iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn }))).Policy!.AttachmentCount, 1);
    const version = await berth.iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }));
    assert.equal(decodeURIComponent(version.PolicyVersion!.Document!), READ_BUCKET);
    const local = await berth.iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.deepEqual(local.Policies!.map((p) => p.PolicyName), ['read-bucket']);
    const conflict = await berth.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn })).catch((e) => e);
    assert.equal(conflict.name, 'DeleteConflictException');
    assert.equal(conflict.$metadata.httpStatusCode, 409);
    await berth.iam.send(new DetachRolePolicyCommand({ RoleName: 'worker', PolicyArn: Policy!.Arn }));
    await berth.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn }));
  });

  it('policy versions: CreatePolicyVersion up to five, SetDefault moves the document, the default cannot be deleted, ids are not reused', async () => {
    const { Policy } = await berth.iam.send(new CreatePolicyCommand({ PolicyName: 'versioned', PolicyDocument: READ_BUCKET }));
    const arn = Policy!.Arn!;
    const doc = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::b${n}/*` }] });
    const v2 = await berth.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(2), SetAsDefault: true }));
    assert.deepEqual([v2.PolicyVersion!.VersionId, v2.PolicyVersion!.IsDefaultVersion, v2.PolicyVersion!.Document], ['v2', true, undefined]);
    for (const n of [3, 4, 5]) await berth.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(n) }));
    const full = await berth.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(6) })).catch((e) => e);
    assert.equal(full.name, 'LimitExceededException');
    const listed = await berth.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    assert.deepEqual(listed.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion, v.Document]),
      [['v5', false, undefined], ['v4', false, undefined], ['v3', false, undefined], ['v2', true, undefined], ['v1', false, undefined]]);
    assert.equal((await berth.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId, 'v2');
    const page = await berth.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2 }));
    assert.deepEqual([page.Versions!.map((v) => v.VersionId), page.IsTruncated], [['v5', 'v4'], true]);
    const rest = await berth.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, Marker: page.Marker }));
    assert.deepEqual(rest.Versions!.map((v) => v.VersionId), ['v3', 'v2', 'v1']);

    await berth.iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v4' }));
    const v4 = await berth.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v4' }));
    assert.deepEqual([decodeURIComponent(v4.PolicyVersion!.Document!), v4.PolicyVersion!.IsDefaultVersion], [doc(4), true]);
    const conflict = await berth.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v4' })).catch((e) => e);
    assert.deepEqual([conflict.name, conflict.message], ['DeleteConflictException', 'Cannot delete the default version of a policy.']);
    const many = await berth.iam.send(new DeletePolicyCommand({ PolicyArn: arn })).catch((e) => e);
    assert.equal(many.name, 'DeleteConflictException');
    for (const v of ['v5', 'v3', 'v2', 'v1']) await berth.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    const v6 = await berth.iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(6) }));
    assert.equal(v6.PolicyVersion!.VersionId, 'v6');
    const gone = await berth.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' })).catch((e) => e);
    assert.equal(gone.name, 'NoSuchEntityException');
    await berth.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v6' }));
    await berth.iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    const aws = await berth.iam.send(new ListPolicyVersionsCommand({ PolicyArn: EXECUTION_POLICY }));
    assert.deepEqual(aws.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]), [['v1', true]]);
  });

  it('a malformed policy ARN is InvalidInput; detaching a policy that is not attached is NoSuchEntity', async () => {
    const bad = await berth.iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: 'arn:aws:s3:::not-a-policy' })).catch((e) => e);
    assert.equal(bad.name, 'InvalidInputException');
    assert.equal(bad.message, 'ARN arn:aws:s3:::not-a-policy is not valid.');
    const notAttached = await berth.iam.send(new DetachRolePolicyCommand({ RoleName: 'worker', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })).catch((e) => e);
    assert.equal(notAttached.name, 'NoSuchEntityException');
    assert.equal(notAttached.message, 'Policy arn:aws:iam::aws:policy/AdministratorAccess was not found.');
  });

  it('DeleteRole is DeleteConflict while managed policies are attached, then while inline policies remain', async () => {
    let err = await berth.iam.send(new DeleteRoleCommand({ RoleName: 'worker' })).catch((e) => e);
    assert.equal(err.name, 'DeleteConflictException');
    assert.equal(err.message, 'Cannot delete entity, must detach all policies first.');
    for (const arn of [EXECUTION_POLICY, 'arn:aws:iam::aws:policy/ReadOnlyAccess']) {
      await berth.iam.send(new DetachRolePolicyCommand({ RoleName: 'worker', PolicyArn: arn }));
    }
    err = await berth.iam.send(new DeleteRoleCommand({ RoleName: 'worker' })).catch((e) => e);
    assert.equal(err.name, 'DeleteConflictException');
    assert.equal(err.message, 'Cannot delete entity, must delete policies first.');
    for (const name of ['read-bucket', 'another']) await berth.iam.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: name }));
    await berth.iam.send(new DeleteRoleCommand({ RoleName: 'worker' }));
  });
});
