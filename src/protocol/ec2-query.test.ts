import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EC2Client, DescribeVpcsCommand, CreateTagsCommand } from '@aws-sdk/client-ec2';
import { AwsError, notImplemented } from './errors.js';
import { loadModel } from './model.js';
import { CLIENT_BASE, harness, runCodec, withOperations } from './test-support/harness.js';
import { Ec2Op$, commandFor } from './test-support/synthetic.js';
import { normalize, wireRequest } from './test-support/util.js';

const ec2 = loadModel('ec2');

describe('ec2Query through the real SDK', () => {
  it('DescribeVpcs reads Filter.N / VpcId.N and writes <item> lists without a Result wrapper', async () => {
    const vpcs = [{
      VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', State: 'available', IsDefault: true, OwnerId: '000000000000',
      Tags: [{ Key: 'Name', Value: 'main' }],
      CidrBlockAssociationSet: [{ AssociationId: 'a-1', CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }],
    }];
    const h = harness('ec2Query', ec2, () => ({ Vpcs: vpcs, NextToken: 'tok' }));
    const client = new EC2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new DescribeVpcsCommand({
      VpcIds: ['vpc-1', 'vpc-2'], Filters: [{ Name: 'tag:Name', Values: ['main', 'other'] }], DryRun: false, MaxResults: 5,
    }));
    const body = h.last().wire.body.toString();
    assert.match(body, /Filter\.1\.Value\.2=other/);
    assert.match(body, /VpcId\.2=vpc-2/);
    assert.deepEqual(h.last().input, {
      VpcIds: ['vpc-1', 'vpc-2'], Filters: [{ Name: 'tag:Name', Values: ['main', 'other'] }], DryRun: false, MaxResults: 5,
    });
    assert.deepEqual(normalize(out.Vpcs), normalize(vpcs));
    assert.equal(out.NextToken, 'tok');
    const xml = String(h.last().response?.body);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><DescribeVpcsResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>req-0001<\/requestId>/);
    assert.match(xml, /<vpcSet><item><ownerId>000000000000<\/ownerId>.*<vpcId>vpc-1<\/vpcId>/);
    assert.match(xml, /<tagSet><item><key>Name<\/key><value>main<\/value><\/item><\/tagSet>/);
    assert.match(xml, /<isDefault>true<\/isDefault>/);
  });

  it('CreateTags reads ResourceId.N and Tag.N.Key', async () => {
    const h = harness('ec2Query', ec2, () => ({}));
    const client = new EC2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    await client.send(new CreateTagsCommand({ Resources: ['i-1', 'vpc-1'], Tags: [{ Key: 'a', Value: '' }, { Key: 'b', Value: 'x y' }] }));
    assert.match(h.last().wire.body.toString(), /ResourceId\.1=i-1&ResourceId\.2=vpc-1&Tag\.1\.Key=a&Tag\.1\.Value=&Tag\.2\.Key=b/);
    assert.deepEqual(h.last().input, { Resources: ['i-1', 'vpc-1'], Tags: [{ Key: 'a', Value: '' }, { Key: 'b', Value: 'x y' }] });
  });

  it('errors are <Response><Errors><Error> with the code, message and status the SDK reports', async () => {
    const h = harness('ec2Query', ec2, () => { throw new AwsError('InvalidVpcID.NotFound', "The vpc ID 'vpc-9' does not exist"); });
    const client = new EC2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await client.send(new DescribeVpcsCommand({ VpcIds: ['vpc-9'] })).catch((e) => e);
    assert.equal(err.name, 'InvalidVpcID.NotFound');
    assert.equal(err.message, "The vpc ID 'vpc-9' does not exist");
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(String(h.last().response?.body), /<Response><Errors><Error><Code>InvalidVpcID.NotFound<\/Code>.*<\/Errors><RequestID>req-0001<\/RequestID><\/Response>/);
  });

  it('an unimplemented operation is 501 InternalFailure', async () => {
    const h = harness('ec2Query', ec2, () => { throw notImplemented('ec2', 'DescribeVpcs'); });
    const client = new EC2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await client.send(new DescribeVpcsCommand({})).catch((e) => e);
    assert.equal(err.name, 'InternalFailure');
    assert.equal(err.$metadata.httpStatusCode, 501);
  });
});

describe('ec2Query wire rules (synthetic operation through the EC2 client)', () => {
  const model = withOperations(ec2, [Ec2Op$]);
  const SynthEc2 = commandFor('AmazonEC2', 'EC2Client', Ec2Op$);

  it('input names use ec2QueryName, else the capitalised xmlName or member name; lists are flattened', async () => {
    const h = harness('ec2Query', model, () => ({}));
    const client = new EC2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const input = {
      DryRun: true, InstanceIds: ['i-1'], Filters: [{ Name: 'f', Values: ['v1'] }], lowerName: 'low',
      Since: new Date('2024-01-01T00:00:00Z'), Data: Buffer.from('hi'), Tags: [{ Key: 'k', Value: 'v' }], Count: 0, Renamed: 'r',
    };
    await client.send(new SynthEc2(input));
    const body = h.last().wire.body.toString();
    for (const key of ['DryRun=true', 'InstanceId.1=i-1', 'Filter.1.Value.1=v1', 'LowerName=low', 'Since=2024-01-01T00%3A00%3A00Z', 'Data=aGk%3D', 'TagSpec.1.Key=k', 'Count=0', 'OtherName=r']) {
      assert.ok(body.includes(key), `${key} in ${body}`);
    }
    assert.deepEqual(normalize(h.last().input), normalize(input));
  });

  it('output members use xmlName, booleans and epoch timestamps as declared', async () => {
    const value = {
      Things: [{ ThingId: 't-1', Running: false, Launched: new Date('2024-02-03T04:05:06Z'), Tags: [{ Key: 'a', Value: '&' }], Cores: 4 }, { ThingId: 't-2' }],
      NextToken: 'n', Ok: true, When: new Date('2024-02-03T04:05:06Z'),
    };
    const h = harness('ec2Query', model, () => value);
    const client = new EC2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new SynthEc2({}));
    assert.deepEqual(normalize(out), normalize(value));
    assert.match(String(h.last().response?.body), /<thingSet><item><thingId>t-1<\/thingId><running>false<\/running><launched>2024-02-03T04:05:06Z<\/launched>/);
    assert.match(String(h.last().response?.body), /<when>1706933106<\/when>/);
  });
});

describe('ec2Query malformed requests', () => {
  it('an unknown Action is 400 InvalidAction in EC2 error XML', () => {
    const res = runCodec('ec2Query', ec2, wireRequest({ body: 'Action=FlyAway&Version=2016-11-15' }), () => ({}));
    assert.equal(res.status, 400);
    assert.match(String(res.body), /<Response><Errors><Error><Code>InvalidAction<\/Code><Message>The action FlyAway is not valid for this web service.<\/Message>/);
  });

  it('a wrongly typed value is 400 InvalidParameterValue', () => {
    const res = runCodec('ec2Query', ec2, wireRequest({ body: 'Action=DescribeVpcs&Version=2016-11-15&MaxResults=lots&DryRun=perhaps' }), () => ({}));
    assert.equal(res.status, 400);
    assert.match(String(res.body), /<Code>InvalidParameterValue<\/Code>/);
  });

  it('bad percent-encoding is 400, not 500', () => {
    const res = runCodec('ec2Query', ec2, wireRequest({ body: 'Action=DescribeVpcs&VpcId.1=%ZZ' }), () => ({}));
    assert.equal(res.status, 400);
    assert.match(String(res.body), /MalformedQueryString/);
  });
});
