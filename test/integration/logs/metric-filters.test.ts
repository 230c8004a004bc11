/**
 * CloudWatch Logs metric filters through the v3 SDK: stored, listed, tested, and turning ingested events into
 * CloudWatch datapoints that GetMetricStatistics and ListMetrics read.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteMetricFilterCommand,
  DescribeLogGroupsCommand, DescribeMetricFiltersCommand, InvalidParameterException, PutLogEventsCommand, PutMetricFilterCommand,
  ResourceNotFoundException, TestMetricFilterCommand, paginateDescribeMetricFilters, type MetricFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs metric filters through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient, cw: CloudWatchClient } });
  const MINUTE = 60_000;
  // A second into a minute three minutes ago: the test's events share one CloudWatch minute.
  const t0 = Math.floor((Date.now() - 3 * MINUTE) / MINUTE) * MINUTE + 1000;

  /** Sum and SampleCount per minute of a metric from `from`, as CloudWatch reports them. */
  const minutes = async (Namespace: string, MetricName: string, from: number, count = 1, Dimensions: Dimension[] = []) => {
    const out = await berth.cw.send(new GetMetricStatisticsCommand({
      Namespace, MetricName, Dimensions, StartTime: new Date(from), EndTime: new Date(from + count * MINUTE), Period: 60, Statistics: ['Sum', 'SampleCount'],
    }));
    return out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime())
      .map((d) => ({ at: d.Timestamp!.getTime() - from, sum: d.Sum, n: d.SampleCount, unit: d.Unit }));
  };

  before(async () => {
    for (const g of ['/mf/app', '/mf/web']) {
      await berth.logs.send(new CreateLogGroupCommand({ logGroupName: g }));
      await berth.logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
    }
  });

  const put = (logGroupName: string, filterName: string, filterPattern: string, t: object = {}) =>
    berth.logs.send(new PutMetricFilterCommand({
      logGroupName, filterName, filterPattern,
      metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', ...t }],
    }));

  it('PutMetricFilter stores a filter DescribeMetricFilters returns as given, with its creation time', async () => {
    await put('/mf/app', 'errors', 'ERROR', { unit: 'Count' });
    const out = await berth.logs.send(new DescribeMetricFiltersCommand({ logGroupName: '/mf/app' }));
    assert.equal(out.metricFilters!.length, 1);
    const f = out.metricFilters![0];
    assert.equal(f.filterName, 'errors');
    assert.equal(f.filterPattern, 'ERROR');
    assert.equal(f.logGroupName, '/mf/app');
    assert.deepEqual(f.metricTransformations, [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', unit: 'Count' }]);
    assert.ok(Math.abs(f.creationTime! - Date.now()) < 60_000);
    const groups = await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/mf/app' }));
    assert.equal(groups.logGroups![0].metricFilterCount, 1);
  });

  it('PutLogEvents turns each matching event into a CloudWatch datapoint of the filter’s metric, at the event’s time', async () => {
    await put('/mf/app', 'latency', '{ $.ms = * }', { metricName: 'Latency', metricValue: '$.ms', unit: 'Milliseconds' });
    await put('/mf/app', 'by-status', '[ip, status, size]', { metricName: 'Bytes', metricValue: '$size', dimensions: { Status: '$status' } });
    await berth.logs.send(new PutLogEventsCommand({
      logGroupName: '/mf/app', logStreamName: 's',
      logEvents: [
        { timestamp: t0, message: 'ERROR one' }, { timestamp: t0 + 1, message: '{"ms":120}' }, { timestamp: t0 + 2, message: 'INFO fine' },
        { timestamp: t0 + 3, message: '10.0.0.1 404 512' }, { timestamp: t0 + 4, message: 'ERROR two' },
      ],
    }));
    const minute = t0 - 1000;
    assert.deepEqual(await minutes('App', 'Errors', minute), [{ at: 0, sum: 2, n: 2, unit: 'Count' }]);
    assert.deepEqual(await minutes('App', 'Latency', minute), [{ at: 0, sum: 120, n: 1, unit: 'Milliseconds' }]);
    assert.deepEqual(await minutes('App', 'Bytes', minute, 1, [{ Name: 'Status', Value: '404' }]), [{ at: 0, sum: 512, n: 1, unit: 'None' }]);
    const listed = await berth.cw.send(new ListMetricsCommand({ Namespace: 'App' }));
    assert.deepEqual(listed.Metrics!.map((m) => [m.MetricName, m.Dimensions]).sort(), [
      ['Bytes', [{ Name: 'Status', Value: '404' }]], ['Errors', []], ['Latency', []],
    ]);
  });

  it('a defaultValue is reported for a minute with events and no match', async () => {
    await put('/mf/web', 'fatal', 'FATAL', { metricName: 'Fatal', metricNamespace: 'Web', defaultValue: 0 });
    const minute = Math.floor((Date.now() - 600_000) / 60_000) * 60_000;
    await berth.logs.send(new PutLogEventsCommand({
      logGroupName: '/mf/web', logStreamName: 's',
      logEvents: [{ timestamp: minute + 5, message: 'ok' }, { timestamp: minute + 6, message: 'ok' }, { timestamp: minute + 60_001, message: 'FATAL x' }],
    }));
    assert.deepEqual((await minutes('Web', 'Fatal', minute, 2)).map((p) => [p.at, p.sum, p.n]), [[0, 0, 1], [MINUTE, 1, 1]]);
  });

  it('DescribeMetricFilters filters by name prefix and by metric, and pages with nextToken', async () => {
    for (let i = 0; i < 5; i++) await put('/mf/web', `page-${i}`, `p${i}`, { metricName: `P${i}`, metricNamespace: 'Pages' });
    const prefixed = await berth.logs.send(new DescribeMetricFiltersCommand({ logGroupName: '/mf/web', filterNamePrefix: 'page-' }));
    assert.deepEqual(prefixed.metricFilters!.map((f) => f.filterName), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    const byMetric = await berth.logs.send(new DescribeMetricFiltersCommand({ metricName: 'Latency', metricNamespace: 'App' }));
    assert.deepEqual(byMetric.metricFilters!.map((f) => `${f.logGroupName} ${f.filterName}`), ['/mf/app latency']);
    const all: MetricFilter[] = [];
    let pages = 0;
    for await (const page of paginateDescribeMetricFilters({ client: berth.logs, pageSize: 2 }, {})) {
      pages++;
      all.push(...page.metricFilters!);
    }
    assert.equal(all.length, 9);
    assert.equal(pages, 5);
    assert.deepEqual(all.map((f) => f.logGroupName), [...Array(3).fill('/mf/app'), ...Array(6).fill('/mf/web')]);
  });

  it('DeleteMetricFilter removes a filter; its metric’s datapoints stay, and new events no longer match', async () => {
    await berth.logs.send(new DeleteMetricFilterCommand({ logGroupName: '/mf/app', filterName: 'errors' }));
    await berth.logs.send(new PutLogEventsCommand({ logGroupName: '/mf/app', logStreamName: 's', logEvents: [{ timestamp: t0 + 10, message: 'ERROR three' }] }));
    assert.deepEqual((await minutes('App', 'Errors', t0 - 1000)).map((p) => p.n), [2]);
    await rejectsAs(berth.logs.send(new DeleteMetricFilterCommand({ logGroupName: '/mf/app', filterName: 'errors' })),
      ResourceNotFoundException, 'The specified metric filter does not exist.');
  });

  it('TestMetricFilter returns the matching messages with the values the pattern extracted', async () => {
    const out = await berth.logs.send(new TestMetricFilterCommand({
      filterPattern: '[ip, user, status = 5*, size]',
      logEventMessages: ['1.1.1.1 bob 503 10', '1.1.1.1 bob 200 10', '2.2.2.2 amy 500 99'],
    }));
    assert.deepEqual(out.matches!.map((m) => [m.eventNumber, m.extractedValues!.$user, m.extractedValues!.$4]), [[1, 'bob', '10'], [3, 'amy', '99']]);
    const json = await berth.logs.send(new TestMetricFilterCommand({ filterPattern: '{ $.ms > 100 }', logEventMessages: ['{"ms":50}', '{"ms":150}'] }));
    assert.deepEqual(json.matches, [{ eventNumber: 2, eventMessage: '{"ms":150}', extractedValues: { '$.ms': '150' } }]);
  });

  it('refuses what CloudWatch Logs refuses', async () => {
    await rejectsAs(put('/nope', 'f', 'x'), ResourceNotFoundException, 'The specified log group does not exist.');
    await rejectsAs(put('/mf/app', 'bad', 'ERROR', { dimensions: { A: '$a' } }), InvalidParameterException, 'The specified filter pattern does not support dimensions');
    await rejectsAs(put('/mf/app', 'bad', '{ $.a = * }', { dimensions: { A: '$.a' }, defaultValue: 0 }), InvalidParameterException,
      'Invalid metric transformation: dimensions and default value are mutually exclusive properties');
    await rejectsAs(put('/mf/app', 'bad', '{ $.a = ', {}), InvalidParameterException, /Invalid filter pattern/);
    await rejectsAs(put('/mf/app', 'a:b', 'x'), InvalidParameterException, /Value 'a:b' at 'filterName' failed to satisfy constraint/);
    await rejectsAs(berth.logs.send(new DescribeMetricFiltersCommand({ metricName: 'Errors' })), InvalidParameterException, /metricName/);
  });

  it('DeleteLogGroup takes the group’s filters with it', async () => {
    await berth.logs.send(new DeleteLogGroupCommand({ logGroupName: '/mf/web' }));
    const out = await berth.logs.send(new DescribeMetricFiltersCommand({}));
    assert.ok(out.metricFilters!.every((f) => f.logGroupName !== '/mf/web'));
  });
});
