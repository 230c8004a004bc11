/**
 * AWS::EFS::FileSystem, MountTarget and AccessPoint, through EFS's operations (CloudFormation's properties are the
 * API's members; tags are `FileSystemTags` / `AccessPointTags`). A file system and a mount target are complete once
 * `available`, and deleted once gone, as CloudFormation waits for them.
 */
import { randomUUID } from 'node:crypto';
import { gone, num, tagsOf, unlessGone, type Props, type ResourceContext, type ResourceType } from './types.js';

const efs = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('efs', op, input);
const bool = (v: unknown) => v === true || v === 'true';

const fileSystem = async (ctx: ResourceContext, id: string): Promise<Props | undefined> =>
  (await unlessGone(() => efs(ctx, 'DescribeFileSystems', { FileSystemId: id }), 'FileSystemNotFound'))?.FileSystems?.[0];

const mountTarget = async (ctx: ResourceContext, id: string): Promise<Props | undefined> =>
  (await unlessGone(() => efs(ctx, 'DescribeMountTargets', { MountTargetId: id }), 'MountTargetNotFound'))?.MountTargets?.[0];

async function fileSystemSettings(ctx: ResourceContext, id: string, p: Props, old: Props) {
  const same = (k: string) => JSON.stringify(p[k]) === JSON.stringify(old[k]);
  if (!same('LifecyclePolicies')) await efs(ctx, 'PutLifecycleConfiguration', { FileSystemId: id, LifecyclePolicies: p.LifecyclePolicies ?? [] });
  if (!same('BackupPolicy') && p.BackupPolicy) await efs(ctx, 'PutBackupPolicy', { FileSystemId: id, BackupPolicy: p.BackupPolicy });
  if (!same('FileSystemPolicy')) {
    if (p.FileSystemPolicy) await efs(ctx, 'PutFileSystemPolicy', { FileSystemId: id, Policy: JSON.stringify(p.FileSystemPolicy) });
    else await gone(() => efs(ctx, 'DeleteFileSystemPolicy', { FileSystemId: id }), 'PolicyNotFound');
  }
}

export const FILE_SYSTEM: ResourceType = {
  replaceOn: ['Encrypted', 'KmsKeyId', 'PerformanceMode', 'AvailabilityZoneName'],
  async create(ctx, p) {
    const tags = tagsOf(ctx, p.FileSystemTags);
    const out = await efs(ctx, 'CreateFileSystem', {
      CreationToken: randomUUID(), ...(p.Encrypted !== undefined ? { Encrypted: bool(p.Encrypted) } : {}),
      ...(p.PerformanceMode ? { PerformanceMode: p.PerformanceMode } : {}), ...(p.ThroughputMode ? { ThroughputMode: p.ThroughputMode } : {}),
      ...(p.ProvisionedThroughputInMibps !== undefined ? { ProvisionedThroughputInMibps: num(p.ProvisionedThroughputInMibps) } : {}),
      ...(p.AvailabilityZoneName ? { AvailabilityZoneName: p.AvailabilityZoneName } : {}), ...(p.KmsKeyId ? { KmsKeyId: p.KmsKeyId } : {}),
      ...(p.BackupPolicy ? { Backup: p.BackupPolicy.Status === 'ENABLED' } : {}), ...(tags.length ? { Tags: tags } : {}),
    });
    return { physicalId: out.FileSystemId, attributes: { Arn: out.FileSystemArn, FileSystemId: out.FileSystemId } };
  },
  async update(ctx, id, p, old, attrs) {
    if (p.ThroughputMode !== old.ThroughputMode || p.ProvisionedThroughputInMibps !== old.ProvisionedThroughputInMibps) {
      await efs(ctx, 'UpdateFileSystem', { FileSystemId: id, ...(p.ThroughputMode ? { ThroughputMode: p.ThroughputMode } : {}),
        ...(p.ProvisionedThroughputInMibps !== undefined ? { ProvisionedThroughputInMibps: num(p.ProvisionedThroughputInMibps) } : {}) });
    }
    await fileSystemSettings(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async stabilized(ctx, id, p) {
    if ((await fileSystem(ctx, id))?.LifeCycleState !== 'available') return false;
    // Its policies are set once it is available (EFS refuses them while it is being created).
    await fileSystemSettings(ctx, id, p, {});
    return true;
  },
  async delete(ctx, id) {
    await gone(() => efs(ctx, 'DeleteFileSystem', { FileSystemId: id }), 'FileSystemNotFound');
  },
  async gone(ctx, id) {
    return !(await fileSystem(ctx, id));
  },
};

export const MOUNT_TARGET: ResourceType = {
  replaceOn: ['FileSystemId', 'SubnetId', 'IpAddress'],
  async create(ctx, p) {
    const out = await efs(ctx, 'CreateMountTarget', {
      FileSystemId: p.FileSystemId, SubnetId: p.SubnetId, ...(p.IpAddress ? { IpAddress: p.IpAddress } : {}), ...(p.SecurityGroups ? { SecurityGroups: p.SecurityGroups } : {}),
    });
    return { physicalId: out.MountTargetId, attributes: { Id: out.MountTargetId, IpAddress: out.IpAddress } };
  },
  // No update: Berth's EFS has no ModifyMountTargetSecurityGroups, so a change of its groups replaces the mount target.
  async stabilized(ctx, id) {
    return (await mountTarget(ctx, id))?.LifeCycleState === 'available';
  },
  async delete(ctx, id) {
    await gone(() => efs(ctx, 'DeleteMountTarget', { MountTargetId: id }), 'MountTargetNotFound');
  },
  async gone(ctx, id) {
    return !(await mountTarget(ctx, id));
  },
};

export const ACCESS_POINT: ResourceType = {
  replaceOn: ['FileSystemId', 'PosixUser', 'RootDirectory', 'ClientToken'],
  async create(ctx, p) {
    const tags = tagsOf(ctx, p.AccessPointTags);
    const posix = p.PosixUser as Props | undefined;
    const root = p.RootDirectory as Props | undefined;
    const out = await efs(ctx, 'CreateAccessPoint', {
      ClientToken: p.ClientToken ?? randomUUID(), FileSystemId: p.FileSystemId, ...(tags.length ? { Tags: tags } : {}),
      ...(posix ? { PosixUser: { Uid: num(posix.Uid), Gid: num(posix.Gid), ...(posix.SecondaryGids ? { SecondaryGids: (posix.SecondaryGids as unknown[]).map(num) } : {}) } } : {}),
      ...(root ? {
        RootDirectory: {
          ...(root.Path ? { Path: root.Path } : {}),
          ...(root.CreationInfo ? { CreationInfo: { OwnerUid: num(root.CreationInfo.OwnerUid), OwnerGid: num(root.CreationInfo.OwnerGid), Permissions: String(root.CreationInfo.Permissions) } } : {}),
        },
      } : {}),
    });
    return { physicalId: out.AccessPointId, attributes: { AccessPointId: out.AccessPointId, Arn: out.AccessPointArn } };
  },
  async delete(ctx, id) {
    await gone(() => efs(ctx, 'DeleteAccessPoint', { AccessPointId: id }), 'AccessPointNotFound');
  },
};
