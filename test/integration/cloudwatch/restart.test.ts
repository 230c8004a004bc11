/**
 * CloudWatch state survives a crash: metrics, alarms (with their state and history) are in SQLite, and
 * the evaluator picks the alarms up again after a SIGKILL and restart (`berth up --metrics-period 1s`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand, PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { berthsOnOneDataDir, clientConfig } from '../../helpers/berth.js';

describe('CloudWatch across a SIGKILL', () => {
  const berths = berthsOnOneDataDir('cw-restart', ['--metrics-period', '1s']);
  const start = async () => {
    const b = await berths.start();
    return { b, cw: new CloudWatchClient(clientConfig(b.endpoint)) };
  };

  it('datapoints, alarms, their state and history are there after restart, and evaluation goes on', async () => {
    const first = await start();
    const t = new Date(Math.floor(Date.now() / 1000) * 1000 - 5_000);
    await first.cw.send(new PutMetricDataCommand({ Namespace: 'Durable', MetricData: [{ MetricName: 'M', Value: 7, Timestamp: t }] }));
    await first.cw.send(new PutMetricAlarmCommand({
      AlarmName: 'durable', Namespace: 'Durable', MetricName: 'Beat', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    const until = Date.now() + 15_000;
    while ((await first.cw.send(new DescribeAlarmsCommand({ AlarmNames: ['durable'] }))).MetricAlarms![0].StateValue !== 'OK') {
      if (Date.now() > until) assert.fail('the alarm was never evaluated');
      await sleep(100);
    }
    first.cw.destroy();
    await first.b.kill9();

    const second = await start();
    const stats = await second.cw.send(new GetMetricStatisticsCommand({ Namespace: 'Durable', MetricName: 'M', StartTime: new Date(t.getTime() - 60_000), EndTime: new Date(), Period: 60, Statistics: ['Sum'] }));
    assert.deepEqual(stats.Datapoints!.map((d) => d.Sum), [7]);
    const history = await second.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'durable', HistoryItemType: 'StateUpdate' }));
    assert.deepEqual(history.AlarmHistoryItems!.map((h) => h.HistorySummary), ['Alarm updated from INSUFFICIENT_DATA to OK']);
    // Evaluation resumes: a beat turns it to ALARM.
    const deadline = Date.now() + 15_000;
    for (;;) {
      await second.cw.send(new PutMetricDataCommand({ Namespace: 'Durable', MetricData: [{ MetricName: 'Beat', Value: 1 }] }));
      if ((await second.cw.send(new DescribeAlarmsCommand({ AlarmNames: ['durable'] }))).MetricAlarms![0].StateValue === 'ALARM') break;
      if (Date.now() > deadline) assert.fail('the alarm was not evaluated after the restart');
      await sleep(100);
    }
    second.cw.destroy();
  });
});
