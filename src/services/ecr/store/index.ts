/**
 * ECR's front door for everything outside services/ecr: its tables and the
 * queries over them, each synchronous and run in the caller's transaction.
 * The registry's /v2/ surface, its blob store and GC, the ECR controllers,
 * reset and snapshots use ECR's state only through here. Registry-wide rows
 * take a Scope (account, region, sql); a repository's rows take the
 * repository's RepoRef, which may be another account's.
 *
 *   repositories    repositories and their settings and policy
 *   blobs           which blobs exist and which repository may serve which (and GC's queries)
 *   manifests       manifests, what they reference, tags, storage class
 *   images          a push or PutImage stores a manifest; an image delete (rules both front doors share)
 *   policy          repository and registry policy documents: parse and evaluate
 *   settings        account settings, pull time exclusions, registry policy, signing configuration
 *   creation-templates, pull-through-rules, replication, replication-backfill, scans, lifecycle
 */
export * from './repositories.js';
export * from './blobs.js';
export * from './manifests.js';
export * from './images.js';
export * from './policy.js';
export * from './settings.js';
export * from './creation-templates.js';
export * from './pull-through-rules.js';
export * from './replication.js';
export * from './replication-backfill.js';
export * from './scans.js';
export * from './lifecycle.js';
