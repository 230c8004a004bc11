/**
 * ACM errors by their AWS codes (all HTTP 400 on its JSON 1.1 protocol), with
 * ACM's wording where it is known.
 * https://docs.aws.amazon.com/acm/latest/APIReference/CommonErrors.html
 */
import { AwsError } from '../../protocol/errors.js';

const acmError = (code: string) => (message: string) => new AwsError(code, message, { status: 400 });

export const validation = acmError('ValidationException');
export const invalidArn = (arn: string) => new AwsError('InvalidArnException', `String '${arn}' is not a valid ARN.`, { status: 400 });
export const invalidParameter = acmError('InvalidParameterException');
export const invalidArgs = acmError('InvalidArgsException');
export const invalidTag = acmError('InvalidTagException');
export const tooManyTags = acmError('TooManyTagsException');
export const limitExceeded = acmError('LimitExceededException');
export const invalidDomainValidationOptions = acmError('InvalidDomainValidationOptionsException');

export const notFound = (arn: string, account: string) =>
  new AwsError('ResourceNotFoundException', `Could not find certificate ${arn} in account ${account}.`, { status: 400 });

export const inUse = (arn: string) => new AwsError('ResourceInUseException', `Certificate ${arn} is in use.`, { status: 400 });

export const requestInProgress = (arn: string) =>
  new AwsError('RequestInProgressException', `Certificate ${arn} is not yet issued.`, { status: 400 });

/** The frontend's wording for a value that breaks a model constraint. */
export function constraint(value: unknown, path: string, rule: string) {
  return validation(`1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${rule}`);
}
