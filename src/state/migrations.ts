/**
 * The schema, as an ordered list of migrations. Never edit a released entry:
 * add a new one. Resources are rows keyed by (account, region, …) with the
 * SDK-shaped object in `doc` (JSON), plus the columns queries filter on.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tags and ecs control plane',
    sql: `
      CREATE TABLE tags (
        arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (arn, key)
      );
      CREATE TABLE ecs_clusters (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE, status TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE ecs_task_definitions (
        account TEXT NOT NULL, region TEXT NOT NULL, family TEXT NOT NULL, revision INTEGER NOT NULL,
        status TEXT NOT NULL, doc TEXT NOT NULL, registered_at REAL NOT NULL,
        PRIMARY KEY (account, region, family, revision)
      );
      CREATE INDEX ecs_task_definitions_status ON ecs_task_definitions (account, region, status, family, revision);
      CREATE TABLE ecs_capacity_providers (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        arn TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE ecs_attributes (
        account TEXT NOT NULL, region TEXT NOT NULL, cluster TEXT NOT NULL,
        target_type TEXT NOT NULL, target_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT,
        PRIMARY KEY (account, region, cluster, target_id, name)
      );
      CREATE TABLE ecs_account_settings (
        account TEXT NOT NULL, region TEXT NOT NULL, principal_arn TEXT NOT NULL,
        name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (account, region, principal_arn, name)
      );
    `,
  },
  {
    version: 2,
    name: 'ecs tasks, idempotency tokens, berth meta',
    sql: `
      CREATE TABLE berth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE ecs_tasks (
        account TEXT NOT NULL, region TEXT NOT NULL, cluster TEXT NOT NULL, task_id TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE, family TEXT, started_by TEXT, service_name TEXT, launch_type TEXT,
        container_instance TEXT, desired_status TEXT NOT NULL, last_status TEXT NOT NULL,
        doc TEXT NOT NULL, created_at REAL NOT NULL, stopped_at REAL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, task_id)
      );
      CREATE INDEX ecs_tasks_list ON ecs_tasks (account, region, cluster, desired_status, seq);
      CREATE INDEX ecs_tasks_unfinished ON ecs_tasks (last_status);
      CREATE TABLE ecs_idempotency (
        account TEXT NOT NULL, region TEXT NOT NULL, operation TEXT NOT NULL, token TEXT NOT NULL,
        response TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (account, region, operation, token)
      );
    `,
  },
  {
    version: 3,
    name: 'ecr repositories and the registry (manifests, tags, blobs)',
    sql: `
      CREATE TABLE ecr_repositories (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE, created_at REAL NOT NULL, doc TEXT NOT NULL, policy TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE ecr_registry_policies (
        account TEXT NOT NULL, region TEXT NOT NULL, policy TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
      CREATE TABLE registry_blobs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at REAL NOT NULL);
      CREATE TABLE registry_repo_blobs (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        PRIMARY KEY (account, region, repo, digest)
      );
      CREATE INDEX registry_repo_blobs_digest ON registry_repo_blobs (digest);
      CREATE TABLE registry_manifests (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        media_type TEXT NOT NULL, artifact_type TEXT, subject TEXT, image_size INTEGER NOT NULL,
        body BLOB NOT NULL, pushed_at REAL NOT NULL, last_pulled_at REAL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, repo, digest)
      );
      CREATE INDEX registry_manifests_subject ON registry_manifests (account, region, repo, subject);
      CREATE TABLE registry_manifest_refs (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        ref TEXT NOT NULL, kind TEXT NOT NULL,
        PRIMARY KEY (account, region, repo, digest, ref)
      );
      CREATE INDEX registry_manifest_refs_ref ON registry_manifest_refs (account, region, repo, ref);
      CREATE TABLE registry_tags (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, tag TEXT NOT NULL,
        digest TEXT NOT NULL, updated_at REAL NOT NULL,
        PRIMARY KEY (account, region, repo, tag)
      );
      CREATE INDEX registry_tags_digest ON registry_tags (account, region, repo, digest);
    `,
  },
  {
    version: 5,
    name: 'indexes for list order and sequence allocation',
    sql: `
      CREATE INDEX ecs_clusters_list ON ecs_clusters (account, region, status, seq);
      CREATE INDEX ecs_clusters_seq ON ecs_clusters (seq);
      CREATE INDEX ecs_capacity_providers_seq ON ecs_capacity_providers (seq);
      CREATE INDEX ecs_tasks_seq ON ecs_tasks (seq);
      CREATE INDEX tags_seq ON tags (arn, seq);
    `,
  },
];
