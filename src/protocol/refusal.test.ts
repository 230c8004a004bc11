import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cbor } from '@smithy/core/cbor';
import { awsServices } from './aws-service-facts.js';
import { SERVICES } from './catalog.js';
import { loadModel } from './model.js';
import type { WireRequest } from './codec.js';
import { renderRefusal, restOperationOf, serviceNotImplemented, spokenProtocol } from './refusal.js';
import { encodeTextMap } from './rpc-v2-cbor.js';

function request(over: Partial<WireRequest> = {}): WireRequest {
  return { method: 'POST', path: '/', rawPath: '/', query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0), ...over };
}

const REFUSED = { name: 'Amazon EC2 Auto Scaling', signingName: 'autoscaling', operation: 'CreateAutoScalingGroup' };

describe('honest refusals', () => {
  it('the service table knows every service by signing name, X-Amz-Target prefix and query API version', async () => {
    const { bySigningName, byTarget } = await awsServices();
    assert.deepEqual(bySigningName.get('autoscaling'), [{ signingName: 'autoscaling', name: 'Amazon EC2 Auto Scaling', protocol: 'query', apiVersion: '2011-01-01', sdkId: 'autoscaling' }]);
    assert.deepEqual(bySigningName.get('elasticloadbalancing')?.map((f) => f.apiVersion).sort(), ['2012-06-01', '2015-12-01']);
    assert.equal(byTarget.get('DynamoDB_20120810')?.name, 'Amazon DynamoDB');
    assert.equal(byTarget.get('GraniteServiceVersion20100801')?.protocol, 'smithy-rpc-v2-cbor');
    assert.ok(bySigningName.size > 300);
  });

  it('every catalogued service is in the table under its signing name, with its X-Amz-Target or API version', async () => {
    const { bySigningName } = await awsServices();
    for (const entry of SERVICES) {
      const rows = bySigningName.get(entry.signingNames[0]) ?? [];
      const model = loadModel(entry.id);
      const found = rows.some((r) => (entry.targetPrefix ? r.targetPrefix === entry.targetPrefix : r.apiVersion === model.version || !r.apiVersion));
      assert.ok(found, `${entry.id}: ${JSON.stringify(rows)}`);
    }
  });

  it('the protocol is read from the request before the service\'s current one', () => {
    assert.equal(spokenProtocol(request({ headers: { 'smithy-protocol': 'rpc-v2-cbor' } }), 'query'), 'rpcV2Cbor');
    assert.equal(spokenProtocol(request({ headers: { 'x-amz-target': 'AWSEvents.ListRules', 'content-type': 'application/x-amz-json-1.1' } })), 'awsJson1_1');
    assert.equal(spokenProtocol(request({ headers: { 'x-amz-target': 'AppRunner.ListServices', 'content-type': 'application/x-amz-json-1.0' } })), 'awsJson1_0');
    // awscli 2.9 speaks query to CloudWatch, whose current protocol is CBOR.
    assert.equal(spokenProtocol(request({ headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'smithy-rpc-v2-cbor'), 'awsQuery');
    assert.equal(spokenProtocol(request({ query: new URLSearchParams('Action=DescribeVpcs') }), 'ec2'), 'ec2Query');
    assert.equal(spokenProtocol(request({ method: 'GET' }), 'rest-xml'), 'restXml');
    assert.equal(spokenProtocol(request({ method: 'GET' }), 'rest-json'), 'restJson1');
    assert.equal(spokenProtocol(request()), 'awsJson1_1');
  });

  it('the message names the service and operation, or the method and path when the operation is unknowable', () => {
    assert.equal(serviceNotImplemented(REFUSED, request()).message,
      'Berth does not implement the Amazon EC2 Auto Scaling service (autoscaling:CreateAutoScalingGroup) yet.');
    const err = serviceNotImplemented({ name: 'AWS Lambda', signingName: 'lambda' }, request({ method: 'GET', path: '/2015-03-31/functions' }));
    assert.equal(err.message, 'Berth does not implement the AWS Lambda service (lambda: GET /2015-03-31/functions) yet.');
    assert.equal(err.code, 'NotImplemented');
    assert.equal(err.status, 501);
  });

  it('query and EC2 refusals are XML error documents; JSON ones carry __type', () => {
    const err = serviceNotImplemented(REFUSED, request());
    const query = renderRefusal(err, 'awsQuery', { requestId: 'r1' }, { signingName: 'autoscaling', apiVersion: '2011-01-01' });
    assert.equal(query.status, 501);
    assert.match(String(query.body), /^<ErrorResponse xmlns="https:\/\/autoscaling\.amazonaws\.com\/doc\/2011-01-01\/"><Error><Type>Receiver<\/Type><Code>NotImplemented<\/Code><Message>Berth does not implement/);
    const ec2 = renderRefusal(err, 'ec2Query', { requestId: 'r1' }, { signingName: 'ec2' });
    assert.match(String(ec2.body), /<Response><Errors><Error><Code>NotImplemented<\/Code>/);
    const json = renderRefusal(err, 'awsJson1_0', { requestId: 'r1' }, { signingName: 'dynamodb' });
    assert.equal(JSON.parse(String(json.body)).__type, 'NotImplemented');
    assert.equal(json.headers['content-type'], 'application/x-amz-json-1.0');
  });

  it('rpc-v2-cbor refusals decode with the SDK\'s own CBOR reader, long messages too', () => {
    for (const message of ['short', 'x'.repeat(300), 'ü'.repeat(40_000)]) {
      assert.deepEqual(cbor.deserialize(encodeTextMap({ __type: 'NotImplemented', message })), { __type: 'NotImplemented', message });
    }
    const res = renderRefusal(serviceNotImplemented(REFUSED, request()), 'rpcV2Cbor', { requestId: 'r1' }, { signingName: 'monitoring' });
    assert.equal(res.status, 501);
    assert.equal(res.headers['smithy-protocol'], 'rpc-v2-cbor');
    assert.equal(res.headers['content-type'], 'application/cbor');
  });

  it('a rest operation is named from the service\'s SDK package when it is installed', () => {
    const eks = { signingName: 'eks', name: 'Amazon Elastic Kubernetes Service', protocol: 'rest-json' as const, sdkId: 'eks' };
    assert.equal(restOperationOf(request({ method: 'GET', path: '/clusters', rawPath: '/clusters' }), eks, 'restJson1'), 'ListClusters');
    assert.equal(restOperationOf(request({ method: 'GET', path: '/clusters/web', rawPath: '/clusters/web' }), eks, 'restJson1'), 'DescribeCluster');
    const lambda = { signingName: 'lambda', name: 'AWS Lambda', protocol: 'rest-json' as const, sdkId: 'lambda' };
    assert.equal(restOperationOf(request({ method: 'GET', path: '/2015-03-31/functions/' }), lambda, 'restJson1'), undefined);
  });
});
