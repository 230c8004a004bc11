/** ECS errors by their AWS names, with ECS's own wording. */
import { AwsError } from '../../protocol/errors.js';

export const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.');
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const clientException = (message: string) => new AwsError('ClientException', message);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message);
export const resourceInUse = (message: string) => new AwsError('ResourceInUseException', message);
export const limitExceeded = (message: string) => new AwsError('LimitExceededException', message);
export const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.');
export const serviceNotActive = () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
