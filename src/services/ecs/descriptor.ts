/**
 * Amazon ECS: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Berth's first migrations were ECS's, and 1, 2 and 5 also made the tables every service shares
 * (`tags`, `berth_meta`): released migrations are never edited, so they stay here.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const ECS = defineService({
  id: 'ecs',
  catalog: {
    sdkPackage: '@aws-sdk/client-ecs', clientName: 'ECSClient', protocol: 'awsJson1_1', apiVersion: '2014-11-13',
    signingNames: ['ecs'], targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    // ECS reports bad parameters as InvalidParameterException (a ClientException subtype).
    validationError: 'InvalidParameterException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['ecs_'] },
  arnServices: ['ecs'],
  changeKinds: [
    // key: the task's, service's or cluster's ARN (a cluster changes when its container instances do).
    'ecs.task', 'ecs.service', 'ecs.cluster',
    // A task's status or health moved (key: its ARN; the task lifecycle controller publishes it, its service re-plans).
    'ecs.task-state',
    // What a service shows moved (counts, deployments, events; key: its ARN): the service scheduler publishes it
    // after a pass that changed the service; no controller watches it (the console's live pages do).
    'ecs.service-status',
  ],
});

function migrations(): Migration[] {
  return [
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
      version: 25,
      name: 'ecs cluster counts: tasks by cluster, status and launch type',
      sql: `
      CREATE INDEX ecs_tasks_cluster_status ON ecs_tasks (account, region, cluster, last_status, launch_type);
    `,
    },
    {
      version: 27,
      name: 'ecs bounded storage: indexes for token expiry, task pruning and every list order',
      // Partial indexes: a list of live services (status != 'INACTIVE', as the queries say it) walks them in seq order.
      sql: `
      CREATE INDEX ecs_idempotency_created ON ecs_idempotency (operation, created_at);
      CREATE INDEX ecs_tasks_stopped ON ecs_tasks (stopped_at) WHERE last_status = 'STOPPED';
      CREATE INDEX ecs_services_live ON ecs_services (account, region, cluster, seq) WHERE status != 'INACTIVE';
      CREATE INDEX ecs_services_namespace ON ecs_services (account, region, namespace, seq) WHERE status != 'INACTIVE';
      CREATE INDEX ecs_container_instances_list ON ecs_container_instances (account, region, cluster, seq);
      CREATE INDEX ecs_service_deployments_order ON ecs_service_deployments (service_arn, created_at DESC, arn);
    `,
    },
    {
      version: 28,
      name: 'ecs client tokens by their first task (pruned with it)',
      sql: `
      CREATE INDEX ecs_idempotency_first_task ON ecs_idempotency (json_extract(response, '$[0]'));
    `,
    },
    {
      version: 31,
      name: 'ecs placement from indexes: task demand columns, instance usage and task groups, service events',
      // What a task takes from its instance is fixed when it is placed, so it is kept in columns; what an instance's
      // tasks take together (and how many of each task group it holds) is kept in ecs_instance_usage and
      // ecs_instance_groups, changed with a task's lastStatus in the same transaction: placement and
      // DescribeContainerInstances read one row per instance, never its tasks' documents. A task's host ports stay
      // on its row, found through a partial index of the tasks that hold some (at most one per port and engine). An
      // instance's own attributes are found by their target, not by scanning every cluster's.
      // Service events leave the service document for a table they are appended to.
      sql: `
      ALTER TABLE ecs_tasks ADD COLUMN cpu INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE ecs_tasks ADD COLUMN memory INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE ecs_tasks ADD COLUMN task_group TEXT NOT NULL DEFAULT '';
      ALTER TABLE ecs_tasks ADD COLUMN host_ports TEXT;
      UPDATE ecs_tasks SET
        cpu = CASE WHEN CAST(COALESCE(json_extract(doc, '$.cpu'), 0) AS INTEGER) != 0 THEN CAST(json_extract(doc, '$.cpu') AS INTEGER)
              ELSE COALESCE((SELECT SUM(CAST(COALESCE(json_extract(c.value, '$.cpu'), 0) AS INTEGER)) FROM json_each(doc, '$.containers') c), 0) END,
        memory = CASE WHEN CAST(COALESCE(json_extract(doc, '$.memory'), 0) AS INTEGER) != 0 THEN CAST(json_extract(doc, '$.memory') AS INTEGER)
              ELSE COALESCE((SELECT SUM(CAST(COALESCE(json_extract(c.value, '$.memory'), json_extract(c.value, '$.memoryReservation'), 0) AS INTEGER))
                             FROM json_each(doc, '$.containers') c), 0) END,
        task_group = COALESCE(json_extract(doc, '$.group'), ''),
        host_ports = json_extract(doc, '$.berthHostPorts');
      CREATE INDEX ecs_tasks_host_ports ON ecs_tasks (container_instance) WHERE host_ports IS NOT NULL AND last_status != 'STOPPED';

      ALTER TABLE ecs_container_instances ADD COLUMN engine TEXT NOT NULL DEFAULT '';
      UPDATE ecs_container_instances SET engine = COALESCE((SELECT json_extract(a.value, '$.value') FROM json_each(doc, '$.attributes') a
                                                            WHERE json_extract(a.value, '$.name') = 'berth.engine'), '');
      CREATE INDEX ecs_container_instances_engine ON ecs_container_instances (engine);
      CREATE INDEX ecs_attributes_target ON ecs_attributes (target_id);

      CREATE TABLE ecs_instance_usage (
        instance_arn TEXT PRIMARY KEY, cpu INTEGER NOT NULL, memory INTEGER NOT NULL,
        running INTEGER NOT NULL, pending INTEGER NOT NULL
      );
      INSERT INTO ecs_instance_usage (instance_arn, cpu, memory, running, pending)
        SELECT container_instance, SUM(cpu), SUM(memory), SUM(last_status = 'RUNNING'), SUM(last_status != 'RUNNING')
        FROM ecs_tasks WHERE container_instance IS NOT NULL AND last_status != 'STOPPED' GROUP BY container_instance;
      CREATE TABLE ecs_instance_groups (
        instance_arn TEXT NOT NULL, task_group TEXT NOT NULL, tasks INTEGER NOT NULL,
        PRIMARY KEY (instance_arn, task_group)
      );
      INSERT INTO ecs_instance_groups (instance_arn, task_group, tasks)
        SELECT container_instance, task_group, COUNT(*)
        FROM ecs_tasks WHERE container_instance IS NOT NULL AND last_status != 'STOPPED' GROUP BY container_instance, task_group;

      CREATE TABLE ecs_service_events (
        seq INTEGER PRIMARY KEY, service_arn TEXT NOT NULL, id TEXT NOT NULL, created_at TEXT NOT NULL, message TEXT NOT NULL
      );
      CREATE INDEX ecs_service_events_service ON ecs_service_events (service_arn, seq);
      INSERT INTO ecs_service_events (service_arn, id, created_at, message)
        SELECT s.arn, json_extract(e.value, '$.id'), json_extract(e.value, '$.createdAt'), json_extract(e.value, '$.message')
        FROM ecs_services s, json_each(s.doc, '$.events') e ORDER BY s.seq, e.key DESC;
      UPDATE ecs_services SET doc = json_remove(doc, '$.events') WHERE json_type(doc, '$.events') IS NOT NULL;
    `,
    },
    {
      version: 43,
      name: 'ecs cluster task counts kept as tasks change',
      // DescribeClusters' counts and statistics read one row per status and launch type, not an index entry per
      // task (a 50,000-task cluster counted 50,000 entries per call); tasks.ts moves a task between rows in the
      // transaction that changes its lastStatus. STOPPED tasks are not counted.
      sql: `
      CREATE TABLE ecs_cluster_task_counts (
        account TEXT NOT NULL, region TEXT NOT NULL, cluster TEXT NOT NULL, last_status TEXT NOT NULL,
        launch_type TEXT NOT NULL, tasks INTEGER NOT NULL,
        PRIMARY KEY (account, region, cluster, last_status, launch_type)
      );
      INSERT INTO ecs_cluster_task_counts (account, region, cluster, last_status, launch_type, tasks)
        SELECT account, region, cluster, last_status, COALESCE(launch_type, ''), COUNT(*)
        FROM ecs_tasks WHERE last_status != 'STOPPED' GROUP BY 1, 2, 3, 4, 5;
    `,
    },
    {
      // Issue 18: ECS's events for EventBridge, appended in the transaction that changes a task or service and
      // drained in order onto the default bus (store/tasks.ts: appendEcsEvent, takeEcsEvents).
      version: 56,
      name: 'ecs event outbox',
      sql: `
      CREATE TABLE ecs_event_outbox (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, detail_type TEXT NOT NULL,
        resources TEXT NOT NULL, detail TEXT NOT NULL, at REAL NOT NULL
      );
    `,
    },
    {
      version: 60,
      name: 'ecs express gateway services',
      // One row per Express service (its ARN is its ECS service's), with what Express made for it: the shared
      // load balancer is found through the rows of the same cluster and VPC.
      sql: `
      CREATE TABLE ecs_express_services (
        account TEXT NOT NULL, region TEXT NOT NULL, service_arn TEXT NOT NULL PRIMARY KEY,
        cluster TEXT NOT NULL, vpc_id TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX ecs_express_services_shared ON ecs_express_services (account, region, cluster, vpc_id, status);
      CREATE INDEX ecs_express_services_status ON ecs_express_services (status);
    `,
    },
    {
      // Issue 17: EC2 tasks waiting in PROVISIONING for a capacity provider's instances (no container instance yet):
      // the few rows the capacity placement controller reads each pass, whatever the number of tasks.
      version: 68,
      name: 'ecs tasks waiting for capacity',
      sql: `
      CREATE INDEX ecs_tasks_awaiting_capacity ON ecs_tasks (account, region, cluster, seq)
        WHERE last_status = 'PROVISIONING' AND container_instance IS NULL AND launch_type = 'EC2';
    `,
    },
    {
      // Issue 15: the metrics pass pages a cluster's RUNNING service tasks by seq. Through ecs_tasks_list it read
      // every RUNNING row of the cluster to find them: 40,000 standalone tasks beside 10,000 service tasks cost
      // 200 ms a minute. This index holds only the rows the pass wants.
      version: 86,
      name: 'ecs running service tasks index',
      sql: `
      CREATE INDEX ecs_tasks_running_service ON ecs_tasks (account, region, cluster, seq)
        WHERE last_status = 'RUNNING' AND service_name IS NOT NULL;
    `,
    },
    {
      // Issue 15: that index still sent the pass to each row for its ARN, service and desired status, and a row's
      // columns after its document (seq) cost a walk of the document's overflow pages: ~70 µs a task, 0.7-0.9 s a
      // minute at 10,000 service tasks. The index now holds every column the pass reads (no table row is visited).
      version: 87,
      name: 'ecs running service tasks index covers the metrics page',
      sql: `
      DROP INDEX ecs_tasks_running_service;
      CREATE INDEX ecs_tasks_running_service ON ecs_tasks (account, region, cluster, seq, desired_status, service_name, arn)
        WHERE last_status = 'RUNNING' AND service_name IS NOT NULL;
    `,
    },
  ];
}
