/**
 * Log group and stream names, identifiers (name or ARN) and list tokens, with
 * the constraints CloudWatch Logs' model declares (the SDK schemas do not carry them).
 */
import { parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { constraint, groupNotFound, invalidParameter } from './errors.js';
import { findGroup, purgeExpired, type GroupRow } from './store.js';

const GROUP_NAME_RE = /^[.\-_/#A-Za-z0-9]+$/;

export function checkGroupName(name: string, path = 'logGroupName') {
  if (name.length > 512) throw constraint(name, path, 'Member must have length less than or equal to 512');
  if (!GROUP_NAME_RE.test(name)) throw constraint(name, path, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
}

export function checkStreamName(name: string, path = 'logStreamName') {
  if (name.length < 1) throw constraint(name, path, 'Member must have length greater than or equal to 1');
  if (name.length > 512) throw constraint(name, path, 'Member must have length less than or equal to 512');
  if (/[:*]/.test(name)) throw constraint(name, path, 'Member must satisfy regular expression pattern: [^:*]*');
}

/** A page's size: the caller's, or the operation's maximum (its range, 1 to that maximum, is the model's, checked before any provider runs). */
export function pageLimit(limit: number | undefined, max: number): number {
  return limit ?? max;
}

/** The group name an identifier names: a name, or this account's and region's log group ARN (with or without `:*`). */
export function groupNameOf(ctx: RequestContext, identifier: string): string | undefined {
  if (!identifier.startsWith('arn:')) return identifier;
  const a = parseArn(identifier);
  if (!a || a.service !== 'logs' || !a.resource.startsWith('log-group:')) return undefined;
  if (a.account !== ctx.account || a.region !== ctx.region) return undefined;
  const rest = a.resource.slice('log-group:'.length);
  return rest.endsWith(':*') ? rest.slice(0, -2) : rest;
}

/**
 * The group an operation addresses through `logGroupName` or `logGroupIdentifier`
 * (exactly one of them, as AWS requires), with expired events purged.
 */
export function requireGroup(ctx: RequestContext, input: { logGroupName?: string; logGroupIdentifier?: string }): GroupRow {
  const { logGroupName, logGroupIdentifier } = input;
  if (logGroupName !== undefined && logGroupIdentifier !== undefined) {
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (logGroupName === undefined && logGroupIdentifier === undefined) {
    throw invalidParameter('Should provide either name or ARN of the log group.');
  }
  const name = logGroupName ?? groupNameOf(ctx, logGroupIdentifier!);
  const group = name === undefined ? undefined : findGroup(ctx.sql, ctx, name);
  if (!group) throw groupNotFound();
  purgeExpired(ctx.sql, group, ctx.clock.now());
  return group;
}

/** Opaque list tokens carrying the position after the last item returned. */
export function encodeToken(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeToken<T>(token: string | undefined, valid: (p: unknown) => p is T): T | undefined {
  if (token === undefined) return undefined;
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (valid(p)) return p;
  } catch { /* fall through */ }
  throw invalidParameter('The specified nextToken is invalid.');
}

export const isString = (p: unknown): p is string => typeof p === 'string';
