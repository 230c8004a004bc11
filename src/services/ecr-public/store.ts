/**
 * ECR Public's front door for everything outside services/ecr-public: its tables (migration 93) and the queries
 * over them, each synchronous and run in the caller's transaction. The public registry's /v2/ surface
 * (registry/http/public-handler.ts) finds repositories and aliases here.
 *
 * ECR Public is global: one registry per account, no region. Its images are stored by the registry's own code in
 * the registry's tables (`registry_*`, keyed by account, region, repository) under the namespace PUBLIC_NAMESPACE
 * in place of a region. No region is spelled like it, so a private repository `web` and a public one `web` of one
 * account are separate, and the private registry's /v2/ paths (`<account>/<region>/<name>`) never reach public
 * images.
 */
import { createHash } from 'node:crypto';
import type { Statements } from '../../state/db.js';
import { arn } from '../../shared/arns.js';
import { deleteRepo, type RepoRow } from '../ecr/store/index.js';

/** What stands for the region of a public repository in the registry's tables. */
export const PUBLIC_NAMESPACE = 'ecr-public';

/** The catalog data of a repository, as RepositoryCatalogDataInput spells it (the logo kept apart). */
export interface CatalogData {
  description?: string;
  architectures?: string[];
  operatingSystems?: string[];
  aboutText?: string;
  usageText?: string;
}

export interface PublicRepoRow {
  account: string;
  name: string;
  arn: string;
  createdAt: number;
  catalog: CatalogData;
  hasLogo: boolean;
  policy: string | null;
  seq: number;
}

export interface PublicRegistryRow {
  account: string;
  alias: string;
  displayName: string;
  createdAt: number;
}

interface RawRepo {
  account: string; name: string; arn: string; created_at: number; catalog: string; has_logo: number; policy: string | null; seq: number;
}

const REPO_COLUMNS = 'account, name, arn, created_at, catalog, logo IS NOT NULL AS has_logo, policy, seq';

const toRepo = (r: RawRepo): PublicRepoRow => ({
  account: r.account, name: r.name, arn: r.arn, createdAt: r.created_at, catalog: JSON.parse(r.catalog),
  hasLogo: !!r.has_logo, policy: r.policy, seq: r.seq,
});

/** ECR Public ARNs name no region: `arn:aws:ecr-public::<account>:repository/<name>`. */
export const publicRepositoryArn = (account: string, name: string) => arn('ecr-public', '', account, `repository/${name}`);
export const publicRegistryArn = (account: string) => arn('ecr-public', '', account, `registry/${account}`);

export function getPublicRepo(sql: Statements, account: string, name: string): PublicRepoRow | undefined {
  const row = sql.get(`SELECT ${REPO_COLUMNS} FROM ecrpublic_repositories WHERE account = ? AND name = ?`).get(account, name) as RawRepo | undefined;
  return row && toRepo(row);
}

export function listPublicRepos(sql: Statements, account: string, afterSeq: number, limit: number): PublicRepoRow[] {
  return (sql.get(`SELECT ${REPO_COLUMNS} FROM ecrpublic_repositories WHERE account = ? AND seq > ? ORDER BY seq LIMIT ?`)
    .all(account, afterSeq, limit) as RawRepo[]).map(toRepo);
}

export function insertPublicRepo(sql: Statements, account: string, name: string, now: number, catalog: CatalogData, logo: Buffer | undefined): PublicRepoRow {
  const seq = (sql.get('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ecrpublic_repositories').get() as { n: number }).n;
  const repoArn = publicRepositoryArn(account, name);
  // A new repository starts empty, even where a reset of ECR Public left the registry's rows of an older one.
  deleteRepo(sql, { account, region: PUBLIC_NAMESPACE, name });
  sql.get('INSERT INTO ecrpublic_repositories (account, name, arn, created_at, catalog, logo, policy, seq) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)')
    .run(account, name, repoArn, now, JSON.stringify(catalog), logo ?? null, seq);
  return { account, name, arn: repoArn, createdAt: now, catalog, hasLogo: !!logo, policy: null, seq };
}

/** Replaces the catalog data; the logo too when one is given (undefined keeps the old one). */
export function savePublicCatalog(sql: Statements, repo: PublicRepoRow, catalog: CatalogData, logo: Buffer | undefined): PublicRepoRow {
  sql.get('UPDATE ecrpublic_repositories SET catalog = ?, logo = COALESCE(?, logo) WHERE account = ? AND name = ?')
    .run(JSON.stringify(catalog), logo ?? null, repo.account, repo.name);
  return { ...repo, catalog, hasLogo: repo.hasLogo || !!logo };
}

export function setPublicRepoPolicy(sql: Statements, repo: PublicRepoRow, policy: string | null): void {
  sql.get('UPDATE ecrpublic_repositories SET policy = ? WHERE account = ? AND name = ?').run(policy, repo.account, repo.name);
}

export function publicRepoLogo(sql: Statements, account: string, name: string): Buffer | undefined {
  const row = sql.get('SELECT logo FROM ecrpublic_repositories WHERE account = ? AND name = ?').get(account, name) as { logo: Buffer | null } | undefined;
  return row?.logo ?? undefined;
}

/** The repository as the registry's code stores images: ECR's RepoRow in the public namespace, mutable tags, no scans. */
export function registryRepo(repo: Pick<PublicRepoRow, 'account' | 'name' | 'arn' | 'createdAt' | 'policy' | 'seq'>): RepoRow {
  return {
    account: repo.account, region: PUBLIC_NAMESPACE, name: repo.name, arn: repo.arn, createdAt: repo.createdAt,
    policy: repo.policy, seq: repo.seq,
    settings: { imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: false }, encryptionConfiguration: { encryptionType: 'AES256' } },
  };
}

/** Drops the repository, its images and tags (its blobs stay for the registry's GC). */
export function deletePublicRepo(sql: Statements, repo: PublicRepoRow): void {
  deleteRepo(sql, { account: repo.account, region: PUBLIC_NAMESPACE, name: repo.name });
  sql.get('DELETE FROM ecrpublic_repositories WHERE account = ? AND name = ?').run(repo.account, repo.name);
}

// --- the registry of an account and its alias --------------------------------------------------------------

/**
 * The default alias Berth gives an account's public registry: AWS makes up a random one (8 characters, e.g.
 * `k1v6p9w2`); Berth's comes from the account, so it is the same after a reset or in another data dir, and image
 * references written down keep working.
 */
export function defaultAlias(account: string): string {
  const hash = createHash('sha256').update(`berth ecr-public alias ${account}`).digest();
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = letters[hash[0] % letters.length];
  for (let i = 1; i < 8; i++) out += chars[hash[i] % chars.length];
  return out;
}

interface RawRegistry { account: string; alias: string; display_name: string; created_at: number }
const toRegistry = (r: RawRegistry): PublicRegistryRow => ({ account: r.account, alias: r.alias, displayName: r.display_name, createdAt: r.created_at });

/** The account's public registry, made on first use (every account has one on AWS). */
export function ensurePublicRegistry(sql: Statements, account: string, now: number): PublicRegistryRow {
  const row = sql.get('SELECT * FROM ecrpublic_registries WHERE account = ?').get(account) as RawRegistry | undefined;
  if (row) return toRegistry(row);
  const alias = defaultAlias(account);
  sql.get('INSERT INTO ecrpublic_registries (account, alias, display_name, created_at) VALUES (?, ?, ?, ?)').run(account, alias, '', now);
  return { account, alias, displayName: '', createdAt: now };
}

/** The registry an alias names (the first segment of a public image's path), if any account has it. */
export function publicRegistryByAlias(sql: Statements, alias: string): PublicRegistryRow | undefined {
  const row = sql.get('SELECT * FROM ecrpublic_registries WHERE alias = ?').get(alias) as RawRegistry | undefined;
  return row && toRegistry(row);
}

export function setPublicRegistryDisplayName(sql: Statements, account: string, displayName: string): void {
  sql.get('UPDATE ecrpublic_registries SET display_name = ? WHERE account = ?').run(displayName, account);
}
