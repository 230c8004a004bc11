/**
 * What App Runner's named side resources share: ARNs (`…:<kind>/<name>[/<revision>]/<32 hex>`), resolution of an
 * ARN (for kinds with revisions also the partial `…/<name>` — the latest ACTIVE revision — and `…/<name>/<revision>`,
 * as App Runner accepts them), revisions per name with `Latest` on the newest ACTIVE one, and list pages that filter
 * as they walk.
 */
import { arn as makeArn, parseArn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, resourceNotFound } from './errors.js';
import { pageToken, readToken } from './pages.js';
import { listResources, loadResource, resourcesNamed, saveResource, servicesReferencing, type ResourceKind, type ResourceRow } from './resource-store.js';

/** App Runner's names for these resources: 4-32 characters, letters, digits, hyphens and underscores. */
export const RESOURCE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9\-_]{3,31}$/;

const LABELS: Record<ResourceKind, string> = {
  connection: 'Connection', observabilityconfiguration: 'Observability configuration', vpcconnector: 'VPC connector',
  vpcingressconnection: 'VPC ingress connection',
};

export function newArn(ctx: RequestContext, kind: ResourceKind, name: string, revision?: number): string {
  return makeArn('apprunner', ctx.region, ctx.account, `${kind}/${name}/${revision !== undefined ? `${revision}/` : ''}${randomHex(16)}`);
}

/** The resource an ARN names (`revisioned`: partial ARNs by name, or name and revision, too). */
export function resolveNamed<T>(ctx: RequestContext, kind: ResourceKind, arn: string, revisioned: boolean): ResourceRow<T> {
  const a = parseArn(arn);
  const parts = a?.resource.split('/') ?? [];
  if (!a || a.service !== 'apprunner' || parts[0] !== kind || parts.length < 2) throw invalidRequest(`Invalid ${LABELS[kind].toLowerCase()} ARN: ${arn}`);
  const notFound = () => resourceNotFound(`${LABELS[kind]} ${arn} does not exist.`);
  if (a.account !== ctx.account || a.region !== ctx.region) throw notFound();
  const full = parts.length >= (revisioned ? 4 : 3);
  if (full || !revisioned) {
    const row = full ? loadResource<T>(ctx, kind, arn) : undefined;
    if (!row) throw notFound();
    return row;
  }
  const revs = resourcesNamed<T>(ctx, kind, parts[1]).filter((r) => (parts[2] ? r.revision === Number(parts[2]) : r.status === 'ACTIVE'));
  if (!revs.length) throw notFound();
  return revs[revs.length - 1];
}

/** The next revision of a name, after marking the current Latest not latest (its documents carry `Latest`). */
export function nextRevision(ctx: RequestContext, kind: ResourceKind, name: string): { revision: number; active: number } {
  const revs = resourcesNamed<{ Latest?: boolean }>(ctx, kind, name);
  for (const r of revs) {
    if (r.status === 'ACTIVE' && r.doc.Latest) saveResource(ctx, kind, { ...r, doc: { ...r.doc, Latest: false } });
  }
  return { revision: Math.max(0, ...revs.map((r) => r.revision)) + 1, active: revs.filter((r) => r.status === 'ACTIVE').length };
}

/** After a revision went INACTIVE: the newest ACTIVE one of its name is Latest again. */
function relatest(ctx: RequestContext, kind: ResourceKind, name: string): void {
  const left = resourcesNamed<{ Latest?: boolean }>(ctx, kind, name).filter((r) => r.status === 'ACTIVE');
  const last = left[left.length - 1];
  if (last && !last.doc.Latest) saveResource(ctx, kind, { ...last, doc: { ...last.doc, Latest: true } });
}

/**
 * Deletes a revision (INACTIVE, DeletedAt), refused while a live service's document names it at `usedAt` (App
 * Runner: "You can't delete a configuration that's used by one or more App Runner services"); the newest ACTIVE
 * revision of its name is Latest again. The revision's new document.
 */
export function retireRevision<T extends { Latest?: boolean }>(ctx: RequestContext, kind: ResourceKind, row: ResourceRow<T>, usedAt: string): T & { Status: string; DeletedAt: number } {
  if (row.status !== 'ACTIVE') throw invalidRequest(`${LABELS[kind]} ${row.arn} is already deleted.`);
  if (servicesReferencing(ctx.sql, usedAt, row.arn).length) {
    throw invalidRequest(`${LABELS[kind]} ${row.arn} is used by one or more App Runner services and can't be deleted.`);
  }
  const doc = { ...row.doc, Status: 'INACTIVE', Latest: false, DeletedAt: ctx.clock.now() };
  saveResource(ctx, kind, { ...row, status: 'INACTIVE', doc });
  relatest(ctx, kind, row.name);
  return doc;
}

/** One page of a kind's resources that pass `keep`, MaxResults at most (default `limit`). */
export function pageOf<T, V>(
  ctx: RequestContext, kind: ResourceKind, input: { MaxResults?: number; NextToken?: string }, keep: (r: ResourceRow<T>) => boolean,
  view: (r: ResourceRow<T>) => V, limit = 100,
): { items: V[]; NextToken?: string } {
  const max = input.MaxResults ?? limit;
  let after = readToken(input.NextToken);
  let taken = after;
  const items: V[] = [];
  for (;;) {
    const rows = listResources<T>(ctx, kind, after, 200);
    for (const r of rows) {
      after = r.seq;
      if (!keep(r)) continue;
      if (items.length === max) return { items, NextToken: pageToken(taken) };
      items.push(view(r));
      taken = r.seq;
    }
    if (rows.length < 200) return { items };
  }
}
