import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecurityGroupCommand, CreateTagsCommand, CreateVpcCommand, DeleteTagsCommand, DeleteVpcCommand, DescribeSubnetsCommand, DescribeTagsCommand,
  DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { ec2Client, rejectsWith } from './support.js';

describe('EC2 tags through the v3 SDK', () => {
  const berth = useBerth({ clients: { ec2: EC2Client } });
  let vpcId: string;
  let sgId: string;
  let subnetId: string;
  before(async () => {
    vpcId = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
    sgId = (await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tagged', Description: 'tagged', VpcId: vpcId }))).GroupId!;
    subnetId = (await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1a'] }] }))).Subnets![0].SubnetId!;
  });

  it('CreateTags tags several resources at once and overwrites a key', async () => {
    await berth.ec2.send(new CreateTagsCommand({ Resources: [vpcId, sgId, subnetId], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ana' }] }));
    await berth.ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'env', Value: 'prod' }] }));
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    assert.deepEqual(Vpcs![0].Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'ana' }]);
  });

  it('DescribeTags filters by resource type, resource id, key and value', async () => {
    const byType = await berth.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['security-group'] }] }));
    assert.deepEqual(byType.Tags, [
      { Key: 'env', Value: 'dev', ResourceId: sgId, ResourceType: 'security-group' },
      { Key: 'owner', Value: 'ana', ResourceId: sgId, ResourceType: 'security-group' },
    ]);
    const byValue = await berth.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }, { Name: 'value', Values: ['d*'] }] }));
    assert.deepEqual(byValue.Tags!.map((t) => t.ResourceId).sort(), [sgId, subnetId].sort());
    const byId = await berth.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [subnetId] }] }));
    assert.deepEqual(byId.Tags!.map((t) => [t.ResourceType, t.Key]), [['subnet', 'env'], ['subnet', 'owner']]);
    const page = await berth.ec2.send(new DescribeTagsCommand({ MaxResults: 5 }));
    assert.equal(page.Tags?.length, 5);
    const rest = await berth.ec2.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: page.NextToken }));
    assert.equal(rest.Tags?.length, 1);
  });

  it('DeleteTags removes a key, or only a matching value, or every tag', async () => {
    await berth.ec2.send(new DeleteTagsCommand({ Resources: [sgId], Tags: [{ Key: 'env', Value: 'other' }] }));
    await berth.ec2.send(new DeleteTagsCommand({ Resources: [sgId], Tags: [{ Key: 'owner' }] }));
    let tags = await berth.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [sgId] }] }));
    assert.deepEqual(tags.Tags!.map((t) => t.Key), ['env']);
    await berth.ec2.send(new DeleteTagsCommand({ Resources: [subnetId] }));
    tags = await berth.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [subnetId] }] }));
    assert.deepEqual(tags.Tags, []);
  });

  it('tagging an unknown id is its kind\'s NotFound, and an id of no known kind is InvalidID', async () => {
    await rejectsWith(berth.ec2.send(new CreateTagsCommand({ Resources: ['vpc-0000000000000000a'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidVpcID.NotFound');
    await rejectsWith(berth.ec2.send(new CreateTagsCommand({ Resources: ['i-0000000000000000a'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidInstanceID.NotFound');
    await rejectsWith(berth.ec2.send(new CreateTagsCommand({ Resources: ['banana'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidID', "The ID 'banana' is not valid");
  });

  it('aws: keys are reserved and a resource holds at most 50 tags', async () => {
    await rejectsWith(berth.ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }] })), 'InvalidParameterValue');
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: String(i) }));
    await rejectsWith(berth.ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: many })), 'TagLimitExceeded');
  });

  it('deleting a resource deletes its tags', async () => {
    const vpc = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'tmp', Value: '1' }] }] }))).Vpc!;
    await berth.ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
    const { Tags } = await berth.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['tmp'] }] }));
    assert.deepEqual(Tags, []);
  });
});
