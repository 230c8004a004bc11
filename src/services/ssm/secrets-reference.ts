/**
 * Secrets Manager secrets read through Parameter Store:
 * `/aws/reference/secretsmanager/<secret name or ARN>`.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { readSecretValue } from '../secrets-manager/index.js';
import { parameterNotFound, validation } from './errors.js';

const PREFIX = '/aws/reference/secretsmanager/';

export const isSecretReference = (name: string) => name.startsWith(PREFIX);

export function secretAsParameter(ctx: RequestContext, name: string, withDecryption: boolean | undefined): Parameter {
  if (!withDecryption) throw validation('WithDecryption flag must be True for retrieving a Secret Manager secret.');
  let found;
  try {
    found = readSecretValue(ctx, name.slice(PREFIX.length), undefined, undefined, ctx.clock.now());
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ResourceNotFoundException') throw parameterNotFound(name);
    throw err;
  }
  const { secret, version } = found;
  return {
    Name: name,
    Type: 'SecureString',
    Value: version.stringValue ?? version.binaryValue?.toString('base64'),
    Version: 0,
    SourceResult: JSON.stringify({
      ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages,
      CreatedDate: new Date(version.createdAt).toISOString(),
    }),
    LastModifiedDate: new Date(version.createdAt),
    ARN: secret.arn,
    DataType: 'text',
  };
}
