/** Secrets Manager errors by their AWS codes, with the service's own wording. */
import { AwsError } from '../../protocol/errors.js';

export const secretNotFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

export const stageNotFound = (stage: string) =>
  new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage}`);

export const versionNotFound = (versionId: string) =>
  new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);

export const markedForDeletion = () =>
  new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");

export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message);

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);

export const resourceExists = (message: string) => new AwsError('ResourceExistsException', message);

export const invalidNextToken = () => new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');

/** AWS's frontend wording for a value that breaks a model constraint. */
export function constraint(value: unknown, path: string, rule: string) {
  const shown = Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
  return new AwsError('ValidationException', `1 validation error detected: Value '${shown}' at '${path}' failed to satisfy constraint: ${rule}`);
}
