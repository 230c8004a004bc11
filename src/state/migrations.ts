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
  {
    version: 6,
    name: 'cloudwatch logs (groups, streams, events) and the awslogs shipper cursors',
    sql: `
      CREATE TABLE logs_groups (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        created_at INTEGER NOT NULL, retention_days INTEGER, kms_key_id TEXT, log_group_class TEXT NOT NULL,
        deletion_protection INTEGER NOT NULL DEFAULT 0, stored_bytes INTEGER NOT NULL DEFAULT 0,
        next_seq INTEGER NOT NULL DEFAULT 1,
        UNIQUE (account, region, name)
      );
      CREATE TABLE logs_streams (
        id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL,
        first_event_ts INTEGER, last_event_ts INTEGER, last_ingestion_time INTEGER,
        stored_bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (group_id, name)
      );
      CREATE INDEX logs_streams_last_event ON logs_streams (group_id, last_event_ts, name);
      CREATE TABLE logs_events (
        group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL,
        ingested_at INTEGER NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (group_id, stream_id, ts, seq)
      ) WITHOUT ROWID;
      CREATE INDEX logs_events_group_time ON logs_events (group_id, ts, seq);
      CREATE TABLE logs_shipper_cursors (
        container_id TEXT PRIMARY KEY, task_arn TEXT NOT NULL,
        last_ts INTEGER NOT NULL, count_at_ts INTEGER NOT NULL
      );
      CREATE INDEX logs_shipper_cursors_task ON logs_shipper_cursors (task_arn);
    `,
  },
  {
    version: 9,
    name: 'ecs services, service deployments and revisions',
    sql: `
      CREATE TABLE ecs_services (
        account TEXT NOT NULL, region TEXT NOT NULL, cluster TEXT NOT NULL, name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE, status TEXT NOT NULL, launch_type TEXT, scheduling_strategy TEXT NOT NULL,
        namespace TEXT, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, cluster, name)
      );
      CREATE INDEX ecs_services_list ON ecs_services (account, region, cluster, status, seq);
      CREATE INDEX ecs_services_seq ON ecs_services (seq);
      CREATE TABLE ecs_service_deployments (
        arn TEXT PRIMARY KEY, service_arn TEXT NOT NULL, deployment_id TEXT NOT NULL, status TEXT NOT NULL,
        created_at REAL NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX ecs_service_deployments_service ON ecs_service_deployments (service_arn, created_at);
      CREATE TABLE ecs_service_revisions (
        arn TEXT PRIMARY KEY, service_arn TEXT NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX ecs_tasks_service ON ecs_tasks (account, region, cluster, service_name, last_status);
    `,
  },
  {
    version: 4,
    name: 'ec2 networking (vpcs, subnets, security groups, enis, gateways, route tables, acls, tags)',
    sql: `
      CREATE TABLE ec2_networks (
        account TEXT NOT NULL, region TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
      CREATE TABLE ec2_resources (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
        vpc_id TEXT, parent_id TEXT, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE INDEX ec2_resources_kind ON ec2_resources (account, region, kind, seq);
      CREATE INDEX ec2_resources_vpc ON ec2_resources (account, region, vpc_id, kind);
      CREATE INDEX ec2_resources_parent ON ec2_resources (account, region, parent_id, kind);
      CREATE INDEX ec2_resources_seq ON ec2_resources (seq);
      CREATE TABLE ec2_tags (
        account TEXT NOT NULL, region TEXT NOT NULL, resource_id TEXT NOT NULL, resource_type TEXT NOT NULL,
        key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, resource_id, key)
      );
      CREATE INDEX ec2_tags_seq ON ec2_tags (seq);
      CREATE TABLE ec2_addresses (
        account TEXT NOT NULL, region TEXT NOT NULL, subnet_id TEXT NOT NULL, ip TEXT NOT NULL, eni_id TEXT NOT NULL,
        PRIMARY KEY (account, region, subnet_id, ip)
      );
      CREATE INDEX ec2_addresses_eni ON ec2_addresses (account, region, eni_id);
    `,
  },
  {
    version: 7,
    name: 'elastic load balancing v2: load balancers, target groups, listeners, rules, targets',
    sql: `
      CREATE TABLE elbv2_load_balancers (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        type TEXT NOT NULL, dns_name TEXT NOT NULL, doc TEXT NOT NULL, attributes TEXT NOT NULL, seq INTEGER NOT NULL,
        UNIQUE (account, region, name)
      );
      CREATE INDEX elbv2_load_balancers_list ON elbv2_load_balancers (account, region, seq);
      CREATE TABLE elbv2_target_groups (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        doc TEXT NOT NULL, attributes TEXT NOT NULL, seq INTEGER NOT NULL,
        UNIQUE (account, region, name)
      );
      CREATE INDEX elbv2_target_groups_list ON elbv2_target_groups (account, region, seq);
      CREATE TABLE elbv2_listeners (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, lb_arn TEXT NOT NULL,
        port INTEGER NOT NULL, protocol TEXT NOT NULL, doc TEXT NOT NULL, attributes TEXT NOT NULL,
        bound_port INTEGER, seq INTEGER NOT NULL,
        UNIQUE (lb_arn, port)
      );
      CREATE TABLE elbv2_rules (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, listener_arn TEXT NOT NULL,
        priority INTEGER, doc TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX elbv2_rules_listener ON elbv2_rules (listener_arn, priority);
      CREATE TABLE elbv2_forwards (
        owner_arn TEXT NOT NULL, tg_arn TEXT NOT NULL, lb_arn TEXT NOT NULL,
        PRIMARY KEY (owner_arn, tg_arn)
      );
      CREATE INDEX elbv2_forwards_tg ON elbv2_forwards (tg_arn);
      CREATE TABLE elbv2_targets (
        tg_arn TEXT NOT NULL, id TEXT NOT NULL, port INTEGER NOT NULL, az TEXT,
        state TEXT NOT NULL, reason TEXT, description TEXT, registered_at REAL NOT NULL,
        healthy_since REAL, drain_until REAL, seq INTEGER NOT NULL,
        PRIMARY KEY (tg_arn, id, port)
      );
      CREATE TABLE elbv2_generation (id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);
      INSERT INTO elbv2_generation (id, gen) VALUES (1, 0);
    `,
  },
  {
    version: 10,
    name: 'ssm parameter store: parameters and their versions',
    sql: `
      CREATE TABLE ssm_parameters (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        version INTEGER NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE ssm_parameter_versions (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
        value TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region, name, version)
      );
    `,
  },
  {
    version: 11,
    name: 'secrets manager: secrets and their versions',
    sql: `
      CREATE TABLE secretsmanager_secrets (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL, deleted_at REAL, purge_at REAL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE secretsmanager_secret_versions (
        arn TEXT NOT NULL, version_id TEXT NOT NULL, string_value TEXT, binary_value BLOB,
        stages TEXT NOT NULL, created_at REAL NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (arn, version_id)
      );
    `,
  },
  {
    version: 12,
    name: 'efs file systems, access points and mount targets',
    sql: `
      CREATE TABLE efs_file_systems (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, creation_token TEXT NOT NULL,
        state TEXT NOT NULL, doc TEXT NOT NULL, policy TEXT, lifecycle TEXT, backup TEXT, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id),
        UNIQUE (account, region, creation_token)
      );
      CREATE INDEX efs_file_systems_list ON efs_file_systems (account, region, seq);
      CREATE TABLE efs_access_points (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, fs_id TEXT NOT NULL, client_token TEXT NOT NULL,
        state TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id),
        UNIQUE (account, region, client_token)
      );
      CREATE INDEX efs_access_points_fs ON efs_access_points (account, region, fs_id, seq);
      CREATE TABLE efs_mount_targets (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, fs_id TEXT NOT NULL, subnet_id TEXT NOT NULL,
        vpc_id TEXT NOT NULL, az TEXT NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE INDEX efs_mount_targets_fs ON efs_mount_targets (account, region, fs_id, seq);
    `,
  },
  {
    version: 15,
    name: 'iam: roles, their inline and attached policies, customer managed policies',
    sql: `
      CREATE TABLE iam_roles (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, role_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
      CREATE TABLE iam_role_policies (
        account TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, policy_name TEXT NOT NULL,
        document TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, role_name, policy_name)
      );
      CREATE TABLE iam_role_attached_policies (
        account TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, role_name, policy_arn)
      );
      CREATE INDEX iam_role_attached_policies_arn ON iam_role_attached_policies (policy_arn);
      CREATE TABLE iam_policies (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, arn TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
        document TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
    `,
  },
  {
    version: 16,
    name: 'sts: temporary credentials (sessions) and task role credential ids',
    sql: `
      CREATE TABLE sts_sessions (
        access_key_id TEXT PRIMARY KEY, secret_access_key TEXT NOT NULL, session_token TEXT NOT NULL,
        account TEXT NOT NULL, arn TEXT NOT NULL, user_id TEXT NOT NULL, role_arn TEXT, source TEXT,
        created_at REAL NOT NULL, expires_at REAL NOT NULL
      );
      CREATE INDEX sts_sessions_source ON sts_sessions (source, expires_at);
      CREATE INDEX sts_sessions_expiry ON sts_sessions (expires_at);
      CREATE TABLE sts_task_credentials (
        id TEXT PRIMARY KEY, task_arn TEXT NOT NULL UNIQUE, account TEXT NOT NULL, role_arn TEXT NOT NULL,
        token TEXT NOT NULL, created_at REAL NOT NULL
      );
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
    version: 17,
    name: 'ecs container instances',
    sql: `
      CREATE TABLE ecs_container_instances (
        account TEXT NOT NULL, region TEXT NOT NULL, cluster TEXT NOT NULL, id TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE, status TEXT NOT NULL, ec2_instance_id TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, cluster, id)
      );
      CREATE INDEX ecs_container_instances_seq ON ecs_container_instances (seq);
      CREATE INDEX ecs_tasks_instance ON ecs_tasks (container_instance, last_status);
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
    version: 20,
    name: 'acm certificates',
    sql: `
      CREATE TABLE acm_certificates (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, type TEXT NOT NULL,
        doc TEXT NOT NULL, certificate TEXT NOT NULL, private_key TEXT NOT NULL, chain TEXT,
        issue_at REAL, idempotency_token TEXT, request_hash TEXT, created_at REAL NOT NULL,
        version INTEGER NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX acm_certificates_list ON acm_certificates (account, region, seq);
    `,
  },
  {
    version: 21,
    name: 'elastic load balancing v2 listener certificates',
    sql: `
      CREATE TABLE elbv2_listener_certificates (
        listener_arn TEXT NOT NULL, lb_arn TEXT NOT NULL, certificate_arn TEXT NOT NULL,
        is_default INTEGER NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (listener_arn, certificate_arn)
      );
      CREATE INDEX elbv2_listener_certificates_cert ON elbv2_listener_certificates (certificate_arn);
    `,
  },
  {
    version: 22,
    name: 's3 buckets, objects and multipart uploads (bodies are files under s3/objects)',
    sql: `
      CREATE TABLE s3_buckets (
        name TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, created_at REAL NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX s3_buckets_account ON s3_buckets (account, name);
      CREATE TABLE s3_objects (
        bucket TEXT NOT NULL, key TEXT NOT NULL, file TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
        last_modified REAL NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (bucket, key)
      ) WITHOUT ROWID;
      CREATE TABLE s3_uploads (
        upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated REAL NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, initiated);
      CREATE TABLE s3_upload_parts (
        upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, file TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
        last_modified REAL NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (upload_id, part_number)
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
    version: 25,
    name: 'ecs cluster counts: tasks by cluster, status and launch type',
    sql: `
      CREATE INDEX ecs_tasks_cluster_status ON ecs_tasks (account, region, cluster, last_status, launch_type);
    `,
  },
];
