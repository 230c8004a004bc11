/**
 * Temporary credentials (AssumeRole, GetSessionToken, task role sessions):
 * stored so the gateway can tell who signed a request with an `ASIA…` key.
 * Expired sessions are kept a day, so their keys are answered ExpiredToken
 * rather than taken for unknown keys, then pruned.
 */
import type { Statements } from '../../../state/db.js';
import { base32Id, randomSecret } from '../../../shared/ids.js';
import { randomBytes } from 'node:crypto';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** The account the session acts in (the role's). */
  account: string;
  /** The principal: `arn:aws:sts::<account>:assumed-role/<role>/<session>`, or the caller for GetSessionToken. */
  arn: string;
  /** GetCallerIdentity's UserId: `<role id>:<session name>`, or the account for a root session. */
  userId: string;
  roleArn?: string;
  /** What the session was issued for (a task role credential id), if not an API call. */
  source?: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  /** Session policies: AssumeRole's inline Policy and its PolicyArns (absent when none were passed). */
  sessionPolicy?: string;
  sessionPolicyArns?: string[];
}

interface Row {
  access_key_id: string; secret_access_key: string; session_token: string; account: string; arn: string;
  user_id: string; role_arn: string | null; source: string | null; created_at: number; expires_at: number;
  session_policy: string | null; session_policy_arns: string | null;
}

const KEEP_EXPIRED_MS = 24 * 3600_000;

const fromRow = (r: Row): Session => ({
  accessKeyId: r.access_key_id, secretAccessKey: r.secret_access_key, sessionToken: r.session_token, account: r.account,
  arn: r.arn, userId: r.user_id, roleArn: r.role_arn ?? undefined, source: r.source ?? undefined,
  createdAt: r.created_at, expiresAt: r.expires_at,
  ...(r.session_policy !== null ? { sessionPolicy: r.session_policy } : {}),
  ...(r.session_policy_arns !== null ? { sessionPolicyArns: JSON.parse(r.session_policy_arns) } : {}),
});

/** Temporary access keys start ASIA (long-term ones AKIA), as AWS's do. */
export const isTemporaryKey = (accessKeyId: string) => accessKeyId.startsWith('ASIA') && accessKeyId.length === 20;

export interface SessionGrant {
  account: string;
  arn: string;
  userId: string;
  roleArn?: string;
  source?: string;
  durationSeconds: number;
  sessionPolicy?: string;
  sessionPolicyArns?: string[];
}

export function issueSession(sql: Statements, now: number, grant: SessionGrant): Session {
  sql.get('DELETE FROM sts_sessions WHERE expires_at < ?').run(now - KEEP_EXPIRED_MS);
  const session: Session = {
    accessKeyId: base32Id('ASIA', 16),
    secretAccessKey: randomSecret(40),
    sessionToken: randomBytes(264).toString('base64'),
    account: grant.account,
    arn: grant.arn,
    userId: grant.userId,
    roleArn: grant.roleArn,
    source: grant.source,
    createdAt: now,
    // AWS states expirations in whole seconds.
    expiresAt: Math.floor(now / 1000) * 1000 + grant.durationSeconds * 1000,
    ...(grant.sessionPolicy !== undefined ? { sessionPolicy: grant.sessionPolicy } : {}),
    ...(grant.sessionPolicyArns?.length ? { sessionPolicyArns: grant.sessionPolicyArns } : {}),
  };
  sql.get(`INSERT INTO sts_sessions (access_key_id, secret_access_key, session_token, account, arn, user_id, role_arn, source, created_at, expires_at,
    session_policy, session_policy_arns)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(session.accessKeyId, session.secretAccessKey, session.sessionToken, session.account, session.arn, session.userId,
      session.roleArn ?? null, session.source ?? null, session.createdAt, session.expiresAt,
      session.sessionPolicy ?? null, session.sessionPolicyArns ? JSON.stringify(session.sessionPolicyArns) : null);
  return session;
}

/** The session an access key belongs to (expired or not), if Berth issued it. */
export function findSession(sql: Statements, accessKeyId: string): Session | undefined {
  if (!isTemporaryKey(accessKeyId)) return undefined;
  const row = sql.get('SELECT * FROM sts_sessions WHERE access_key_id = ?').get(accessKeyId) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

/** The newest session issued for `source` that is still valid at `validUntil`. */
export function currentSessionFor(sql: Statements, source: string, validUntil: number): Session | undefined {
  const row = sql.get('SELECT * FROM sts_sessions WHERE source = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1')
    .get(source, validUntil) as Row | undefined;
  return row ? fromRow(row) : undefined;
}
