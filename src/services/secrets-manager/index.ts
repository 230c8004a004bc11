/**
 * Secrets Manager's front door for everything outside services/secrets-manager:
 * a secret's value as GetSecretValue reads it (task secrets, SSM's
 * /aws/reference/secretsmanager/ parameters, ECR pull-through credentials).
 */
export { readSecretValue } from './versions.js';
export type { Scope } from './store.js';
