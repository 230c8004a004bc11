/** EFS tagging (both APIs), file system policies, lifecycle and backup policies, and what Berth does not implement. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, CreateReplicationConfigurationCommand, CreateTagsCommand, DeleteFileSystemPolicyCommand,
  DeleteTagsCommand, DescribeAccessPointsCommand, DescribeBackupPolicyCommand, DescribeFileSystemPolicyCommand, DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand, DescribeTagsCommand, ListTagsForResourceCommand, PutBackupPolicyCommand, PutFileSystemPolicyCommand,
  PutLifecycleConfigurationCommand, TagResourceCommand, UntagResourceCommand, EFSClient,
} from '@aws-sdk/client-efs';
import { useBerth } from '../../helpers/use-berth.js';
import { efsClient, fileSystemAvailable, rejectsWith } from './support.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['elasticfilesystem:ClientMount'], Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
});

describe('EFS tags and policies', () => {
  const berth = useBerth({ runtime: 'fake', clients: { efs: EFSClient } });
  let fsId: string;
  let fsArn: string;

  before(async () => {
    const fs = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'tags', Tags: [{ Key: 'env', Value: 'dev' }] }));
    fsId = fs.FileSystemId!;
    fsArn = fs.FileSystemArn!;
    await fileSystemAvailable(berth.efs, fsId);
  });

  it('TagResource, ListTagsForResource and UntagResource work on file systems by id or ARN, and Name follows the Name tag', async () => {
    await berth.efs.send(new TagResourceCommand({ ResourceId: fsId, Tags: [{ Key: 'Name', Value: 'data' }, { Key: 'env', Value: 'prod' }] }));
    const listed = await berth.efs.send(new ListTagsForResourceCommand({ ResourceId: fsArn }));
    assert.deepEqual(listed.Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'Name', Value: 'data' }]);
    const { FileSystems } = await berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fsId }));
    assert.equal(FileSystems?.[0].Name, 'data');
    await berth.efs.send(new UntagResourceCommand({ ResourceId: fsId, TagKeys: ['Name'] }));
    const after = await berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fsId }));
    assert.equal(after.FileSystems?.[0].Name, undefined);
    assert.deepEqual(after.FileSystems?.[0].Tags, [{ Key: 'env', Value: 'prod' }]);
  });

  it('access points are tagged the same way', async () => {
    const ap = await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId }));
    await berth.efs.send(new TagResourceCommand({ ResourceId: ap.AccessPointArn, Tags: [{ Key: 'Name', Value: 'ap' }] }));
    const { Tags } = await berth.efs.send(new ListTagsForResourceCommand({ ResourceId: ap.AccessPointId }));
    assert.deepEqual(Tags, [{ Key: 'Name', Value: 'ap' }]);
    const { AccessPoints } = await berth.efs.send(new DescribeAccessPointsCommand({ AccessPointId: ap.AccessPointId }));
    assert.equal(AccessPoints?.[0].Name, 'ap');
  });

  it('ListTagsForResource pages with MaxResults and NextToken', async () => {
    const fs = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'many-tags', Tags: [1, 2, 3, 4, 5].map((i) => ({ Key: `k${i}`, Value: `${i}` })) }));
    const keys: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await berth.efs.send(new ListTagsForResourceCommand({ ResourceId: fs.FileSystemId, MaxResults: 2, NextToken }));
      keys.push(...out.Tags!.map((t) => t.Key!));
      NextToken = out.NextToken;
    } while (NextToken);
    assert.deepEqual(keys, ['k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('tagging checks the resource and the keys: FileSystemNotFound, AccessPointNotFound, BadRequest', async () => {
    await rejectsWith(berth.efs.send(new TagResourceCommand({ ResourceId: 'fs-0123456789abcdef0', Tags: [{ Key: 'a', Value: 'b' }] })), 'FileSystemNotFound', 404);
    await rejectsWith(berth.efs.send(new ListTagsForResourceCommand({ ResourceId: 'fsap-0123456789abcdef0' })), 'AccessPointNotFound', 404);
    await rejectsWith(berth.efs.send(new TagResourceCommand({ ResourceId: fsId, Tags: [{ Key: 'aws:x', Value: 'b' }] })), 'ValidationException', 400);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `t${i}`, Value: 'x' }));
    await rejectsWith(berth.efs.send(new TagResourceCommand({ ResourceId: fsId, Tags: tooMany })), 'BadRequest', 400);
  });

  it('the legacy CreateTags, DescribeTags and DeleteTags still work on file systems', async () => {
    await berth.efs.send(new CreateTagsCommand({ FileSystemId: fsId, Tags: [{ Key: 'legacy', Value: 'yes' }] }));
    const out = await berth.efs.send(new DescribeTagsCommand({ FileSystemId: fsId }));
    assert.ok(out.Tags!.some((t) => t.Key === 'legacy' && t.Value === 'yes'));
    await berth.efs.send(new DeleteTagsCommand({ FileSystemId: fsId, TagKeys: ['legacy'] }));
    const again = await berth.efs.send(new DescribeTagsCommand({ FileSystemId: fsId }));
    assert.ok(!again.Tags!.some((t) => t.Key === 'legacy'));
  });

  it('a file system policy is PolicyNotFound until put, must be a valid policy, and can be deleted', async () => {
    await rejectsWith(berth.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fsId })), 'PolicyNotFound', 404);
    await rejectsWith(berth.efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fsId, Policy: '{not json' })), 'InvalidPolicyException', 400);
    await rejectsWith(berth.efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fsId, Policy: '{"Statement":[{"Effect":"Maybe","Action":"x"}]}' })),
      'InvalidPolicyException', 400);
    const put = await berth.efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fsId, Policy: POLICY }));
    assert.equal(put.FileSystemId, fsId);
    const got = await berth.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fsId }));
    assert.deepEqual(JSON.parse(got.Policy!), JSON.parse(POLICY));
    await berth.efs.send(new DeleteFileSystemPolicyCommand({ FileSystemId: fsId }));
    await rejectsWith(berth.efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fsId })), 'PolicyNotFound', 404);
  });

  it('lifecycle configuration and backup policy are recorded and described', async () => {
    const empty = await berth.efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId: fsId }));
    assert.deepEqual(empty.LifecyclePolicies, []);
    const policies = [{ TransitionToIA: 'AFTER_30_DAYS' as const }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' as const }];
    const put = await berth.efs.send(new PutLifecycleConfigurationCommand({ FileSystemId: fsId, LifecyclePolicies: policies }));
    assert.deepEqual(put.LifecyclePolicies, policies);
    assert.deepEqual((await berth.efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId: fsId }))).LifecyclePolicies, policies);
    await rejectsWith(berth.efs.send(new PutLifecycleConfigurationCommand({
      FileSystemId: fsId, LifecyclePolicies: [{ TransitionToIA: 'AFTER_7_DAYS', TransitionToArchive: 'AFTER_90_DAYS' }],
    })), 'BadRequest', 400);

    assert.equal((await berth.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: fsId }))).BackupPolicy?.Status, 'DISABLED');
    await berth.efs.send(new PutBackupPolicyCommand({ FileSystemId: fsId, BackupPolicy: { Status: 'ENABLED' } }));
    assert.equal((await berth.efs.send(new DescribeBackupPolicyCommand({ FileSystemId: fsId }))).BackupPolicy?.Status, 'ENABLED');
  });

  it('an operation Berth does not implement answers 501 naming it', async () => {
    await assert.rejects(berth.efs.send(new CreateReplicationConfigurationCommand({ SourceFileSystemId: fsId, Destinations: [{ Region: 'us-west-2' }] })), (e: any) => {
      assert.equal(e.$metadata.httpStatusCode, 501);
      assert.match(e.message, /CreateReplicationConfiguration/);
      return true;
    });
  });
});
