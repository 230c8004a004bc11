/**
 * EFS mount targets: CreateMountTarget, DescribeMountTargets,
 * DeleteMountTarget, DescribeMountTargetSecurityGroups. A mount target is an
 * EC2 network interface in one subnet (one per Availability Zone, all in one
 * VPC); ECS tasks reach a file system only from a VPC where it has one, as on
 * AWS. Berth serves the files by bind mount, so the interface carries no
 * traffic: it exists so EC2 shows (and protects) what AWS would.
 * https://docs.aws.amazon.com/efs/latest/ug/API_CreateMountTarget.html
 */
import type {
  CreateMountTargetRequest,
  DeleteMountTargetRequest,
  DescribeMountTargetSecurityGroupsRequest,
  DescribeMountTargetSecurityGroupsResponse,
  DescribeMountTargetsRequest,
  DescribeMountTargetsResponse,
  FileSystemDescription,
  MountTargetDescription,
} from '@aws-sdk/client-efs';
import { AwsError } from '../../protocol/errors.js';
import { allocateEni, findSecurityGroups, findSubnets } from '../ec2/index.js';
import type { RequestContext } from '../provider.js';
import {
  accessPointNotFound, badRequest, incorrectMountTargetState, ipAddressInUse, mountTargetConflict, mountTargetNotFound, noFreeAddressesInSubnet,
  securityGroupLimitExceeded, securityGroupNotFound, subnetNotFound,
} from './errors.js';
import { requireAvailableFileSystem, requireFileSystem } from './file-systems.js';
import {
  accessPointIdOf, decodeMarker, efsKey, encodeMarker, loadAccessPoint, loadMountTarget, mountTargetsOf, newMountTargetId, nextSeq, pageLimit,
  parse, saveMountTarget, type MountTargetRow,
} from './store.js';

/** Mount targets keep the groups they were created with (MountTargetDescription has no field for them). */
type StoredMountTarget = MountTargetDescription & { SecurityGroups?: string[] };

const MAX_GROUPS = 5;

function allocateInterface(ctx: RequestContext, p: { subnetId: string; groups: string[]; ip?: string; fsId: string; mtId: string }) {
  try {
    return allocateEni(ctx.sql, {
      account: ctx.account, region: ctx.region, subnetId: p.subnetId, securityGroups: p.groups, privateIpAddress: p.ip,
      description: `EFS mount target for ${p.fsId} (${p.mtId})`, requesterId: 'amazon-elasticfilesystem',
      attachment: { instanceOwnerId: 'amazon-aws', deviceIndex: 1 },
    });
  } catch (err) {
    // EC2's answers, in EFS's words.
    if (err instanceof AwsError) {
      if (err.code === 'InvalidIPAddress.InUse') throw ipAddressInUse(p.ip ?? '');
      if (err.code === 'InsufficientFreeAddressesInSubnet') throw noFreeAddressesInSubnet(p.subnetId);
      if (err.code === 'InvalidParameterValue') throw badRequest(err.message);
    }
    throw err;
  }
}

export function createMountTarget(ctx: RequestContext, input: CreateMountTargetRequest): MountTargetDescription {
  const fsRow = requireAvailableFileSystem(ctx, input.FileSystemId!);
  const fs = parse<FileSystemDescription>(fsRow);
  if (input.IpAddressType && input.IpAddressType !== 'IPV4_ONLY') throw badRequest('Berth supports IPv4 mount targets only (IpAddressType IPV4_ONLY).');
  if (input.Ipv6Address) throw badRequest('Berth supports IPv4 mount targets only.');
  const subnetId = input.SubnetId!;
  const { found } = findSubnets(ctx.sql, ctx.account, ctx.region, [subnetId]);
  const subnet = found[0];
  if (!subnet) throw subnetNotFound(subnetId);
  const existing = mountTargetsOf(ctx, fsRow.id);
  if (existing.some((m) => m.vpc_id !== subnet.vpcId)) {
    throw mountTargetConflict('requested subnet for new mount target is not in the same VPC as existing mount targets');
  }
  if (existing.some((m) => m.az === subnet.availabilityZone)) throw mountTargetConflict('mount target already exists in this AZ');
  if (fs.AvailabilityZoneName && fs.AvailabilityZoneName !== subnet.availabilityZone) {
    throw new AwsError('AvailabilityZonesMismatch', `The subnet's Availability Zone ${subnet.availabilityZone} is not the file system's (${fs.AvailabilityZoneName}).`, {
      fields: { ErrorCode: 'AvailabilityZonesMismatch' },
    });
  }
  const groups = [...new Set(input.SecurityGroups ?? [])];
  if (groups.length > MAX_GROUPS) throw securityGroupLimitExceeded();
  const sg = findSecurityGroups(ctx.sql, ctx.account, ctx.region, groups);
  if (sg.missing.length) throw securityGroupNotFound(sg.missing[0]);
  const foreign = sg.found.find((g) => g.vpcId !== subnet.vpcId);
  if (foreign) throw securityGroupNotFound(foreign.groupId);

  const id = newMountTargetId();
  const eni = allocateInterface(ctx, { subnetId, groups, ip: input.IpAddress, fsId: fsRow.id, mtId: id });
  const mt: StoredMountTarget = {
    OwnerId: ctx.account,
    MountTargetId: id,
    FileSystemId: fsRow.id,
    SubnetId: subnetId,
    LifeCycleState: 'creating',
    IpAddress: eni.privateIpAddress,
    NetworkInterfaceId: eni.networkInterfaceId,
    AvailabilityZoneId: subnet.availabilityZoneId,
    AvailabilityZoneName: subnet.availabilityZone,
    VpcId: subnet.vpcId,
    SecurityGroups: eni.securityGroups,
  };
  ctx.sql
    .get(`INSERT INTO efs_mount_targets (account, region, id, fs_id, subnet_id, vpc_id, az, state, doc, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(ctx.account, ctx.region, id, fsRow.id, subnetId, subnet.vpcId, subnet.availabilityZone, 'creating', JSON.stringify(mt), nextSeq(ctx, 'efs_mount_targets'));
  ctx.changed('efs', efsKey(ctx, id));
  const { SecurityGroups: _groups, ...out } = mt;
  return out;
}

const describe = (row: MountTargetRow): MountTargetDescription => {
  const { SecurityGroups: _groups, ...mt } = parse<StoredMountTarget>(row);
  return mt;
};

export function describeMountTargets(ctx: RequestContext, input: DescribeMountTargetsRequest): DescribeMountTargetsResponse {
  const given = [input.FileSystemId, input.MountTargetId, input.AccessPointId].filter((x) => x !== undefined);
  if (given.length !== 1) throw badRequest('Must specify exactly one mutually exclusive parameter.');
  // EFS pages mount targets 10 at a time unless asked otherwise.
  const limit = Math.min(pageLimit(input.MaxItems, 10, 'MaxItems'), 100);
  if (input.MountTargetId) {
    const row = loadMountTarget(ctx, input.MountTargetId);
    if (!row) throw mountTargetNotFound(input.MountTargetId);
    return { Marker: input.Marker, MountTargets: [describe(row)] };
  }
  let fsId: string;
  if (input.AccessPointId) {
    const apId = accessPointIdOf(input.AccessPointId);
    const ap = loadAccessPoint(ctx, apId);
    if (!ap) throw accessPointNotFound(apId);
    fsId = ap.fs_id;
  } else {
    fsId = requireFileSystem(ctx, input.FileSystemId!).id;
  }
  const after = decodeMarker(input.Marker);
  const rows = mountTargetsOf(ctx, fsId).filter((r) => r.seq > after);
  const page = rows.slice(0, limit);
  return {
    Marker: input.Marker,
    MountTargets: page.map(describe),
    NextMarker: rows.length > limit ? encodeMarker(page[page.length - 1].seq) : undefined,
  };
}

export function deleteMountTarget(ctx: RequestContext, input: DeleteMountTargetRequest): Record<string, never> {
  const row = loadMountTarget(ctx, input.MountTargetId!);
  if (!row) throw mountTargetNotFound(input.MountTargetId!);
  if (row.state === 'deleting') return {};
  const mt = parse<StoredMountTarget>(row);
  mt.LifeCycleState = 'deleting';
  saveMountTarget(ctx, mt);
  // The controller releases the interface and forgets the mount target; until then the file system is still in use.
  ctx.changed('efs', efsKey(ctx, row.id));
  return {};
}

export function describeMountTargetSecurityGroups(
  ctx: RequestContext,
  input: DescribeMountTargetSecurityGroupsRequest,
): DescribeMountTargetSecurityGroupsResponse {
  const row = loadMountTarget(ctx, input.MountTargetId!);
  if (!row) throw mountTargetNotFound(input.MountTargetId!);
  if (row.state === 'deleting') throw incorrectMountTargetState(row.id, row.state);
  return { SecurityGroups: parse<StoredMountTarget>(row).SecurityGroups ?? [] };
}
