/** How a request names a bus or a rule (a name or an ARN), and the pages list operations hand out. */
import { parseArn } from '../../shared/arns.js';
import { decodePageToken, encodePageToken } from '../../shared/page-token.js';
import type { RequestContext } from '../provider.js';
import { busNotFound, validation } from './errors.js';
import { DEFAULT_BUS, ensureDefaultBus, findBus, type BusRow } from './store.js';

/** The bus a name or ARN names (default when absent), which must exist in the caller's account and region. */
export function busOf(ctx: RequestContext, nameOrArn: string | undefined): BusRow {
  const name = busName(ctx, nameOrArn);
  ensureDefaultBus(ctx.sql, ctx, ctx.clock.now());
  const bus = findBus(ctx.sql, ctx, name);
  if (!bus) throw busNotFound(name);
  return bus;
}

export function busName(ctx: RequestContext, nameOrArn: string | undefined): string {
  if (!nameOrArn) return DEFAULT_BUS;
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const p = parseArn(nameOrArn);
  if (!p || p.service !== 'events' || !p.resource.startsWith('event-bus/')) throw validation(`Parameter EventBusName is not valid. Reason: ${nameOrArn} is not a valid event bus ARN.`);
  if (p.account !== ctx.account || p.region !== ctx.region) throw busNotFound(p.resource.slice('event-bus/'.length));
  return p.resource.slice('event-bus/'.length);
}

/** NextToken: the last name of the page (shared/page-token.ts). */
export const encodeToken = encodePageToken;

export function decodeToken(token: string | undefined): string {
  const after = decodePageToken(token);
  if (after === undefined) throw validation('The nextToken provided is invalid.');
  return after;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validation(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100`);
  return limit;
}
