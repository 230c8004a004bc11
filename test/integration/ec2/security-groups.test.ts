import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateNetworkInterfaceCommand, CreateSecurityGroupCommand,
  CreateSubnetCommand, CreateVpcCommand, DeleteNetworkInterfaceCommand, DeleteSecurityGroupCommand, DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand, ModifySecurityGroupRulesCommand, RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { ec2Client, rejectsWith } from './support.js';

describe('EC2 security groups through the v3 SDK', () => {
  const berth = useBerth({ clients: { ec2: EC2Client } });
  let vpcId: string;
  let web: string;
  let db: string;
  before(async () => {
    vpcId = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
  });

  it('CreateSecurityGroup returns an sg- id and ARN; the new group allows all outbound traffic and nothing inbound', async () => {
    const out = await berth.ec2.send(new CreateSecurityGroupCommand({
      GroupName: 'web', Description: 'web tier', VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: 'web' }] }],
    }));
    web = out.GroupId!;
    assert.match(web, /^sg-0[0-9a-f]{16}$/);
    assert.equal(out.SecurityGroupArn, `arn:aws:ec2:us-east-1:000000000000:security-group/${web}`);
    assert.deepEqual(out.Tags, [{ Key: 'Name', Value: 'web' }]);
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [web] }));
    assert.equal(SecurityGroups![0].GroupName, 'web');
    assert.equal(SecurityGroups![0].VpcId, vpcId);
    assert.deepEqual(SecurityGroups![0].IpPermissions, []);
    assert.deepEqual(SecurityGroups![0].IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges]), [['-1', [{ CidrIp: '0.0.0.0/0' }]]]);
  });

  it('CreateSecurityGroup without a VPC creates the group in the default VPC', async () => {
    const { GroupId } = await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'in default vpc' }));
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['web'] }));
    assert.deepEqual(SecurityGroups!.map((g) => g.GroupId), [GroupId]);
    await berth.ec2.send(new DeleteSecurityGroupCommand({ GroupName: 'web' }));
  });

  it('a second group with the same name in the VPC is InvalidGroup.Duplicate; "default" is reserved', async () => {
    await rejectsWith(berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again', VpcId: vpcId })), 'InvalidGroup.Duplicate',
      `The security group 'web' already exists for VPC '${vpcId}'`);
    await rejectsWith(berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'default', Description: 'x', VpcId: vpcId })), 'InvalidGroup.Reserved');
    await rejectsWith(berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'sg-mine', Description: 'x', VpcId: vpcId })), 'InvalidParameterValue');
    await rejectsWith(berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ok', Description: 'naïve', VpcId: vpcId })), 'InvalidParameterValue');
  });

  it('AuthorizeSecurityGroupIngress adds rules with sgr- ids, grouped into IpPermissions by protocol and ports', async () => {
    const out = await berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: web,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }, { CidrIp: '10.0.0.0/8' }] },
        { IpProtocol: '6', FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    }));
    assert.equal(out.Return, true);
    assert.equal(out.SecurityGroupRules?.length, 3);
    assert.ok(out.SecurityGroupRules!.every((r) => /^sgr-0[0-9a-f]{16}$/.test(r.SecurityGroupRuleId!) && r.GroupId === web && r.IsEgress === false));
    assert.equal(out.SecurityGroupRules![2].IpProtocol, 'tcp');
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [web] }));
    assert.deepEqual(SecurityGroups![0].IpPermissions, [
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }, { CidrIp: '10.0.0.0/8' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
      { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [], Ipv6Ranges: [{ CidrIpv6: '::/0' }], PrefixListIds: [], UserIdGroupPairs: [] },
    ]);
  });

  it('authorizing an existing rule again is InvalidPermission.Duplicate', async () => {
    await rejectsWith(berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    })), 'InvalidPermission.Duplicate', 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 443, to port: 443, ALLOW" already exists');
  });

  it('the flat CidrIp/IpProtocol/FromPort/ToPort parameters authorize one rule', async () => {
    await berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIp: '10.1.0.0/16' }));
    const { SecurityGroupRules } = await berth.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [web] }] }));
    assert.ok(SecurityGroupRules!.some((r) => r.IpProtocol === 'udp' && r.FromPort === 53 && r.CidrIpv4 === '10.1.0.0/16'));
  });

  it('rules may reference another group of the VPC; unknown groups are InvalidGroup.NotFound', async () => {
    db = (await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'database', VpcId: vpcId }))).GroupId!;
    await berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: db, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: web, Description: 'from web' }] }],
    }));
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.group-id', Values: [web] }] }));
    assert.deepEqual(SecurityGroups!.map((g) => g.GroupId), [db]);
    assert.deepEqual(SecurityGroups![0].IpPermissions![0].UserIdGroupPairs, [{ GroupId: web, UserId: '000000000000', Description: 'from web' }]);
    await rejectsWith(berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: db, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 2, UserIdGroupPairs: [{ GroupId: 'sg-0000000000000000b' }] }],
    })), 'InvalidGroup.NotFound', "The security group 'sg-0000000000000000b' does not exist");
  });

  it('invalid protocols, port ranges and CIDRs are InvalidParameterValue', async () => {
    const send = (p: object) => berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web, IpPermissions: [p] }));
    await rejectsWith(send({ IpProtocol: 'tcpx', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '1.2.3.4/32' }] }), 'InvalidParameterValue', "Invalid value 'tcpx' for IP protocol. Unknown protocol.");
    await rejectsWith(send({ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '1.2.3.4/32' }] }), 'InvalidParameterValue');
    await rejectsWith(send({ IpProtocol: 'tcp', FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: '1.2.3.4/32' }] }), 'InvalidParameterValue');
    await rejectsWith(send({ IpProtocol: 'tcp', FromPort: 1, ToPort: 70000, IpRanges: [{ CidrIp: '1.2.3.4/32' }] }), 'InvalidParameterValue');
    await rejectsWith(send({ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '1.2.3/32' }] }), 'InvalidParameterValue', 'CIDR block 1.2.3/32 is malformed');
  });

  it('DescribeSecurityGroupRules lists rules by group and by id', async () => {
    const { SecurityGroupRules } = await berth.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [db] }] }));
    assert.equal(SecurityGroupRules?.length, 2);
    const ingress = SecurityGroupRules!.find((r) => !r.IsEgress)!;
    assert.deepEqual(ingress.ReferencedGroupInfo, { GroupId: web, UserId: '000000000000' });
    assert.equal(ingress.SecurityGroupRuleArn, `arn:aws:ec2:us-east-1:000000000000:security-group-rule/${ingress.SecurityGroupRuleId}`);
    const egress = SecurityGroupRules!.find((r) => r.IsEgress)!;
    assert.deepEqual([egress.IpProtocol, egress.FromPort, egress.ToPort, egress.CidrIpv4], ['-1', -1, -1, '0.0.0.0/0']);
    const byId = await berth.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ingress.SecurityGroupRuleId!] }));
    assert.equal(byId.SecurityGroupRules?.length, 1);
    await rejectsWith(berth.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ['sgr-0000000000000000c'] })), 'InvalidSecurityGroupRuleId.NotFound');
  });

  it('RevokeSecurityGroupIngress removes a matching rule; in a non-default VPC an unknown rule is InvalidPermission.NotFound', async () => {
    const out = await berth.ec2.send(new RevokeSecurityGroupIngressCommand({
      GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
    }));
    assert.equal(out.Return, true);
    assert.equal(out.RevokedSecurityGroupRules?.[0].CidrIpv4, '10.0.0.0/8');
    await rejectsWith(berth.ec2.send(new RevokeSecurityGroupIngressCommand({
      GroupId: web, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
    })), 'InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
  });

  it('in the default VPC, revoking an unknown rule answers Return false with the unknown permissions', async () => {
    const { GroupId } = await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'legacy', Description: 'legacy' }));
    const out = await berth.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '1.1.1.1/32' }));
    assert.equal(out.Return, false);
    assert.equal(out.UnknownIpPermissions?.[0].IpRanges?.[0].CidrIp, '1.1.1.1/32');
  });

  it('rules are revoked by id, egress included', async () => {
    const { SecurityGroupRules } = await berth.ec2.send(new AuthorizeSecurityGroupEgressCommand({
      GroupId: db, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '192.168.0.0/16' }] }],
    }));
    const id = SecurityGroupRules![0].SecurityGroupRuleId!;
    const out = await berth.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: db, SecurityGroupRuleIds: [id] }));
    assert.deepEqual(out.RevokedSecurityGroupRules?.map((r) => r.SecurityGroupRuleId), [id]);
    await rejectsWith(berth.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: db, SecurityGroupRuleIds: [id] })), 'InvalidSecurityGroupRuleId.NotFound');
  });

  it('ModifySecurityGroupRules replaces a rule in place, keeping its id; a duplicate or an unknown id is refused', async () => {
    const { SecurityGroupRules } = await berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: db, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.9.0.0/16' }] }],
    }));
    const id = SecurityGroupRules![0].SecurityGroupRuleId!;
    const out = await berth.ec2.send(new ModifySecurityGroupRulesCommand({
      GroupId: db,
      SecurityGroupRules: [{ SecurityGroupRuleId: id, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 6432, ToPort: 6432, ReferencedGroupId: web, Description: 'pgbouncer' } }],
    }));
    assert.equal(out.Return, true);
    const [rule] = (await berth.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [id] }))).SecurityGroupRules!;
    assert.deepEqual([rule.IsEgress, rule.FromPort, rule.ToPort, rule.CidrIpv4, rule.ReferencedGroupInfo?.GroupId, rule.Description], [false, 6432, 6432, undefined, web, 'pgbouncer']);
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [db] }));
    assert.ok(SecurityGroups![0].IpPermissions!.some((p) => p.FromPort === 6432 && p.UserIdGroupPairs?.[0].GroupId === web));
    assert.ok(!SecurityGroups![0].IpPermissions!.some((p) => p.FromPort === 5432 && p.IpRanges?.length));
    // The group's existing ingress rule (tcp 5432 from web) may not be duplicated.
    await rejectsWith(berth.ec2.send(new ModifySecurityGroupRulesCommand({
      GroupId: db, SecurityGroupRules: [{ SecurityGroupRuleId: id, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, ReferencedGroupId: web } }],
    })), 'InvalidPermission.Duplicate');
    await rejectsWith(berth.ec2.send(new ModifySecurityGroupRulesCommand({
      GroupId: db, SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0000000000000000c', SecurityGroupRule: { IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' } }],
    })), 'InvalidSecurityGroupRuleId.NotFound');
    await berth.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: db, SecurityGroupRuleIds: [id] }));
  });

  it('DescribeSecurityGroups with a malformed id is InvalidGroupId.Malformed and with an unknown one InvalidGroup.NotFound', async () => {
    await rejectsWith(berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['web'] })), 'InvalidGroupId.Malformed', 'Invalid id: "web" (expecting "sg-...")');
    await rejectsWith(berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000000d'] })), 'InvalidGroup.NotFound', "The security group 'sg-0000000000000000d' does not exist");
    await rejectsWith(berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['nope'] })), 'InvalidGroup.NotFound', /does not exist in default VPC 'vpc-0[0-9a-f]{16}'/);
  });

  it('a group referenced by another group, or used by a network interface, cannot be deleted', async () => {
    await rejectsWith(berth.ec2.send(new DeleteSecurityGroupCommand({ GroupId: web })), 'DependencyViolation', `resource ${web} has a dependent object`);
    const subnet = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24' }))).Subnet!;
    const eni = (await berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet.SubnetId, Groups: [db] }))).NetworkInterface!;
    await berth.ec2.send(new RevokeSecurityGroupIngressCommand({
      GroupId: db, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: web }] }],
    }));
    await rejectsWith(berth.ec2.send(new DeleteSecurityGroupCommand({ GroupId: db })), 'DependencyViolation', `resource ${db} has a dependent object`);
    await berth.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId }));
    const out = await berth.ec2.send(new DeleteSecurityGroupCommand({ GroupId: db }));
    assert.equal(out.GroupId, db);
    await berth.ec2.send(new DeleteSecurityGroupCommand({ GroupId: web }));
    await rejectsWith(berth.ec2.send(new DeleteSecurityGroupCommand({ GroupId: web })), 'InvalidGroup.NotFound');
  });

  it('the default group cannot be deleted', async () => {
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }],
    }));
    const id = SecurityGroups![0].GroupId!;
    await rejectsWith(berth.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id })), 'CannotDelete', `the specified group: "${id}" name: "default" cannot be deleted by a user`);
  });

  it('a group accepts at most 60 inbound rules', async () => {
    const { GroupId } = await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'busy', Description: 'many rules', VpcId: vpcId }));
    const ranges = Array.from({ length: 60 }, (_, i) => ({ CidrIp: `10.2.${i}.0/24` }));
    await berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: ranges }] }));
    await rejectsWith(berth.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, CidrIp: '10.3.0.0/24', IpProtocol: 'tcp', FromPort: 80, ToPort: 80 })),
      'RulesPerSecurityGroupLimitExceeded');
  });

  it('DescribeSecurityGroups pages with MaxResults', async () => {
    for (const name of ['page-1', 'page-2', 'page-3']) await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }));
    const first = await berth.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
    assert.equal(first.SecurityGroups?.length, 5);
    const second = await berth.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.SecurityGroups?.length, 2);
    assert.equal(second.NextToken, undefined);
    const ids = new Set([...first.SecurityGroups!, ...second.SecurityGroups!].map((g) => g.GroupId));
    assert.equal(ids.size, 7);
  });
});
