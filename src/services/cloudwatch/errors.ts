/** CloudWatch's errors, by their query-era codes (the model maps them to its shapes for JSON and CBOR). */
import { AwsError } from '../../protocol/errors.js';

export const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', message, { status: 400 });
export const invalidParameterCombination = (message: string) => new AwsError('InvalidParameterCombination', message, { status: 400 });
export const missingParameter = (message: string) => new AwsError('MissingParameter', message, { status: 400 });
export const invalidNextToken = () => new AwsError('InvalidNextToken', 'The service cannot process the NextToken.', { status: 400 });
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFound', message, { status: 404 });
export const resourceNotFoundException = (message: string) => new AwsError('ResourceNotFoundException', message, { status: 404 });
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, { status: 400 });

/** "The value X for parameter Y is not valid." in AWS's wording. */
export const badValue = (value: unknown, parameter: string) => invalidParameterValue(`The value ${String(value)} for parameter ${parameter} is not valid.`);
