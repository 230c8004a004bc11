/** EventBridge errors by their model names, with the service's wording where it is known. */
import { AwsError } from '../../protocol/errors.js';

export const validation = (message: string) => new AwsError('ValidationException', message);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message);
export const alreadyExists = (message: string) => new AwsError('ResourceAlreadyExistsException', message);
export const limitExceeded = (message: string) => new AwsError('LimitExceededException', message);
export const ruleNotFound = (name: string, bus: string) => resourceNotFound(`Rule ${name} does not exist on EventBus ${bus}.`);
export const busNotFound = (name: string) => resourceNotFound(`Event bus ${name} does not exist.`);
