/** SQS errors by their model names, with the service's own wording (the wire layer adds the query-era codes). */
import { AwsError } from '../../protocol/errors.js';

export const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', message);
export const missingParameter = (message: string) => new AwsError('MissingParameter', message);
export const queueDoesNotExist = () => new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
export const invalidAttributeName = (name: string) => new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
export const invalidAttributeValue = (name: string, reason?: string) =>
  new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);
export const queueNameExists = (attribute: string) =>
  new AwsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${attribute}`);
export const queueDeletedRecently = () =>
  new AwsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
export const purgeInProgress = (url: string) =>
  new AwsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${url} is allowed every 60 seconds.`);
export const receiptHandleInvalid = (handle: string) =>
  new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
export const messageNotInflight = () => new AwsError('MessageNotInflight', 'Message is not in flight.');
export const invalidMessageContents = () =>
  new AwsError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
export const emptyBatch = (what: string) => new AwsError('EmptyBatchRequest', `There should be at least one ${what} in the request.`);
export const tooManyEntries = (n: number) =>
  new AwsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${n}.`);
export const idsNotDistinct = (id: string) => new AwsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
export const invalidBatchEntryId = () =>
  new AwsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
export const batchTooLong = (max: number) =>
  new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${max} bytes.`);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message);
export const unsupportedOperation = (message: string) => new AwsError('UnsupportedOperation', message);
