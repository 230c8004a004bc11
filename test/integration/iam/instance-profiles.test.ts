/** IAM instance profiles through the v3 SDK: one role each, listing, tags, and the conflicts IAM reports. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, DeleteInstanceProfileCommand, DeleteRoleCommand,
  GetInstanceProfileCommand, IAMClient, ListInstanceProfilesCommand, ListInstanceProfilesForRoleCommand, ListInstanceProfileTagsCommand,
  RemoveRoleFromInstanceProfileCommand, TagInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { useBerth } from '../../helpers/use-berth.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

async function rejects(p: Promise<unknown>, name: string, message: string, status: number) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name);
    assert.equal(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, status);
    return true;
  });
}

describe('IAM instance profiles', () => {
  const berth = useBerth({ clients: { iam: IAMClient } });

  it('a profile holds one role; the role and the profile cannot be deleted while joined', async () => {
    await berth.iam.send(new CreateRoleCommand({ RoleName: 'node', AssumeRolePolicyDocument: TRUST }));
    await berth.iam.send(new CreateRoleCommand({ RoleName: 'other', AssumeRolePolicyDocument: TRUST }));
    const { InstanceProfile: p } = await berth.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'node-profile', Path: '/ecs/', Tags: [{ Key: 'a', Value: 'b' }] }));
    assert.equal(p!.Arn, 'arn:aws:iam::000000000000:instance-profile/ecs/node-profile');
    assert.match(p!.InstanceProfileId!, /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(p!.Roles, []);
    await rejects(berth.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'NODE-PROFILE' })), 'EntityAlreadyExistsException', 'Instance Profile NODE-PROFILE already exists.', 409);

    await berth.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'node-profile', RoleName: 'node' }));
    await rejects(berth.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'node-profile', RoleName: 'other' })),
      'LimitExceededException', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1', 409);
    const got = (await berth.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'node-profile' }))).InstanceProfile!;
    assert.deepEqual(got.Roles!.map((r) => r.RoleName), ['node']);
    assert.deepEqual(got.Tags, [{ Key: 'a', Value: 'b' }]);
    const forRole = await berth.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'node' }));
    assert.deepEqual(forRole.InstanceProfiles!.map((x) => x.InstanceProfileName), ['node-profile']);
    const listed = await berth.iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/ecs/' }));
    assert.deepEqual(listed.InstanceProfiles!.map((x) => x.InstanceProfileName), ['node-profile']);
    assert.equal(listed.IsTruncated, false);

    await rejects(berth.iam.send(new DeleteRoleCommand({ RoleName: 'node' })), 'DeleteConflictException', 'Cannot delete entity, must remove roles from instance profile first.', 409);
    await rejects(berth.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'node-profile' })), 'DeleteConflictException', 'Cannot delete entity, must remove roles from instance profile first.', 409);
    await berth.iam.send(new TagInstanceProfileCommand({ InstanceProfileName: 'node-profile', Tags: [{ Key: 'c', Value: 'd' }] }));
    assert.equal((await berth.iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'node-profile' }))).Tags!.length, 2);
    await berth.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'node-profile', RoleName: 'node' }));
    await berth.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'node-profile' }));
    await berth.iam.send(new DeleteRoleCommand({ RoleName: 'node' }));
    await rejects(berth.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'node-profile' })), 'NoSuchEntityException', 'Instance Profile node-profile cannot be found.', 404);
  });
});
