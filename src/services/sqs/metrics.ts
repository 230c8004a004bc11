/**
 * AWS/SQS metrics, published once per metric period (the sqs-metrics controller) through CloudWatch's door, with the
 * dimension QueueName, as SQS reports them
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html):
 * the gauges ApproximateNumberOfMessagesVisible, …NotVisible, …Delayed (Count) and ApproximateAgeOfOldestMessage
 * (Seconds) read live from the queue's messages; NumberOfMessagesSent, …Received, …Deleted and NumberOfEmptyReceives
 * (Count) the activity counted on the queue row since the last publication.
 *
 * A queue with neither messages nor activity reports its zeros once and is then skipped, so a quiet Berth's pass is
 * one query over the queues, whatever their number of past messages (AWS stops reporting inactive queues too).
 */
import type { Statements } from '../../state/db.js';
import { recordOwnMetrics, type OwnDatum } from '../cloudwatch/index.js';
import { metricsPublished, queueCounts, queuesWithMetrics } from './store.js';

/** Publishes one datapoint per metric of every queue worth it (call inside a transaction); returns how many queues. */
export function publishQueueMetrics(sql: Statements, now: number, metricsPeriod: number): number {
  const data: OwnDatum[] = [];
  const queues = queuesWithMetrics(sql);
  for (const q of queues) {
    const c = queueCounts(sql, q.id, now);
    const age = c.oldestSentAt === null ? 0 : Math.max(0, Math.floor((now - c.oldestSentAt) / 1000));
    const values: [string, number, string][] = [
      ['ApproximateNumberOfMessagesVisible', c.visible, 'Count'],
      ['ApproximateNumberOfMessagesNotVisible', c.notVisible, 'Count'],
      ['ApproximateNumberOfMessagesDelayed', c.delayed, 'Count'],
      ['ApproximateAgeOfOldestMessage', age, 'Seconds'],
      ['NumberOfMessagesSent', q.sent, 'Count'],
      ['NumberOfMessagesReceived', q.received, 'Count'],
      ['NumberOfMessagesDeleted', q.deleted, 'Count'],
      ['NumberOfEmptyReceives', q.empty_receives, 'Count'],
    ];
    for (const [name, value, unit] of values) {
      data.push({
        account: q.account, region: q.region, namespace: 'AWS/SQS', name, dimensions: [{ Name: 'QueueName', Value: q.name }],
        values: [value], unit, timestamp: now,
      });
    }
    metricsPublished(sql, q.id, q, values.some(([, v]) => v !== 0));
  }
  recordOwnMetrics(sql, data, metricsPeriod);
  return queues.length;
}
