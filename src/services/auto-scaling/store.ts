/**
 * EC2 Auto Scaling state: one row per group with its SDK-shaped
 * AutoScalingGroup (instances included: the group's own record of its
 * members, kept by the group controller). Also the front door the controller
 * reads groups through.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

/**
 * A stored group: its status is `Delete in progress` while a forced delete terminates its instances. Berth's own
 * members (not on the wire): why its desired capacity last changed (the cause its launches and terminations carry,
 * until it reaches that capacity) and when a simple scaling policy's cooldown ends (real epoch ms).
 */
export type StoredGroup = AutoScalingGroup & { AutoScalingGroupName: string; AutoScalingGroupARN: string; BerthCause?: string; BerthCooldownUntil?: number };

/** Sets the desired capacity, remembering why (`why`: "At <time> a user request …"), as AWS's activity causes tell it. */
export function setDesired(g: StoredGroup, to: number, why: string): void {
  if (to !== g.DesiredCapacity) g.BerthCause = `${why} changing the desired capacity from ${g.DesiredCapacity ?? 0} to ${to}.`;
  g.DesiredCapacity = to;
}

export const groupKey = (account: string, region: string, name: string) => `${account}/${region}/${name}`;

export function parseGroupKey(key: string): { account: string; region: string; name: string } | undefined {
  const [account, region, ...rest] = key.split('/');
  return account && region && rest.length ? { account, region, name: rest.join('/') } : undefined;
}

export function findGroup(s: Scope, name: string): StoredGroup | undefined {
  const doc = s.sql.get('SELECT doc FROM autoscaling_groups WHERE account = ? AND region = ? AND name = ?').pluck().get(s.account, s.region, name) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

export function allGroups(s: Scope): StoredGroup[] {
  return (s.sql.get('SELECT doc FROM autoscaling_groups WHERE account = ? AND region = ? ORDER BY name').pluck().all(s.account, s.region) as string[]).map((d) => JSON.parse(d));
}

export function insertGroup(s: Scope, g: StoredGroup): void {
  s.sql.get(`INSERT INTO autoscaling_groups (account, region, name, arn, status, doc, seq)
             VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM autoscaling_groups))`)
    .run(s.account, s.region, g.AutoScalingGroupName, g.AutoScalingGroupARN, g.Status ?? '', JSON.stringify(g));
}

export function saveGroup(s: Scope, g: StoredGroup): void {
  s.sql.get('UPDATE autoscaling_groups SET doc = ?, status = ? WHERE account = ? AND region = ? AND name = ?')
    .run(JSON.stringify(g), g.Status ?? '', s.account, s.region, g.AutoScalingGroupName);
}

export function deleteGroupRow(s: Scope, name: string): void {
  s.sql.get('DELETE FROM autoscaling_groups WHERE account = ? AND region = ? AND name = ?').run(s.account, s.region, name);
}

/** Every group's key (the controller's resync: a group converges continuously, as its instances come and go). */
export function allGroupKeys(sql: Statements): string[] {
  return (sql.get('SELECT account, region, name FROM autoscaling_groups').all() as { account: string; region: string; name: string }[])
    .map((r) => groupKey(r.account, r.region, r.name));
}

/** The group an EC2 instance belongs to (key `account/region/instance id`, as EC2's change feed names instances), as group keys. */
export function groupKeysOfInstance(sql: Statements, instanceKey: string): string[] {
  const [account, region, id] = instanceKey.split('/');
  return (sql.get(`SELECT g.name FROM autoscaling_groups g, json_each(g.doc, '$.Instances') i
                   WHERE g.account = ? AND g.region = ? AND json_extract(i.value, '$.InstanceId') = ?`).pluck().all(account, region, id) as string[])
    .map((name) => groupKey(account, region, name));
}

/** Every group's members (instance id → group name), by scope: one scan of the groups' instance lists. */
export function groupMembers(sql: Statements): Map<string, string> {
  const rows = sql.get(`SELECT g.account, g.region, g.name, json_extract(i.value, '$.InstanceId') AS id FROM autoscaling_groups g, json_each(g.doc, '$.Instances') i`)
    .all() as { account: string; region: string; name: string; id: string }[];
  return new Map(rows.map((r) => [`${r.account}/${r.region}/${r.id}`, r.name]));
}
