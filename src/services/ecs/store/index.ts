/**
 * ECS's front door for everything outside services/ecs: its tables and the
 * queries over them, each synchronous and run in the caller's transaction.
 * The ECS operations, the task-lifecycle and service-scheduler controllers,
 * the metadata endpoints and the load balancer's task resolver use ECS's
 * state only through here. Queries of a request's resources take a Scope
 * (account, region, sql); those controllers run by ARN take the Statements.
 *
 *   clusters, cluster-counts      clusters; their live counts and what blocks their deletion
 *   account-settings              per-principal account settings
 *   capacity-providers            user-created capacity providers and the clusters using them
 *   task-definitions              the one task-definition lookup (by reference in a scope, or by ARN)
 *   tasks                         task rows, ListTasks, RunTask idempotency
 *   services                      service rows, deployments, revisions, events
 *   container-instances, attributes
 *   instance-usage                what each instance's tasks take (CPU, memory, counts, task groups, host ports)
 *   engine-routing                which container engine runs a task (its container instance's berth.engine attribute)
 *   target-resolver               where the load balancer reaches a task (the port Berth published for it)
 */
export * from './docs.js';
export * from './clusters.js';
export * from './cluster-counts.js';
export * from './account-settings.js';
export * from './capacity-providers.js';
export * from './task-definitions.js';
export * from './tasks.js';
export * from './services.js';
export * from './container-instances.js';
export * from './instance-usage.js';
export * from './attributes.js';
export * from './engine-routing.js';
export * from './target-resolver.js';
