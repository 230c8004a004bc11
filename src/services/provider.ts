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
  /**
   * Runs another service's operation as an internal caller (providers.ts `internalDoor`): an operation that needs
   * one returns `Later` and calls it there (its own transaction is then over). Absent in unit-test contexts.
   */
  invoke?: Invoke;
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

/**
 * Who runs an operation through the internal door (`internalDoor` in providers.ts): the account and region it acts
 * in, and as whom (the root of the account unless named). A service acting for a user (CloudFormation creating a
 * stack's resources) passes the user's principal, as AWS's own callers act with the caller's or a role's credentials.
 */
export interface InternalCaller {
  account: string;
  region: string;
  principalArn?: string;
  accessKeyId?: string;
}

/**
 * Runs service `service`'s (its descriptor id) operation `operation` (the AWS name, e.g. `CreateRole`) with `input`
 * (SDK-shaped, as the client would send it) as an internal caller: the same model validation, operation, transaction
 * and change notices as a request through the gateway. Resolves to the operation's output; rejects with the AwsError
 * the service answers (or a plain Error for a caller's bug: an operation the model lacks).
 */
export type Invoke = <O = Record<string, any>>(caller: InternalCaller, service: string, operation: string, input: object) => Promise<O>;
