/**
 * CloudFormation errors by their wire codes (query protocol), worded as CloudFormation words them.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html
 */
import { AwsError } from '../../protocol/errors.js';

export const validationError = (message: string) => new AwsError('ValidationError', message, { status: 400 });
export const templateError = (message: string) => validationError(`Template format error: ${message}`);
export const stackNotFound = (nameOrId: string) => validationError(`Stack with id ${nameOrId} does not exist`);
export const alreadyExists = (name: string) => new AwsError('AlreadyExistsException', `Stack [${name}] already exists`, { status: 400 });
export const changeSetNotFound = (name: string) => new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, { status: 404 });
export const insufficientCapabilities = (capability: string, resources: string[]) =>
  new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${capability}]`, { status: 400, fields: { resources } });
export const invalidChangeSetStatus = (message: string) => new AwsError('InvalidChangeSetStatus', message, { status: 400 });
export const tokenAlreadyExists = (message: string) => new AwsError('TokenAlreadyExistsException', message, { status: 400 });
