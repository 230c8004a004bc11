/**
 * SSM's front door for everything outside services/ssm: a parameter reference
 * resolved to its stored version (task secrets), and whether a name is a
 * Secrets Manager reference.
 */
export { tryResolveRef } from './names.js';
export { isSecretReference } from './secrets-reference.js';
