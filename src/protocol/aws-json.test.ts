import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, RunTaskCommand, DescribeTasksCommand, DeleteClusterCommand, ClusterNotFoundException, InvalidParameterException,
} from '@aws-sdk/client-ecs';
import { ECRClient, UploadLayerPartCommand } from '@aws-sdk/client-ecr';
import { SQSClient, SendMessageCommand, ListQueuesCommand, QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { AwsError, notImplemented } from './errors.js';
import { loadModel } from './model.js';
import { CLIENT_BASE, harness, runCodec, withOperations } from './test-support/harness.js';
import { JsonIsoOp$, JsonOp$, commandFor } from './test-support/synthetic.js';
import { normalize, wireRequest } from './test-support/util.js';

const ecs = loadModel('ecs');

describe('awsJson1_1 through the real SDK (ECS, ECR)', () => {
  it('RunTask reads nested overrides and lists; DescribeTasks writes epoch-second timestamps', async () => {
    const createdAt = new Date('2024-01-02T03:04:05.5Z');
    const h = harness('awsJson1_1', ecs, (op) => (op === 'RunTask'
      ? { tasks: [{ taskArn: 'arn:task/1', lastStatus: 'PROVISIONING', createdAt, containers: [{ name: 'web', exitCode: 0 }] }], failures: [] }
      : { tasks: [], failures: [{ arn: 'arn:task/2', reason: 'MISSING' }] }));
    const client = new ECSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const input = {
      cluster: 'c', taskDefinition: 'td:1', count: 2, enableExecuteCommand: true,
      overrides: { containerOverrides: [{ name: 'web', command: ['sh', '-c', 'echo hi'], environment: [{ name: 'A', value: 'b' }], memory: 256 }] },
      networkConfiguration: { awsvpcConfiguration: { subnets: ['s-1'], assignPublicIp: 'ENABLED' as const } },
      tags: [{ key: 'k', value: 'v' }],
    };
    const out = await client.send(new RunTaskCommand(input));
    assert.equal(h.last().wire.headers['x-amz-target'], 'AmazonEC2ContainerServiceV20141113.RunTask');
    const parsed = { ...h.last().input };
    assert.equal(typeof parsed.clientToken, 'string');
    delete parsed.clientToken;
    assert.deepEqual(parsed, input);
    assert.deepEqual(out.tasks?.[0].createdAt, createdAt);
    assert.match(String(h.last().response?.body), /"createdAt":1704164645.5/);
    const described = await client.send(new DescribeTasksCommand({ tasks: ['arn:task/2'] }));
    assert.deepEqual(described.failures, [{ arn: 'arn:task/2', reason: 'MISSING' }]);
  });

  it('ECR UploadLayerPart carries a blob as base64', async () => {
    const h = harness('awsJson1_1', loadModel('ecr'), () => ({ uploadId: 'u', lastByteReceived: 3 }));
    const client = new ECRClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new UploadLayerPartCommand({ repositoryName: 'r', uploadId: 'u', partFirstByte: 0, partLastByte: 3, layerPartBlob: Buffer.from([1, 2, 3, 255]) }));
    assert.deepEqual([...h.last().input!.layerPartBlob], [1, 2, 3, 255]);
    assert.equal(out.lastByteReceived, 3);
  });

  it('errors send the bare shape name in __type and the modeled fields', async () => {
    const h = harness('awsJson1_1', ecs, (op) => {
      if (op === 'DeleteCluster') throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
      throw new AwsError('ConflictException', 'In use.', { fields: { resourceIds: ['a', 'b'] } });
    });
    const client = new ECSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await client.send(new DeleteClusterCommand({ cluster: 'x' })).catch((e) => e);
    assert.ok(err instanceof ClusterNotFoundException, String(err));
    assert.equal(err.message, 'Cluster not found.');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(JSON.parse(String(h.last().response?.body)).__type, 'ClusterNotFoundException');
    const conflict = await client.send(new RunTaskCommand({ taskDefinition: 'td' })).catch((e) => e);
    assert.equal(conflict.name, 'ConflictException');
    assert.deepEqual(conflict.resourceIds, ['a', 'b']);
  });

  it('a missing required member is InvalidParameterException; 501 for an unimplemented operation', async () => {
    const h = harness('awsJson1_1', ecs, () => { throw notImplemented('ecs', 'DescribeTasks'); });
    const client = new ECSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const bad = await client.send(new RunTaskCommand({} as any)).catch((e) => e);
    assert.ok(bad instanceof InvalidParameterException, String(bad));
    assert.match(bad.message, /Value null at 'taskDefinition'/);
    const todo = await client.send(new DescribeTasksCommand({ tasks: ['t'] })).catch((e) => e);
    assert.equal(todo.name, 'InternalFailure');
    assert.equal(todo.$metadata.httpStatusCode, 501);
  });
});

describe('awsJson wire rules (synthetic operation through the ECS client)', () => {
  const model = withOperations(ecs, [JsonOp$, JsonIsoOp$]);
  const SynthJson = commandFor('AmazonEC2ContainerServiceV20141113', 'ECSClient', JsonOp$);
  const SynthJsonIso = commandFor('AmazonEC2ContainerServiceV20141113', 'ECSClient', JsonIsoOp$);
  const value = {
    name: 'n', renamed: 'r', count: 3, ratio: 0.5, enabled: false, when: new Date('2024-01-02T03:04:05Z'), data: Buffer.from('bin'),
    doc: { any: ['json', 1, true, null], nested: { x: 1 } }, nested: { label: 'l', when: new Date('2024-01-02T03:04:05Z') },
    items: [{ label: 'a' }, { label: 'b' }], lookup: { one: 1, two: 2 }, deep: { k: [{ label: 'z' }] },
  };

  it('members round-trip both ways; awsJson ignores jsonName', async () => {
    const h = harness('awsJson1_1', model, () => value);
    const client = new ECSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await client.send(new SynthJson(value));
    assert.equal(JSON.parse(h.last().wire.body.toString()).renamed, 'r');
    assert.deepEqual(normalize(h.last().input), normalize(value));
    assert.deepEqual(normalize(out), normalize(value));
  });

  it('a date-time member in a JSON body is written as ISO 8601', async () => {
    const at = new Date('2024-01-02T03:04:05Z');
    const h = harness('awsJson1_1', model, () => ({ at }));
    const client = new ECSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out: any = await client.send(new SynthJsonIso({ at }));
    assert.deepEqual(h.last().input, { at });
    assert.deepEqual(out.at, at);
  });
});

describe('awsJson1_0 and query-compatible services', () => {
  it('SQS (JSON) SendMessage round-trips message attributes with binary values', async () => {
    const h = harness('awsJson1_0', loadModel('sqs'), () => ({ MessageId: 'm', MD5OfMessageBody: '5d41402abc4b2a76b9719d911017c592' }));
    const sqs = new SQSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await sqs.send(new SendMessageCommand({
      QueueUrl: 'q', MessageBody: 'hello', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: Buffer.from([7]) } },
    }));
    assert.equal(h.last().wire.headers['content-type'], 'application/x-amz-json-1.0');
    assert.deepEqual(normalize(h.last().input), normalize({ QueueUrl: 'q', MessageBody: 'hello', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: Buffer.from([7]) } } }));
    assert.equal(out.MessageId, 'm');
  });

  it('SQS (JSON) errors carry the shape id in __type and the query code in x-amzn-query-error', async () => {
    const h = harness('awsJson1_0', loadModel('sqs'), () => { throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.'); });
    const sqs = new SQSClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const err = await sqs.send(new ListQueuesCommand({})).catch((e) => e);
    assert.ok(err instanceof QueueDoesNotExist, String(err));
    assert.equal(err.message, 'The specified queue does not exist.');
    assert.equal((err as any).Code, 'AWS.SimpleQueueService.NonExistentQueue');
    assert.equal(h.last().response?.headers['x-amzn-query-error'], 'AWS.SimpleQueueService.NonExistentQueue;Sender');
    assert.equal(JSON.parse(String(h.last().response?.body)).__type, 'com.amazonaws.sqs#QueueDoesNotExist');
  });

  it('CloudWatch (JSON) GetMetricStatistics round-trips timestamps and doubles', async () => {
    const t = new Date('2024-03-04T05:06:07Z');
    const h = harness('awsJson1_0', loadModel('cloudwatch'), () => ({ Label: 'CPU', Datapoints: [{ Timestamp: t, Maximum: 99.5 }] }));
    const cw = new CloudWatchClient({ ...CLIENT_BASE, requestHandler: h.requestHandler });
    const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'N', MetricName: 'M', StartTime: t, EndTime: t, Period: 60, Statistics: ['Maximum'] }));
    assert.deepEqual(h.last().input?.StartTime, t);
    assert.deepEqual(out.Datapoints, [{ Timestamp: t, Maximum: 99.5 }]);
  });
});

describe('awsJson malformed requests', () => {
  const send = (body: string) => runCodec('awsJson1_1', ecs, wireRequest({
    body, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
  }), () => ({}));

  it('a body that is not JSON is 400 SerializationException', () => {
    const res = send('{"maxResults": ');
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(String(res.body)).__type, 'SerializationException');
  });

  it('a wrongly typed member is 400 SerializationException', () => {
    const res = send('{"maxResults": "ten"}');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /maxResults/);
  });

  it('an unknown operation is 400 UnknownOperationException', () => {
    const res = runCodec('awsJson1_1', ecs, wireRequest({ body: '{}', headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.Nope' } }), () => ({}));
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(String(res.body)).__type, 'UnknownOperationException');
  });
});
