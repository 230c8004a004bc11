/**
 * EC2 networking through both AWS CLIs (awscli v2 and the Python v1), as
 * scripts and Terraform's AWS provider use it: the default VPC lookups, then a
 * VPC, a subnet, a security group and its rules built by hand, and how a
 * refused request exits.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName, type CliResult } from '../helpers/cli.js';

/** What each CLI exits with when the service answers an error. */
const SERVICE_ERROR_EXIT: Record<CliName, number> = { v2: 254, v1: 255 };

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`EC2 networking through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} is not installed` }, () => {
    const berth = useBerth();
    let defaultVpcId: string;
    let vpcId: string;
    let groupId: string;
    const run = (...args: string[]) => aws(cli, berth.endpoint, args);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
      return r.json;
    };
    const fails = (r: CliResult, code: string, message?: string) => {
      assert.equal(r.code, SERVICE_ERROR_EXIT[cli], r.stderr);
      assert.match(r.stderr, new RegExp(`An error occurred \\(${code.replace('.', '\\.')}\\) when calling the \\w+ operation`));
      if (message) assert.ok(r.stderr.includes(message), r.stderr);
    };


    it('data "aws_vpc" { default = true }: describe-vpcs with the isDefault filter finds the default VPC', async () => {
      const out = await ok('ec2', 'describe-vpcs', '--filters', 'Name=isDefault,Values=true');
      assert.equal(out.Vpcs.length, 1);
      defaultVpcId = out.Vpcs[0].VpcId;
      assert.match(defaultVpcId, /^vpc-0[0-9a-f]{16}$/);
      assert.equal(out.Vpcs[0].CidrBlock, '172.31.0.0/16');
      assert.equal(out.Vpcs[0].IsDefault, true);
      const attr = await ok('ec2', 'describe-vpc-attribute', '--vpc-id', defaultVpcId, '--attribute', 'enableDnsHostnames');
      assert.deepEqual(attr, { VpcId: defaultVpcId, EnableDnsHostnames: { Value: true } });
    });

    it('data "aws_subnets": describe-subnets --filters vpc-id and default-for-az lists one subnet per zone', async () => {
      const out = await ok('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${defaultVpcId}`, 'Name=default-for-az,Values=true');
      assert.deepEqual(out.Subnets.map((s: any) => s.AvailabilityZone).sort(), ['a', 'b', 'c', 'd', 'e', 'f'].map((l) => `us-east-1${l}`));
      assert.ok(out.Subnets.every((s: any) => s.DefaultForAz && s.MapPublicIpOnLaunch && s.AvailableIpAddressCount === 4091));
      const zones = await ok('ec2', 'describe-availability-zones', '--query', 'AvailabilityZones[].ZoneName');
      assert.equal(zones.length, 6);
    });

    it('the default security group, main route table and default-vpc account attribute are found the way Terraform reads them', async () => {
      const sg = await ok('ec2', 'describe-security-groups', '--filters', 'Name=group-name,Values=default', `Name=vpc-id,Values=${defaultVpcId}`);
      assert.equal(sg.SecurityGroups.length, 1);
      assert.equal(sg.SecurityGroups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp, '0.0.0.0/0');
      const rt = await ok('ec2', 'describe-route-tables', '--filters', 'Name=association.main,Values=true', `Name=vpc-id,Values=${defaultVpcId}`);
      assert.equal(rt.RouteTables.length, 1);
      assert.deepEqual(rt.RouteTables[0].Routes.map((r: any) => r.DestinationCidrBlock), ['172.31.0.0/16', '0.0.0.0/0']);
      const attrs = await ok('ec2', 'describe-account-attributes', '--attribute-names', 'default-vpc');
      assert.equal(attrs.AccountAttributes[0].AttributeValues[0].AttributeValue, defaultVpcId);
    });

    it('create-vpc with --tag-specifications and create-subnet build a network', async () => {
      const vpc = await ok('ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16', '--tag-specifications', 'ResourceType=vpc,Tags=[{Key=Name,Value=cli}]');
      vpcId = vpc.Vpc.VpcId;
      assert.match(vpcId, /^vpc-0[0-9a-f]{16}$/);
      assert.deepEqual(vpc.Vpc.Tags, [{ Key: 'Name', Value: 'cli' }]);
      const subnet = await ok('ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '10.0.1.0/24', '--availability-zone', 'us-east-1b');
      assert.equal(subnet.Subnet.AvailabilityZone, 'us-east-1b');
      assert.equal(subnet.Subnet.AvailableIpAddressCount, 251);
      const found = await ok('ec2', 'describe-vpcs', '--filters', 'Name=tag:Name,Values=cli');
      assert.deepEqual(found.Vpcs.map((v: any) => v.VpcId), [vpcId]);
    });

    it('create-security-group and authorize-security-group-ingress, in both the --protocol/--port/--cidr and --ip-permissions forms', async () => {
      const sg = await ok('ec2', 'create-security-group', '--group-name', 'web', '--description', 'web tier', '--vpc-id', vpcId);
      groupId = sg.GroupId;
      assert.match(groupId, /^sg-0[0-9a-f]{16}$/);
      const first = await ok('ec2', 'authorize-security-group-ingress', '--group-id', groupId, '--protocol', 'tcp', '--port', '22', '--cidr', '203.0.113.0/24');
      assert.equal(first.Return, true);
      assert.equal(first.SecurityGroupRules[0].FromPort, 22);
      await ok('ec2', 'authorize-security-group-ingress', '--group-id', groupId, '--ip-permissions',
        'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0,Description=https}]');
      const rules = await ok('ec2', 'describe-security-group-rules', '--filters', `Name=group-id,Values=${groupId}`);
      const ingress = rules.SecurityGroupRules.filter((r: any) => !r.IsEgress).map((r: any) => [r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4]);
      assert.deepEqual(ingress, [['tcp', 22, 22, '203.0.113.0/24'], ['tcp', 443, 443, '0.0.0.0/0']]);
      assert.ok(rules.SecurityGroupRules.every((r: any) => /^sgr-0[0-9a-f]{16}$/.test(r.SecurityGroupRuleId)));
      const described = await ok('ec2', 'describe-security-groups', '--group-ids', groupId);
      assert.deepEqual(described.SecurityGroups[0].IpPermissions.map((p: any) => p.FromPort), [22, 443]);
    });

    it('a duplicate rule and a conflicting subnet exit with the service error', async () => {
      fails(await run('ec2', 'authorize-security-group-ingress', '--group-id', groupId, '--protocol', 'tcp', '--port', '22', '--cidr', '203.0.113.0/24'),
        'InvalidPermission.Duplicate', 'peer: 203.0.113.0/24, TCP, from port: 22, to port: 22, ALLOW');
      fails(await run('ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', '10.0.1.0/25'), 'InvalidSubnet.Conflict', "The CIDR '10.0.1.0/25' conflicts with another subnet");
      fails(await run('ec2', 'describe-vpcs', '--vpc-ids', 'vpc-0123456789abcdef0'), 'InvalidVpcID.NotFound', "The vpc ID 'vpc-0123456789abcdef0' does not exist");
      fails(await run('ec2', 'delete-vpc', '--vpc-id', vpcId), 'DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`);
    });

    it('--dry-run answers DryRunOperation', async () => {
      fails(await run('ec2', 'create-vpc', '--cidr-block', '10.1.0.0/16', '--dry-run'), 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    });
  });
}
