/**
 * How an instance is stored: its SDK-shaped Instance (without Tags, which live
 * in ec2_tags) in an `ec2_resources` row of kind `instance` (vpc_id its VPC,
 * parent_id its reservation), with what EC2 keeps beside it (user data, the
 * attributes DescribeInstanceAttribute reads, the ClientToken's request) and
 * where the instance controller stands (`nextAt`, the ECS agent).
 */
import type { Instance, InstanceState, InstanceStateName, StateReason } from '@aws-sdk/client-ec2';
import type { ChangeKind } from '../../state/change-feed.js';
import { getStored, insertDoc, listStored, updateDoc, type Scope, type Stored } from './store.js';

/** What launching and changing instances needs: a request's context, or a controller's (Auto Scaling's). */
export interface InstanceContext extends Scope {
  clock: { now(): number };
  changed(kind: ChangeKind, key: string): void;
}

export interface InstanceRecord {
  instance: Instance;
  /** The reservation (one RunInstances call) it belongs to. */
  reservationId: string;
  /** Its primary network interface (gone once the instance is terminated, when it is deleted on termination). */
  eniId?: string;
  /** Base64, as RunInstances took it. */
  userData?: string;
  disableApiTermination: boolean;
  disableApiStop: boolean;
  shutdownBehavior: 'stop' | 'terminate';
  /** A digest of the RunInstances request (without its ClientToken): a retry with other parameters is refused. */
  requestDigest?: string;
  /** Launched from an ECS-optimized AMI: the ECS agent starts with it. */
  ecsOptimized: boolean;
  /** When the controller moves it to the next state (pending, stopping, shutting-down), or removes it (terminated). */
  nextAt?: number;
  /** The container instance its ECS agent registered (kept while stopped: the agent's state survives a stop). */
  containerInstanceArn?: string;
  /** Whether its agent is connected now (false while stopped, or after the agent gave up). */
  agentConnected?: boolean;
  /** Why the agent could not register (shown in Berth's logs; the agent keeps retrying). */
  agentError?: string;
}

/** The state codes EC2 reports (the low byte of the instance state). */
export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80,
};

export const stateOf = (name: InstanceStateName): InstanceState => ({ Code: STATE_CODES[name], Name: name });

/** "User initiated (2026-01-01 12:00:00 GMT)": how EC2 words a transition a caller asked for. */
export function userInitiated(now: number): string {
  const iso = new Date(now).toISOString();
  return `User initiated (${iso.slice(0, 10)} ${iso.slice(11, 19)} GMT)`;
}

export const USER_SHUTDOWN: StateReason = { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' };

export function getInstance(s: Scope, id: string): Stored<InstanceRecord> | undefined {
  return getStored<InstanceRecord>(s, 'instance', id);
}

export function listInstances(s: Scope): Stored<InstanceRecord>[] {
  return listStored<InstanceRecord>(s, 'instance');
}

export function insertInstance(s: Scope, rec: InstanceRecord): void {
  const i = rec.instance;
  insertDoc(s, 'instance', i.InstanceId!, rec, { vpcId: i.VpcId, parentId: rec.reservationId });
}

export function saveInstance(s: Scope, rec: InstanceRecord): void {
  updateDoc(s, rec.instance.InstanceId!, rec);
}

/** Instances launched with this ClientToken (one reservation's). */
export function instancesWithToken(s: Scope, token: string): Stored<InstanceRecord>[] {
  const rows = s.sql
    .get(`SELECT id, seq, doc FROM ec2_resources WHERE account = ? AND region = ? AND kind = 'instance'
          AND json_extract(doc, '$.instance.ClientToken') = ? ORDER BY seq`)
    .all(s.account, s.region, token) as { id: string; seq: number; doc: string }[];
  return rows.map((r) => ({ id: r.id, seq: r.seq, doc: JSON.parse(r.doc) as InstanceRecord }));
}
