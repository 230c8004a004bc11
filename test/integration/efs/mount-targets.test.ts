/** EFS mount targets through @aws-sdk/client-efs, with the EC2 network they live in. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand, EC2Client, type Subnet,
} from '@aws-sdk/client-ec2';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, CreateMountTargetCommand, DeleteFileSystemCommand, DeleteMountTargetCommand,
  DescribeFileSystemsCommand, DescribeMountTargetSecurityGroupsCommand, DescribeMountTargetsCommand, EFSClient,
} from '@aws-sdk/client-efs';
import { useBerth } from '../../helpers/use-berth.js';
import { efsClient, fileSystemAvailable, fileSystemGone, mountTargetAvailable, mountTargetsGone, rejectsWith } from './support.js';

describe('EFS mount targets', () => {
  const berth = useBerth({ runtime: 'fake', clients: { efs: EFSClient, ec2: EC2Client } });
  let subnets: Subnet[];

  const newFileSystem = async (token: string) => {
    const id = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: token }))).FileSystemId!;
    await fileSystemAvailable(berth.efs, id);
    return id;
  };

  before(async () => {
    const out = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    subnets = out.Subnets!.sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
  });

  it('CreateMountTarget puts a network interface in the subnet and becomes available', async () => {
    const fsId = await newFileSystem('mt-basic');
    const subnet = subnets[0];
    const mt = await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnet.SubnetId }));
    assert.match(mt.MountTargetId!, /^fsmt-0[0-9a-f]{16}$/);
    assert.equal(mt.FileSystemId, fsId);
    assert.equal(mt.SubnetId, subnet.SubnetId);
    assert.equal(mt.VpcId, subnet.VpcId);
    assert.equal(mt.AvailabilityZoneName, subnet.AvailabilityZone);
    assert.equal(mt.AvailabilityZoneId, subnet.AvailabilityZoneId);
    assert.equal(mt.OwnerId, '000000000000');
    assert.equal(mt.LifeCycleState, 'creating');
    const [a, b] = subnet.CidrBlock!.split('.');
    assert.ok(mt.IpAddress!.startsWith(`${a}.${b}.`), mt.IpAddress);
    const { NetworkInterfaces } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [mt.NetworkInterfaceId!] }));
    assert.equal(NetworkInterfaces?.[0].PrivateIpAddress, mt.IpAddress);
    assert.equal(NetworkInterfaces?.[0].Description, `EFS mount target for ${fsId} (${mt.MountTargetId})`);
    assert.equal(NetworkInterfaces?.[0].RequesterManaged, true);
    await mountTargetAvailable(berth.efs, mt.MountTargetId!);
    const { FileSystems } = await berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fsId }));
    assert.equal(FileSystems?.[0].NumberOfMountTargets, 1);
    const groups = await berth.efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.MountTargetId }));
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [subnet.VpcId!] }, { Name: 'group-name', Values: ['default'] }] }));
    assert.deepEqual(groups.SecurityGroups, [SecurityGroups![0].GroupId], "without groups, the VPC's default group");
  });

  it('one mount target per Availability Zone, all in one VPC: MountTargetConflict otherwise', async () => {
    const fsId = await newFileSystem('mt-conflict');
    await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[0].SubnetId }));
    const sameAz = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: subnets[0].VpcId, CidrBlock: '172.31.96.0/24', AvailabilityZone: subnets[0].AvailabilityZone }))).Subnet!;
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: sameAz.SubnetId })), 'MountTargetConflict', 409, 'mount target already exists in this AZ');
    const vpc = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!;
    const otherVpc = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.9.1.0/24', AvailabilityZone: subnets[1].AvailabilityZone }))).Subnet!;
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: otherVpc.SubnetId })), 'MountTargetConflict', 409,
      'requested subnet for new mount target is not in the same VPC as existing mount targets');
    await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[1].SubnetId }));
  });

  it('subnets, security groups and addresses are checked: SubnetNotFound, SecurityGroupNotFound, SecurityGroupLimitExceeded, IpAddressInUse', async () => {
    const fsId = await newFileSystem('mt-checks');
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: 'subnet-0123456789abcdef0' })), 'SubnetNotFound', 400);
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[2].SubnetId, SecurityGroups: ['sg-0123456789abcdef0'] })),
      'SecurityGroupNotFound', 400);
    const vpc = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }))).Vpc!;
    const foreign = await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'elsewhere', Description: 'x', VpcId: vpc.VpcId }));
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[2].SubnetId, SecurityGroups: [foreign.GroupId!] })),
      'SecurityGroupNotFound', 400);
    const groups: string[] = [];
    for (let i = 0; i < 6; i++) {
      groups.push((await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: `nfs-${i}`, Description: 'nfs', VpcId: subnets[2].VpcId }))).GroupId!);
    }
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[2].SubnetId, SecurityGroups: groups })),
      'SecurityGroupLimitExceeded', 400);
    const [a, b, c] = subnets[2].CidrBlock!.split('.');
    const ip = `${a}.${b}.${Number(c) + 1}.10`;
    const mt = await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[2].SubnetId, IpAddress: ip, SecurityGroups: groups.slice(0, 2) }));
    assert.equal(mt.IpAddress, ip);
    const sg = await berth.efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.MountTargetId }));
    assert.deepEqual(sg.SecurityGroups, groups.slice(0, 2));
    const other = await newFileSystem('mt-checks-2');
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: other, SubnetId: subnets[2].SubnetId, IpAddress: ip })), 'IpAddressInUse', 409);
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: other, SubnetId: subnets[2].SubnetId, IpAddress: '192.168.0.1' })), 'BadRequest', 400);
    await rejectsWith(berth.efs.send(new CreateMountTargetCommand({ FileSystemId: 'fs-0123456789abcdef0', SubnetId: subnets[2].SubnetId })), 'FileSystemNotFound', 404);
  });

  it('DescribeMountTargets takes exactly one of file system, mount target or access point, and pages with MaxItems', async () => {
    const fsId = await newFileSystem('mt-describe');
    const ids: string[] = [];
    for (const s of subnets.slice(0, 3)) ids.push((await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: s.SubnetId }))).MountTargetId!);
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const out = await berth.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fsId, MaxItems: 2, Marker }));
      seen.push(...out.MountTargets!.map((m) => m.MountTargetId!));
      Marker = out.NextMarker;
    } while (Marker);
    assert.deepEqual(seen, ids);
    const ap = await berth.efs.send(new CreateAccessPointCommand({ FileSystemId: fsId }));
    const viaAp = await berth.efs.send(new DescribeMountTargetsCommand({ AccessPointId: ap.AccessPointId }));
    assert.deepEqual(viaAp.MountTargets!.map((m) => m.MountTargetId), ids);
    const one = await berth.efs.send(new DescribeMountTargetsCommand({ MountTargetId: ids[1] }));
    assert.equal(one.MountTargets?.[0].SubnetId, subnets[1].SubnetId);
    await rejectsWith(berth.efs.send(new DescribeMountTargetsCommand({})), 'BadRequest', 400);
    await rejectsWith(berth.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fsId, MountTargetId: ids[0] })), 'BadRequest', 400);
    await rejectsWith(berth.efs.send(new DescribeMountTargetsCommand({ MountTargetId: 'fsmt-0123456789abcdef0' })), 'MountTargetNotFound', 404);
  });

  it('a file system with mount targets is FileSystemInUse until they are deleted, and their interfaces are released', async () => {
    const fsId = await newFileSystem('mt-in-use');
    const mt = await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId: subnets[3].SubnetId }));
    await mountTargetAvailable(berth.efs, mt.MountTargetId!);
    await rejectsWith(berth.efs.send(new DeleteFileSystemCommand({ FileSystemId: fsId })), 'FileSystemInUse', 409,
      `The file system '${fsId}' cannot be deleted because it has mount targets. You must delete the mount targets, and then try again.`);
    const out = await berth.efs.send(new DeleteMountTargetCommand({ MountTargetId: mt.MountTargetId }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    await mountTargetsGone(berth.efs, fsId);
    const { NetworkInterfaces } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: [mt.NetworkInterfaceId!] }] }));
    assert.deepEqual(NetworkInterfaces, [], 'its network interface is gone');
    await berth.efs.send(new DeleteFileSystemCommand({ FileSystemId: fsId }));
    await fileSystemGone(berth.efs, fsId);
    await rejectsWith(berth.efs.send(new DeleteMountTargetCommand({ MountTargetId: mt.MountTargetId })), 'MountTargetNotFound', 404);
  });
});
