/**
 * IAM's front door for everything outside services/iam (issue 23): the
 * authorizer `--enforce-iam` runs — the gateway for API requests, the registry
 * for docker pulls and pushes, the task controller for a task's secrets. Loaded
 * only when enforcement is on (app.ts imports it then), so a default Berth does
 * not load the policy evaluator before its ready line.
 */
export { createAuthorizer, type Authorizer, type Denial, type RequestFacts } from './authz/authorizer.js';
export type { Check, Where } from './authz/actions.js';
export type { Caller } from './authz/principal-policies.js';
