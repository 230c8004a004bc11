import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, DescribeLoadBalancersCommand, DescribeTagsCommand,
  LoadBalancerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { SQSClient, SendMessageCommand, ReceiveMessageCommand, GetQueueAttributesCommand, ListQueuesCommand, QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { CloudWatchClient, PutMetricDataCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { AwsError, notImplemented } from './errors.js';
import { loadModel } from './model.js';
import { CLIENT_BASE, harness, runCodec, withOperations } from './test-support/harness.js';
import { QueryOp$, commandFor } from './test-support/synthetic.js';
import { normalize, wireRequest } from './test-support/util.js';

const sts = loadModel('sts');

describe('awsQuery through the real SDK (STS, ELBv2)', () => {
  it('GetCallerIdentity sends Action and Version and reads the Result wrapper', async () => {
    const h = harness('awsQuery', sts, () => ({ UserId: 'AIDA', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' }));
    const client = new STSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, '000000000000');
    assert.equal(out.Arn, 'arn:aws:iam::000000000000:root');
    assert.equal(out.$metadata.requestId, 'req-0001');
    assert.equal(h.last().operation, 'GetCallerIdentity');
    assert.match(String(h.last().response?.body), /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult>/);
  });

  it('AssumeRole reads lists of structures and writes nested structures and ISO timestamps', async () => {
    const expiration = new Date('2030-01-02T03:04:05Z');
    const h = harness('awsQuery', sts, () => ({
      Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration },
      AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn:aws:sts::1:assumed-role/r/s' },
      PackedPolicySize: 7,
    }));
    const client = new STSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 's', DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:p1' }, { arn: 'arn:p2' }], Tags: [{ Key: 'k', Value: 'v & <w>' }], TransitiveTagKeys: [],
    }));
    assert.deepEqual(h.last().input, {
      RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 's', DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:p1' }, { arn: 'arn:p2' }], Tags: [{ Key: 'k', Value: 'v & <w>' }], TransitiveTagKeys: [],
    });
    assert.deepEqual(out.Credentials?.Expiration, expiration);
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::1:assumed-role/r/s');
    assert.equal(out.PackedPolicySize, 7);
  });

  it('ELBv2 CreateLoadBalancer and DescribeLoadBalancers round-trip nested lists, enums and timestamps', async () => {
    const created = new Date('2024-05-06T07:08:09.123Z');
    const lb = {
      LoadBalancerArn: 'arn:lb', DNSName: 'lb.example', CanonicalHostedZoneId: 'Z1', CreatedTime: created, LoadBalancerName: 'web',
      Scheme: 'internet-facing', VpcId: 'vpc-1', State: { Code: 'active' }, Type: 'application',
      AvailabilityZones: [{ ZoneName: 'us-east-1a', SubnetId: 'subnet-1', LoadBalancerAddresses: [{ IpAddress: '10.0.0.1' }] }],
      SecurityGroups: ['sg-1', 'sg-2'], IpAddressType: 'ipv4',
    };
    const h = harness('awsQuery', loadModel('elastic-load-balancing-v2'), (op) => (op === 'DescribeTags'
      ? { TagDescriptions: [{ ResourceArn: 'arn:lb', Tags: [{ Key: 'a', Value: '1' }] }] }
      : { LoadBalancers: [lb] }));
    const client = new ElasticLoadBalancingV2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new CreateLoadBalancerCommand({
      Name: 'web', Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'], Type: 'application',
      Tags: [{ Key: 'team', Value: 'web' }], SubnetMappings: [{ SubnetId: 'subnet-3', AllocationId: 'eip-1' }],
    }));
    assert.deepEqual(h.last().input, {
      Name: 'web', Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'], Type: 'application',
      Tags: [{ Key: 'team', Value: 'web' }], SubnetMappings: [{ SubnetId: 'subnet-3', AllocationId: 'eip-1' }],
    });
    assert.deepEqual(normalize(out.LoadBalancers), normalize([lb]));
    const described = await client.send(new DescribeLoadBalancersCommand({ Names: ['web'], PageSize: 10 }));
    assert.deepEqual(h.last().input, { Names: ['web'], PageSize: 10 });
    assert.equal(described.LoadBalancers?.[0].State?.Code, 'active');
    const tags = await client.send(new DescribeTagsCommand({ ResourceArns: ['arn:lb'] }));
    assert.deepEqual(tags.TagDescriptions, [{ ResourceArn: 'arn:lb', Tags: [{ Key: 'a', Value: '1' }] }]);
  });

  it('a modeled error carries its awsQueryError code, status and Sender type', async () => {
    const h = harness('awsQuery', loadModel('elastic-load-balancing-v2'), () => {
      throw new AwsError('LoadBalancerNotFoundException', 'One or more load balancers not found');
    });
    const client = new ElasticLoadBalancingV2Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await client.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })).catch((e) => e);
    assert.ok(err instanceof LoadBalancerNotFoundException, String(err));
    assert.equal(err.message, 'One or more load balancers not found');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.$fault, 'client');
    assert.match(String(h.last().response?.body), /<Type>Sender<\/Type><Code>LoadBalancerNotFound<\/Code>/);
  });

  it('an unimplemented operation answers 501 InternalFailure with a Receiver fault', async () => {
    const h = harness('awsQuery', sts, () => { throw notImplemented('sts', 'GetCallerIdentity'); });
    const client = new STSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await client.send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(err.name, 'InternalFailure');
    assert.equal(err.$metadata.httpStatusCode, 501);
    assert.match(err.message, /not implemented/);
    assert.match(String(h.last().response?.body), /<Type>Receiver<\/Type>/);
  });

  it('a missing required member is a ValidationError naming it', async () => {
    const h = harness('awsQuery', sts);
    const client = new STSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await client.send(new AssumeRoleCommand({ RoleSessionName: 's' } as any)).catch((e) => e);
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, /Value null at 'RoleArn'/);
  });
});

describe('awsQuery wire rules (synthetic operation through the STS client)', () => {
  const model = withOperations(sts, [QueryOp$]);
  const SynthQuery = commandFor('AWSSecurityTokenServiceV20110615', 'STSClient', QueryOp$);
  const value = {
    Name: 'n', Count: 3, Ratio: 1.5, Enabled: false,
    When: new Date('2024-01-02T03:04:05.678Z'), WhenEpoch: new Date('2024-01-02T03:04:05Z'), WhenHttp: new Date('2024-01-02T03:04:05Z'),
    Data: Buffer.from('bytes\u0000\u00ff'), Kind: 'ENUM_VALUE', Renamed: 'aliased & <escaped> "quoted"\r\n',
    Nested: { Label: 'inner', Score: -2, Enabled: true },
    Strings: ['a', 'b c', 'd+e'], Flat: ['x', 'y'],
    Items: [{ Label: 'i1', Score: 1 }, { Label: 'i2', Enabled: true }],
    Attrs: { k1: 'v1', 'k 2': 'v=2' }, FlatAttrs: { n1: 'v1', n2: 'v2' },
    Structs: { s1: { Label: 'l', Score: 9 } }, Empty: [],
  };

  it('the SDK serializer feeds our parser every list, map, rename and scalar form', async () => {
    const h = harness('awsQuery', model, () => value);
    const client = new STSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    await client.send(new SynthQuery(value));
    const body = h.last().wire.body.toString();
    for (const key of ['AliasName=', 'Strings.member.2=', 'FlatItem.1=', 'Items.Item.2.Label=', 'Attrs.entry.1.key=', 'Attribute.2.Name=', 'Structs.entry.1.value.Score=', 'Empty=']) {
      assert.ok(body.includes(key), `${key} in ${body}`);
    }
    assert.deepEqual(normalize(h.last().input), normalize(value));
  });

  it('our serializer feeds the SDK deserializer the same values back', async () => {
    const h = harness('awsQuery', model, () => value);
    const client = new STSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new SynthQuery({ Name: 'n' }));
    const { $metadata, ...rest } = out;
    assert.deepEqual(normalize(rest), normalize(value));
    const xml = String(h.last().response?.body);
    assert.ok(xml.includes('<AliasName>aliased &amp; &lt;escaped&gt; "quoted"&#xD;\n</AliasName>'), xml);
    assert.ok(xml.includes('<FlatItem>x</FlatItem><FlatItem>y</FlatItem>'), xml);
    assert.ok(xml.includes('<Strings><member>a</member>'), xml);
    assert.ok(xml.includes('<Attribute><Name>n1</Name><Value>v1</Value></Attribute>'), xml);
    assert.ok(xml.includes('<Attrs><entry><key>k1</key><value>v1</value></entry>'), xml);
    assert.ok(xml.includes('<WhenEpoch>1704164645</WhenEpoch><WhenHttp>Tue, 02 Jan 2024 03:04:05 GMT</WhenHttp>'), xml);
  });

  it('values that do not convert stay strings and fail validation with the service error', () => {
    const res = runCodec('awsQuery', model, wireRequest({ body: 'Action=SynthQuery&Version=2011-06-15&Name=n&Count=many&Enabled=maybe&When=yesterday' }), () => ({}));
    assert.equal(res.status, 400);
    const body = String(res.body);
    assert.match(body, /<Code>ValidationError<\/Code>/);
    assert.match(body, /Value 'many' at 'Count' failed to satisfy constraint: Member must be a number/);
    assert.match(body, /Member must be a boolean/);
    assert.match(body, /Member must be a timestamp/);
  });
});

describe('awsQuery spoken to query-compatible JSON services', () => {
  const sqsModel = loadModel('sqs');
  const sqsQuery = (h: ReturnType<typeof harness>) => new SQSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler, protocol: AwsQueryProtocol, md5: false } as any);

  it('SQS SendMessage reads flattened maps of structures with renamed keys and blobs', async () => {
    const h = harness('awsQuery', sqsModel, () => ({ MessageId: 'm-1', MD5OfMessageBody: 'abc' }));
    const out = await sqsQuery(h).send(new SendMessageCommand({
      QueueUrl: 'http://q/1/q', MessageBody: 'hello', DelaySeconds: 5,
      MessageAttributes: {
        color: { DataType: 'String', StringValue: 'red' },
        raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
      },
    }));
    assert.equal(out.MessageId, 'm-1');
    const body = h.last().wire.body.toString();
    assert.match(body, /MessageAttribute\.1\.Name=color/);
    assert.match(body, /MessageAttribute\.2\.Value\.BinaryValue=AQID/);
    assert.deepEqual(normalize(h.last().input), normalize({
      QueueUrl: 'http://q/1/q', MessageBody: 'hello', DelaySeconds: 5,
      MessageAttributes: { color: { DataType: 'String', StringValue: 'red' }, raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) } },
    }));
  });

  it('SQS ReceiveMessage and GetQueueAttributes write flattened lists and maps the SDK reads', async () => {
    const messages = [
      { MessageId: 'a', ReceiptHandle: 'r', Body: '<xml>&', Attributes: { SentTimestamp: '1', ApproximateReceiveCount: '2' },
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
      { MessageId: 'b', Body: 'two' },
    ];
    const h = harness('awsQuery', sqsModel, (op) => (op === 'ReceiveMessage' ? { Messages: messages } : { Attributes: { VisibilityTimeout: '30', DelaySeconds: '0' } }));
    const sqs = sqsQuery(h);
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: 'q', MaxNumberOfMessages: 2, MessageAttributeNames: ['All'], AttributeNames: ['All'] }));
    // The model gives AttributeNames and MessageSystemAttributeNames the same query name, so both are filled.
    assert.deepEqual(h.last().input, {
      QueueUrl: 'q', MaxNumberOfMessages: 2, MessageAttributeNames: ['All'], AttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    });
    assert.deepEqual(out.Messages, messages);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: 'q', AttributeNames: ['VisibilityTimeout'] }));
    assert.deepEqual(attrs.Attributes, { VisibilityTimeout: '30', DelaySeconds: '0' });
    assert.match(String(h.last().response?.body), /<Attribute><Name>VisibilityTimeout<\/Name><Value>30<\/Value><\/Attribute>/);
  });

  it('SQS errors use the query-era code (AWS.SimpleQueueService.NonExistentQueue) the SDK maps back', async () => {
    const h = harness('awsQuery', sqsModel, () => { throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.'); });
    const err = await sqsQuery(h).send(new ListQueuesCommand({})).catch((e) => e);
    assert.ok(err instanceof QueueDoesNotExist, String(err));
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(String(h.last().response?.body), /<Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code>/);
  });

  it('CloudWatch PutMetricData and GetMetricStatistics round-trip doubles, dimensions and timestamps', async () => {
    const t = new Date('2024-03-04T05:06:07Z');
    const h = harness('awsQuery', loadModel('cloudwatch'), (op) => (op === 'GetMetricStatistics'
      ? { Label: 'CPU', Datapoints: [{ Timestamp: t, Average: 12.5, Unit: 'Percent' }] } : {}));
    const cw = new CloudWatchClient({ ...CLIENT_BASE, requestHandler: h.requestHandler, protocol: AwsQueryProtocol } as any);
    await cw.send(new PutMetricDataCommand({
      Namespace: 'App', MetricData: [{ MetricName: 'CPU', Dimensions: [{ Name: 'Svc', Value: 'web' }], Timestamp: t, Values: [1.5, 2], Counts: [1, 3], Unit: 'Percent' }],
    }));
    assert.deepEqual(normalize(h.last().input), normalize({
      Namespace: 'App', MetricData: [{ MetricName: 'CPU', Dimensions: [{ Name: 'Svc', Value: 'web' }], Timestamp: t, Values: [1.5, 2], Counts: [1, 3], Unit: 'Percent' }],
    }));
    const stats = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'App', MetricName: 'CPU', StartTime: t, EndTime: t, Period: 60, Statistics: ['Average'] }));
    assert.deepEqual(stats.Datapoints, [{ Timestamp: t, Average: 12.5, Unit: 'Percent' }]);
  });
});

describe('awsQuery malformed requests', () => {
  const send = (body: string, query = '') => runCodec('awsQuery', sts, wireRequest({ body, query }), () => ({ Account: '1' }));

  it('an unknown Action is 400 InvalidAction', () => {
    const res = send('Action=LaunchRockets&Version=2011-06-15');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /<Code>InvalidAction<\/Code><Message>The action LaunchRockets is not valid for this web service.<\/Message>/);
  });

  it('a body without Action is 400 MissingAction', () => {
    const res = send('garbage\u0000\u00ff&&=');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /<Code>MissingAction<\/Code>/);
  });

  it('bad percent-encoding is 400 MalformedQueryString', () => {
    const res = send('Action=GetCallerIdentity&Version=2011-06-15&X=%E0%A4%A');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /<Code>MalformedQueryString<\/Code>/);
  });

  it('the Action may come in the query string (GET)', () => {
    const res = send('', 'Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(res.status, 200);
    assert.match(String(res.body), /<Account>1<\/Account>/);
  });
});
