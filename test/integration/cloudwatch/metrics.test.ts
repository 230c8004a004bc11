/**
 * CloudWatch metrics through every client Berth meets: the SDK v3 (JSON 1.0 by default, and its
 * rpc-v2-cbor protocol), awscli v1 / botocore 1.43 (rpc-v2-cbor) and awscli 2.9 (query, XML).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import {
  CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, InvalidNextToken, InvalidParameterCombinationException,
  InvalidParameterValueException, ListMetricsCommand, PutMetricDataCommand, paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import { rejectsAs } from '../../helpers/aws-errors.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

/** The start of the minute this file started in, less `n` minutes (fixed, so a test crossing a minute still agrees with itself). */
const START_MINUTE = Math.floor(Date.now() / 60_000) * 60_000;
const minute = (n = 0) => new Date(START_MINUTE - n * 60_000);

describe('CloudWatch metrics through the SDK v3 (JSON and CBOR)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { json: CloudWatchClient, cbor: [CloudWatchClient, { protocol: AwsSmithyRpcV2CborProtocol }] } });

  it('PutMetricData values, value lists with counts and statistic sets; GetMetricStatistics per minute', async () => {
    const dims = [{ Name: 'Host', Value: 'a' }];
    await berth.cbor.send(new PutMetricDataCommand({
      Namespace: 'App', MetricData: [
        { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(minute(2).getTime() + 5_000), Value: 10, Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(minute(2).getTime() + 9_000), Values: [20, 30], Counts: [1, 2], Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: dims, Timestamp: minute(1), StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 }, Unit: 'Milliseconds' },
      ],
    }));
    const out = await berth.json.send(new GetMetricStatisticsCommand({
      Namespace: 'App', MetricName: 'Latency', Dimensions: dims, StartTime: minute(5), EndTime: minute(-1), Period: 60,
      Statistics: ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'],
    }));
    assert.equal(out.Label, 'Latency');
    const dps = out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    assert.deepEqual(dps, [
      { Timestamp: minute(2), SampleCount: 4, Average: 22.5, Sum: 90, Minimum: 10, Maximum: 30, Unit: 'Milliseconds' },
      { Timestamp: minute(1), SampleCount: 4, Average: 10, Sum: 40, Minimum: 5, Maximum: 15, Unit: 'Milliseconds' },
    ]);
    const p = await berth.cbor.send(new GetMetricStatisticsCommand({
      Namespace: 'App', MetricName: 'Latency', Dimensions: dims, StartTime: minute(5), EndTime: minute(-1), Period: 300, ExtendedStatistics: ['p50', 'p99'],
    }));
    // A statistic set has no values: the period holding one has no percentiles.
    assert.deepEqual(p.Datapoints!.map((d) => d.ExtendedStatistics), [{}]);
    const q = await berth.cbor.send(new GetMetricStatisticsCommand({
      Namespace: 'App', MetricName: 'Latency', Dimensions: dims, StartTime: minute(2), EndTime: minute(1), Period: 60, ExtendedStatistics: ['p50', 'p99', 'tm50'],
    }));
    assert.deepEqual(q.Datapoints![0].ExtendedStatistics, { p50: 20, p99: 30, tm50: 15 });
  });

  it('high-resolution data answers 1-second periods', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    await berth.json.send(new PutMetricDataCommand({
      Namespace: 'HiRes', MetricData: [0, 1, 2].map((i) => ({ MetricName: 'Q', Timestamp: new Date(t0.getTime() + i * 1000), Value: i, StorageResolution: 1 })),
    }));
    const out = await berth.json.send(new GetMetricStatisticsCommand({ Namespace: 'HiRes', MetricName: 'Q', StartTime: t0, EndTime: new Date(t0.getTime() + 3000), Period: 1, Statistics: ['Maximum'] }));
    assert.deepEqual(out.Datapoints!.map((d) => [d.Timestamp!.getTime() - t0.getTime(), d.Maximum]), [[0, 0], [1000, 1], [2000, 2]]);
  });

  it('PutMetricData refuses what AWS refuses', async () => {
    await rejectsAs(berth.json.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'm', Value: 1 }] })),
      InvalidParameterValueException, 'The value AWS/EC2 for parameter Namespace is invalid.');
    await rejectsAs(berth.cbor.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [{ MetricName: 'm', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }] })),
      InvalidParameterCombinationException, /MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive/);
    await rejectsAs(berth.json.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: Array.from({ length: 1001 }, () => ({ MetricName: 'm', Value: 1 })) })),
      InvalidParameterValueException, /must not have a size greater than 1000/);
    await rejectsAs(berth.json.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [{ MetricName: 'm', Value: 1, Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })) }] })),
      InvalidParameterValueException, /Dimensions must not have a size greater than 30/);
    await rejectsAs(berth.cbor.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [{ MetricName: 'm', Value: 1, StorageResolution: 30 }] })),
      InvalidParameterValueException, /StorageResolution/);
    await rejectsAs(berth.cbor.send(new GetMetricStatisticsCommand({ Namespace: 'N', MetricName: 'm', StartTime: minute(60 * 30), EndTime: minute(), Period: 60, Statistics: ['Sum'] })),
      InvalidParameterCombinationException, /You have requested up to 1,800 datapoints, which exceeds the limit of 1,440/);
  });

  it('ListMetrics filters by namespace, name and dimensions', async () => {
    await berth.json.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [
      { MetricName: 'Orders', Dimensions: [{ Name: 'Region', Value: 'eu' }], Value: 1 },
      { MetricName: 'Orders', Dimensions: [{ Name: 'Region', Value: 'us' }], Value: 1 },
      { MetricName: 'Refunds', Value: 1 },
    ] }));
    const all = await berth.cbor.send(new ListMetricsCommand({ Namespace: 'Shop' }));
    assert.deepEqual(all.Metrics, [
      { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [{ Name: 'Region', Value: 'eu' }] },
      { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [{ Name: 'Region', Value: 'us' }] },
      { Namespace: 'Shop', MetricName: 'Refunds', Dimensions: [] },
    ]);
    const us = await berth.json.send(new ListMetricsCommand({ Namespace: 'Shop', Dimensions: [{ Name: 'Region', Value: 'us' }] }));
    assert.equal(us.Metrics!.length, 1);
    const named = await berth.json.send(new ListMetricsCommand({ MetricName: 'Refunds', RecentlyActive: 'PT3H' }));
    assert.deepEqual(named.Metrics!.map((m) => m.Namespace), ['Shop']);
  });

  it('GetMetricData: MetricStat queries and math expressions, newest first', async () => {
    const d = (host: string) => [{ Name: 'Host', Value: host }];
    await berth.json.send(new PutMetricDataCommand({ Namespace: 'Web', MetricData: [
      { MetricName: 'Requests', Dimensions: d('a'), Timestamp: minute(3), Value: 10 },
      { MetricName: 'Requests', Dimensions: d('b'), Timestamp: minute(3), Value: 30 },
      { MetricName: 'Requests', Dimensions: d('a'), Timestamp: minute(2), Value: 20 },
      { MetricName: 'Errors', Dimensions: d('a'), Timestamp: minute(2), Value: 5 },
    ] }));
    const stat = (id: string, name: string, host: string) => ({ Id: id, MetricStat: { Metric: { Namespace: 'Web', MetricName: name, Dimensions: d(host) }, Period: 60, Stat: 'Sum' }, ReturnData: false });
    const out = await berth.cbor.send(new GetMetricDataCommand({
      StartTime: minute(4), EndTime: minute(1),
      MetricDataQueries: [
        stat('a', 'Requests', 'a'), stat('b', 'Requests', 'b'), stat('err', 'Errors', 'a'),
        { Id: 'total', Expression: 'SUM(METRICS())', Label: 'Total' },
        { Id: 'rate', Expression: '100 * FILL(err, 0) / a' },
        { Id: 'busy', Expression: 'IF(a + b > 35, 1, 0)' },
        { Id: 'found', Expression: `SEARCH('{Web,Host} MetricName="Requests"', 'Sum', 60)` },
      ],
    }));
    const byId = (id: string) => out.MetricDataResults!.filter((r) => r.Id === id).map((r) => ({ label: r.Label, ts: r.Timestamps!.map((t) => t.getTime()), v: r.Values }));
    assert.deepEqual(byId('total'), [{ label: 'Total', ts: [minute(2).getTime(), minute(3).getTime()], v: [25, 40] }]);
    assert.deepEqual(byId('rate'), [{ label: 'rate', ts: [minute(2).getTime(), minute(3).getTime()], v: [25, 0] }]);
    assert.deepEqual(byId('busy'), [{ label: 'busy', ts: [minute(3).getTime()], v: [1] }]);
    assert.deepEqual(byId('found').map((r) => [r.label, r.v]), [['a Requests', [20, 10]], ['b Requests', [30]]]);
    assert.equal(out.MetricDataResults!.find((r) => r.Id === 'total')!.StatusCode, 'Complete');
  });

  it('GetMetricData pages by MaxDatapoints: PartialData and a NextToken the paginator follows to the end', async () => {
    const m = (name: string) => ({ Namespace: 'Paged', MetricName: name });
    await berth.json.send(new PutMetricDataCommand({ Namespace: 'Paged', MetricData: [
      ...[4, 3, 2].map((n) => ({ MetricName: 'A', Timestamp: minute(n), Value: n })),
      ...[4, 3].map((n) => ({ MetricName: 'B', Timestamp: minute(n), Value: 10 * n })),
    ] }));
    const input = {
      StartTime: minute(5), EndTime: minute(1), ScanBy: 'TimestampAscending' as const, MaxDatapoints: 2,
      MetricDataQueries: ['A', 'B'].map((n) => ({ Id: n.toLowerCase(), MetricStat: { Metric: m(n), Period: 60, Stat: 'Sum' } })),
    };
    const first = await berth.cbor.send(new GetMetricDataCommand(input));
    assert.deepEqual(first.MetricDataResults!.map((r) => [r.Id, r.Values, r.StatusCode]), [['a', [4, 3], 'PartialData'], ['b', [], 'PartialData']]);
    assert.ok(first.NextToken);
    const pages = [];
    for await (const page of paginateGetMetricData({ client: berth.json }, input)) pages.push(page.MetricDataResults!.map((r) => [r.Id, r.Values]));
    assert.deepEqual(pages, [
      [['a', [4, 3]], ['b', []]],
      [['a', [2]], ['b', [40]]],
      [['a', []], ['b', [30]]],
    ]);
    await rejectsAs(berth.json.send(new GetMetricDataCommand({ ...input, NextToken: 'not-a-token' })), InvalidNextToken, 'The service cannot process the NextToken.');
  });
});

describe('CloudWatch metrics through both AWS CLIs', () => {
  const berth = useBerth({ runtime: 'fake' });

  for (const cli of Object.keys(CLIS) as CliName[]) {
    it(`${CLIS[cli].name}: put-metric-data, get-metric-statistics, get-metric-data, list-metrics`, { skip: !cliAvailable(cli) && 'not installed' }, async () => {
      const ns = `Cli${cli}`;
      const t = minute(2).toISOString();
      const put = await aws(cli, berth.endpoint, ['cloudwatch', 'put-metric-data', '--namespace', ns, '--metric-data',
        JSON.stringify([{ MetricName: 'Jobs', Dimensions: [{ Name: 'Q', Value: 'q1' }], Timestamp: t, Value: 7, Unit: 'Count' },
          { MetricName: 'Jobs', Dimensions: [{ Name: 'Q', Value: 'q1' }], Timestamp: t, Values: [1, 2], Counts: [1, 1], Unit: 'Count' }])]);
      assert.equal(put.code, 0, put.stderr);
      const stats = await aws(cli, berth.endpoint, ['cloudwatch', 'get-metric-statistics', '--namespace', ns, '--metric-name', 'Jobs',
        '--dimensions', 'Name=Q,Value=q1', '--start-time', minute(5).toISOString(), '--end-time', minute(-1).toISOString(),
        '--period', '60', '--statistics', 'Sum', 'Maximum', 'SampleCount']);
      assert.equal(stats.code, 0, stats.stderr);
      assert.equal(stats.json.Label, 'Jobs');
      assert.equal(stats.json.Datapoints.length, 1);
      const [dp] = stats.json.Datapoints;
      assert.deepEqual([dp.Sum, dp.Maximum, dp.SampleCount, dp.Unit], [10, 7, 3, 'Count']);
      // awscli v1 prints timestamps as the wire has them (CBOR: epoch seconds), 2.9 as ISO text.
      assert.equal(typeof dp.Timestamp === 'number' ? dp.Timestamp * 1000 : new Date(dp.Timestamp).getTime(), minute(2).getTime());
      const data = await aws(cli, berth.endpoint, ['cloudwatch', 'get-metric-data', '--start-time', minute(5).toISOString(), '--end-time', minute(-1).toISOString(),
        '--metric-data-queries', JSON.stringify([
          { Id: 'm', MetricStat: { Metric: { Namespace: ns, MetricName: 'Jobs', Dimensions: [{ Name: 'Q', Value: 'q1' }] }, Period: 60, Stat: 'Average' }, ReturnData: false },
          { Id: 'double', Expression: 'm * 2' },
        ])]);
      assert.equal(data.code, 0, data.stderr);
      assert.deepEqual(data.json.MetricDataResults.map((r: any) => [r.Id, r.Values, r.StatusCode]), [['double', [10 / 3 * 2], 'Complete']]);
      const list = await aws(cli, berth.endpoint, ['cloudwatch', 'list-metrics', '--namespace', ns]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(list.json.Metrics, [{ Namespace: ns, MetricName: 'Jobs', Dimensions: [{ Name: 'Q', Value: 'q1' }] }]);
      const bad = await aws(cli, berth.endpoint, ['cloudwatch', 'put-metric-data', '--namespace', 'AWS/X', '--metric-name', 'm', '--value', '1']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /An error occurred \(InvalidParameterValue\) when calling the PutMetricData operation( \(reached max retries: 0\))?: The value AWS\/X for parameter Namespace is invalid\./);
    });
  }
});
