/**
 * The shape every EC2 Describe* operation shares: optional ids (each must be
 * well formed and exist, else the kind's Malformed / NotFound error naming all
 * missing ids), filters applied to the described view, then pagination.
 */
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import { malformed, notFound } from './errors.js';
import { compileFilters, type FilterFields } from './filters.js';
import { isWellFormed, type ResourceKind } from './ids.js';
import { paginate, type PageInput, type PageLimits } from './pagination.js';
import { getStored, listStored, type Scope, type Stored } from './store.js';

export interface DescribeOptions<T, V> {
  ids?: string[];
  filters?: Filter[];
  fields: FilterFields<V>;
  view: (stored: Stored<T>) => V;
  /** Where the view keeps its tags (Tags, or TagSet for network interfaces). */
  tagsOf?: (view: V) => Tag[] | undefined;
  /** Pagination input; omitted for operations without MaxResults. */
  page?: PageInput;
  limits?: PageLimits;
}

export function checkIds(kind: ResourceKind, ids: string[]): void {
  for (const id of ids) if (!isWellFormed(id, kind)) throw malformed(kind, id);
}

/** The stored resource an operation names, or its Malformed / NotFound error. */
export function requireStored<T>(s: Scope, kind: ResourceKind, id: string | undefined): Stored<T> {
  const ref = id ?? '';
  if (!isWellFormed(ref, kind)) throw malformed(kind, ref);
  const stored = getStored<T>(s, kind, ref);
  if (!stored) throw notFound(kind, ref);
  return stored;
}

export function requireDoc<T>(s: Scope, kind: ResourceKind, id: string | undefined): T {
  return requireStored<T>(s, kind, id).doc;
}

export function describeResources<T, V extends object>(
  s: Scope,
  kind: ResourceKind,
  opts: DescribeOptions<T, V>,
): { items: V[]; NextToken?: string } {
  const ids = opts.ids ?? [];
  checkIds(kind, ids);
  const match = compileFilters(opts.filters, opts.fields, opts.tagsOf ?? ((v: V) => (v as { Tags?: Tag[] }).Tags));
  let stored = listStored<T>(s, kind);
  if (ids.length) {
    const have = new Set(stored.map((r) => r.id));
    const missing = [...new Set(ids.filter((id) => !have.has(id)))];
    if (missing.length) throw notFound(kind, missing);
    const wanted = new Set(ids);
    stored = stored.filter((r) => wanted.has(r.id));
  }
  const views = stored.map((r) => ({ seq: r.seq, view: opts.view(r) })).filter((v) => match(v.view));
  if (!opts.page) return { items: views.map((v) => v.view) };
  const { page, NextToken } = paginate(views, (v) => v.seq, opts.page, opts.limits);
  return { items: page.map((v) => v.view), NextToken };
}
