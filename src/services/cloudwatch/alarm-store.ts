/**
 * Alarms, their history and the actions they ran, in SQLite. An alarm's configuration is its
 * SDK shape (MetricAlarm or CompositeAlarm, timestamps as epoch ms) in `doc`; its state apart in
 * `state`; `next_eval` (metric seconds) is when the evaluator should look at it again.
 */
import type { Statements } from '../../state/db.js';
import type { Scope } from './metric-store.js';

export type AlarmType = 'MetricAlarm' | 'CompositeAlarm';
export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  StateValue: StateValue;
  StateReason: string;
  StateReasonData?: string;
  /** Real epoch ms. */
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
  /** Composite alarms: when its actions were last suppressed etc. (unused yet). */
}

export interface AlarmRecord {
  account: string;
  region: string;
  name: string;
  type: AlarmType;
  /** The configuration as stored (MetricAlarm/CompositeAlarm members, timestamps as epoch ms). */
  doc: Record<string, any>;
  state: AlarmState;
  nextEval: number | null;
}

interface Row {
  account: string;
  region: string;
  name: string;
  type: AlarmType;
  doc: string;
  state: string;
  next_eval: number | null;
}

const recordOf = (r: Row): AlarmRecord => ({
  account: r.account, region: r.region, name: r.name, type: r.type, doc: JSON.parse(r.doc), state: JSON.parse(r.state), nextEval: r.next_eval,
});

export const alarmKey = (a: { account: string; region: string; name: string }) => `${a.account}|${a.region}|${a.name}`;

export function parseAlarmKey(key: string): (Scope & { name: string }) | undefined {
  const i = key.indexOf('|');
  const j = key.indexOf('|', i + 1);
  if (i < 0 || j < 0) return undefined;
  return { account: key.slice(0, i), region: key.slice(i + 1, j), name: key.slice(j + 1) };
}

export function getAlarm(sql: Statements, s: Scope, name: string): AlarmRecord | undefined {
  const row = sql.get('SELECT * FROM cloudwatch_alarms WHERE account = ? AND region = ? AND name = ?').get(s.account, s.region, name) as Row | undefined;
  return row && recordOf(row);
}

export function listAlarms(sql: Statements, s: Scope): AlarmRecord[] {
  return (sql.get('SELECT * FROM cloudwatch_alarms WHERE account = ? AND region = ? ORDER BY name').all(s.account, s.region) as Row[]).map(recordOf);
}

export function saveAlarm(sql: Statements, a: AlarmRecord): void {
  sql.get(`INSERT INTO cloudwatch_alarms (account, region, name, type, doc, state, next_eval) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account, region, name) DO UPDATE SET type = excluded.type, doc = excluded.doc, state = excluded.state, next_eval = excluded.next_eval`)
    .run(a.account, a.region, a.name, a.type, JSON.stringify(a.doc), JSON.stringify(a.state), a.nextEval);
}

export function deleteAlarm(sql: Statements, s: Scope, name: string): void {
  sql.get('DELETE FROM cloudwatch_alarms WHERE account = ? AND region = ? AND name = ?').run(s.account, s.region, name);
}

/** Every alarm's key, paged by name (the evaluator's resync). */
export function* allAlarmKeys(sql: Statements): Generator<string> {
  let after = ['', '', ''];
  for (;;) {
    const rows = sql.get(`SELECT account, region, name FROM cloudwatch_alarms WHERE (account, region, name) > (?, ?, ?)
        ORDER BY account, region, name LIMIT 500`).all(...after) as { account: string; region: string; name: string }[];
    if (!rows.length) return;
    for (const r of rows) yield alarmKey(r);
    const last = rows[rows.length - 1];
    after = [last.account, last.region, last.name];
  }
}

export interface HistoryRecord {
  alarmName: string;
  alarmType: AlarmType;
  /** Real epoch ms. */
  ts: number;
  itemType: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  summary: string;
  data: string;
}

export function addHistory(sql: Statements, s: Scope, h: HistoryRecord): void {
  sql.get('INSERT INTO cloudwatch_alarm_history (account, region, alarm_name, alarm_type, ts, item_type, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, h.alarmName, h.alarmType, h.ts, h.itemType, h.summary, h.data);
}

export function historyOf(sql: Statements, s: Scope, name: string | undefined, from: number, to: number): HistoryRecord[] {
  const rows = sql.get(`SELECT alarm_name, alarm_type, ts, item_type, summary, data FROM cloudwatch_alarm_history
      WHERE account = ? AND region = ? AND (? IS NULL OR alarm_name = ?) AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC`)
    .all(s.account, s.region, name ?? null, name ?? null, from, to) as { alarm_name: string; alarm_type: AlarmType; ts: number; item_type: HistoryRecord['itemType']; summary: string; data: string }[];
  return rows.map((r) => ({ alarmName: r.alarm_name, alarmType: r.alarm_type, ts: r.ts, itemType: r.item_type, summary: r.summary, data: r.data }));
}

export function recordAction(sql: Statements, s: Scope, alarm: string, ts: number, state: StateValue, action: string, status: string): void {
  sql.get('INSERT INTO cloudwatch_alarm_actions (account, region, alarm_name, ts, state, action, status) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, alarm, ts, state, action, status);
}

/** History and recorded actions older than CloudWatch keeps them (30 days of history; `before` in real ms). */
export function pruneHistory(sql: Statements, before: number): void {
  sql.get('DELETE FROM cloudwatch_alarm_history WHERE ts < ?').run(before);
  sql.get('DELETE FROM cloudwatch_alarm_actions WHERE ts < ?').run(before);
}
