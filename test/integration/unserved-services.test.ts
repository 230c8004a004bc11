/**
 * Honest refusals: a correctly signed request for a service Berth does not serve
 * is answered 501 NotImplemented naming the service and operation, in the protocol
 * the client spoke, so every client prints a service error (not a parse error).
 * awscli v1 (botocore 1.43) and Debian's awscli v2 (2.9) speak different protocols
 * to some services (Compute Optimizer: CBOR vs JSON), so each command runs through both.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, InvalidParameterException } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { rejectsAs, rejectsNamed } from '../helpers/aws-errors.js';
import { clientConfig } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../helpers/cli.js';
import { register } from '../helpers/ecs.js';

/** [CLI arguments, the operation, what the refusal names]. */
const UNSERVED: Array<[string[], string, string]> = [
  [['elasticbeanstalk', 'describe-applications'], 'DescribeApplications', 'the AWS Elastic Beanstalk service (elasticbeanstalk:DescribeApplications)'],
  [['autoscaling-plans', 'describe-scaling-plans'], 'DescribeScalingPlans', 'the AWS Auto Scaling Plans service (autoscaling-plans:DescribeScalingPlans)'],
  [['dynamodb', 'list-tables'], 'ListTables', 'the Amazon DynamoDB service (dynamodb:ListTables)'],
  [['servicediscovery', 'list-namespaces'], 'ListNamespaces', 'the AWS Cloud Map service (servicediscovery:ListNamespaces)'],
  [['elb', 'describe-load-balancers'], 'DescribeLoadBalancers',
    'the Elastic Load Balancing (Classic Load Balancers) service (elasticloadbalancing:DescribeLoadBalancers)'],
  [['elb', 'create-load-balancer', '--load-balancer-name', 'classic', '--listeners',
    'Protocol=HTTP,LoadBalancerPort=80,InstancePort=80', '--availability-zones', 'us-east-1a'], 'CreateLoadBalancer',
    'the Elastic Load Balancing (Classic Load Balancers) service (elasticloadbalancing:CreateLoadBalancer)'],
  // botocore speaks rpc-v2-cbor to Compute Optimizer (awscli 2.9: JSON 1.0).
  [['compute-optimizer', 'get-enrollment-status'], 'GetEnrollmentStatus', 'the AWS Compute Optimizer service (compute-optimizer:GetEnrollmentStatus)'],
  // Catalogued (Berth has the model) but no provider: refused the same way. rest-xml: the refusal is an XML
  // ErrorResponse both CLIs parse.
  [['route53', 'list-hosted-zones'], 'ListHostedZones', 'the Amazon Route 53 service (route53:ListHostedZones)'],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Read-only refusals, independent of each other: three at a time (the CLI helper's servers per CLI).
describe('a service Berth does not serve is refused by name through both AWS CLIs', { concurrency: 3 }, () => {
  const berth = useBerth();

  for (const cli of Object.keys(CLIS) as CliName[]) {
    for (const [args, op, names] of UNSERVED) {
      it(`${CLIS[cli].name}: ${args.slice(0, 2).join(' ')} prints NotImplemented naming ${names}`, { skip: !cliAvailable(cli) && 'not installed' }, async () => {
        const res = await aws(cli, berth.endpoint, args);
        // The CLIs exit 254 (v2) / 255 (v1) for a service error.
        assert.ok(res.code === 254 || res.code === 255, `exit ${res.code}: ${res.stderr}`);
        assert.doesNotMatch(res.stderr, /Unable to parse|invalid XML|JSONDecodeError/);
        assert.match(res.stderr, new RegExp(`An error occurred \\(NotImplemented\\) when calling the ${op} operation`));
        assert.match(res.stderr, new RegExp(`Berth does not implement ${escape(names)} yet`));
      });
    }
  }

  it('the classic ELB refusal says which load-balancing API Berth serves', async () => {
    const res = await aws('v1', berth.endpoint, ['elb', 'describe-load-balancers']);
    assert.match(res.stderr, /Berth serves Elastic Load Balancing v2 \(Version 2015-12-01\) under the signing name elasticloadbalancing/);
  });

  it('ELBv2 on the same signing name is still served (Version 2015-12-01)', async () => {
    const res = await aws('v1', berth.endpoint, ['elbv2', 'describe-load-balancers']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.json.LoadBalancers, []);
    const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(berth.endpoint));
    assert.deepEqual((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    elbv2.destroy();
  });

  it('a rest service whose SDK package is not installed is named with the method and path', async () => {
    const res = await aws('v1', berth.endpoint, ['lambda', 'list-functions']);
    assert.equal(res.code, 255, res.stderr);
    assert.match(res.stderr, /An error occurred \(NotImplemented\) when calling the ListFunctions operation: Berth does not implement the AWS Lambda service \(lambda: GET \/2015-03-31\/functions\/?\) yet/);
  });
});

describe('services the v3 SDK clients in node_modules reach are refused as service errors', () => {
  const berth = useBerth();

  it('Route 53 (rest-xml): a catalogued model without a provider', async () => {
    const r53 = new Route53Client(clientConfig(berth.endpoint));
    await rejectsNamed(r53.send(new ListHostedZonesCommand({})), 'NotImplemented', /the Amazon Route 53 service \(route53:ListHostedZones\)/, 501);
    r53.destroy();
  });

  it('a request signed for a service no AWS catalogue knows is UnrecognizedClientException naming the signing name', async () => {
    const res = await fetch(berth.endpoint, {
      method: 'POST',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/nosuchservice/aws4_request, SignedHeaders=host, Signature=00',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    assert.equal(res.status, 400);
    const body = await res.json() as Record<string, string>;
    assert.equal(body.__type, 'UnrecognizedClientException');
    assert.match(body.message, /signing name nosuchservice/);
  });
});

describe('ECS refuses a Classic Load Balancer in a service', () => {
  const berth = useBerth({ runtime: 'fake' });

  it('CreateService with loadBalancerName is an InvalidParameterException naming ELBv2 target groups', async () => {
    const ecs = new ECSClient(clientConfig(berth.endpoint));
    await ecs.send(new CreateClusterCommand({ clusterName: 'classic' }));
    await register(ecs, {
      family: 'web', networkMode: 'bridge',
      containerDefinitions: [{ name: 'web', image: 'nginx', memory: 64, portMappings: [{ containerPort: 80 }] }],
    });
    await rejectsAs(ecs.send(new CreateServiceCommand({
      cluster: 'classic', serviceName: 'web', taskDefinition: 'web', desiredCount: 1,
      loadBalancers: [{ loadBalancerName: 'my-classic-elb', containerName: 'web', containerPort: 80 }],
    })), InvalidParameterException, /Berth does not implement Classic Load Balancers \(loadBalancerName my-classic-elb\).*Elastic Load Balancing v2 target groups only/);
    ecs.destroy();
  });
});
