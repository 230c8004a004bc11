import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import {
  CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricDataCommand, ListMetricsCommand, InvalidParameterValueException,
} from '@aws-sdk/client-cloudwatch';
import { CborDouble, decodeCbor, encodeCbor } from './cbor.js';
import { AwsError } from './errors.js';
import { loadModel } from './model.js';
import { CLIENT_BASE, harness, runCodec } from './test-support/harness.js';
import { wireRequest } from './test-support/util.js';

const model = loadModel('cloudwatch');
/** The SDK v3 CloudWatch client speaks JSON 1.0 by default; this is its CBOR protocol, as botocore speaks it. */
const cborClient = (h: ReturnType<typeof harness>) =>
  new CloudWatchClient({ ...CLIENT_BASE, requestHandler: h.requestHandler, protocol: AwsSmithyRpcV2CborProtocol as any });

describe('rpc-v2-cbor through the real SDK (CloudWatch)', () => {
  it('PutMetricData: path, headers and a CBOR body with tag-1 timestamps and doubles', async () => {
    const h = harness('rpcV2Cbor', model, () => ({}));
    const t = new Date('2026-07-12T10:00:00.5Z');
    const input = {
      Namespace: 'App', MetricData: [{
        MetricName: 'Latency', Timestamp: t, Dimensions: [{ Name: 'Host', Value: 'a' }], Unit: 'Milliseconds' as const,
        Values: [1, 2.5], Counts: [3, 1], StorageResolution: 1,
      }, { MetricName: 'Stats', StatisticValues: { SampleCount: 2, Sum: 3, Minimum: 1, Maximum: 2 } }],
    };
    await cborClient(h).send(new PutMetricDataCommand(input));
    const wire = h.last().wire;
    assert.equal(wire.path, '/service/GraniteServiceVersion20100801/operation/PutMetricData');
    assert.equal(wire.headers['smithy-protocol'], 'rpc-v2-cbor');
    assert.equal(wire.headers['content-type'], 'application/cbor');
    assert.deepEqual(h.last().input, input);
    assert.equal(h.last().response?.headers['smithy-protocol'], 'rpc-v2-cbor');
  });

  it('GetMetricStatistics: the SDK reads our timestamps, doubles and lists back', async () => {
    const t = new Date('2024-03-04T05:06:07Z');
    const h = harness('rpcV2Cbor', model, () => ({ Label: 'CPU', Datapoints: [{ Timestamp: t, Maximum: 99.5, SampleCount: 3, Unit: 'Percent' }] }));
    const out = await cborClient(h).send(new GetMetricStatisticsCommand({
      Namespace: 'N', MetricName: 'M', StartTime: t, EndTime: t, Period: 60, Statistics: ['Maximum'], ExtendedStatistics: ['p99'],
    }));
    assert.deepEqual(h.last().input?.StartTime, t);
    assert.deepEqual(out.Datapoints, [{ Timestamp: t, Maximum: 99.5, SampleCount: 3, Unit: 'Percent' }]);
    const raw = decodeCbor(h.last().response!.body as Buffer) as any;
    assert.ok(raw.Datapoints[0].Timestamp instanceof Date, 'timestamps travel as tag 1');
  });

  it('doubles go out as CBOR floats even when integral (42.0, as AWS writes them); integers as integers', async () => {
    const h = harness('rpcV2Cbor', model, () => ({ MetricAlarms: [{ AlarmName: 'a', Period: 60, EvaluationPeriods: 3, Threshold: 42 }] }));
    const out = await cborClient(h).send(new DescribeAlarmsCommand({}));
    assert.deepEqual(out.MetricAlarms?.map((a) => [a.Period, a.Threshold]), [[60, 42]]);
    const body = h.last().response!.body as Buffer;
    assert.ok(body.includes(Buffer.concat([encodeCbor('Threshold'), encodeCbor(new CborDouble(42))])), 'Threshold 42.0 as a double');
    assert.ok(body.includes(Buffer.concat([encodeCbor('Period'), encodeCbor(60)])), 'Period 60 as an integer');
    assert.equal(encodeCbor(new CborDouble(42)).toString('hex'), 'fb4045000000000000');
  });

  it('an error carries the shape id, message, status and the query-compatible code the SDK maps back', async () => {
    const h = harness('rpcV2Cbor', model, () => {
      throw new AwsError('InvalidParameterValue', 'The value AWS/X for parameter Namespace is invalid.');
    });
    const err = await cborClient(h).send(new ListMetricsCommand({})).catch((e) => e);
    assert.ok(err instanceof InvalidParameterValueException, String(err));
    assert.equal(err.message, 'The value AWS/X for parameter Namespace is invalid.');
    assert.equal(err.$metadata.httpStatusCode, 400);
    const res = h.last().response!;
    assert.equal(res.headers['x-amzn-query-error'], 'InvalidParameterValue;Sender');
    assert.equal((decodeCbor(res.body as Buffer) as any).__type, 'com.amazonaws.cloudwatch#InvalidParameterValueException');
  });
});

describe('rpc-v2-cbor malformed requests', () => {
  const send = (body: Buffer, op = 'ListMetrics') => runCodec('rpcV2Cbor', model, wireRequest({
    method: 'POST', path: `/service/GraniteServiceVersion20100801/operation/${op}`, body,
    headers: { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' },
  }), () => ({}));

  it('a body that is not CBOR, or not a map, is 400 SerializationException', () => {
    for (const body of [Buffer.from([0x62, 0x61]), Buffer.from([0x83, 1, 2, 3])]) {
      const res = send(body);
      assert.equal(res.status, 400);
      assert.equal((decodeCbor(res.body as Buffer) as any).__type, 'SerializationException');
    }
  });

  it('an empty body is an empty input; an unknown operation is UnknownOperationException', () => {
    assert.equal(send(Buffer.alloc(0)).status, 200);
    assert.equal((decodeCbor(send(Buffer.alloc(0), 'Nope').body as Buffer) as any).__type, 'UnknownOperationException');
  });
});
