/**
 * Task role credentials, as ECS's agent serves them: each task with a task role
 * gets one unguessable credential id (the path in
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI); asking for it returns a session of
 * the role named after the task id, reissued well before it expires. The id
 * answers only while the task has not stopped (the caller checks the task).
 * A task without a task role on an EC2 container instance with an instance
 * profile gets the instance's role instead, in sessions named after the
 * instance id, as IMDS gives them on EC2.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Statements } from '../../../state/db.js';
import { parseArn, resourceId, stsArn, taskIdOf } from '../../../shared/arns.js';
import { base32Id } from '../../../shared/ids.js';
import { findRoleByArn } from '../../iam/store.js';
import { currentSessionFor, issueSession, type Session } from './sessions.js';

export interface TaskCredential {
  id: string;
  taskArn: string;
  account: string;
  roleArn: string;
  /** For AWS_CONTAINER_AUTHORIZATION_TOKEN when the endpoint is reached by full URI. */
  token: string;
  /** The sessions' name when it is not the task id (an instance role's: the EC2 instance id). */
  sessionName?: string;
}

/** ECS task role sessions last 6 hours; a new one is issued once less than 1 hour is left. */
export const TASK_SESSION_SECONDS = 6 * 3600;
const REISSUE_BEFORE_MS = 3600_000;

interface Row { id: string; task_arn: string; account: string; role_arn: string; token: string; session_name: string | null }
const fromRow = (r: Row): TaskCredential => ({
  id: r.id, taskArn: r.task_arn, account: r.account, roleArn: r.role_arn, token: r.token, ...(r.session_name ? { sessionName: r.session_name } : {}),
});

/** The task's credential id, made on first use (one per task, shared by its containers). */
export function taskCredentialFor(sql: Statements, now: number, taskArn: string, account: string, roleArn: string, sessionName?: string): TaskCredential {
  const row = sql.get('SELECT * FROM sts_task_credentials WHERE task_arn = ?').get(taskArn) as Row | undefined;
  if (row) return fromRow(row);
  const cred = { id: randomUUID(), taskArn, account, roleArn, token: randomBytes(24).toString('base64url'), ...(sessionName ? { sessionName } : {}) };
  sql.get('INSERT INTO sts_task_credentials (id, task_arn, account, role_arn, token, created_at, session_name) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(cred.id, taskArn, account, roleArn, cred.token, now, sessionName ?? null);
  return cred;
}

/** Whether a task that has not stopped holds a credential id (a restarted Berth must serve it). */
export function hasLiveTaskCredentials(sql: Statements): boolean {
  // From the credentials (few: tasks with a role) to their task by its unique ARN; as a join SQLite walked every task
  // (last_status != 'STOPPED' uses no index): 0.4 s of a restart at 10,000 tasks, none of them with a role.
  return !!sql.get(`SELECT 1 FROM sts_task_credentials c
    WHERE EXISTS (SELECT 1 FROM ecs_tasks t WHERE t.arn = c.task_arn AND t.last_status != 'STOPPED') LIMIT 1`).get();
}

export function findTaskCredential(sql: Statements, id: string): TaskCredential | undefined {
  const row = sql.get('SELECT * FROM sts_task_credentials WHERE id = ?').get(id) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

/**
 * The role's identity for a session. A task role not defined in Berth's IAM still
 * gets sessions (Berth does not check that ECS may assume it), under a role id
 * derived from its ARN so it stays the same.
 */
function roleIdentity(sql: Statements, roleArn: string): { account: string; name: string; roleId: string } {
  const role = findRoleByArn(sql, roleArn);
  const account = parseArn(roleArn)?.account ?? '000000000000';
  if (role) return { account, name: role.RoleName, roleId: role.RoleId };
  const name = resourceId(roleArn);
  return { account, name, roleId: base32Id('AROA', 17, createHash('sha256').update(roleArn).digest()) };
}

/** A session of the task role, current for at least another hour. */
export function taskRoleSession(sql: Statements, now: number, cred: TaskCredential): Session {
  const current = currentSessionFor(sql, cred.id, now + REISSUE_BEFORE_MS);
  if (current) return current;
  const role = roleIdentity(sql, cred.roleArn);
  const sessionName = cred.sessionName ?? (taskIdOf(cred.taskArn) || 'task');
  return issueSession(sql, now, {
    account: role.account,
    arn: stsArn.assumedRole(role.account, role.name, sessionName),
    userId: `${role.roleId}:${sessionName}`,
    roleArn: cred.roleArn,
    source: cred.id,
    durationSeconds: TASK_SESSION_SECONDS,
  });
}

/**
 * A session of `roleArn` named `sessionName`, for `source` (what asks for it, e.g. a pod's Pod Identity), current for
 * at least another hour: reused while it is, as an agent caches credentials. EKS Pod Identity's sessions, like ECS's.
 */
export function roleSessionFor(sql: Statements, now: number, roleArn: string, sessionName: string, source: string): Session {
  const current = currentSessionFor(sql, source, now + REISSUE_BEFORE_MS);
  if (current) return current;
  const role = roleIdentity(sql, roleArn);
  return issueSession(sql, now, {
    account: role.account,
    arn: stsArn.assumedRole(role.account, role.name, sessionName),
    userId: `${role.roleId}:${sessionName}`,
    roleArn,
    source,
    durationSeconds: TASK_SESSION_SECONDS,
  });
}
