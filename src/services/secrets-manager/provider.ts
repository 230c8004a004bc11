/** Secrets Manager: the operation table. Rotation and replication answer 501. */
import type { Provider } from '../provider.js';
import * as list from './list.js';
import * as password from './random-password.js';
import * as policies from './resource-policies.js';
import * as secrets from './secrets.js';
import * as values from './values.js';

export const provider: Provider = {
  createSecret: secrets.createSecret,
  describeSecret: secrets.describeSecret,
  updateSecret: secrets.updateSecret,
  deleteSecret: secrets.deleteSecret,
  restoreSecret: secrets.restoreSecret,
  tagResource: secrets.tagResource,
  untagResource: secrets.untagResource,
  listSecrets: list.listSecrets,

  getSecretValue: values.getSecretValue,
  batchGetSecretValue: values.batchGetSecretValue,
  putSecretValue: values.putSecretValue,
  listSecretVersionIds: values.listSecretVersionIds,
  updateSecretVersionStage: values.updateSecretVersionStage,

  getResourcePolicy: policies.getResourcePolicy,
  putResourcePolicy: policies.putResourcePolicy,
  deleteResourcePolicy: policies.deleteResourcePolicy,
  validateResourcePolicy: policies.validateResourcePolicy,

  getRandomPassword: password.getRandomPassword,
};
