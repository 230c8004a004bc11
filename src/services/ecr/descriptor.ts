/**
 * Amazon ECR: Berth's descriptor of the service (see ../service-descriptor.ts).
 * The registry's tables (`registry_*`: manifests, tags, blobs) are ECR's too: its images.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const ECR = defineService({
  id: 'ecr',
  catalog: {
    sdkPackage: '@aws-sdk/client-ecr', clientName: 'ECRClient', protocol: 'awsJson1_1', apiVersion: '2015-09-21',
    signingNames: ['ecr'], targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    validationError: 'InvalidParameterException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['registry'], tablePrefixes: ['ecr_', 'registry_'] },
  arnServices: ['ecr'],
  changeKinds: [
    // A lifecycle policy was put (key: account|region|repo), a preview started (same key), a scan requested (…|digest).
    'ecr.lifecycle-policy', 'ecr.lifecycle-preview', 'ecr.image-scan',
    // A pushed image has replications to run (key: account|region|repo|digest).
    'ecr.replication',
    // An image was pushed or deleted, or a scan finished (key: account|region): its "ECR Image Action" or "ECR Image
    // Scan" event waits in the outbox.
    'ecr.image-action',
    // A repository was created or deleted (key: its ARN); no controller watches it, the console's pages do.
    'ecr.repository',
  ],
});

function migrations(): Migration[] {
  return [
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
        linked_at REAL NOT NULL,
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
      version: 13,
      name: 'ecr lifecycle policies and their previews',
      sql: `
      CREATE TABLE ecr_lifecycle_policies (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, policy_text TEXT NOT NULL,
        updated_at REAL NOT NULL, evaluated_at REAL, dirty INTEGER NOT NULL,
        PRIMARY KEY (account, region, repo)
      );
      CREATE TABLE ecr_lifecycle_previews (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, policy_text TEXT NOT NULL,
        status TEXT NOT NULL, started_at REAL NOT NULL, results TEXT,
        PRIMARY KEY (account, region, repo)
      );
    `,
    },
    {
      version: 14,
      name: 'ecr image scans and registry scanning configuration',
      sql: `
      CREATE TABLE ecr_image_scans (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        status TEXT NOT NULL, description TEXT, started_at REAL NOT NULL, completed_at REAL,
        source_updated_at REAL, findings TEXT,
        PRIMARY KEY (account, region, repo, digest)
      );
      CREATE INDEX ecr_image_scans_status ON ecr_image_scans (status);
      CREATE TABLE ecr_registry_scanning (
        account TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
    `,
    },
    {
      version: 18,
      name: 'ecr replication: registry replication configuration and per-destination image replication status',
      sql: `
      CREATE TABLE ecr_replication_configs (
        account TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
      CREATE TABLE ecr_replication_statuses (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        dest_account TEXT NOT NULL, dest_region TEXT NOT NULL, status TEXT NOT NULL, failure_code TEXT,
        queued_at REAL NOT NULL, updated_at REAL NOT NULL,
        PRIMARY KEY (account, region, repo, digest, dest_account, dest_region)
      );
      CREATE INDEX ecr_replication_statuses_status ON ecr_replication_statuses (status);
    `,
    },
    {
      version: 19,
      name: 'ecr pull through cache rules and when each cached tag was last checked upstream',
      sql: `
      CREATE TABLE ecr_pull_through_rules (
        account TEXT NOT NULL, region TEXT NOT NULL, prefix TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, prefix)
      );
      CREATE TABLE ecr_pull_through_tags (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, tag TEXT NOT NULL, checked_at REAL NOT NULL,
        PRIMARY KEY (account, region, repo, tag)
      );
    `,
    },
    {
      version: 23,
      name: 'ecr repository creation templates, account settings, signing configuration, pull time update exclusions',
      sql: `
      CREATE TABLE ecr_creation_templates (
        account TEXT NOT NULL, region TEXT NOT NULL, prefix TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, prefix)
      );
      CREATE TABLE ecr_account_settings (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE ecr_signing_configs (
        account TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
      CREATE TABLE ecr_pull_time_exclusions (
        account TEXT NOT NULL, region TEXT NOT NULL, principal_arn TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, principal_arn)
      );
    `,
    },
    {
      version: 24,
      name: 'ecr image storage class (archive) and replication backfills',
      sql: `
      ALTER TABLE registry_manifests ADD COLUMN image_status TEXT NOT NULL DEFAULT 'ACTIVE';
      ALTER TABLE registry_manifests ADD COLUMN last_archived_at REAL;
      ALTER TABLE registry_manifests ADD COLUMN last_activated_at REAL;
      CREATE TABLE ecr_replication_backfills (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
        dest_account TEXT NOT NULL, dest_region TEXT NOT NULL, status TEXT NOT NULL, failure_code TEXT,
        started_at REAL NOT NULL, ended_at REAL, total INTEGER, seq INTEGER NOT NULL
      );
      CREATE INDEX ecr_replication_backfills_registry ON ecr_replication_backfills (account, region, seq);
      CREATE TABLE ecr_replication_backfill_items (
        backfill_id TEXT NOT NULL, n INTEGER NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL, tag TEXT,
        status TEXT NOT NULL, failure_code TEXT,
        PRIMARY KEY (backfill_id, n)
      );
    `,
    },
    {
      // Issue 18: ECR's "ECR Image Action" events for EventBridge, appended with the push or delete that makes them
      // (store/images.ts) and drained in order onto the default bus.
      version: 58,
      name: 'ecr event outbox',
      sql: `
      CREATE TABLE ecr_event_outbox (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, detail TEXT NOT NULL, at REAL NOT NULL
      );
    `,
    },
  ];
}
