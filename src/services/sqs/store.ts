/**
 * SQS rows: queues (attributes as one JSON map of their stored string values), messages, FIFO deduplication
 * ids and receive attempts, message move tasks. The front door for everything outside the service
 * (e.g. CloudWatch's AWS/SQS metrics read `queueCounts`).
 *
 * A message is visible when `visible_at <= now`. One not yet visible is delayed if it was never received,
 * else in flight: that is how the Approximate* counts tell them apart.
 */
import type { Statements } from '../../state/db.js';

export interface Scope {
  account: string;
  region: string;
}

export interface QueueRow {
  id: number;
  account: string;
  region: string;
  name: string;
  /** JSON: attribute name → stored value (only settable attributes). */
  attributes: string;
  created_at: number;
  modified_at: number;
  purged_at: number | null;
  next_seq: number;
}

export interface MessageRow {
  id: number;
  queue_id: number;
  message_id: string;
  body: string;
  attributes: string | null;
  md5_body: string;
  md5_attributes: string | null;
  system_attributes: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  receipt: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sequence_number: string | null;
  dead_letter_source: string | null;
}

export function findQueue(sql: Statements, scope: Scope, name: string): QueueRow | undefined {
  return sql.get('SELECT * FROM sqs_queues WHERE account = ? AND region = ? AND name = ?').get(scope.account, scope.region, name) as QueueRow | undefined;
}

export function queueById(sql: Statements, id: number): QueueRow | undefined {
  return sql.get('SELECT * FROM sqs_queues WHERE id = ?').get(id) as QueueRow | undefined;
}

export function queuesOf(sql: Statements, scope: Scope, prefix: string, after: string, limit: number): QueueRow[] {
  return sql.get('SELECT * FROM sqs_queues WHERE account = ? AND region = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?')
    .all(scope.account, scope.region, prefix.length, prefix, after, limit) as QueueRow[];
}

export function allQueues(sql: Statements, scope: Scope): QueueRow[] {
  return sql.get('SELECT * FROM sqs_queues WHERE account = ? AND region = ? ORDER BY name').all(scope.account, scope.region) as QueueRow[];
}

export function insertQueue(sql: Statements, scope: Scope, name: string, attributes: Record<string, string>, now: number): QueueRow {
  const r = sql.get('INSERT INTO sqs_queues (account, region, name, attributes, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(scope.account, scope.region, name, JSON.stringify(attributes), now, now);
  return queueById(sql, Number(r.lastInsertRowid))!;
}

export function setQueueAttributes(sql: Statements, id: number, attributes: Record<string, string>, now: number) {
  sql.get('UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE id = ?').run(JSON.stringify(attributes), now, id);
}

export function setPurgedAt(sql: Statements, id: number, now: number) {
  sql.get('UPDATE sqs_queues SET purged_at = ? WHERE id = ?').run(now, id);
}

/** Deletes a queue and what it holds, remembering when its name was freed (the 60-second reuse rule). */
export function deleteQueueRow(sql: Statements, q: QueueRow, now: number) {
  sql.get('DELETE FROM sqs_messages WHERE queue_id = ?').run(q.id);
  sql.get('DELETE FROM sqs_dedup_ids WHERE queue_id = ?').run(q.id);
  sql.get('DELETE FROM sqs_receive_attempts WHERE queue_id = ?').run(q.id);
  sql.get('DELETE FROM sqs_queues WHERE id = ?').run(q.id);
  sql.get('INSERT INTO sqs_deleted_queues (account, region, name, deleted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET deleted_at = excluded.deleted_at')
    .run(q.account, q.region, q.name, now);
}

export function deletedAt(sql: Statements, scope: Scope, name: string): number | undefined {
  const r = sql.get('SELECT deleted_at FROM sqs_deleted_queues WHERE account = ? AND region = ? AND name = ?').get(scope.account, scope.region, name) as { deleted_at: number } | undefined;
  return r?.deleted_at;
}

/** The next FIFO sequence number of a queue (allocated in send order). */
export function nextSequence(sql: Statements, id: number): number {
  const r = sql.get('UPDATE sqs_queues SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq - 1 AS n').get(id) as { n: number };
  return r.n;
}

export interface QueueCounts {
  visible: number;
  notVisible: number;
  delayed: number;
  oldestSentAt: number | null;
}

/**
 * The live Approximate* counts of a queue at `now`; `sentAfter` leaves out messages past the retention period that
 * no request has expired yet (a reader that must not write, such as the console).
 */
export function queueCounts(sql: Statements, queueId: number, now: number, sentAfter = 0): QueueCounts {
  const r = sql.get(`SELECT
      COALESCE(SUM(visible_at <= @now), 0) AS visible,
      COALESCE(SUM(visible_at > @now AND receive_count > 0), 0) AS notVisible,
      COALESCE(SUM(visible_at > @now AND receive_count = 0), 0) AS delayed,
      MIN(sent_at) AS oldestSentAt
    FROM sqs_messages WHERE queue_id = @queueId AND sent_at >= @sentAfter`).get({ now, queueId, sentAfter }) as QueueCounts;
  return r;
}

/** Every account and region with a queue (the console's queue list). */
export function queueScopes(sql: Statements): Scope[] {
  return sql.get('SELECT DISTINCT account, region FROM sqs_queues ORDER BY account, region').all() as Scope[];
}

export function insertMessage(sql: Statements, m: Omit<MessageRow, 'id' | 'receive_count' | 'first_received_at' | 'receipt'>) {
  sql.get(`INSERT INTO sqs_messages (queue_id, message_id, body, attributes, md5_body, md5_attributes, system_attributes, sender_id,
      sent_at, visible_at, group_id, dedup_id, sequence_number, dead_letter_source)
    VALUES (@queue_id, @message_id, @body, @attributes, @md5_body, @md5_attributes, @system_attributes, @sender_id,
      @sent_at, @visible_at, @group_id, @dedup_id, @sequence_number, @dead_letter_source)`).run(m);
}

/** Messages of a queue in delivery order (visible first for standard queues; send order for FIFO). */
export function visibleMessages(sql: Statements, queueId: number, now: number, limit: number): MessageRow[] {
  return sql.get('SELECT * FROM sqs_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?').all(queueId, now, limit) as MessageRow[];
}

export function messagesInSendOrder(sql: Statements, queueId: number): IterableIterator<MessageRow> {
  return sql.get('SELECT * FROM sqs_messages WHERE queue_id = ? ORDER BY id').iterate(queueId) as IterableIterator<MessageRow>;
}

/** When the next not-yet-visible message of a queue becomes visible (a waiting receiver's timer). */
export function nextVisibleAt(sql: Statements, queueId: number, now: number): number | undefined {
  const r = sql.get('SELECT MIN(visible_at) AS t FROM sqs_messages WHERE queue_id = ? AND visible_at > ?').get(queueId, now) as { t: number | null };
  return r.t ?? undefined;
}

export function markReceived(sql: Statements, id: number, receipt: string, visibleAt: number, now: number) {
  sql.get('UPDATE sqs_messages SET receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, ?), receipt = ?, visible_at = ? WHERE id = ?')
    .run(now, receipt, visibleAt, id);
}

export function messageById(sql: Statements, id: number): MessageRow | undefined {
  return sql.get('SELECT * FROM sqs_messages WHERE id = ?').get(id) as MessageRow | undefined;
}

/** Deletes a message; false when it was already gone. */
export function deleteMessageRow(sql: Statements, id: number): boolean {
  return sql.get('DELETE FROM sqs_messages WHERE id = ?').run(id).changes > 0;
}

/** What a queue's AWS/SQS activity metrics count, between two publications (metrics.ts). */
export type Activity = 'sent' | 'received' | 'deleted' | 'empty_receives';

export function countActivity(sql: Statements, queueId: number, what: Activity, n = 1) {
  sql.get(`UPDATE sqs_queues SET ${what} = ${what} + ? WHERE id = ?`).run(n, queueId);
}

export interface QueueActivityRow extends QueueRow {
  sent: number;
  received: number;
  deleted: number;
  empty_receives: number;
}

/**
 * Queues whose metrics are worth publishing: with messages, with activity since the last publication, or whose
 * last publication was not all zeros (so a queue that goes quiet reports its zeros once, then costs nothing).
 */
export function queuesWithMetrics(sql: Statements): QueueActivityRow[] {
  return sql.get(`SELECT * FROM sqs_queues q WHERE metrics_live = 1 OR sent + received + deleted + empty_receives > 0
      OR EXISTS (SELECT 1 FROM sqs_messages m WHERE m.queue_id = q.id)`).all() as QueueActivityRow[];
}

/** After a publication: activity counts start again from zero; `live` says whether anything published was non-zero. */
export function metricsPublished(sql: Statements, queueId: number, counted: Pick<QueueActivityRow, Activity>, live: boolean) {
  sql.get(`UPDATE sqs_queues SET sent = sent - ?, received = received - ?, deleted = deleted - ?, empty_receives = empty_receives - ?,
      metrics_live = ? WHERE id = ?`).run(counted.sent, counted.received, counted.deleted, counted.empty_receives, live ? 1 : 0, queueId);
}

export function setVisibleAt(sql: Statements, id: number, visibleAt: number) {
  sql.get('UPDATE sqs_messages SET visible_at = ? WHERE id = ?').run(visibleAt, id);
}

/** Moves a message to another queue (dead-letter redrive, or a move task back), visible at once. */
export function moveMessage(sql: Statements, id: number, toQueueId: number, now: number, deadLetterSource: string | null) {
  sql.get('UPDATE sqs_messages SET queue_id = ?, visible_at = ?, receipt = NULL, dead_letter_source = ? WHERE id = ?').run(toQueueId, now, deadLetterSource, id);
}

/** Drops messages older than the retention period, and a purge's messages. */
export function expireMessages(sql: Statements, queueId: number, sentBefore: number) {
  sql.get('DELETE FROM sqs_messages WHERE queue_id = ? AND sent_at < ?').run(queueId, sentBefore);
}

export function findDedup(sql: Statements, queueId: number, dedupId: string, now: number): { message_id: string; sequence_number: string | null } | undefined {
  return sql.get('SELECT message_id, sequence_number FROM sqs_dedup_ids WHERE queue_id = ? AND dedup_id = ? AND expires_at > ?').get(queueId, dedupId, now) as
    { message_id: string; sequence_number: string | null } | undefined;
}

export function recordDedup(sql: Statements, queueId: number, dedupId: string, messageId: string, seq: string | null, expiresAt: number) {
  sql.get('INSERT INTO sqs_dedup_ids (queue_id, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET message_id = excluded.message_id, sequence_number = excluded.sequence_number, expires_at = excluded.expires_at')
    .run(queueId, dedupId, messageId, seq, expiresAt);
}

export function findAttempt(sql: Statements, queueId: number, attemptId: string, now: number): string | undefined {
  const r = sql.get('SELECT response FROM sqs_receive_attempts WHERE queue_id = ? AND attempt_id = ? AND expires_at > ?').get(queueId, attemptId, now) as { response: string } | undefined;
  return r?.response;
}

export function recordAttempt(sql: Statements, queueId: number, attemptId: string, response: string, expiresAt: number) {
  sql.get('INSERT INTO sqs_receive_attempts (queue_id, attempt_id, response, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET response = excluded.response, expires_at = excluded.expires_at')
    .run(queueId, attemptId, response, expiresAt);
}
