/**
 * CloudWatch alarms on compressed time (one CloudWatch minute = 1 s): an alarm fed by PutMetricData
 * goes OK → ALARM → OK with AWS's reason texts and history; composite alarms follow their children;
 * the API through the SDK v3 (JSON and CBOR) and both AWS CLIs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand, ListTagsForResourceCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand, PutMetricDataCommand,
  ResourceNotFound, SetAlarmStateCommand, TagResourceCommand, UntagResourceCommand, type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { rejectsAs } from '../../helpers/aws-errors.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

const ARN = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

describe('CloudWatch alarms on compressed time', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { cw: CloudWatchClient, cbor: [CloudWatchClient, { protocol: AwsSmithyRpcV2CborProtocol }] } });

  const alarm = async (name: string): Promise<MetricAlarm> => (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0];

  /** Puts `value` every 100 ms (timestamped now) until the alarm reaches `state`; at most 20 s. */
  async function feedUntil(name: string, metric: { ns: string; name: string }, value: number, state: string): Promise<MetricAlarm> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      await berth.cbor.send(new PutMetricDataCommand({ Namespace: metric.ns, MetricData: [{ MetricName: metric.name, Value: value, Unit: 'Milliseconds' }] }));
      const a = await alarm(name);
      if (a.StateValue === state) return a;
      if (Date.now() > deadline) assert.fail(`${name} stayed ${a.StateValue} (${a.StateReason}) instead of ${state}`);
      await sleep(100);
    }
  }

  it('a metric alarm goes OK → ALARM → OK with AWS\'s reasons, history and recorded actions', async () => {
    await berth.cw.send(new PutMetricAlarmCommand({
      AlarmName: 'latency-high', AlarmDescription: 'p max over 40', Namespace: 'App', MetricName: 'Latency', Statistic: 'Maximum',
      Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 40, ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:ops'], Unit: 'Milliseconds',
    }));
    const created = await alarm('latency-high');
    assert.equal(created.StateValue, 'INSUFFICIENT_DATA');
    assert.equal(created.AlarmArn, ARN('latency-high'));
    assert.equal(created.Period, 60, 'the API keeps AWS units');
    const metric = { ns: 'App', name: 'Latency' };
    const ok = await feedUntil('latency-high', metric, 10, 'OK');
    assert.match(ok.StateReason!, /^Threshold Crossed: [12] out of the last [12] datapoints \[10\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)(, 10\.0 \([^)]+\))?\] (was|were) not greater than the threshold \(40\.0\) \(minimum 1 datapoint for ALARM -> OK transition\)\.$/);
    const high = await feedUntil('latency-high', metric, 50, 'ALARM');
    assert.match(high.StateReason!, /^Threshold Crossed: 2 out of the last 2 datapoints \[50\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\), 50\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] were greater than the threshold \(40\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
    const data = JSON.parse(high.StateReasonData!);
    assert.deepEqual([data.version, data.statistic, data.period, data.threshold, data.recentDatapoints], ['1.0', 'Maximum', 60, 40, [50, 50]]);
    assert.match(data.queryDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    await feedUntil('latency-high', metric, 10, 'OK');

    const history = (await berth.cbor.send(new DescribeAlarmHistoryCommand({ AlarmName: 'latency-high' }))).AlarmHistoryItems!;
    const states = history.filter((h) => h.HistoryItemType === 'StateUpdate').map((h) => h.HistorySummary);
    assert.deepEqual(states.slice(0, 3), ['Alarm updated from ALARM to OK', 'Alarm updated from OK to ALARM', 'Alarm updated from INSUFFICIENT_DATA to OK']);
    const change = JSON.parse(history.find((h) => h.HistorySummary === 'Alarm updated from OK to ALARM')!.HistoryData!);
    assert.equal(change.oldState.stateValue, 'OK');
    assert.equal(change.newState.stateValue, 'ALARM');
    assert.deepEqual(history.filter((h) => h.HistoryItemType === 'ConfigurationUpdate').map((h) => h.HistorySummary), ['Alarm "latency-high" created']);
    const action = history.find((h) => h.HistoryItemType === 'Action');
    assert.match(action!.HistorySummary!, /arn:aws:sns:us-east-1:000000000000:ops/);
    const ascending = (await berth.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'latency-high', HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending', MaxRecords: 1 })));
    assert.equal(ascending.AlarmHistoryItems![0].HistorySummary, 'Alarm updated from INSUFFICIENT_DATA to OK');
    assert.ok(ascending.NextToken);
  });

  it('TreatMissingData: missing → INSUFFICIENT_DATA, breaching → ALARM, notBreaching → OK', async () => {
    for (const [treat, state] of [['missing', 'INSUFFICIENT_DATA'], ['breaching', 'ALARM'], ['notBreaching', 'OK']] as const) {
      await berth.cw.send(new PutMetricAlarmCommand({
        AlarmName: `quiet-${treat}`, Namespace: 'Quiet', MetricName: 'Nothing', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1,
        Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: treat,
      }));
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      const all = (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'quiet-' }))).MetricAlarms!;
      const reasons = Object.fromEntries(all.map((a) => [a.AlarmName, a.StateReason]));
      if (reasons['quiet-breaching']?.startsWith('Threshold') && reasons['quiet-notBreaching']?.startsWith('Threshold')) {
        assert.deepEqual(all.map((a) => [a.AlarmName, a.StateValue]), [['quiet-breaching', 'ALARM'], ['quiet-missing', 'INSUFFICIENT_DATA'], ['quiet-notBreaching', 'OK']]);
        // Evaluated to the state it was created in: no transition, so the creation reason stays.
        assert.equal(reasons['quiet-missing'], 'Unchecked: Initial alarm creation');
        assert.equal(reasons['quiet-breaching'], 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].');
        break;
      }
      if (Date.now() > deadline) assert.fail(`not evaluated: ${JSON.stringify(reasons)}`);
      await sleep(100);
    }
  });

  it('a metric-math alarm and a composite alarm over it; SetAlarmState; DescribeAlarmsForMetric; tags; DeleteAlarms', async () => {
    await berth.cw.send(new PutMetricAlarmCommand({
      AlarmName: 'error-rate', EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
      Metrics: [
        { Id: 'e', MetricStat: { Metric: { Namespace: 'Svc', MetricName: 'Errors' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'r', MetricStat: { Metric: { Namespace: 'Svc', MetricName: 'Requests' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'rate', Expression: '100 * e / r', Label: 'Error rate', ReturnData: true },
      ],
      Tags: [{ Key: 'team', Value: 'web' }],
    }));
    await berth.cw.send(new PutMetricAlarmCommand({
      AlarmName: 'always-ok', Namespace: 'Svc', MetricName: 'Requests', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1e9,
      ComparisonOperator: 'GreaterThanThreshold',
    }));
    await berth.cw.send(new PutCompositeAlarmCommand({ AlarmName: 'svc-bad', AlarmRule: 'ALARM("error-rate") AND NOT ALARM(always-ok)', AlarmActions: ['arn:aws:sns:us-east-1:000000000000:page'] }));
    const deadline = Date.now() + 20_000;
    let composite;
    for (;;) {
      await berth.cw.send(new PutMetricDataCommand({ Namespace: 'Svc', MetricData: [{ MetricName: 'Requests', Value: 100 }, { MetricName: 'Errors', Value: 20 }] }));
      const out = await berth.cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm', 'MetricAlarm'] }));
      composite = out.CompositeAlarms!.find((a) => a.AlarmName === 'svc-bad')!;
      if (composite.StateValue === 'ALARM') break;
      if (Date.now() > deadline) assert.fail(`composite stayed ${composite.StateValue}: ${JSON.stringify(out.MetricAlarms!.map((a) => [a.AlarmName, a.StateValue, a.StateReason]))}`);
      await sleep(100);
    }
    assert.match(composite.StateReason!, /^arn:aws:cloudwatch:us-east-1:000000000000:alarm:error-rate transitioned to ALARM at \w+day \d\d \w+, \d{4} \d\d:\d\d:\d\d UTC$/);
    assert.equal((await alarm('error-rate')).StateReason!.match(/\[(\d+\.\d+) /)?.[1], '20.0');
    const parents = await berth.cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: 'error-rate' }));
    assert.deepEqual(parents.CompositeAlarms!.map((a) => a.AlarmName), ['svc-bad']);
    const children = await berth.cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: 'svc-bad' }));
    assert.deepEqual(children.MetricAlarms!.map((a) => a.AlarmName), ['always-ok', 'error-rate']);

    const forMetric = await berth.cw.send(new DescribeAlarmsForMetricCommand({ Namespace: 'Svc', MetricName: 'Requests' }));
    assert.deepEqual(forMetric.MetricAlarms!.map((a) => a.AlarmName).sort(), ['always-ok', 'error-rate']);

    await berth.cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['always-ok'] }));
    await berth.cw.send(new SetAlarmStateCommand({ AlarmName: 'always-ok', StateValue: 'ALARM', StateReason: 'testing' }));
    const set = await alarm('always-ok');
    assert.deepEqual([set.StateValue, set.StateReason, set.ActionsEnabled], ['ALARM', 'testing', false]);
    await rejectsAs(berth.cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })), ResourceNotFound, 'Alarm nope not found');

    const arn = ARN('error-rate');
    assert.deepEqual((await berth.cbor.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'team', Value: 'web' }]);
    await berth.cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'tier', Value: '1' }] }));
    await berth.cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['team'] }));
    assert.deepEqual((await berth.cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'tier', Value: '1' }]);

    await rejectsAs(berth.cw.send(new DeleteAlarmsCommand({ AlarmNames: ['svc-bad', 'ghost'] })), ResourceNotFound, /ghost/);
    await berth.cw.send(new DeleteAlarmsCommand({ AlarmNames: ['svc-bad', 'error-rate', 'always-ok'] }));
    const left = await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'error', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    assert.deepEqual([left.MetricAlarms, left.CompositeAlarms], [[], []]);
  });
});

describe('CloudWatch alarms through both AWS CLIs', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1 });

  for (const cli of Object.keys(CLIS) as CliName[]) {
    it(`${CLIS[cli].name}: put-metric-alarm, describe-alarms, set-alarm-state, describe-alarm-history`, { skip: !cliAvailable(cli) && 'not installed' }, async () => {
      const name = `cli-${cli}`;
      const put = await aws(cli, berth.endpoint, ['cloudwatch', 'put-metric-alarm', '--alarm-name', name, '--namespace', 'Cli', '--metric-name', 'Depth',
        '--statistic', 'Average', '--period', '60', '--evaluation-periods', '3', '--datapoints-to-alarm', '2', '--threshold', '100',
        '--comparison-operator', 'GreaterThanOrEqualToThreshold', '--treat-missing-data', 'notBreaching', '--dimensions', 'Name=Queue,Value=q1',
        '--alarm-actions', 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:abc:resource/ecs/service/c/s:policyName/out']);
      assert.equal(put.code, 0, put.stderr);
      const set = await aws(cli, berth.endpoint, ['cloudwatch', 'set-alarm-state', '--alarm-name', name, '--state-value', 'ALARM', '--state-reason', 'manual']);
      assert.equal(set.code, 0, set.stderr);
      const described = await aws(cli, berth.endpoint, ['cloudwatch', 'describe-alarms', '--alarm-names', name]);
      assert.equal(described.code, 0, described.stderr);
      const [a] = described.json.MetricAlarms;
      assert.deepEqual([a.AlarmName, a.Namespace, a.Period, a.EvaluationPeriods, a.DatapointsToAlarm, a.Threshold, a.Dimensions],
        [name, 'Cli', 60, 3, 2, 100, [{ Name: 'Queue', Value: 'q1' }]]);
      assert.ok(['ALARM', 'OK'].includes(a.StateValue));
      const history = await aws(cli, berth.endpoint, ['cloudwatch', 'describe-alarm-history', '--alarm-name', name, '--history-item-type', 'StateUpdate']);
      assert.equal(history.code, 0, history.stderr);
      // The evaluator may have moved it to OK (no data, notBreaching) before the manual ALARM.
      const manual = history.json.AlarmHistoryItems.find((h: any) => /^Alarm updated from (INSUFFICIENT_DATA|OK) to ALARM$/.test(h.HistorySummary));
      assert.ok(manual, JSON.stringify(history.json));
      assert.equal(JSON.parse(manual.HistoryData).newState.stateReason, 'manual');
      const bad = await aws(cli, berth.endpoint, ['cloudwatch', 'set-alarm-state', '--alarm-name', 'ghost', '--state-value', 'OK', '--state-reason', 'x']);
      assert.match(bad.stderr, /An error occurred \(ResourceNotFound\) when calling the SetAlarmState operation.*: Alarm ghost not found/);
      const del = await aws(cli, berth.endpoint, ['cloudwatch', 'delete-alarms', '--alarm-names', name]);
      assert.equal(del.code, 0, del.stderr);
    });
  }
});
