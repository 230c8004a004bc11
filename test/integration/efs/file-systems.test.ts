/** EFS file systems through @aws-sdk/client-efs: create, describe, update, delete, and the directory behind each. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, DeleteFileSystemCommand, DescribeAccessPointsCommand, DescribeFileSystemsCommand,
  UpdateFileSystemCommand, EFSClient,
} from '@aws-sdk/client-efs';
import { useBerth } from '../../helpers/use-berth.js';
import type { App } from '../../../src/app.js';
import { efsClient, fileSystemAvailable, fileSystemGone, rejectsWith } from './support.js';

const FS_ID = /^fs-0[0-9a-f]{16}$/;

describe('EFS file systems', () => {
  const berth = useBerth({ runtime: 'fake', clients: { efs: EFSClient } });
  const dirOf = (id: string, account = '000000000000', region = 'us-east-1') => join(berth.app.dataDir, 'volumes', 'efs', account, region, id);


  it('CreateFileSystem answers a creating file system with EFS defaults, which becomes available with its directory', async () => {
    const created = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'defaults', Tags: [{ Key: 'Name', Value: 'shared-data' }, { Key: 'team', Value: 'web' }] }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.match(created.FileSystemId!, FS_ID);
    assert.equal(created.FileSystemArn, `arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/${created.FileSystemId}`);
    assert.equal(created.LifeCycleState, 'creating');
    assert.equal(created.OwnerId, '000000000000');
    assert.equal(created.CreationToken, 'defaults');
    assert.equal(created.PerformanceMode, 'generalPurpose');
    assert.equal(created.ThroughputMode, 'bursting');
    assert.equal(created.Encrypted, false);
    assert.equal(created.NumberOfMountTargets, 0);
    assert.equal(created.SizeInBytes?.Value, 6144);
    assert.equal(created.Name, 'shared-data');
    assert.deepEqual(created.Tags, [{ Key: 'Name', Value: 'shared-data' }, { Key: 'team', Value: 'web' }]);
    assert.ok(created.CreationTime instanceof Date && Math.abs(created.CreationTime.getTime() - Date.now()) < 60_000);
    assert.equal(created.FileSystemProtection?.ReplicationOverwriteProtection, 'ENABLED');

    const available = await fileSystemAvailable(berth.efs, created.FileSystemId!);
    assert.equal(available.Name, 'shared-data');
    const dir = dirOf(created.FileSystemId!);
    assert.ok(statSync(dir).isDirectory(), 'the file system is a directory Berth manages');
    assert.equal(statSync(dir).mode & 0o777, 0o755, 'a new EFS root directory is 0755');
  });

  it('CreateFileSystem with a CreationToken already used answers FileSystemAlreadyExists naming the file system', async () => {
    const first = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'once' }));
    await assert.rejects(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'once' })), (e: any) => {
      assert.equal(e.name, 'FileSystemAlreadyExists');
      assert.equal(e.$metadata.httpStatusCode, 409);
      assert.equal(e.FileSystemId, first.FileSystemId);
      assert.equal(e.ErrorCode, 'FileSystemAlreadyExists');
      return true;
    });
  });

  it('the SDK fills a fresh CreationToken when none is given, so two calls create two file systems', async () => {
    const a = await berth.efs.send(new CreateFileSystemCommand({}));
    const b = await berth.efs.send(new CreateFileSystemCommand({}));
    assert.notEqual(a.FileSystemId, b.FileSystemId);
    assert.notEqual(a.CreationToken, b.CreationToken);
  });

  it('encryption, throughput and One Zone settings are kept, with the account key for Encrypted and backups on for One Zone', async () => {
    const enc = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'enc', Encrypted: true, PerformanceMode: 'maxIO' }));
    assert.equal(enc.Encrypted, true);
    assert.match(enc.KmsKeyId!, /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
    assert.equal(enc.PerformanceMode, 'maxIO');
    const prov = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'prov', ThroughputMode: 'provisioned', ProvisionedThroughputInMibps: 128 }));
    assert.equal(prov.ThroughputMode, 'provisioned');
    assert.equal(prov.ProvisionedThroughputInMibps, 128);
    const oneZone = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'onezone', AvailabilityZoneName: 'us-east-1b', ThroughputMode: 'elastic' }));
    assert.equal(oneZone.AvailabilityZoneName, 'us-east-1b');
    assert.equal(oneZone.AvailabilityZoneId, 'use1-az2');
    assert.equal(oneZone.ThroughputMode, 'elastic');
  });

  it('inconsistent settings are BadRequest, values outside the model ValidationException, and an unknown zone UnsupportedAvailabilityZone', async () => {
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'k', KmsKeyId: 'alias/x' })), 'BadRequest', 400, /Encrypted/);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'p', ThroughputMode: 'provisioned' })), 'BadRequest', 400, /ProvisionedThroughputInMibps/);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'q', ProvisionedThroughputInMibps: 10 })), 'BadRequest', 400);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'e', ThroughputMode: 'elastic', PerformanceMode: 'maxIO' })), 'BadRequest', 400);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'm', PerformanceMode: 'fast' as never })), 'ValidationException', 400);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'z', AvailabilityZoneName: 'us-east-1z' })), 'UnsupportedAvailabilityZone', 400);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'x'.repeat(65) })), 'ValidationException', 400);
    await rejectsWith(berth.efs.send(new CreateFileSystemCommand({ CreationToken: 't', Tags: [{ Key: 'aws:owner', Value: 'x' }] })), 'ValidationException', 400);
  });

  it('DescribeFileSystems finds one by id, ARN or creation token; an unknown id is FileSystemNotFound', async () => {
    const fs = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'lookup' }));
    const byId = await berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fs.FileSystemId }));
    assert.equal(byId.FileSystems?.[0].CreationToken, 'lookup');
    const byArn = await berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fs.FileSystemArn }));
    assert.equal(byArn.FileSystems?.[0].FileSystemId, fs.FileSystemId);
    const byToken = await berth.efs.send(new DescribeFileSystemsCommand({ CreationToken: 'lookup' }));
    assert.equal(byToken.FileSystems?.[0].FileSystemId, fs.FileSystemId);
    const noToken = await berth.efs.send(new DescribeFileSystemsCommand({ CreationToken: 'never-used' }));
    assert.deepEqual(noToken.FileSystems, []);
    await rejectsWith(berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-0123456789abcdef0' })), 'FileSystemNotFound', 404, "File system 'fs-0123456789abcdef0' does not exist.");
    await rejectsWith(berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fs.FileSystemId, CreationToken: 'lookup' })), 'BadRequest', 400);
    await rejectsWith(berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'not-an-id' })), 'ValidationException', 400);
  });

  it('DescribeFileSystems pages with MaxItems and Marker in creation order', async () => {
    const region = efsClient(berth.endpoint, 'eu-west-1');
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await region.send(new CreateFileSystemCommand({ CreationToken: `page-${i}` }))).FileSystemId!);
      const seen: string[] = [];
      let Marker: string | undefined;
      let pages = 0;
      do {
        const out = await region.send(new DescribeFileSystemsCommand({ MaxItems: 2, Marker }));
        assert.equal(out.Marker, Marker, 'the request marker is echoed');
        seen.push(...out.FileSystems!.map((f) => f.FileSystemId!));
        Marker = out.NextMarker;
        pages++;
      } while (Marker);
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);
      await rejectsWith(region.send(new DescribeFileSystemsCommand({ Marker: 'garbage' })), 'BadRequest', 400);
      await rejectsWith(region.send(new DescribeFileSystemsCommand({ MaxItems: 0 })), 'ValidationException', 400);
    } finally {
      region.destroy();
    }
  });

  it('file systems belong to their region and account', async () => {
    const fs = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'scoped' }));
    const west = efsClient(berth.endpoint, 'us-west-2');
    const other = efsClient(berth.endpoint, 'us-east-1', '111111111111');
    try {
      await rejectsWith(west.send(new DescribeFileSystemsCommand({ FileSystemId: fs.FileSystemId })), 'FileSystemNotFound', 404);
      const mine = await other.send(new DescribeFileSystemsCommand({ CreationToken: 'scoped' }));
      assert.deepEqual(mine.FileSystems, [], 'another account does not see it');
      const theirs = await other.send(new CreateFileSystemCommand({ CreationToken: 'scoped' }));
      assert.equal(theirs.OwnerId, '111111111111', 'and may use the same creation token');
    } finally {
      west.destroy();
      other.destroy();
    }
  });

  it('UpdateFileSystem changes the throughput mode: updating, then available', async () => {
    const fs = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'update' }));
    await fileSystemAvailable(berth.efs, fs.FileSystemId!);
    const out = await berth.efs.send(new UpdateFileSystemCommand({ FileSystemId: fs.FileSystemId, ThroughputMode: 'provisioned', ProvisionedThroughputInMibps: 256 }));
    assert.equal(out.$metadata.httpStatusCode, 202);
    assert.equal(out.LifeCycleState, 'updating');
    assert.equal(out.ThroughputMode, 'provisioned');
    const after = await fileSystemAvailable(berth.efs, fs.FileSystemId!);
    assert.equal(after.ProvisionedThroughputInMibps, 256);
    const back = await berth.efs.send(new UpdateFileSystemCommand({ FileSystemId: fs.FileSystemId, ThroughputMode: 'elastic' }));
    assert.equal(back.ProvisionedThroughputInMibps, undefined);
    await fileSystemAvailable(berth.efs, fs.FileSystemId!);
    await rejectsWith(berth.efs.send(new UpdateFileSystemCommand({ FileSystemId: fs.FileSystemId })), 'BadRequest', 400);
  });

  it('DeleteFileSystem removes the file system, its files and its access points', async () => {
    const fs = await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'delete-me' }));
    await fileSystemAvailable(berth.efs, fs.FileSystemId!);
    writeFileSync(join(dirOf(fs.FileSystemId!), 'data.txt'), 'bye');
    await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fs.FileSystemId, RootDirectory: { Path: '/app' } }));
    const out = await berth.efs.send(new DeleteFileSystemCommand({ FileSystemId: fs.FileSystemId }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    await fileSystemGone(berth.efs, fs.FileSystemId!);
    assert.equal(existsSync(dirOf(fs.FileSystemId!)), false, 'its directory is gone');
    const { AccessPoints } = await berth.efs.send(new DescribeAccessPointsCommand({}));
    assert.ok(!AccessPoints!.some((a) => a.FileSystemId === fs.FileSystemId), 'its access points went with it');
    await rejectsWith(berth.efs.send(new DeleteFileSystemCommand({ FileSystemId: fs.FileSystemId })), 'FileSystemNotFound', 404);
    // Its creation token is free again.
    await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'delete-me' }));
  });
});
