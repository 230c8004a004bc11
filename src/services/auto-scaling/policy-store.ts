/**
 * EC2 Auto Scaling's policies table: one row per policy (its ScalingPolicy document) with when it last scaled
 * (`cooldowns`: what warm-ups and cooldowns are measured from).
 */
import type { ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { OwnedAlarm } from '../cloudwatch/index.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

/** A stored policy: the ScalingPolicy as DescribePolicies shows it (its step and simple policies' alarms looked up when shown). */
export type PolicyDoc = Omit<ScalingPolicy, 'Alarms'> & { AutoScalingGroupName: string; PolicyName: string; PolicyARN: string; PolicyType: string; Alarms: OwnedAlarm[] };

/** When a policy last scaled each way (real ms), and to what: what warm-up and cooldowns are measured from. */
export interface Cooldowns {
  outAt?: number;
  outTo?: number;
  /** The capacity the scale-out that began the current warm-up started from (step scaling counts from it). */
  outFrom?: number;
  inAt?: number;
}

export function policiesOf(s: Scope, group?: string): PolicyDoc[] {
  return (s.sql.get(`SELECT doc FROM autoscaling_policies WHERE account = ? AND region = ? ${group ? 'AND group_name = ?' : ''} ORDER BY group_name, name`)
    .pluck().all(s.account, s.region, ...(group ? [group] : [])) as string[]).map((d) => JSON.parse(d));
}

export function savePolicy(s: Scope, p: PolicyDoc): void {
  s.sql.get(`INSERT INTO autoscaling_policies (account, region, group_name, name, arn, doc, seq)
             VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM autoscaling_policies))
             ON CONFLICT (account, region, group_name, name) DO UPDATE SET doc = excluded.doc`)
    .run(s.account, s.region, p.AutoScalingGroupName, p.PolicyName, p.PolicyARN, JSON.stringify(p));
}

export function policyByArn(sql: Statements, arn: string): { scope: { account: string; region: string }; policy: PolicyDoc; cooldowns: Cooldowns } | undefined {
  const row = sql.get('SELECT account, region, doc, cooldowns FROM autoscaling_policies WHERE arn = ?').get(arn) as
    { account: string; region: string; doc: string; cooldowns: string } | undefined;
  return row ? { scope: { account: row.account, region: row.region }, policy: JSON.parse(row.doc), cooldowns: JSON.parse(row.cooldowns) } : undefined;
}

export function saveCooldowns(sql: Statements, arn: string, c: Cooldowns): void {
  sql.get('UPDATE autoscaling_policies SET cooldowns = ? WHERE arn = ?').run(JSON.stringify(c), arn);
}

