import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Subnet } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { openDb, Statements } from '../../state/db.js';
import { containsIp, parseCidr, parseIpv4 } from './cidr.js';
import { ensureDefaultNetwork } from './defaults.js';
import { allocateEni, describeNetworkInterfaces, releaseEni } from './network-interfaces.js';
import { listDocs } from './store.js';
import { createSubnet, describeSubnets } from './subnets.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

function fresh() {
  const sql = new Statements(openDb(':memory:'));
  return { sql, scope: { sql, account: ACCOUNT, region: REGION } };
}

function defaultSubnet(scope: ReturnType<typeof fresh>['scope'], zone: string): Subnet {
  ensureDefaultNetwork(scope.sql, ACCOUNT, REGION);
  return listDocs<Subnet>(scope, 'subnet').find((s) => s.AvailabilityZone === zone)!;
}

describe('allocateEni and releaseEni (for awsvpc tasks)', () => {
  it('allocateEni creates a requester-managed, attached ENI with an address from the named default subnet', () => {
    const { sql, scope } = fresh();
    const subnet = defaultSubnet(scope, 'us-east-1c');
    const eni = allocateEni(sql, {
      account: ACCOUNT, region: REGION, subnetId: subnet.SubnetId!, description: 'arn:aws:ecs:us-east-1:000000000000:attachment/1234',
      requesterId: '578734482556', attachment: { attachTime: new Date(0) },
    });
    assert.match(eni.networkInterfaceId, /^eni-0[0-9a-f]{16}$/);
    assert.ok(containsIp(parseCidr(subnet.CidrBlock!)!, parseIpv4(eni.privateIpAddress)!));
    assert.equal(eni.availabilityZone, 'us-east-1c');
    assert.equal(eni.vpcId, subnet.VpcId);
    assert.equal(eni.subnetId, subnet.SubnetId);
    assert.equal(eni.securityGroups.length, 1);
    assert.match(eni.attachmentId!, /^ela-attach-0[0-9a-f]{16}$/);
    assert.match(eni.privateDnsName, /^ip-172-31-\d+-\d+\.ec2\.internal$/);
    const { NetworkInterfaces } = describeNetworkInterfaces(scope, { Filters: [{ Name: 'requester-managed', Values: ['true'] }] });
    assert.equal(NetworkInterfaces?.length, 1);
    assert.equal(NetworkInterfaces![0].Status, 'in-use');
    assert.equal(NetworkInterfaces![0].RequesterId, '578734482556');
    assert.equal(NetworkInterfaces![0].Attachment?.Status, 'attached');
    // Another account in the same database sees none of it.
    ensureDefaultNetwork(sql, '111122223333', REGION);
    assert.deepEqual(describeNetworkInterfaces({ sql, account: '111122223333', region: REGION }, {}).NetworkInterfaces, []);
  });

  it('addresses are distinct and counted against the subnet until released', () => {
    const { sql, scope } = fresh();
    const subnet = defaultSubnet(scope, 'us-east-1a');
    const enis = Array.from({ length: 20 }, () => allocateEni(sql, { account: ACCOUNT, region: REGION, subnetId: subnet.SubnetId! }));
    assert.equal(new Set(enis.map((e) => e.privateIpAddress)).size, 20);
    const count = () => describeSubnets(scope, { SubnetIds: [subnet.SubnetId!] }).Subnets![0].AvailableIpAddressCount;
    assert.equal(count(), 4091 - 20);
    assert.equal(releaseEni(sql, { account: ACCOUNT, region: REGION, networkInterfaceId: enis[0].networkInterfaceId }), true);
    assert.equal(releaseEni(sql, { account: ACCOUNT, region: REGION, networkInterfaceId: enis[0].networkInterfaceId }), false);
    assert.equal(count(), 4091 - 19);
  });

  it('a full subnet fails with InsufficientFreeAddressesInSubnet and an unknown subnet with InvalidSubnetID.NotFound', () => {
    const { sql, scope } = fresh();
    const vpcId = defaultSubnet(scope, 'us-east-1a').VpcId!;
    const small = createSubnet(scope, { VpcId: vpcId, CidrBlock: '172.31.240.0/28' }).Subnet!;
    for (let i = 0; i < 11; i++) allocateEni(sql, { account: ACCOUNT, region: REGION, subnetId: small.SubnetId! });
    assert.throws(() => allocateEni(sql, { account: ACCOUNT, region: REGION, subnetId: small.SubnetId! }),
      (e: AwsError) => e.code === 'InsufficientFreeAddressesInSubnet');
    assert.throws(() => allocateEni(sql, { account: ACCOUNT, region: REGION, subnetId: 'subnet-0000000000000000a' }),
      (e: AwsError) => e.code === 'InvalidSubnetID.NotFound');
    assert.throws(() => allocateEni(sql, { account: ACCOUNT, region: REGION, subnetId: small.SubnetId!, securityGroups: ['sg-0000000000000000a'] }),
      (e: AwsError) => e.code === 'InvalidGroup.NotFound');
  });

  it('a failed allocateEni rolls back everything it did, the lazily created default network included', () => {
    const { sql } = fresh();
    assert.throws(() => allocateEni(sql, { account: ACCOUNT, region: REGION, subnetId: 'subnet-0000000000000000b' }),
      (e: AwsError) => e.code === 'InvalidSubnetID.NotFound');
    assert.deepEqual(sql.get('SELECT COUNT(*) AS n FROM ec2_resources').get(), { n: 0 });
    assert.deepEqual(sql.get('SELECT COUNT(*) AS n FROM ec2_networks').get(), { n: 0 });
  });

  it('ensureDefaultNetwork is idempotent', () => {
    const { sql, scope } = fresh();
    ensureDefaultNetwork(sql, ACCOUNT, REGION);
    ensureDefaultNetwork(sql, ACCOUNT, REGION);
    assert.equal(listDocs(scope, 'vpc').length, 1);
    assert.equal(listDocs(scope, 'subnet').length, 6);
  });
});
