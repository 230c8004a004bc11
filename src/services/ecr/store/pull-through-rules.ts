/**
 * Pull through cache rules in SQLite (migration 19), which upstream
 * registries a rule may name, and which rule (if any) covers a repository.
 * The ECR API writes rules (services/ecr/pull-through-cache.ts); the
 * registry's pull path reads them (pull-through.ts). Synchronous, inside the
 * caller's transaction.
 */
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import type { RepoRef } from '../../../registry/names.js';
import { isLoopbackHost } from '../../../registry/upstream.js';

export interface PullThroughRuleDoc {
  ecrRepositoryPrefix: string;
  upstreamRegistryUrl: string;
  upstreamRegistry?: string;
  credentialArn?: string;
  customRoleArn?: string;
  upstreamRepositoryPrefix: string;
  createdAt: number;
  updatedAt: number;
  /** What went wrong the last time a pull reached the upstream through this rule (null: it worked). */
  lastUpstreamFailure?: string | null;
}

export interface PullThroughRule extends PullThroughRuleDoc {
  account: string;
  region: string;
  seq: number;
}

interface RawRule {
  account: string;
  region: string;
  prefix: string;
  doc: string;
  seq: number;
}

const toRule = (r: RawRule): PullThroughRule => ({ ...JSON.parse(r.doc), account: r.account, region: r.region, seq: r.seq });

export function getRule({ sql, account, region }: Scope, prefix: string): PullThroughRule | undefined {
  const r = sql.get('SELECT * FROM ecr_pull_through_rules WHERE account = ? AND region = ? AND prefix = ?').get(account, region, prefix) as RawRule | undefined;
  return r && toRule(r);
}

export function listRules({ sql, account, region }: Scope): PullThroughRule[] {
  return (sql.get('SELECT * FROM ecr_pull_through_rules WHERE account = ? AND region = ? ORDER BY seq').all(account, region) as RawRule[]).map(toRule);
}

export function putRule({ sql, account, region }: Scope, doc: PullThroughRuleDoc): void {
  const existing = sql.get('SELECT seq FROM ecr_pull_through_rules WHERE account = ? AND region = ? AND prefix = ?').pluck().get(account, region, doc.ecrRepositoryPrefix) as number | undefined;
  const seq = existing ?? (sql.get('SELECT COALESCE(MAX(seq), 0) + 1 FROM ecr_pull_through_rules').pluck().get() as number);
  sql.get(
    `INSERT INTO ecr_pull_through_rules (account, region, prefix, doc, seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account, region, prefix) DO UPDATE SET doc = excluded.doc`,
  ).run(account, region, doc.ecrRepositoryPrefix, JSON.stringify(doc), seq);
}

export function deleteRule({ sql, account, region }: Scope, prefix: string): void {
  sql.get('DELETE FROM ecr_pull_through_rules WHERE account = ? AND region = ? AND prefix = ?').run(account, region, prefix);
}

/** Records the outcome of the latest upstream request through a rule (only when it changes). */
export function recordUpstreamOutcome(sql: Statements, rule: PullThroughRule, failure: string | null): void {
  const current = getRule({ sql, account: rule.account, region: rule.region }, rule.ecrRepositoryPrefix);
  if (!current || (current.lastUpstreamFailure ?? null) === failure) return;
  const { account: _a, region: _r, seq: _s, ...doc } = current;
  putRule({ sql, account: rule.account, region: rule.region }, { ...doc, lastUpstreamFailure: failure });
}

export interface RuleMatch {
  rule: PullThroughRule;
  /** The repository's name upstream. */
  upstreamName: string;
}

/**
 * The rule covering a repository: the longest prefix `p` with the name under
 * `p/`, else a ROOT rule. The upstream name is the rest of the name, under
 * the rule's upstream repository prefix unless that is ROOT (ECR's mapping:
 * `ecr-public/my-app/image1` → `my-app/image1`).
 */
export function matchRule(sql: Statements, ref: RepoRef): RuleMatch | undefined {
  let best: PullThroughRule | undefined;
  for (const rule of listRules({ sql, account: ref.account, region: ref.region })) {
    const p = rule.ecrRepositoryPrefix;
    if (p === 'ROOT') best ??= rule;
    else if (ref.name.startsWith(`${p}/`) && (!best || best.ecrRepositoryPrefix === 'ROOT' || p.length > best.ecrRepositoryPrefix.length)) best = rule;
  }
  if (!best) return undefined;
  const rest = best.ecrRepositoryPrefix === 'ROOT' ? ref.name : ref.name.slice(best.ecrRepositoryPrefix.length + 1);
  const up = best.upstreamRepositoryPrefix;
  return { rule: best, upstreamName: up && up !== 'ROOT' ? `${up}/${rest}` : rest };
}

// --- upstream registries ----------------------------------------------------

export type CredentialNeed = 'required' | 'optional';

export interface UpstreamKind {
  /** ECR's name for it (upstreamRegistry); undefined for a Berth-local upstream. */
  registry?: string;
  credentials: CredentialNeed;
  /** Where requests go. */
  base: string;
  /** An ECR private registry upstream: this Berth's own account and region. */
  ecr?: { account: string; region: string };
}

/** The upstreams ECR supports, by host (CreatePullThroughCacheRule's documented URLs). */
const KNOWN: { registry: string; host: RegExp; credentials: CredentialNeed }[] = [
  { registry: 'ecr-public', host: /^public\.ecr\.aws$/, credentials: 'optional' },
  { registry: 'docker-hub', host: /^registry-1\.docker\.io$/, credentials: 'required' },
  { registry: 'quay', host: /^quay\.io$/, credentials: 'optional' },
  { registry: 'k8s', host: /^registry\.k8s\.io$/, credentials: 'optional' },
  { registry: 'github-container-registry', host: /^ghcr\.io$/, credentials: 'required' },
  { registry: 'gitlab-container-registry', host: /^registry\.gitlab\.com$/, credentials: 'required' },
  { registry: 'azure-container-registry', host: /^[a-z0-9-]+\.azurecr\.io$/, credentials: 'required' },
  { registry: 'chainguard', host: /^cgr\.dev$/, credentials: 'required' },
];

const ECR_HOST_RE = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/**
 * What an upstreamRegistryUrl names, or undefined if ECR (and Berth) do not
 * support it. Berth also accepts, as its own extension, an explicit
 * `http://` or `https://` URL or a loopback `host:port`: a local registry
 * (e.g. CNCF distribution) standing in for a public one.
 */
export function classifyUpstream(url: string): UpstreamKind | undefined {
  const explicit = /^(https?):\/\/([^/]+)\/?$/i.exec(url);
  const host = (explicit ? explicit[2] : url).toLowerCase();
  if (!explicit && !/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/.test(host)) return undefined;
  const ecr = ECR_HOST_RE.exec(host);
  if (ecr && !explicit) return { registry: 'ecr', credentials: 'optional', base: '', ecr: { account: ecr[1], region: ecr[2] } };
  const known = KNOWN.find((k) => k.host.test(host));
  if (known && (!explicit || explicit[1].toLowerCase() === 'https')) {
    return { registry: known.registry, credentials: known.credentials, base: `https://${host}` };
  }
  if (explicit) return { credentials: 'optional', base: `${explicit[1].toLowerCase()}://${host}` };
  if (isLoopbackHost(host)) return { credentials: 'optional', base: `http://${host}` };
  return undefined;
}

// --- cached tags ------------------------------------------------------------

/** ECR checks the upstream for a newer image behind a cached tag at most once every 24 hours. */
export const TAG_RECHECK_MS = 24 * 60 * 60 * 1000;

export function tagCheckedAt(sql: Statements, ref: RepoRef, tag: string): number | undefined {
  return sql.get('SELECT checked_at FROM ecr_pull_through_tags WHERE account = ? AND region = ? AND repo = ? AND tag = ?')
    .pluck().get(ref.account, ref.region, ref.name, tag) as number | undefined;
}

export function markTagChecked(sql: Statements, ref: RepoRef, tag: string, now: number): void {
  sql.get(
    `INSERT INTO ecr_pull_through_tags (account, region, repo, tag, checked_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET checked_at = excluded.checked_at`,
  ).run(ref.account, ref.region, ref.name, tag, now);
}
