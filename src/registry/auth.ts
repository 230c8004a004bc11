/**
 * Registry credentials as ECR hands them out: GetAuthorizationToken returns
 * base64("AWS:<token>"), valid 12 hours, which `docker login -u AWS` stores
 * and sends as HTTP Basic auth. The token is stateless: the account and expiry
 * signed with HMAC-SHA256 under a per-data-dir secret kept in berth_meta, so
 * tokens survive restarts and a token minted by one data dir means nothing to
 * another. The same secret signs GetDownloadUrlForLayer's pre-signed URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../state/db.js';
import { getOrCreateMeta } from '../state/meta.js';

/** ECR: "The authorization token is valid for 12 hours." */
export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
/** How long a GetDownloadUrlForLayer URL works (ECR's pre-signed S3 URLs: about an hour). */
export const DOWNLOAD_URL_TTL_MS = 60 * 60 * 1000;

export function registrySecret(db: Db): Buffer {
  return Buffer.from(getOrCreateMeta(db, 'registry-token-secret', () => randomBytes(32).toString('hex')), 'hex');
}

/**
 * The key ECR Public's tokens are signed with, made from the registry's secret: a token from `aws ecr-public
 * get-login-password` is no credential for the private registry, nor one from `aws ecr get-login-password` for the
 * public one, as on AWS (they are different services).
 */
export const publicTokenSecret = (secret: Buffer): Buffer => createHmac('sha256', secret).update('ecr-public tokens').digest();

const mac = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

function macEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface IssuedToken {
  /** base64("AWS:<token>"), as ECR's authorizationToken. */
  authorizationToken: string;
  expiresAt: number;
}

/** Who asked for a token: with --enforce-iam the registry authorizes each pull and push as that principal (issue 23). */
export interface TokenPrincipal {
  principalArn: string;
  accessKeyId: string;
  /** A role acting without a session of its own (a task's execution role pulling the task's images). */
  roleArn?: string;
}

export function issueToken(secret: Buffer, account: string, now: number, principal?: TokenPrincipal): IssuedToken {
  const expiresAt = now + TOKEN_TTL_MS;
  const claims = principal
    ? { a: account, e: expiresAt, p: principal.principalArn, k: principal.accessKeyId, ...(principal.roleArn ? { r: principal.roleArn } : {}) }
    : { a: account, e: expiresAt };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const token = `${payload}.${mac(secret, payload)}`;
  return { authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'), expiresAt };
}

export type Credential =
  | { kind: 'none' }
  | { kind: 'invalid' }
  | { kind: 'expired'; account: string }
  | { kind: 'account'; account: string; principal?: TokenPrincipal };

/** Reads an Authorization header: Basic AWS:<token> (what docker login stores). */
export function readCredential(secret: Buffer, header: string | undefined, now: number): Credential {
  if (!header) return { kind: 'none' };
  const m = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (!m) return { kind: 'invalid' };
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // ECR accepts only the user name AWS.
  if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return { kind: 'invalid' };
  const [payload, sig] = decoded.slice(colon + 1).split('.');
  if (!payload || !sig || !macEquals(sig, mac(secret, payload))) return { kind: 'invalid' };
  try {
    const { a, e, p, k, r } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof a !== 'string' || typeof e !== 'number') return { kind: 'invalid' };
    if (e <= now) return { kind: 'expired', account: a };
    if (typeof p !== 'string' || typeof k !== 'string') return { kind: 'account', account: a };
    return { kind: 'account', account: a, principal: { principalArn: p, accessKeyId: k, ...(typeof r === 'string' ? { roleArn: r } : {}) } };
  } catch {
    return { kind: 'invalid' };
  }
}

/** Query parameters that let anyone GET one blob for a while (GetDownloadUrlForLayer). */
export function presign(secret: Buffer, path: string, now: number): string {
  const expires = now + DOWNLOAD_URL_TTL_MS;
  return `X-Berth-Expires=${expires}&X-Berth-Signature=${mac(secret, `${path}\n${expires}`)}`;
}

export function checkPresigned(secret: Buffer, path: string, query: URLSearchParams, now: number): boolean {
  const expires = Number(query.get('X-Berth-Expires'));
  const sig = query.get('X-Berth-Signature');
  return !!sig && Number.isFinite(expires) && expires > now && macEquals(sig, mac(secret, `${path}\n${expires}`));
}
