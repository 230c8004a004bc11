/**
 * ListSecrets and its filters (also BatchGetSecretValue's).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_search-secret.html
 */
import type { Filter, ListSecretsRequest, ListSecretsResponse, SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { RequestContext } from '../provider.js';
import { getTags } from '../../state/tags.js';
import { constraint, invalidNextToken } from './errors.js';
import { tagsOf, versionsToStages } from './secrets.js';
import { allSecrets, type StoredSecret } from './store.js';

const KEYS = ['all', 'name', 'tag-key', 'description', 'primary-region', 'owning-service', 'tag-value'];

export function encodeOffset(n: number): string {
  return Buffer.from(JSON.stringify({ offset: n }), 'utf8').toString('base64');
}

export function decodeOffset(token: string | undefined, invalid: () => Error): number {
  if (token === undefined) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch { /* fall through */ }
  throw invalid();
}

/** The attribute values one filter key looks at, and whether it ignores case. */
function fieldsOf(ctx: RequestContext, s: StoredSecret, key: string): { values: string[]; ignoreCase: boolean; words?: boolean } {
  const tags = () => getTags(ctx, s.arn);
  switch (key) {
    case 'name': return { values: [s.name], ignoreCase: false };
    case 'description': return { values: s.description !== undefined ? [s.description] : [], ignoreCase: true };
    case 'tag-key': return { values: tags().map((t) => t.key), ignoreCase: false };
    case 'tag-value': return { values: tags().map((t) => t.value), ignoreCase: false };
    case 'primary-region': return { values: [], ignoreCase: false };
    case 'owning-service': return { values: [], ignoreCase: false };
    default: {
      const all = [s.name, s.description ?? '', ...tags().flatMap((t) => [t.key, t.value])];
      return { values: all.flatMap((v) => v.split(/[\s/_+=.@-]+/)).filter(Boolean), ignoreCase: true, words: true };
    }
  }
}

/** One filter: any of its values matches (by prefix); a value starting with `!` excludes instead. */
function passes(ctx: RequestContext, s: StoredSecret, f: Filter): boolean {
  const { values, ignoreCase } = fieldsOf(ctx, s, f.Key!);
  const norm = (x: string) => (ignoreCase ? x.toLowerCase() : x);
  const fields = values.map(norm);
  const positive = (f.Values ?? []).filter((v) => !v.startsWith('!'));
  const negative = (f.Values ?? []).filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const hit = (v: string) => fields.some((x) => x.startsWith(norm(v)));
  if (negative.some(hit)) return false;
  return positive.length === 0 || positive.some(hit);
}

export function checkFilters(filters: Filter[] | undefined): void {
  (filters ?? []).forEach((f, i) => {
    if (!KEYS.includes(f.Key ?? '')) {
      throw constraint(f.Key, `filters.${i + 1}.member.key`, `Member must satisfy enum value set: [${KEYS.join(', ')}]`);
    }
  });
}

export function matchingSecrets(ctx: RequestContext, filters: Filter[] | undefined, includeDeleted: boolean): StoredSecret[] {
  checkFilters(filters);
  return allSecrets(ctx, ctx.clock.now()).filter(
    (s) => (includeDeleted || s.deletedAt === undefined) && (filters ?? []).every((f) => passes(ctx, s, f)),
  );
}

const SORTERS: Record<string, (a: StoredSecret, b: StoredSecret) => number> = {
  'created-date': (a, b) => a.createdAt - b.createdAt || a.seq - b.seq,
  'last-changed-date': (a, b) => a.lastChangedAt - b.lastChangedAt || a.seq - b.seq,
  'last-accessed-date': (a, b) => (a.lastAccessedAt ?? 0) - (b.lastAccessedAt ?? 0) || a.seq - b.seq,
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
};

export function listSecrets(ctx: RequestContext, input: ListSecretsRequest): ListSecretsResponse {
  const limit = input.MaxResults ?? 100;
  const start = decodeOffset(input.NextToken, invalidNextToken);
  const all = matchingSecrets(ctx, input.Filters, !!input.IncludePlannedDeletion);
  all.sort(SORTERS[input.SortBy ?? 'created-date'] ?? SORTERS['created-date']);
  if (input.SortOrder === 'desc') all.reverse();
  const page = all.slice(start, start + limit);
  const SecretList: SecretListEntry[] = page.map((s) => {
    const tags = tagsOf(ctx, s.arn);
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.description !== undefined ? { Description: s.description } : {}),
      ...(s.kmsKeyId !== undefined ? { KmsKeyId: s.kmsKeyId } : {}),
      LastChangedDate: new Date(s.lastChangedAt),
      ...(s.lastAccessedAt !== undefined ? { LastAccessedDate: new Date(s.lastAccessedAt) } : {}),
      ...(s.deletedAt !== undefined ? { DeletedDate: new Date(s.deletedAt) } : {}),
      ...(tags.length ? { Tags: tags } : {}),
      SecretVersionsToStages: versionsToStages(ctx, s.arn),
      CreatedDate: new Date(s.createdAt),
    };
  });
  return { SecretList, ...(all.length > start + limit ? { NextToken: encodeOffset(start + limit) } : {}) };
}
