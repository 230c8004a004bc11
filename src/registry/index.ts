/**
 * The registry: OCI Distribution under /v2/ on Berth's port, over a blob
 * storage driver, with ECR's tables (services/ecr/store) in SQLite.
 * `createRegistry` wires it for one Berth (one data dir); app.ts hands the
 * same instance to the ECR API (each request's context carries it as a
 * `RegistryLink`) and to the image scan controller, so both front doors share
 * one blob store and one set of upload sessions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Db, Statements } from '../state/db.js';
import { registrySecret } from './auth.js';
import { BlobStore } from './blobs.js';
import { scheduleGarbageCollection } from './gc.js';
import type { PullThrough, UpstreamCredentialResolver } from './pull-through.js';
import type { StorageDriver } from './storage/driver.js';
import { FilesystemDriver } from './storage/filesystem.js';

export interface RegistryDeps {
  config: Config;
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  dataDir: string;
  /** Berth's endpoint (known once the port is bound): the registry host in repository URIs. */
  endpoint: () => string;
  /** The public registry's endpoint (ECR Public's public.ecr.aws; its own port, see http/public-handler.ts). */
  publicEndpoint?: () => string;
  driver?: StorageDriver;
  /** Where a push announces work for controllers (replication). */
  changes?: ChangeFeed;
  /**
   * Loads what reads a pull through cache rule's upstream credentials (its Secrets Manager secret): called once, with
   * the /v2/ surface, on the registry's first request.
   */
  upstreamCredentials?: () => Promise<UpstreamCredentialResolver>;
  /** With --enforce-iam: each pull and push is authorized as the token's principal (issue 23). */
  authorize?: RegistryAuthorize;
}

/**
 * The denial message when `caller` may not perform `action` on the repository `resource` (whose policy the registry
 * has read: null when it has none); undefined when allowed.
 */
export type RegistryAuthorize = (
  caller: { account: string; principalArn: string; accessKeyId: string; roleArn?: string }, action: string, resource: string,
  repositoryPolicy: string | null, sourceIp: string | undefined,
) => string | undefined;

export interface Registry {
  config: Config;
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  blobs: BlobStore;
  /** Signs registry tokens and pre-signed layer URLs. */
  secret: Buffer;
  endpoint: () => string;
  /** The public registry's endpoint: the host of ECR Public's repository URIs. */
  publicEndpoint: () => string;
  changes?: ChangeFeed;
  /** Pull through cache rules: consulted when a pull misses (pull-through.ts); set with the /v2/ surface. */
  pullThrough?: PullThrough;
  /** The /v2/ request handler (streams bodies itself). */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The public registry's request handler (every path of its port: /v2/, /token/, /logo/). */
  handlePublic: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** With --enforce-iam: IAM's decision on a pull or push (RegistryDeps.authorize). */
  authorize?: RegistryAuthorize;
}

export async function createRegistry(deps: RegistryDeps): Promise<Registry> {
  const driver = deps.driver ?? new FilesystemDriver(join(deps.dataDir, 'registry'));
  const blobs = new BlobStore(driver, deps.db, deps.sql, deps.clock);
  await blobs.purgeStaleUploads();
  const registry: Registry = {
    config: deps.config, db: deps.db, sql: deps.sql, clock: deps.clock, log: deps.log,
    blobs, secret: registrySecret(deps.db), endpoint: deps.endpoint, publicEndpoint: deps.publicEndpoint ?? (() => ''),
    changes: deps.changes, handle: async () => undefined, handlePublic: async () => undefined, authorize: deps.authorize,
  };
  // The /v2/ surface (its routes, pull through) is loaded on the registry's first request: Berth's start-up (its
  // ready line) does not wait for modules a run that never pushes or pulls would not use.
  let surface: Promise<Registry['handle']> | undefined;
  registry.handle = async (req, res) => (await (surface ??= loadSurface(registry, deps)))(req, res);
  let publicSurface: Promise<Registry['handle']> | undefined;
  registry.handlePublic = async (req, res) =>
    (await (publicSurface ??= import('./http/public-handler.js').then((m) => m.publicRegistryHandler(registry))))(req, res);
  scheduleGarbageCollection(registry);
  return registry;
}

async function loadSurface(registry: Registry, deps: RegistryDeps): Promise<Registry['handle']> {
  const [{ registryHandler }, { UpstreamPullThrough }, credentials] = await Promise.all([
    import('./http/handler.js'), import('./pull-through.js'), deps.upstreamCredentials?.(),
  ]);
  registry.pullThrough = new UpstreamPullThrough(registry, credentials);
  return registryHandler(registry);
}

/**
 * What the ECR APIs use of the registry: the blob store and upload sessions it
 * shares with /v2/ (the layer API), the secret that signs download URLs and
 * tokens, and Berth's endpoints (the registry hosts in repository URIs).
 */
export type RegistryLink = Pick<Registry, 'blobs' | 'secret' | 'endpoint' | 'publicEndpoint'>;
