/**
 * CloudFormation state: one row per stack (its SDK-shaped Stack plus the template and resolved parameters it was
 * made from), per stack resource, per stack event, per change set, per export. Also the front door the stacks
 * controller reads stacks through (index.ts).
 */
import type { ChangeSetSummary, Parameter, Stack, StackEvent, Tag } from '@aws-sdk/client-cloudformation';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import type { InternalCaller } from '../provider.js';
import type { Template } from './template.js';

/** A stack as stored: what DescribeStacks answers, and what its operation runs from. */
export interface StackRecord {
  stack: Omit<Stack, 'StackStatus'> & { StackId: string; StackName: string; StackStatus: string };
  template: Template;
  templateBody: string;
  /** Parameter values as resolved (SSM-typed ones hold the parameter's value; NoEcho ones too). */
  values: Record<string, string>;
  caller: InternalCaller;
  /** Each operation on the stack (create, update) counts one up; resources record the one that last touched them. */
  generation: number;
  /** What an update started from: restored by its rollback. */
  previous?: { template: Template; templateBody: string; values: Record<string, string>; parameters: Parameter[]; description?: string };
  /** The change set whose execution this operation is. */
  changeSetId?: string;
  stackPolicy?: string;
  /** DeleteStack's RetainResources. */
  retain?: string[];
  /** The exports its template imports (Fn::ImportValue), as of its last completed operation: they cannot go while it does. */
  imports?: string[];
  /** When a resource's deletion was first refused as still in use (it is retried until DELETE_RETRY_MS). */
  blockedSince?: Record<string, number>;
}

/** One of a stack's resources as stored. */
export interface ResourceRecord {
  LogicalResourceId: string;
  ResourceType: string;
  PhysicalResourceId?: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  /** Epoch ms. */
  LastUpdatedTimestamp: number;
  /** The properties it was made or last updated with, resolved. */
  properties?: Record<string, unknown>;
  /** Fn::GetAtt values. */
  attributes?: Record<string, unknown>;
  generation: number;
  /** Created by the operation of this generation (an update's rollback deletes it). */
  createdIn?: number;
  /** Waiting for the resource to stabilise (an ECS service reaching its desired count) before *_COMPLETE. */
  stabilizing?: boolean;
  /** Its state before this generation changed it (rollback restores it; a replaced one is deleted at clean-up). */
  old?: { PhysicalResourceId?: string; properties?: Record<string, unknown>; attributes?: Record<string, unknown>; replaced: boolean };
  description?: string;
  metadata?: unknown;
}

/** A change set as stored: DescribeChangeSet's fields plus the template it would apply. */
export interface ChangeSetRecord {
  summary: ChangeSetSummary & { ChangeSetId: string; ChangeSetName: string; StackId: string; StackName: string };
  changeSetType: 'CREATE' | 'UPDATE' | 'IMPORT';
  template: Template;
  templateBody: string;
  values: Record<string, string>;
  parameters: Parameter[];
  capabilities: string[];
  tags: Tag[];
  changes: unknown[];
  notificationArns?: string[];
  roleArn?: string;
  disableRollback?: boolean;
}

export const stackKey = (account: string, region: string, stackId: string) => `${account}/${region}/${stackId}`;

export function parseStackKey(key: string): { account: string; region: string; stackId: string } | undefined {
  const [account, region, ...rest] = key.split('/');
  return account && region && rest.length ? { account, region, stackId: rest.join('/') } : undefined;
}

export function findStack(s: Scope, nameOrId: string): StackRecord | undefined {
  const doc = (nameOrId.startsWith('arn:')
    ? s.sql.get('SELECT doc FROM cfn_stacks WHERE account = ? AND region = ? AND stack_id = ?').pluck().get(s.account, s.region, nameOrId)
    : s.sql.get('SELECT doc FROM cfn_stacks WHERE account = ? AND region = ? AND name = ? AND deleted = 0').pluck().get(s.account, s.region, nameOrId)) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

export function allStacks(s: Scope, withDeleted: boolean): StackRecord[] {
  return (s.sql.get(`SELECT doc FROM cfn_stacks WHERE account = ? AND region = ? ${withDeleted ? '' : 'AND deleted = 0'} ORDER BY seq DESC`).pluck()
    .all(s.account, s.region) as string[]).map((d) => JSON.parse(d));
}

export function insertStack(s: Scope, r: StackRecord): void {
  s.sql.get(`INSERT INTO cfn_stacks (account, region, stack_id, name, status, deleted, doc, seq)
             VALUES (?, ?, ?, ?, ?, 0, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM cfn_stacks))`)
    .run(s.account, s.region, r.stack.StackId, r.stack.StackName, r.stack.StackStatus, JSON.stringify(r));
}

export function saveStack(s: Scope, r: StackRecord): void {
  const deleted = r.stack.StackStatus === 'DELETE_COMPLETE' ? 1 : 0;
  s.sql.get('UPDATE cfn_stacks SET doc = ?, status = ?, deleted = ? WHERE stack_id = ?').run(JSON.stringify(r), r.stack.StackStatus, deleted, r.stack.StackId);
}

export function deleteStackRow(s: Scope, stackId: string): void {
  for (const t of ['cfn_stacks', 'cfn_resources', 'cfn_events', 'cfn_change_sets']) s.sql.get(`DELETE FROM ${t} WHERE stack_id = ?`).run(stackId);
}

export function resourcesOf(sql: Statements, stackId: string): ResourceRecord[] {
  return (sql.get('SELECT doc FROM cfn_resources WHERE stack_id = ? ORDER BY logical_id').pluck().all(stackId) as string[]).map((d) => JSON.parse(d));
}

export function saveResource(sql: Statements, stackId: string, r: ResourceRecord): void {
  sql.get('INSERT INTO cfn_resources (stack_id, logical_id, doc) VALUES (?, ?, ?) ON CONFLICT (stack_id, logical_id) DO UPDATE SET doc = excluded.doc')
    .run(stackId, r.LogicalResourceId, JSON.stringify(r));
}

export function dropResource(sql: Statements, stackId: string, logicalId: string): void {
  sql.get('DELETE FROM cfn_resources WHERE stack_id = ? AND logical_id = ?').run(stackId, logicalId);
}

/** Events newest first (DescribeStackEvents' order). */
export function eventsOf(sql: Statements, stackId: string): StackEvent[] {
  return (sql.get('SELECT doc FROM cfn_events WHERE stack_id = ? ORDER BY seq DESC').pluck().all(stackId) as string[]).map((d) => JSON.parse(d));
}

export function addEvent(sql: Statements, stackId: string, e: StackEvent): void {
  sql.get('INSERT INTO cfn_events (stack_id, seq, doc) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM cfn_events WHERE stack_id = ?), ?)')
    .run(stackId, stackId, JSON.stringify(e));
}

export function findChangeSet(s: Scope, nameOrId: string, stackNameOrId?: string): ChangeSetRecord | undefined {
  let doc: string | undefined;
  if (nameOrId.startsWith('arn:')) doc = s.sql.get('SELECT doc FROM cfn_change_sets WHERE id = ?').pluck().get(nameOrId) as string | undefined;
  else if (stackNameOrId) {
    const stack = findStack(s, stackNameOrId);
    if (stack) doc = s.sql.get('SELECT doc FROM cfn_change_sets WHERE stack_id = ? AND name = ?').pluck().get(stack.stack.StackId, nameOrId) as string | undefined;
  }
  return doc ? JSON.parse(doc) : undefined;
}

export function changeSetsOf(sql: Statements, stackId: string): ChangeSetRecord[] {
  return (sql.get('SELECT doc FROM cfn_change_sets WHERE stack_id = ? ORDER BY rowid').pluck().all(stackId) as string[]).map((d) => JSON.parse(d));
}

export function saveChangeSet(s: Scope, c: ChangeSetRecord): void {
  s.sql.get(`INSERT INTO cfn_change_sets (account, region, id, stack_id, name, doc) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`)
    .run(s.account, s.region, c.summary.ChangeSetId, c.summary.StackId, c.summary.ChangeSetName, JSON.stringify(c));
}

export function deleteChangeSetRow(sql: Statements, id: string): void {
  sql.get('DELETE FROM cfn_change_sets WHERE id = ?').run(id);
}

export function exportsOf(s: Scope): { name: string; stackId: string; value: string }[] {
  return s.sql.get('SELECT name, stack_id AS stackId, value FROM cfn_exports WHERE account = ? AND region = ? ORDER BY name').all(s.account, s.region) as never;
}

export function findExport(s: Scope, name: string): { stackId: string; value: string } | undefined {
  return s.sql.get('SELECT stack_id AS stackId, value FROM cfn_exports WHERE account = ? AND region = ? AND name = ?').get(s.account, s.region, name) as never;
}

export function setExports(s: Scope, stackId: string, exports: Record<string, string>): void {
  s.sql.get('DELETE FROM cfn_exports WHERE stack_id = ?').run(stackId);
  for (const [name, value] of Object.entries(exports)) {
    s.sql.get('INSERT INTO cfn_exports (account, region, name, stack_id, value) VALUES (?, ?, ?, ?, ?)').run(s.account, s.region, name, stackId, value);
  }
}

/** The live stacks (but `except`) that import export `name`. */
export function importersOf(s: Scope, name: string, except?: string): StackRecord[] {
  return allStacks(s, false).filter((r) => r.stack.StackId !== except && (r.imports ?? []).includes(name));
}

/** Stacks whose operation is running (the controller's resync: a restart resumes them). */
export function unsettledStackKeys(sql: Statements): string[] {
  return (sql.get("SELECT account, region, stack_id AS id FROM cfn_stacks WHERE status LIKE '%IN_PROGRESS' AND status != 'REVIEW_IN_PROGRESS'").all() as
    { account: string; region: string; id: string }[]).map((r) => stackKey(r.account, r.region, r.id));
}
