/**
 * Where a resource lives: the account and region of a request (or of the
 * resource a controller works on), with the statements to reach its tables.
 * A provider's RequestContext is a Scope, so an operation passes `ctx` to its
 * store as it is.
 */
import type { Statements } from './db.js';

export interface Scope {
  sql: Statements;
  account: string;
  region: string;
}
