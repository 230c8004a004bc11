/** IAM roles through the v3 SDK: create, read, list with pages, tags, delete, and IAM's errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, GetUserCommand, IAMClient, ListInstanceProfilesForRoleCommand, ListRoleTagsCommand, ListRolesCommand,
  TagRoleCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { ECS_TRUST } from './fixtures.js';


describe('IAM roles (awsQuery, global)', () => {
  const berth = useBerth({ clients: { iam: IAMClient } });

  it('CreateRole returns the role with an AROA id, a path in its ARN and the trust policy URL-encoded; GetRole reads it back', async () => {
    const { Role } = await berth.iam.send(new CreateRoleCommand({
      RoleName: 'app-task', Path: '/service/', AssumeRolePolicyDocument: ECS_TRUST, Description: 'the app', MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'web' }],
    }));
    assert.match(Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
    assert.equal(Role!.Arn, 'arn:aws:iam::000000000000:role/service/app-task');
    assert.equal(Role!.Path, '/service/');
    assert.ok(Role!.CreateDate instanceof Date);
    assert.deepEqual(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)), JSON.parse(ECS_TRUST));
    const got = (await berth.iam.send(new GetRoleCommand({ RoleName: 'app-task' }))).Role!;
    assert.equal(got.RoleId, Role!.RoleId);
    assert.equal(got.Description, 'the app');
    assert.equal(got.MaxSessionDuration, 7200);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'web' }]);
  });

  it('role names are unique regardless of case: a second CreateRole is EntityAlreadyExists (409)', async () => {
    const err = await berth.iam.send(new CreateRoleCommand({ RoleName: 'APP-TASK', AssumeRolePolicyDocument: ECS_TRUST })).catch((e) => e);
    assert.equal(err.name, 'EntityAlreadyExistsException');
    assert.equal(err.$metadata.httpStatusCode, 409);
    assert.equal(err.message, 'Role with name APP-TASK already exists.');
  });

  it('GetRole of an unknown role is NoSuchEntity (404) with IAM\'s message', async () => {
    const err = await berth.iam.send(new GetRoleCommand({ RoleName: 'nope' })).catch((e) => e);
    assert.equal(err.name, 'NoSuchEntityException');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.message, 'The role with name nope cannot be found.');
  });

  it('a trust policy that is not JSON, has a Resource, or lacks a principal is MalformedPolicyDocument', async () => {
    const cases: [string, string][] = [
      ['{not json', 'This policy contains invalid Json'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }] }), 'Has prohibited field Resource'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }), 'Missing required field Principal'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] }), 'AssumeRole policy may only specify STS AssumeRole actions.'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'sts:AssumeRole' }] }), 'Syntax errors in policy.'],
    ];
    for (const [doc, message] of cases) {
      const err = await berth.iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: doc })).catch((e) => e);
      assert.equal(err.name, 'MalformedPolicyDocumentException', doc);
      assert.equal(err.message, message);
      assert.equal(err.$metadata.httpStatusCode, 400);
    }
  });

  it('bad names, paths and session durations are ValidationError in the frontend\'s wording', async () => {
    const bad = async (input: object) => berth.iam.send(new CreateRoleCommand({ RoleName: 'ok', AssumeRolePolicyDocument: ECS_TRUST, ...input })).catch((e) => e);
    let err = await bad({ RoleName: 'has space' });
    assert.equal(err.name, 'ValidationError');
    assert.match(err.message, /^1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    err = await bad({ RoleName: 'x'.repeat(65) });
    assert.match(err.message, /at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64/);
    err = await bad({ Path: 'nopath' });
    assert.match(err.message, /at 'path' failed to satisfy constraint/);
    err = await bad({ MaxSessionDuration: 60 });
    assert.match(err.message, /Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/);
  });

  it('ListRoles pages with MaxItems and Marker, in name order, filtered by PathPrefix, without tags', async () => {
    for (const name of ['b-role', 'a-role', 'C-role']) {
      await berth.iam.send(new CreateRoleCommand({ RoleName: name, Path: '/list/', AssumeRolePolicyDocument: ECS_TRUST, Tags: [{ Key: 'k', Value: 'v' }] }));
    }
    const first = await berth.iam.send(new ListRolesCommand({ PathPrefix: '/list/', MaxItems: 2 }));
    assert.deepEqual(first.Roles!.map((r) => r.RoleName), ['a-role', 'b-role']);
    assert.equal(first.IsTruncated, true);
    assert.ok(first.Marker);
    assert.equal(first.Roles![0].Tags, undefined);
    const second = await berth.iam.send(new ListRolesCommand({ PathPrefix: '/list/', MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual(second.Roles!.map((r) => r.RoleName), ['C-role']);
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    const all = await berth.iam.send(new ListRolesCommand({}));
    assert.ok(all.Roles!.some((r) => r.RoleName === 'app-task'));
  });

  it('IAM is global: a role made through one region is seen through another', async () => {
    const other = new IAMClient(clientConfig(berth.endpoint, 'eu-west-1'));
    const { Role } = await other.send(new GetRoleCommand({ RoleName: 'app-task' }));
    other.destroy();
    assert.equal(Role!.Arn, 'arn:aws:iam::000000000000:role/service/app-task');
  });

  it('TagRole, UntagRole and ListRoleTags manage tags with case-insensitive keys', async () => {
    await berth.iam.send(new TagRoleCommand({ RoleName: 'app-task', Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'TEAM', Value: 'api' }] }));
    let tags = (await berth.iam.send(new ListRoleTagsCommand({ RoleName: 'app-task' }))).Tags!;
    assert.deepEqual(tags.map((t) => `${t.Key}=${t.Value}`).sort(), ['TEAM=api', 'env=dev']);
    await berth.iam.send(new UntagRoleCommand({ RoleName: 'app-task', TagKeys: ['Env'] }));
    tags = (await berth.iam.send(new ListRoleTagsCommand({ RoleName: 'app-task' }))).Tags!;
    assert.deepEqual(tags, [{ Key: 'TEAM', Value: 'api' }]);
  });

  it('UpdateRole and UpdateAssumeRolePolicy change the description, session limit and trust policy', async () => {
    await berth.iam.send(new UpdateRoleCommand({ RoleName: 'app-task', Description: 'changed', MaxSessionDuration: 3600 }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '000000000000' }, Action: 'sts:AssumeRole' }] });
    await berth.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app-task', PolicyDocument: trust }));
    const { Role } = await berth.iam.send(new GetRoleCommand({ RoleName: 'app-task' }));
    assert.equal(Role!.Description, 'changed');
    assert.equal(Role!.MaxSessionDuration, 3600);
    assert.equal(decodeURIComponent(Role!.AssumeRolePolicyDocument!), trust);
  });

  it('ListInstanceProfilesForRole lists none for a role in no profile and is NoSuchEntity for an unknown one', async () => {
    const out = await berth.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'c-role' }));
    assert.deepEqual([out.InstanceProfiles, out.IsTruncated], [[], false]);
    const err = await berth.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'no-such-role' })).catch((e) => e);
    assert.equal(err.name, 'NoSuchEntityException');
  });

  it('DeleteRole removes the role; deleting it again is NoSuchEntity', async () => {
    await berth.iam.send(new DeleteRoleCommand({ RoleName: 'c-role' }));
    const err = await berth.iam.send(new GetRoleCommand({ RoleName: 'C-role' })).catch((e) => e);
    assert.equal(err.name, 'NoSuchEntityException');
    const again = await berth.iam.send(new DeleteRoleCommand({ RoleName: 'C-role' })).catch((e) => e);
    assert.equal(again.name, 'NoSuchEntityException');
  });

  it('GetUser without a name describes the caller, the account root', async () => {
    const { User } = await berth.iam.send(new GetUserCommand({}));
    assert.equal(User!.Arn, 'arn:aws:iam::000000000000:root');
    assert.equal(User!.UserId, '000000000000');
    const err = await berth.iam.send(new GetUserCommand({ UserName: 'bob' })).catch((e) => e);
    assert.equal(err.name, 'NoSuchEntityException');
    assert.equal(err.message, 'The user with name bob cannot be found.');
  });

  it('a 12-digit access key is its own account: its roles are not the default account\'s', async () => {
    const own = new IAMClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '111122223333', secretAccessKey: 'x' }));
    const { Role } = await own.send(new CreateRoleCommand({ RoleName: 'app-task', AssumeRolePolicyDocument: ECS_TRUST }));
    assert.equal(Role!.Arn, 'arn:aws:iam::111122223333:role/app-task');
    own.destroy();
    const { Role: mine } = await berth.iam.send(new GetRoleCommand({ RoleName: 'app-task' }));
    assert.equal(mine!.Arn, 'arn:aws:iam::000000000000:role/service/app-task');
  });
});
