/**
 * ECR repository creation templates (migration 23): the settings a
 * repository gets when ECR creates it on the caller's behalf — by a pull
 * through cache rule, by replication, or (CREATE_ON_PUSH) by a push to a
 * repository that does not exist yet.
 *
 * Matching, as ECR documents it: a template's prefix `prod` covers the
 * repositories under `prod/` (a trailing `/` is always assumed), the longest
 * covering prefix wins, and `ROOT` covers every repository no other template
 * covers. Only templates whose `appliedFor` lists the scenario take part.
 * The settings are applied once, at creation; changing or deleting a
 * template never touches repositories it created.
 *
 * The provider (services/ecr/creation-templates.ts) validates templates;
 * this file stores them and applies them. Synchronous, inside the caller's
 * transaction.
 */
import { awsManagedKeyArn } from './managed-key.js';
import type { RepositoryCreationTemplate } from '@aws-sdk/client-ecr';
import { arn } from '../../../shared/arns.js';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { getRepo, insertRepo, setRepoPolicy, type RepoRow, type RepositorySettings } from './repositories.js';
import type { RepoRef } from '../../../registry/names.js';

export type TemplateScenario = 'PULL_THROUGH_CACHE' | 'REPLICATION' | 'CREATE_ON_PUSH';

export const ROOT_PREFIX = 'ROOT';

/** A template as stored: the SDK shape, with times as epoch milliseconds. */
export interface StoredTemplate extends Omit<RepositoryCreationTemplate, 'createdAt' | 'updatedAt'> {
  prefix: string;
  createdAt: number;
  updatedAt: number;
}

/** The key a prefix is stored and looked up under (`prod/` and `prod` are one template). */
export const prefixKey = (prefix: string) => (prefix === ROOT_PREFIX ? prefix : prefix.replace(/\/+$/, ''));

export function getTemplate({ sql, account, region }: Scope, prefix: string): StoredTemplate | undefined {
  const doc = sql.get('SELECT doc FROM ecr_creation_templates WHERE account = ? AND region = ? AND prefix = ?')
    .pluck().get(account, region, prefixKey(prefix)) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** Every template of a registry, oldest first. */
export function listTemplates({ sql, account, region }: Scope): StoredTemplate[] {
  return (sql.get('SELECT doc FROM ecr_creation_templates WHERE account = ? AND region = ? ORDER BY seq')
    .pluck().all(account, region) as string[]).map((d) => JSON.parse(d));
}

/** Inserts or replaces (keeping its place in the list). */
export function saveTemplate({ sql, account, region }: Scope, t: StoredTemplate): void {
  const key = prefixKey(t.prefix);
  const seq = (sql.get('SELECT seq FROM ecr_creation_templates WHERE account = ? AND region = ? AND prefix = ?').pluck().get(account, region, key) as number | undefined)
    ?? (sql.get('SELECT COALESCE(MAX(seq), 0) + 1 FROM ecr_creation_templates').pluck().get() as number);
  sql.get(
    `INSERT INTO ecr_creation_templates (account, region, prefix, doc, seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account, region, prefix) DO UPDATE SET doc = excluded.doc`,
  ).run(account, region, key, JSON.stringify(t), seq);
}

export function deleteTemplate({ sql, account, region }: Scope, prefix: string): void {
  sql.get('DELETE FROM ecr_creation_templates WHERE account = ? AND region = ? AND prefix = ?').run(account, region, prefixKey(prefix));
}

/** The template that applies to a repository ECR creates in `scenario`, if any. */
export function templateFor(sql: Statements, ref: RepoRef, scenario: TemplateScenario): StoredTemplate | undefined {
  let best: StoredTemplate | undefined;
  let bestLength = -1;
  for (const t of listTemplates({ sql, account: ref.account, region: ref.region })) {
    if (!t.appliedFor?.includes(scenario)) continue;
    const key = prefixKey(t.prefix);
    const length = key === ROOT_PREFIX ? 0 : ref.name.startsWith(`${key}/`) ? key.length : -1;
    if (length > bestLength) {
      best = t;
      bestLength = length;
    }
  }
  return best;
}

/** What a repository created from the template gets (scanning is left to the registry's scanning rules). */
export function templateSettings(t: StoredTemplate, ref: RepoRef): RepositorySettings {
  const enc = t.encryptionConfiguration;
  const type = enc?.encryptionType ?? 'AES256';
  return {
    imageTagMutability: t.imageTagMutability ?? 'MUTABLE',
    ...(t.imageTagMutabilityExclusionFilters?.length
      ? { imageTagMutabilityExclusionFilters: t.imageTagMutabilityExclusionFilters as RepositorySettings['imageTagMutabilityExclusionFilters'] }
      : {}),
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: type === 'AES256'
      ? { encryptionType: type }
      : { encryptionType: type, kmsKey: enc?.kmsKey || awsManagedKeyArn(ref.account, ref.region) },
  };
}

export interface CreatedRepository {
  repo: RepoRow;
  /** The template applied, if one matched. */
  template?: StoredTemplate;
  /** A lifecycle policy came with the template: the ecr-lifecycle controller should hear of `key`. */
  lifecyclePolicyKey?: string;
}

/**
 * Creates the repository ECR makes on the caller's behalf: with the matching
 * template's settings, tags, repository policy and lifecycle policy, or else
 * with `fallback` (ECR's defaults, or for replication the source's settings).
 */
export function createRepositoryFor(
  sql: Statements, ref: RepoRef, now: number, scenario: TemplateScenario, fallback: RepositorySettings,
): CreatedRepository {
  const existing = getRepo(sql, ref);
  if (existing) return { repo: existing };
  const template = templateFor(sql, ref, scenario);
  const repoArn = arn('ecr', ref.region, ref.account, `repository/${ref.name}`);
  let repo = insertRepo(sql, ref, repoArn, now, template ? templateSettings(template, ref) : fallback);
  if (!template) return { repo };

  if (template.resourceTags?.length) {
    const upsert = sql.get('INSERT INTO tags (arn, key, value, seq) VALUES (?, ?, ?, ?) ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value');
    template.resourceTags.forEach((t, i) => upsert.run(repoArn, t.Key, t.Value ?? '', i + 1));
  }
  if (template.repositoryPolicy) {
    setRepoPolicy(sql, ref, template.repositoryPolicy);
    repo = { ...repo, policy: template.repositoryPolicy };
  }
  let lifecyclePolicyKey: string | undefined;
  if (template.lifecyclePolicy) {
    // Stored as PutLifecyclePolicy stores it (store/lifecycle.ts): due at once.
    sql.get(
      `INSERT INTO ecr_lifecycle_policies (account, region, repo, policy_text, updated_at, evaluated_at, dirty) VALUES (?, ?, ?, ?, ?, NULL, 1)
       ON CONFLICT (account, region, repo) DO UPDATE SET policy_text = excluded.policy_text, updated_at = excluded.updated_at, dirty = 1`,
    ).run(ref.account, ref.region, ref.name, template.lifecyclePolicy, now);
    lifecyclePolicyKey = `${ref.account}|${ref.region}|${ref.name}`;
  }
  return { repo, template, lifecyclePolicyKey };
}

/**
 * CREATE_ON_PUSH: a push to a repository that does not exist creates it when
 * a template with that scenario covers the name; otherwise the push fails as
 * on ECR (undefined: the caller answers that the repository does not exist).
 */
export function createOnPush(sql: Statements, ref: RepoRef, now: number): CreatedRepository | undefined {
  const existing = getRepo(sql, ref);
  if (existing) return { repo: existing };
  const template = templateFor(sql, ref, 'CREATE_ON_PUSH');
  return template ? createRepositoryFor(sql, ref, now, 'CREATE_ON_PUSH', templateSettings(template, ref)) : undefined;
}
