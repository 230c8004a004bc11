/** EFS access points through @aws-sdk/client-efs. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, DeleteAccessPointCommand, DescribeAccessPointsCommand, EFSClient,
} from '@aws-sdk/client-efs';
import { useBerth } from '../../helpers/use-berth.js';
import { accessPointAvailable, efsClient, fileSystemAvailable, rejectsWith } from './support.js';

describe('EFS access points', () => {
  const berth = useBerth({ runtime: 'fake', clients: { efs: EFSClient } });
  let fsId: string;

  before(async () => {
    fsId = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'ap-tests' }))).FileSystemId!;
    await fileSystemAvailable(berth.efs, fsId);
  });

  it('CreateAccessPoint records the root directory, its creation info and the POSIX user, then becomes available', async () => {
    const ap = await berth.efs.send(new CreateAccessPointCommand({
      FileSystemId: fsId,
      PosixUser: { Uid: 1000, Gid: 1000, SecondaryGids: [50] },
      RootDirectory: { Path: '/apps/web', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '750' } },
      Tags: [{ Key: 'Name', Value: 'web-data' }],
    }));
    assert.match(ap.AccessPointId!, /^fsap-0[0-9a-f]{16}$/);
    assert.equal(ap.AccessPointArn, `arn:aws:elasticfilesystem:us-east-1:000000000000:access-point/${ap.AccessPointId}`);
    assert.equal(ap.FileSystemId, fsId);
    assert.equal(ap.LifeCycleState, 'creating');
    assert.equal(ap.OwnerId, '000000000000');
    assert.equal(ap.Name, 'web-data');
    assert.deepEqual(ap.PosixUser, { Uid: 1000, Gid: 1000, SecondaryGids: [50] });
    assert.deepEqual(ap.RootDirectory, { Path: '/apps/web', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '750' } });
    assert.ok(ap.ClientToken, 'the SDK filled the idempotency token');
    const available = await accessPointAvailable(berth.efs, ap.AccessPointId!);
    assert.equal(available.Name, 'web-data');
  });

  it('an access point without a root directory exposes the file system root', async () => {
    const ap = await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId }));
    assert.deepEqual(ap.RootDirectory, { Path: '/' });
    assert.equal(ap.PosixUser, undefined);
  });

  it('a ClientToken already used answers AccessPointAlreadyExists naming the access point', async () => {
    const first = await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId, ClientToken: 'same-token' }));
    await assert.rejects(berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId, ClientToken: 'same-token' })), (e: any) => {
      assert.equal(e.name, 'AccessPointAlreadyExists');
      assert.equal(e.$metadata.httpStatusCode, 409);
      assert.equal(e.AccessPointId, first.AccessPointId);
      return true;
    });
  });

  it('root paths and creation info are validated as EFS does', async () => {
    const bad = (RootDirectory: object) => berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId, RootDirectory }));
    await rejectsWith(bad({ Path: 'relative' }), 'BadRequest', 400);
    await rejectsWith(bad({ Path: '/a/b/c/d/e' }), 'BadRequest', 400, /four subdirectories/);
    await rejectsWith(bad({ Path: '/a/../etc' }), 'BadRequest', 400);
    await rejectsWith(bad({ Path: '/a//b' }), 'BadRequest', 400);
    await rejectsWith(bad({ Path: '/data', CreationInfo: { OwnerUid: 1, OwnerGid: 1, Permissions: '999' } }), 'BadRequest', 400, /octal/);
    await rejectsWith(berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId, PosixUser: { Uid: -1, Gid: 0 } })), 'BadRequest', 400);
    // Four levels is the limit, not over it.
    await bad({ Path: '/a/b/c/d' });
  });

  it('an access point on a missing file system is FileSystemNotFound', async () => {
    await rejectsWith(berth.efs.send(new CreateAccessPointCommand({ FileSystemId: 'fs-0123456789abcdef0' })), 'FileSystemNotFound', 404);
  });

  it('DescribeAccessPoints lists by file system or id, pages with MaxResults, and reports unknown ids', async () => {
    const other = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'ap-list' }))).FileSystemId!;
    await fileSystemAvailable(berth.efs, other);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: other, RootDirectory: { Path: `/t${i}` } }))).AccessPointId!);
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: other, MaxResults: 2, NextToken }));
      assert.ok(out.AccessPoints!.length <= 2);
      seen.push(...out.AccessPoints!.map((a) => a.AccessPointId!));
      NextToken = out.NextToken;
    } while (NextToken);
    assert.deepEqual(seen, ids);
    const one = await berth.efs.send(new DescribeAccessPointsCommand({ AccessPointId: ids[1] }));
    assert.equal(one.AccessPoints?.[0].RootDirectory?.Path, '/t1');
    const all = await berth.efs.send(new DescribeAccessPointsCommand({}));
    assert.ok(ids.every((id) => all.AccessPoints!.some((a) => a.AccessPointId === id)));
    await rejectsWith(berth.efs.send(new DescribeAccessPointsCommand({ AccessPointId: 'fsap-0123456789abcdef0' })), 'AccessPointNotFound', 404);
    await rejectsWith(berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: 'fs-0123456789abcdef0' })), 'FileSystemNotFound', 404);
    await rejectsWith(berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: other, AccessPointId: ids[0] })), 'BadRequest', 400);
  });

  it('DeleteAccessPoint removes it; deleting an unknown one is AccessPointNotFound', async () => {
    const ap = await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId, RootDirectory: { Path: '/gone' } }));
    const out = await berth.efs.send(new DeleteAccessPointCommand({ AccessPointId: ap.AccessPointId }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    for (let i = 0; i < 100; i++) {
      const { AccessPoints } = await berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fsId }));
      if (!AccessPoints!.some((a) => a.AccessPointId === ap.AccessPointId)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await rejectsWith(berth.efs.send(new DescribeAccessPointsCommand({ AccessPointId: ap.AccessPointId })), 'AccessPointNotFound', 404);
    await rejectsWith(berth.efs.send(new DeleteAccessPointCommand({ AccessPointId: 'fsap-0123456789abcdef0' })), 'AccessPointNotFound', 404);
  });
});
