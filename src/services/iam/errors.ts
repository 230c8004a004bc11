/**
 * IAM errors by their AWS codes, with IAM's own wording. Statuses come from the
 * model's awsQueryError traits (NoSuchEntity 404, EntityAlreadyExists 409,
 * DeleteConflict 409, MalformedPolicyDocument 400, LimitExceeded 409).
 */
import { AwsError } from '../../protocol/errors.js';

/** IAM's frontend answers model violations with ValidationError (no shape in the model: 400). */
export const validation = (message: string) => new AwsError('ValidationError', message, { status: 400 });

/** The frontend's wording for a value that breaks a model constraint. */
export function constraint(value: unknown, member: string, rule: string) {
  return validation(`1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${rule}`);
}

export const noSuchEntity = (message: string) => new AwsError('NoSuchEntityException', message);
export const noSuchRole = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`);
export const noSuchRolePolicy = (name: string) => noSuchEntity(`The role policy with name ${name} cannot be found.`);
export const noSuchUser = (name: string) => noSuchEntity(`The user with name ${name} cannot be found.`);
export const policyNotAttachable = (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
export const noSuchPolicy = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);

export const alreadyExists = (message: string) => new AwsError('EntityAlreadyExistsException', message);

export const deleteConflict = (message: string) => new AwsError('DeleteConflictException', message);

export const malformedPolicy = (message: string) => new AwsError('MalformedPolicyDocumentException', message);

export const invalidInput = (message: string) => new AwsError('InvalidInputException', message);

export const limitExceeded = (message: string) => new AwsError('LimitExceededException', message);
