/** CloudWatch Logs errors by their AWS names, with the service's own wording. */
import { AwsError } from '../../protocol/errors.js';

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const groupNotFound = () => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = () => new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
export const groupExists = () => new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
export const streamExists = () => new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
export const validation = (message: string) => new AwsError('ValidationException', message);
export const tooManyTags = (message: string) => new AwsError('TooManyTagsException', message);

/** AWS's frontend wording for a value that breaks a model constraint. */
export function constraint(value: unknown, path: string, rule: string) {
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  return invalidParameter(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${rule}`);
}
