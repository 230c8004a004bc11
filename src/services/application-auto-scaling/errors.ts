/** Application Auto Scaling's errors (JSON 1.1: `__type` + `Message`). https://docs.aws.amazon.com/autoscaling/application/APIReference/CommonErrors.html */
import { AwsError } from '../../protocol/errors.js';

export const validation = (message: string) => new AwsError('ValidationException', message, { status: 400 });
export const objectNotFound = (message: string) => new AwsError('ObjectNotFoundException', message, { status: 400 });
export const resourceNotFound = (message: string, arn?: string) =>
  new AwsError('ResourceNotFoundException', message, { status: 400, fields: arn ? { ResourceName: arn } : undefined });
export const invalidNextToken = () => new AwsError('InvalidNextTokenException', 'Invalid token', { status: 400 });
export const limitExceeded = (message: string) => new AwsError('LimitExceededException', message, { status: 400 });
export const tooManyTags = (message: string, arn: string) => new AwsError('TooManyTagsException', message, { status: 400, fields: { ResourceName: arn } });

/** The wording AWS uses for a target that is not registered. */
export const noTarget = (t: { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }) =>
  objectNotFound(`No scalable target registered for service namespace: ${t.ServiceNamespace}, resource ID: ${t.ResourceId}, scalable dimension: ${t.ScalableDimension}`);
