/** Stack events as CloudFormation writes them, and the stack's status moves that go with them. */
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { randomUUID } from 'node:crypto';
import type { Statements } from '../../state/db.js';
import { addEvent, type StackRecord } from './store.js';

export interface EventFields {
  logicalId: string;
  physicalId?: string;
  type: string;
  status: string;
  reason?: string;
  properties?: unknown;
}

export function recordEvent(sql: Statements, rec: StackRecord, now: number, f: EventFields): void {
  const e: StackEvent = {
    StackId: rec.stack.StackId, EventId: `${f.logicalId}-${randomUUID()}`, StackName: rec.stack.StackName,
    LogicalResourceId: f.logicalId, PhysicalResourceId: f.physicalId ?? '', ResourceType: f.type,
    Timestamp: new Date(now).toISOString() as unknown as Date, ResourceStatus: f.status as StackEvent['ResourceStatus'],
    ...(f.reason ? { ResourceStatusReason: f.reason } : {}),
    ...(f.properties !== undefined ? { ResourceProperties: JSON.stringify(f.properties) } : {}),
  };
  addEvent(sql, rec.stack.StackId, e);
}

/** The stack's own event for a status move (its logical id is the stack's name, its type AWS::CloudFormation::Stack). */
export function stackEvent(sql: Statements, rec: StackRecord, now: number, status: string, reason?: string): void {
  rec.stack.StackStatus = status;
  if (reason) rec.stack.StackStatusReason = reason;
  else delete rec.stack.StackStatusReason;
  recordEvent(sql, rec, now, { logicalId: rec.stack.StackName, physicalId: rec.stack.StackId, type: 'AWS::CloudFormation::Stack', status, reason });
}
