import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EKSClient, CreateClusterCommand, DescribeClusterCommand, ListClustersCommand, ResourceNotFoundException,
  InvalidParameterException, EKSServiceException, errorTypeRegistries,
} from '@aws-sdk/client-eks';
import { AwsError, notImplemented } from './errors.js';
import { loadModel } from './model.js';
import { CLIENT_BASE, harness, runCodec, withErrors, withOperations } from './test-support/harness.js';
import {
  RestJsonBlobOp$, RestJsonError$, RestJsonLiteralOp$, RestJsonOp$, RestJsonTextOp$, commandFor, registerError,
} from './test-support/synthetic.js';
import { normalize, wireRequest } from './test-support/util.js';

const eks = loadModel('eks');
const client = (h: ReturnType<typeof harness>) => new EKSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });

describe('restJson1 through the real SDK (EKS)', () => {
  it('CreateCluster reads a JSON body with nested structures, lists, maps and the idempotency token', async () => {
    const createdAt = new Date('2024-06-07T08:09:10Z');
    const cluster = {
      name: 'demo', arn: 'arn:aws:eks:us-east-1:000000000000:cluster/demo', createdAt, version: '1.30', status: 'CREATING',
      resourcesVpcConfig: { subnetIds: ['s-1', 's-2'], endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      tags: { team: 'web' }, certificateAuthority: { data: 'Q0E=' },
    };
    const h = harness('restJson1', eks, () => ({ cluster }));
    const out = await client(h).send(new CreateClusterCommand({
      name: 'demo', roleArn: 'arn:aws:iam::1:role/eks', version: '1.30',
      resourcesVpcConfig: { subnetIds: ['s-1', 's-2'], endpointPublicAccess: true },
      logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: true }] },
      tags: { team: 'web' },
    }));
    assert.equal(h.last().wire.method, 'POST');
    assert.equal(h.last().wire.rawPath, '/clusters');
    const input = h.last().input!;
    assert.equal(typeof input.clientRequestToken, 'string');
    delete input.clientRequestToken;
    assert.deepEqual(input, {
      name: 'demo', roleArn: 'arn:aws:iam::1:role/eks', version: '1.30',
      resourcesVpcConfig: { subnetIds: ['s-1', 's-2'], endpointPublicAccess: true },
      logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: true }] },
      tags: { team: 'web' },
    });
    assert.deepEqual(normalize(out.cluster), normalize(cluster));
    assert.match(String(h.last().response?.body), /"createdAt":1717747750/);
  });

  it('DescribeCluster takes its name from the URI label; ListClusters reads query members', async () => {
    const h = harness('restJson1', eks, (op, input) => (op === 'DescribeCluster' ? { cluster: { name: input.name } } : { clusters: ['a', 'b'], nextToken: 'n2' }));
    const eksClient = client(h);
    const described = await eksClient.send(new DescribeClusterCommand({ name: 'my-cluster' }));
    assert.equal(h.last().operation, 'DescribeCluster');
    assert.deepEqual(h.last().input, { name: 'my-cluster' });
    assert.equal(described.cluster?.name, 'my-cluster');
    const listed = await eksClient.send(new ListClustersCommand({ maxResults: 5, nextToken: 'n1', include: ['all', 'x'] }));
    assert.deepEqual(h.last().input, { maxResults: 5, nextToken: 'n1', include: ['all', 'x'] });
    assert.deepEqual(listed.clusters, ['a', 'b']);
    assert.equal(listed.nextToken, 'n2');
  });

  it('errors carry status, x-amzn-ErrorType, message and the error shape\'s fields', async () => {
    const h = harness('restJson1', eks, () => {
      throw new AwsError('ResourceNotFoundException', 'No cluster found for name: nope.', { fields: { clusterName: 'nope' } });
    });
    const err = await client(h).send(new DescribeClusterCommand({ name: 'nope' })).catch((e) => e);
    assert.ok(err instanceof ResourceNotFoundException, String(err));
    assert.equal(err.message, 'No cluster found for name: nope.');
    assert.equal(err.clusterName, 'nope');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(h.last().response?.headers['x-amzn-errortype'], 'ResourceNotFoundException');
  });

  it('a missing required member is the service\'s validation error (InvalidParameterException)', async () => {
    const h = harness('restJson1', eks);
    const err = await client(h).send(new CreateClusterCommand({ name: 'x' } as any)).catch((e) => e);
    assert.ok(err instanceof InvalidParameterException, String(err));
    assert.match(err.message, /Value null at 'roleArn'/);
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('an unimplemented operation answers 501 InternalFailure', async () => {
    const h = harness('restJson1', eks, () => { throw notImplemented('eks', 'ListClusters'); });
    const err = await client(h).send(new ListClustersCommand({})).catch((e) => e);
    assert.equal(err.name, 'InternalFailure');
    assert.equal(err.$metadata.httpStatusCode, 501);
    assert.match(err.message, /not implemented/);
  });
});

describe('restJson1 HTTP bindings (synthetic operations through the EKS client)', () => {
  const model = withErrors(withOperations(eks, [RestJsonOp$, RestJsonBlobOp$, RestJsonTextOp$, RestJsonLiteralOp$]), [RestJsonError$]);
  const SynthRest = commandFor('AWSWesleyFrontend', 'EKSClient', RestJsonOp$);
  const SynthBlob = commandFor('AWSWesleyFrontend', 'EKSClient', RestJsonBlobOp$);
  const SynthText = commandFor('AWSWesleyFrontend', 'EKSClient', RestJsonTextOp$);
  const SynthLiteral = commandFor('AWSWesleyFrontend', 'EKSClient', RestJsonLiteralOp$);
  const SynthFailure = registerError(errorTypeRegistries as any[], 'com.amazonaws.eks', RestJsonError$, EKSServiceException);

  it('labels (greedy too), query, query params, headers, prefix headers and a jsonName body all arrive', async () => {
    const input = {
      name: 'a b/c', path: 'dir/sub dir/file+1.txt', count: 3, tags: ['x', 'y z'], since: new Date('2024-01-02T03:04:05Z'),
      flag: true, when: new Date('2024-01-02T03:04:05Z'), ids: ['a', 'b,c', 'd"e'], meta: { foo: 'bar', other: 'v' },
      extra: { free: ['1', '2'], form: ['3'] },
      renamed: 'r', nested: { label: 'l', score: 2 }, items: [{ label: 'i' }], lookup: { k: 'v' },
      data: Buffer.from([0, 1, 255]), created: new Date('2024-01-02T03:04:05Z'), ratio: 0.25, createdIso: new Date('2024-01-02T03:04:05.5Z'),
    };
    const h = harness('restJson1', model, () => ({}));
    await client(h).send(new SynthRest(input));
    const wire = h.last().wire;
    assert.equal(wire.rawPath, '/synth/a%20b%2Fc/items/dir/sub%20dir/file%2B1.txt');
    assert.equal(wire.query.get('mode'), 'full');
    const body = JSON.parse(wire.body.toString());
    assert.equal(body.renamed_member, 'r');
    assert.equal(body.nested.the_label, 'l');
    assert.deepEqual(normalize(h.last().input), normalize(input));
  });

  it('the response sets status, headers and prefix headers and a jsonName body the SDK reads', async () => {
    const value = {
      status: 202, etag: '"abc"', when: new Date('2024-01-02T03:04:05Z'), meta: { a: '1', b: 'two' },
      renamed: 'r', nested: { label: 'l', score: 1.5 }, items: [{ label: 'x' }, { score: 0 }], lookup: { k: 'v' },
      data: Buffer.from('bin'), created: new Date('2024-01-02T03:04:05Z'), ok: false,
    };
    const h = harness('restJson1', model, () => value);
    const out = await client(h).send(new SynthRest({ name: 'n', path: 'p' }));
    const res = h.last().response!;
    assert.equal(res.status, 202);
    assert.equal(res.headers.etag, '"abc"');
    assert.equal(res.headers['x-when'], 'Tue, 02 Jan 2024 03:04:05 GMT');
    assert.equal(res.headers['x-meta-b'], 'two');
    assert.deepEqual(Object.keys(JSON.parse(String(res.body))).sort(), ['created', 'data', 'items', 'lookup', 'nested', 'ok', 'renamed_member']);
    assert.deepEqual(normalize(out), normalize(value));
  });

  it('the default status comes from the http trait', async () => {
    const h = harness('restJson1', model, () => ({}));
    await client(h).send(new SynthRest({ name: 'n', path: 'p' }));
    assert.equal(h.last().response?.status, 201);
  });

  it('a blob payload is the raw body; a structure payload is the whole JSON body', async () => {
    const h = harness('restJson1', model, () => ({ doc: { label: 'got it', score: 7 } }));
    const out: any = await client(h).send(new SynthBlob({ key: 'k/1', contentType: 'application/x-thing', body: Buffer.from([9, 8, 7]) }));
    assert.deepEqual(normalize(h.last().input), normalize({ key: 'k/1', contentType: 'application/x-thing', body: Buffer.from([9, 8, 7]) }));
    assert.equal(String(h.last().response?.body), '{"the_label":"got it","score":7}');
    assert.deepEqual(out.doc, { label: 'got it', score: 7 });
  });

  it('a string payload is sent as text; a literal route beats a greedy label', async () => {
    const h = harness('restJson1', model, (op) => (op === 'SynthText' ? { text: 'plain body ü' } : { which: 'literal' }));
    const text: any = await client(h).send(new SynthText({ key: 'a/b' }));
    assert.equal(text.text, 'plain body ü');
    assert.equal(h.last().response?.headers['content-type'], 'text/plain');
    const literal: any = await client(h).send(new SynthLiteral({}));
    assert.equal(h.last().operation, 'SynthLiteral');
    assert.equal(literal.which, 'literal');
  });

  it('error fields go to the body by jsonName and to headers by httpHeader', async () => {
    const h = harness('restJson1', model, () => {
      throw new AwsError('SynthFailure', 'Try later.', { fields: { reason: 'busy', retryAfter: 30, ids: ['a'] } });
    });
    const err = await client(h).send(new SynthRest({ name: 'n', path: 'p' })).catch((e) => e);
    assert.ok(err instanceof SynthFailure, String(err));
    assert.equal(err.$metadata.httpStatusCode, 409);
    assert.equal(err.message, 'Try later.');
    assert.equal(err.reason, 'busy');
    assert.equal(err.retryAfter, 30);
    assert.deepEqual(err.ids, ['a']);
    assert.equal(h.last().response?.headers['retry-after'], '30');
    assert.deepEqual(JSON.parse(String(h.last().response?.body)), { the_reason: 'busy', ids: ['a'], message: 'Try later.' });
  });
});

describe('restJson1 malformed requests', () => {
  const json = { 'content-type': 'application/json' };
  const send = (method: string, path: string, body = '', query = '') => runCodec('restJson1', eks, wireRequest({ method, path, body, query, headers: json }), () => ({}));

  it('an unknown route is 404 UnknownOperationException', () => {
    const res = send('GET', '/no/such/thing');
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException');
  });

  it('a body that is not JSON is 400 SerializationException', () => {
    const res = send('POST', '/clusters', '{"name": "x", ');
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'SerializationException');
  });

  it('a JSON array body is 400 SerializationException', () => {
    assert.equal(send('POST', '/clusters', '[1,2]').status, 400);
  });

  it('a wrongly typed member is 400 SerializationException naming it', () => {
    const res = send('POST', '/clusters', '{"name": 5, "roleArn": "r", "resourcesVpcConfig": {}}');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /'name'/);
  });

  it('a wrongly typed query member is 400', () => {
    const res = send('GET', '/clusters', '', 'maxResults=ten');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /maxResults/);
  });

  it('bad percent-encoding in a label is 400', () => {
    const res = send('GET', '/clusters/%E0%A4%A');
    assert.equal(res.status, 400);
  });
});
