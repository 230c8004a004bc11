/**
 * What a service provider is: a table of AWS operations, each a synchronous
 * function of the request context and the parsed input, returning SDK-shaped
 * output. The gateway runs each call in one SQLite transaction. Providers
 * record desired state only; controllers do container work.
 */
import type { RegistryLink } from '../registry/index.js';
import type { Db, Statements } from '../state/db.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeKind } from '../state/change-feed.js';

export interface RequestContext {
  account: string;
  region: string;
  requestId: string;
  /** The caller's ARN (root of the account unless the key maps to a role). */
  principalArn: string;
  /** A role session's unique id (`AROA…:<session>`), as AWS names the caller (SQS's SenderId); absent for long-term keys. */
  principalId?: string;
  accessKeyId: string;
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  /**
   * Real seconds per CloudWatch minute (`--metrics-period`; 60 when absent): CloudWatch keeps
   * AWS's units on the wire and runs its periods this much faster or slower.
   */
  metricsPeriod?: number;
  /** Records that a resource changed; published to controllers once the transaction commits. */
  changed(kind: ChangeKind, key: string): void;
  /**
   * The OCI registry this Berth serves (ECR's layer API, download URLs and
   * repository URIs reach it here). Absent only in unit-test contexts that run
   * no registry.
   */
  registry?: RegistryLink;
  /** The Host header the client reached Berth with (SQS queue URLs name it). */
  host?: string;
  /**
   * Committed changes as they are published (SQS long polling waits on them). Absent in
   * unit-test contexts; an operation that waits then only waits for its deadline.
   */
  changes?: { subscribe(fn: (kind: ChangeKind, key: string) => void): () => void };
}

/**
 * An operation that must wait for something (SQS long polling) returns `Later`: the gateway
 * commits the call's transaction, then awaits `run`, which opens its own transactions
 * (`ctx.db.transaction`) when what it waits for has happened.
 */
export class Later<T = unknown> {
  constructor(readonly run: () => Promise<T>) {}
}

export type OperationFn = (ctx: RequestContext, input: any) => unknown;

/** Operation name in lowerCamelCase (createCluster) → implementation. */
export type Provider = Record<string, OperationFn>;

export const lowerCamel = (op: string) => op.charAt(0).toLowerCase() + op.slice(1);
