/**
 * The same round trip through botocore (what both AWS CLIs are built on):
 * botocore's serializer produces the request our codec parses, and botocore's
 * parser reads the response or error our codec writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { ProtocolName } from './catalog.js';
import { AwsError } from './errors.js';
import { loadModel } from './model.js';
import { runCodec } from './test-support/harness.js';
import { normalize, wireRequest } from './test-support/util.js';

const SCRIPT = String.raw`
import sys, json, base64, datetime
import botocore.session
from botocore import serialize, parsers
from botocore.awsrequest import prepare_request_dict, create_request_object
from urllib.parse import urlsplit

session = botocore.session.get_session()
req = json.load(sys.stdin)

def plain(v):
    if isinstance(v, datetime.datetime):
        return 'date:' + v.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
    if isinstance(v, (bytes, bytearray)):
        return 'bytes:' + base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v

out = []
for case in req['cases']:
    model = session.get_service_model(case['service'])
    op = model.operation_model(case['operation'])
    protocol = model.metadata['protocol']
    if req['mode'] == 'serialize':
        d = serialize.create_serializer(protocol, include_validation=False).serialize_to_request(case['params'], op)
        prepare_request_dict(d, endpoint_url='http://localhost:4566')
        r = create_request_object(d).prepare()
        u = urlsplit(r.url)
        body = r.body if isinstance(r.body, (bytes, bytearray)) else (r.body or '').encode()
        out.append({'protocol': protocol, 'jsonVersion': model.metadata.get('jsonVersion'), 'method': r.method, 'path': u.path, 'query': u.query,
                    'headers': {k.lower(): v for k, v in r.headers.items()}, 'body': base64.b64encode(body).decode()})
    else:
        parser = parsers.create_parser(protocol)
        parsed = parser.parse({'status_code': case['status'], 'headers': case['headers'], 'body': base64.b64decode(case['body'])}, op.output_shape)
        out.append(plain(parsed))
json.dump(out, sys.stdout)
`;

function botocoreAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function python(mode: 'serialize' | 'parse', cases: unknown[]): any[] {
  return JSON.parse(execFileSync('python3', ['-c', SCRIPT], { input: JSON.stringify({ mode, cases }), maxBuffer: 16 << 20 }).toString());
}

const MODEL_ID: Record<string, string> = { sts: 'sts', elbv2: 'elastic-load-balancing-v2', ec2: 'ec2', eks: 'eks', route53: 'route-53', ecs: 'ecs', sqs: 'sqs' };

function protocolOf(botocoreProtocol: string, jsonVersion?: string): ProtocolName {
  switch (botocoreProtocol) {
    case 'query': return 'awsQuery';
    case 'ec2': return 'ec2Query';
    case 'rest-json': return 'restJson1';
    case 'rest-xml': return 'restXml';
    default: return jsonVersion === '1.1' ? 'awsJson1_1' : 'awsJson1_0';
  }
}

interface Case {
  title: string;
  service: string;
  operation: string;
  params: Record<string, unknown>;
  /** What our parser should produce, when it differs from params (timestamps, defaults). */
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: AwsError;
  /** What botocore should parse, when it differs from output. */
  parsed?: unknown;
}

const T = new Date('2024-01-02T03:04:05.250Z');
const CASES: Case[] = [
  {
    title: 'awsQuery STS AssumeRole', service: 'sts', operation: 'AssumeRole',
    params: { RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 'ss', DurationSeconds: 900, PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnly' }], Tags: [{ Key: 'k', Value: 'v & w' }] },
    output: { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: T }, AssumedRoleUser: { AssumedRoleId: 'AROA:ss', Arn: 'arn:aws:sts::1:assumed-role/r/ss' }, PackedPolicySize: 3 },
  },
  {
    title: 'awsQuery ELBv2 DescribeLoadBalancers', service: 'elbv2', operation: 'DescribeLoadBalancers',
    params: { Names: ['a', 'b'], PageSize: 5 },
    output: { LoadBalancers: [{ LoadBalancerArn: 'arn:lb', CreatedTime: T, State: { Code: 'active' }, AvailabilityZones: [{ ZoneName: 'us-east-1a', SubnetId: 's-1' }], SecurityGroups: ['sg-1'] }], NextMarker: 'm' },
  },
  {
    title: 'awsQuery ELBv2 error', service: 'elbv2', operation: 'DescribeLoadBalancers', params: {},
    error: new AwsError('LoadBalancerNotFoundException', 'Load balancer not found'),
    parsed: { Error: { Type: 'Sender', Code: 'LoadBalancerNotFound', Message: 'Load balancer not found' } },
  },
  {
    title: 'ec2Query DescribeVpcs', service: 'ec2', operation: 'DescribeVpcs',
    params: { Filters: [{ Name: 'tag:Name', Values: ['x', 'y'] }], VpcIds: ['vpc-1'], DryRun: false },
    output: { Vpcs: [{ VpcId: 'vpc-1', IsDefault: true, Tags: [{ Key: 'Name', Value: 'x' }], CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/16' }] }] },
  },
  {
    title: 'ec2Query error', service: 'ec2', operation: 'DescribeVpcs', params: {},
    error: new AwsError('InvalidVpcID.NotFound', 'nope'),
    parsed: { Error: { Code: 'InvalidVpcID.NotFound', Message: 'nope' } },
  },
  {
    title: 'restJson1 EKS CreateCluster', service: 'eks', operation: 'CreateCluster',
    params: { name: 'demo', roleArn: 'arn:role', resourcesVpcConfig: { subnetIds: ['s-1'], endpointPublicAccess: true }, tags: { a: 'b' }, clientRequestToken: 'tok' },
    output: { cluster: { name: 'demo', createdAt: T, status: 'CREATING', tags: { a: 'b' }, resourcesVpcConfig: { subnetIds: ['s-1'] } } },
  },
  {
    title: 'restJson1 EKS DescribeUpdate (two labels and a query member)', service: 'eks', operation: 'DescribeUpdate',
    params: { name: 'my cluster', updateId: 'u/1', nodegroupName: 'ng' },
    output: { update: { id: 'u/1', status: 'Successful', createdAt: T, params: [{ type: 'Version', value: '1.30' }] } },
  },
  {
    title: 'restJson1 error', service: 'eks', operation: 'DescribeCluster', params: { name: 'x' },
    error: new AwsError('ResourceNotFoundException', 'No cluster found for name: x.', { fields: { clusterName: 'x' } }),
    // Modeled fields are added by botocore's client from the error shape, not by the parser.
    parsed: { Error: { Code: 'ResourceNotFoundException', Message: 'No cluster found for name: x.' } },
  },
  {
    title: 'restXml Route 53 ChangeResourceRecordSets', service: 'route53', operation: 'ChangeResourceRecordSets',
    params: { HostedZoneId: 'Z1', ChangeBatch: { Comment: 'c', Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'a.example.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '1.2.3.4' }] } }] } },
    output: { ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: T } },
  },
  {
    title: 'restXml Route 53 ListHostedZones', service: 'route53', operation: 'ListHostedZones',
    params: { MaxItems: 5, Marker: 'm' },
    output: { HostedZones: [{ Id: '/hostedzone/Z1', Name: 'example.', CallerReference: 'r', Config: { PrivateZone: false } }], Marker: 'm', IsTruncated: false, MaxItems: 5 },
    // botocore's older model types MaxItems as a string.
    parsed: { HostedZones: [{ Id: '/hostedzone/Z1', Name: 'example.', CallerReference: 'r', Config: { PrivateZone: false } }], Marker: 'm', IsTruncated: false, MaxItems: '5' },
  },
  {
    title: 'restXml error', service: 'route53', operation: 'GetHostedZone', params: { Id: 'Z9' },
    error: new AwsError('NoSuchHostedZone', 'No hosted zone found with ID: Z9'),
    parsed: { Error: { Type: 'Sender', Code: 'NoSuchHostedZone', Message: 'No hosted zone found with ID: Z9' } },
  },
  {
    title: 'awsJson1_1 ECS RunTask', service: 'ecs', operation: 'RunTask',
    params: { taskDefinition: 'td', count: 2, overrides: { containerOverrides: [{ name: 'web', command: ['a', 'b'] }] }, clientToken: 't' },
    output: { tasks: [{ taskArn: 'arn:t', createdAt: T, containers: [{ name: 'web' }] }], failures: [] },
  },
  {
    title: 'awsJson1_0 query-compatible SQS error', service: 'sqs', operation: 'GetQueueUrl', params: { QueueName: 'q' },
    error: new AwsError('QueueDoesNotExist', 'The specified queue does not exist.'),
    parsed: { Error: { Code: 'AWS.SimpleQueueService.NonExistentQueue', Message: 'The specified queue does not exist.', Type: 'Sender', QueryErrorCode: 'QueueDoesNotExist' } },
  },
];

describe('round trips through botocore', { skip: !botocoreAvailable() && 'botocore not installed' }, () => {
  const requests = botocoreAvailable() ? python('serialize', CASES) : [];
  const responses: Array<{ status: number; headers: Record<string, string>; body: string }> = [];
  const protocols: ProtocolName[] = [];

  CASES.forEach((c, i) => {
    it(`${c.title}: botocore's request parses`, () => {
      const r = requests[i];
      const protocol = protocolOf(r.protocol, r.jsonVersion);
      protocols[i] = protocol;
      const model = loadModel(MODEL_ID[c.service]);
      const seen: any = {};
      const wire = wireRequest({ method: r.method, path: r.path, query: r.query, headers: r.headers, body: Buffer.from(r.body, 'base64') });
      wire.headers = r.headers;
      const res = runCodec(protocol, model, wire, () => {
        if (c.error) throw c.error;
        return c.output;
      }, seen);
      assert.equal(seen.operation, c.operation);
      assert.deepEqual(normalize(seen.input), normalize(c.input ?? c.params));
      const body = typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
      responses[i] = { status: res.status, headers: res.headers, body: body.toString('base64') };
    });
  });

  it('botocore parses every response and error we wrote', () => {
    const parsed = python('parse', CASES.map((c, i) => ({ service: c.service, operation: c.operation, ...responses[i] })));
    CASES.forEach((c, i) => {
      const expected = c.parsed ?? normalize(c.output);
      if (c.error) {
        for (const [k, v] of Object.entries(expected as object)) assert.deepEqual(parsed[i][k], v, `${c.title}: ${k} in ${JSON.stringify(parsed[i])}`);
      } else {
        assert.deepEqual(parsed[i], expected, `${c.title} (${protocols[i]})`);
      }
    });
  });
});
