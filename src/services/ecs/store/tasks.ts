/**
 * ECS task rows: the Task document plus the columns ListTasks filters on, and
 * RunTask's idempotency tokens. Shared by the ECS provider (desired state),
 * the task-lifecycle and service-scheduler controllers (observed state), the
 * metadata endpoints and the load balancer's task resolver, which is why
 * most queries take a plain Statements handle.
 */
import type { ContainerInstance, Task } from '@aws-sdk/client-ecs';
import { ecsArn, parseEcsArn, parseTaskDefinitionArn, taskIdOf } from '../../../shared/arns.js';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { taskDemand, type RecordedTask } from '../task-demand.js';
import { moveClusterCount, type CountedTask } from './cluster-counts.js';
import { moveTaskHold, withUsage, type TaskHold } from './instance-usage.js';

export interface TaskRow {
  account: string;
  region: string;
  cluster: string;
  task_id: string;
  arn: string;
  doc: string;
  seq: number;
}

/** Stopped tasks stay describable for an hour, as on ECS. */
const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

/** Task states that still hold an instance's resources and a cluster (every state but STOPPED). */
export const HOLDING_STATES = "('PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING')";

/**
 * ECS's events for EventBridge (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html): a
 * row per event, appended in the transaction that makes the change, so the events of a resource keep its order and
 * survive a crash; EventBridge drains them onto the default bus (takeEcsEvents).
 */
export interface EcsEvent {
  id: number;
  account: string;
  region: string;
  detailType: 'ECS Task State Change' | 'ECS Container Instance State Change' | 'ECS Service Action' | 'ECS Deployment State Change';
  resources: string[];
  detail: object;
  /** Real epoch ms. */
  at: number;
}

export function appendEcsEvent(sql: Statements, e: Omit<EcsEvent, 'id'>) {
  sql.get('INSERT INTO ecs_event_outbox (account, region, detail_type, resources, detail, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(e.account, e.region, e.detailType, JSON.stringify(e.resources), JSON.stringify(e.detail), e.at);
}

/** The oldest `limit` events not yet drained, and a function that forgets them (call it in the same transaction). */
export function takeEcsEvents(sql: Statements, limit: number): { events: EcsEvent[]; done(): void } {
  const rows = sql.get('SELECT * FROM ecs_event_outbox ORDER BY id LIMIT ?').all(limit) as
    { id: number; account: string; region: string; detail_type: EcsEvent['detailType']; resources: string; detail: string; at: number }[];
  return {
    events: rows.map((r) => ({ id: r.id, account: r.account, region: r.region, detailType: r.detail_type, resources: JSON.parse(r.resources), detail: JSON.parse(r.detail), at: r.at })),
    done: () => { if (rows.length) sql.get('DELETE FROM ecs_event_outbox WHERE id <= ?').run(rows[rows.length - 1].id); },
  };
}

/** A task's state change as ECS sends it: the task itself (without Berth's own fields) as the detail. */
function taskStateChange(sql: Statements, account: string, region: string, task: Task) {
  const detail: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(task)) if (!k.startsWith('berth') && k !== 'tags') detail[k] = v;
  detail.updatedAt = new Date().toISOString();
  appendEcsEvent(sql, { account, region, detailType: 'ECS Task State Change', resources: [task.taskArn!], detail, at: Date.now() });
}

/**
 * ECS's "ECS Container Instance State Change" for an instance, in AWS's fields: sent when it registers or
 * deregisters, its status or its agent's connection changes, and when a task placed on it or stopping on it changes
 * its remaining resources (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html).
 */
export function instanceStateChange(sql: Statements, ci: ContainerInstance): void {
  const a = parseEcsArn(ci.containerInstanceArn!)!;
  const shown = withUsage(sql, ci);
  const detail = {
    agentConnected: shown.agentConnected, attributes: shown.attributes, clusterArn: ecsArn.cluster(a.region, a.account, a.cluster!),
    containerInstanceArn: shown.containerInstanceArn, ec2InstanceId: shown.ec2InstanceId, registeredResources: shown.registeredResources,
    remainingResources: shown.remainingResources, status: shown.status, version: shown.version, versionInfo: shown.versionInfo,
    updatedAt: new Date().toISOString(),
  };
  appendEcsEvent(sql, { account: a.account, region: a.region, detailType: 'ECS Container Instance State Change', resources: [shown.containerInstanceArn!], detail, at: Date.now() });
}

/** The same, for an instance by ARN (a task's resources moved on it). */
function instanceResourcesChanged(sql: Statements, instanceArn: string): void {
  const row = sql.get('SELECT doc FROM ecs_container_instances WHERE arn = ?').get(instanceArn) as { doc: string } | undefined;
  if (row) instanceStateChange(sql, JSON.parse(row.doc) as ContainerInstance);
}

export function insertTask(sql: Statements, key: Pick<Scope, 'account' | 'region'>, cluster: string, task: RecordedTask, extra: { serviceName?: string }) {
  const demand = taskDemand(task);
  const hostPorts = demand.tcpPorts.length || demand.udpPorts.length ? JSON.stringify(task.berthHostPorts) : null;
  const hold: TaskHold = { container_instance: task.containerInstanceArn ?? null, cpu: demand.cpu, memory: demand.memory, task_group: task.group ?? '' };
  sql
    .get(`INSERT INTO ecs_tasks (account, region, cluster, task_id, arn, family, started_by, service_name, launch_type,
            container_instance, desired_status, last_status, doc, created_at, cpu, memory, task_group, host_ports, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ecs_tasks))`)
    .run(
      key.account, key.region, cluster, taskIdOf(task.taskArn!), task.taskArn, familyOf(task), task.startedBy ?? null,
      extra.serviceName ?? null, task.launchType ?? null, hold.container_instance,
      task.desiredStatus, task.lastStatus, JSON.stringify(task), Date.now(), hold.cpu, hold.memory, hold.task_group, hostPorts,
    );
  const moved = moveTaskHold(sql, hold, undefined, task.lastStatus!);
  taskStateChange(sql, key.account, key.region, task);
  if (moved) instanceResourcesChanged(sql, hold.container_instance!);
  moveClusterCount(sql, { account: key.account, region: key.region, cluster, launch_type: task.launchType ?? null }, undefined, task.lastStatus!);
}

function familyOf(task: Task): string {
  return parseTaskDefinitionArn(task.taskDefinitionArn ?? '')?.family ?? '';
}

export function loadTaskByArn(sql: Statements, taskArn: string): (TaskRow & { task: Task }) | undefined {
  const row = loadTaskRowByArn(sql, taskArn);
  return row ? { ...row, task: JSON.parse(row.doc) as Task } : undefined;
}

/** A task's row with its document unparsed (a caller that may find it has nothing to do never pays for the parse). */
export function loadTaskRowByArn(sql: Statements, taskArn: string): TaskRow | undefined {
  return sql.get('SELECT account, region, cluster, task_id, arn, doc, seq FROM ecs_tasks WHERE arn = ?').get(taskArn) as TaskRow | undefined;
}

/** Writes a task; a new lastStatus moves its share of its instance (instance-usage.ts) and its cluster's counts in the same transaction. */
export function saveTask(sql: Statements, task: Task) {
  const before = sql
    .get('SELECT account, region, cluster, launch_type, last_status, desired_status, container_instance, cpu, memory, task_group FROM ecs_tasks WHERE arn = ?')
    .get(task.taskArn) as (TaskHold & CountedTask & { last_status: string; desired_status: string }) | undefined;
  sql
    .get('UPDATE ecs_tasks SET desired_status = ?, last_status = ?, doc = ?, stopped_at = ? WHERE arn = ?')
    .run(task.desiredStatus, task.lastStatus, JSON.stringify(task), task.stoppedAt ? Date.parse(String(task.stoppedAt)) : null, task.taskArn);
  if (!before) return;
  const moved = moveTaskHold(sql, before, before.last_status, task.lastStatus!);
  moveClusterCount(sql, before, before.last_status, task.lastStatus!);
  // ECS sends a task state change when the task's last or desired status moves.
  if (before.last_status !== task.lastStatus || before.desired_status !== task.desiredStatus) {
    taskStateChange(sql, before.account, before.region, task);
  }
  if (moved) instanceResourcesChanged(sql, before.container_instance!);
}

/**
 * A task that waited for capacity gets its container instance (capacity placement): the row's instance and the
 * instance's usage move with it, in the caller's transaction.
 */
export function placeWaitingTask(sql: Statements, task: RecordedTask, instanceArn: string, zone: string | undefined) {
  task.containerInstanceArn = instanceArn;
  if (zone) task.availabilityZone = zone;
  delete task.berthAwaitingCapacity;
  task.version = (task.version ?? 0) + 1;
  sql.get('UPDATE ecs_tasks SET container_instance = ?, doc = ? WHERE arn = ?').run(instanceArn, JSON.stringify(task), task.taskArn);
  const demand = taskDemand(task);
  if (moveTaskHold(sql, { container_instance: instanceArn, cpu: demand.cpu, memory: demand.memory, task_group: task.group ?? '' }, undefined, task.lastStatus!)) {
    instanceResourcesChanged(sql, instanceArn);
  }
}

/** Records a new desired status only (the controllers own lastStatus). */
export function saveTaskDesired(sql: Statements, task: Task) {
  const before = sql.get('SELECT account, region, desired_status FROM ecs_tasks WHERE arn = ?').get(task.taskArn) as
    { account: string; region: string; desired_status: string } | undefined;
  sql.get('UPDATE ecs_tasks SET desired_status = ?, doc = ? WHERE arn = ?').run(task.desiredStatus, JSON.stringify(task), task.taskArn);
  if (before && before.desired_status !== task.desiredStatus) taskStateChange(sql, before.account, before.region, task);
}

/** Tasks not yet STOPPED (a snapshot load forgets their ports; the controllers page them with unfinishedTaskPage). */
export function unfinishedTaskArns(sql: Statements): string[] {
  return sql.get("SELECT arn FROM ecs_tasks WHERE last_status != 'STOPPED'").pluck().all() as string[];
}

/**
 * A page of the unfinished tasks in creation order, after the task with sequence number `afterSeq`: the
 * controllers' sweep reads the table this way, a bounded page at a time (by the ecs_tasks_seq index).
 */
export function unfinishedTaskPage(sql: Statements, afterSeq: number, limit: number): { arn: string; seq: number }[] {
  return sql
    .get("SELECT arn, seq FROM ecs_tasks INDEXED BY ecs_tasks_seq WHERE seq > ? AND last_status != 'STOPPED' ORDER BY seq LIMIT ?")
    .all(afterSeq, limit) as { arn: string; seq: number }[];
}

/**
 * A page of a cluster's RUNNING service tasks (desired RUNNING too) in creation order, after `afterSeq`: what ECS's
 * CloudWatch utilization metrics sample each period, read a bounded page at a time by the ecs_tasks_running_service index
 * (ARNs only: their documents, which do not change while they run, are read once with loadTaskByArn).
 */
export function runningServiceTaskPage(
  { sql, account, region }: Scope, cluster: string, afterSeq: number, limit: number,
): { arn: string; serviceName: string; seq: number }[] {
  return sql
    .get(`SELECT arn, service_name AS serviceName, seq FROM ecs_tasks INDEXED BY ecs_tasks_running_service
          WHERE account = ? AND region = ? AND cluster = ? AND desired_status = 'RUNNING' AND seq > ?
            AND last_status = 'RUNNING' AND service_name IS NOT NULL ORDER BY seq LIMIT ?`)
    .all(account, region, cluster, afterSeq, limit) as { arn: string; serviceName: string; seq: number }[];
}

/**
 * Every unfinished task's statuses, from the row's columns (no document is parsed): what a restarted Berth
 * compares with the containers the engine still runs, to pass over only the tasks that differ.
 */
export function unfinishedTaskStatuses(sql: Statements): { arn: string; lastStatus: string; desiredStatus: string }[] {
  return sql
    .get("SELECT arn, last_status AS lastStatus, desired_status AS desiredStatus FROM ecs_tasks WHERE last_status != 'STOPPED'")
    .all() as { arn: string; lastStatus: string; desiredStatus: string }[];
}

/** A task's lastStatus and task definition ARN (read by SQLite from the document, not parsed here). */
export function taskDefinitionOfTask(sql: Statements, taskArn: string): { lastStatus: string; taskDefinitionArn: string | null } | undefined {
  return sql
    .get("SELECT last_status AS lastStatus, json_extract(doc, '$.taskDefinitionArn') AS taskDefinitionArn FROM ecs_tasks WHERE arn = ?")
    .get(taskArn) as { lastStatus: string; taskDefinitionArn: string | null } | undefined;
}

/** Every unfinished task's task definition ARN (read by SQLite from the document, not parsed here). */
export function unfinishedTaskDefinitions(sql: Statements): { arn: string; taskDefinitionArn: string | null }[] {
  return sql
    .get("SELECT arn, json_extract(doc, '$.taskDefinitionArn') AS taskDefinitionArn FROM ecs_tasks WHERE last_status != 'STOPPED'")
    .all() as { arn: string; taskDefinitionArn: string | null }[];
}

/** How many tasks are not yet STOPPED (counted from an index). */
export function unfinishedTaskCount(sql: Statements): number {
  return sql.get("SELECT COUNT(*) FROM ecs_tasks WHERE last_status != 'STOPPED'").pluck().get() as number;
}

/** How many task ARNs unfinishedAmong looks up in one statement. */
export const TASK_ARN_BATCH = 500;

/**
 * Which of these task ARNs (at most TASK_ARN_BATCH) name tasks in state and not yet STOPPED (a container naming any
 * other task is an orphan). The statement always has TASK_ARN_BATCH parameters, padded with '', so one prepared
 * statement serves every call.
 */
export function unfinishedAmong(sql: Statements, taskArns: string[]): Set<string> {
  if (taskArns.length > TASK_ARN_BATCH) throw new Error(`unfinishedAmong: ${taskArns.length} ARNs, at most ${TASK_ARN_BATCH}`);
  const args = [...taskArns, ...Array<string>(TASK_ARN_BATCH - taskArns.length).fill('')];
  const marks = args.map(() => '?').join(',');
  return new Set(sql.get(`SELECT arn FROM ecs_tasks WHERE arn IN (${marks}) AND last_status != 'STOPPED'`).pluck().all(...args) as string[]);
}

/**
 * Every unfinished task's containers publish nothing any more: their containers are gone (a snapshot load removed
 * them), so the host ports recorded for them are stale, and may be another program's by now. The task lifecycle
 * records new ones as it starts the containers again; until then a load balancer has nowhere to send their targets.
 */
export function forgetPublishedPorts(sql: Statements): void {
  for (const arn of unfinishedTaskArns(sql)) {
    const row = loadTaskByArn(sql, arn);
    const bound = row?.task.containers?.filter((c) => c.networkBindings?.length) ?? [];
    if (!row || !bound.length) continue;
    for (const c of bound) c.networkBindings = [];
    saveTask(sql, row.task);
  }
}

/**
 * Drops stopped tasks past their retention, and the RunTask client tokens that answered with them once none of
 * their tasks is left (found by their first task: ecs_idempotency_first_task).
 */
export function pruneStoppedTasks(sql: Statements, now: number): { tasks: number; tokens: number } {
  const arns = sql
    // INDEXED BY: a range of the STOPPED tasks' stop times, not every STOPPED task (what ecs_tasks_unfinished would seek).
    .get("DELETE FROM ecs_tasks INDEXED BY ecs_tasks_stopped WHERE last_status = 'STOPPED' AND stopped_at IS NOT NULL AND stopped_at < ? RETURNING arn")
    .pluck().all(now - STOPPED_TASK_RETENTION_MS) as string[];
  const dropToken = sql.get(`DELETE FROM ecs_idempotency WHERE json_extract(response, '$[0]') = ?
                               AND NOT EXISTS (SELECT 1 FROM json_each(response) AS a JOIN ecs_tasks AS t ON t.arn = a.value)`);
  let tokens = 0;
  for (const arn of arns) tokens += dropToken.run(arn).changes;
  return { tasks: arns.length, tokens };
}

/** Tasks on an instance that still hold resources (not yet STOPPED): their documents, for the few that change them all. */
export function tasksOnInstance(sql: Statements, instanceArn: string): Task[] {
  return (sql.get("SELECT doc FROM ecs_tasks WHERE container_instance = ? AND last_status != 'STOPPED'").pluck().all(instanceArn) as string[])
    .map((doc) => JSON.parse(doc) as Task);
}

/** The unfinished tasks of a scope whose document mentions `text` (a quoted private IP, for the load balancer). */
export function liveTasksMentioning({ sql, account, region }: Scope, text: string): Task[] {
  return (sql
    .get("SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND last_status != 'STOPPED' AND instr(doc, ?) > 0")
    .pluck().all(account, region, text) as string[]).map((doc) => JSON.parse(doc) as Task);
}

export interface TaskListQuery {
  cluster: string;
  afterSeq: number;
  desiredStatus: 'RUNNING' | 'PENDING' | 'STOPPED';
  family?: string;
  startedBy?: string;
  serviceName?: string;
  launchType?: string;
  /** An instance id or ARN (matched as the end of the instance's ARN). */
  containerInstance?: string;
  limit: number;
}

/** A page of ListTasks, in creation order. */
export function listTaskRows({ sql, account, region }: Scope, q: TaskListQuery): { arn: string; seq: number }[] {
  const where = ['account = ?', 'region = ?', 'cluster = ?', 'seq > ?'];
  const args: unknown[] = [account, region, q.cluster, q.afterSeq];
  // PENDING and RUNNING tasks both have desiredStatus RUNNING; PENDING narrows to not-yet-running ones.
  if (q.desiredStatus === 'PENDING') where.push("desired_status = 'RUNNING'", "last_status IN ('PROVISIONING', 'PENDING', 'ACTIVATING')");
  else where.push('desired_status = ?') && args.push(q.desiredStatus);
  if (q.family) where.push('family = ?') && args.push(q.family);
  if (q.startedBy) where.push('started_by = ?') && args.push(q.startedBy);
  if (q.serviceName) where.push('service_name = ?') && args.push(q.serviceName);
  if (q.launchType) where.push('launch_type = ?') && args.push(q.launchType);
  if (q.containerInstance) where.push('container_instance LIKE ?') && args.push(`%${q.containerInstance}`);
  return sql
    .get(`SELECT arn, seq FROM ecs_tasks WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`)
    .all(...args, q.limit) as { arn: string; seq: number }[];
}

/**
 * A RunTask client token answers with its first call's tasks for 24 hours, then starts new ones
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html, "Idempotency for RunTask":
 * a TTL of 24 hours, capped by a second bound). Berth also ends a token once every task it answered with has
 * been pruned (an hour after stopping): a retry could no longer be answered with them. One that started several
 * tasks is found by its first task; if that one goes before the others, the token stays until its 24 hours.
 */
export const RUN_TASK_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** The task ARNs an earlier RunTask with this client token answered, if the token has not expired at `now`. */
export function idempotentRunTask({ sql, account, region }: Scope, token: string, now: number): string[] | undefined {
  const prior = sql
    .get("SELECT response FROM ecs_idempotency WHERE account = ? AND region = ? AND operation = 'RunTask' AND token = ? AND created_at > ?")
    .get(account, region, token, now - RUN_TASK_TOKEN_TTL_MS) as { response: string } | undefined;
  return prior ? (JSON.parse(prior.response) as string[]) : undefined;
}

/** Records a RunTask's answer under its client token (replacing an expired record the retention job has not yet pruned). */
export function recordRunTask({ sql, account, region }: Scope, token: string, taskArns: string[], now: number) {
  sql
    .get(`INSERT INTO ecs_idempotency (account, region, operation, token, response, created_at) VALUES (?, ?, 'RunTask', ?, ?, ?)
          ON CONFLICT (account, region, operation, token) DO UPDATE SET response = excluded.response, created_at = excluded.created_at`)
    .run(account, region, token, JSON.stringify(taskArns), now);
}

/** Drops client tokens past their 24 hours (a range of ecs_idempotency_created). */
export function pruneIdempotencyTokens(sql: Statements, now: number): number {
  return sql.get("DELETE FROM ecs_idempotency WHERE operation = 'RunTask' AND created_at <= ?").run(now - RUN_TASK_TOKEN_TTL_MS).changes;
}

/** For Berth's console: a service's tasks, newest first: the unfinished ones, then recently stopped ones, at most `limit`. */
export function serviceTasks({ sql, account, region }: Scope, cluster: string, serviceName: string, limit: number): Task[] {
  return (sql
    .get(`SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name = ?
          ORDER BY last_status = 'STOPPED', seq DESC LIMIT ?`)
    .pluck().all(account, region, cluster, serviceName, limit) as string[]).map((doc) => JSON.parse(doc) as Task);
}

/** For Berth's console: a cluster's tasks started outside a service (RunTask), newest first, at most `limit`. */
export function standaloneTasks({ sql, account, region }: Scope, cluster: string, limit: number): Task[] {
  return (sql
    .get(`SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name IS NULL
          ORDER BY last_status = 'STOPPED', seq DESC LIMIT ?`)
    .pluck().all(account, region, cluster, limit) as string[]).map((doc) => JSON.parse(doc) as Task);
}
