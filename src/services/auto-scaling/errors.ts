/**
 * EC2 Auto Scaling errors by their wire codes (query protocol, 400 unless noted), with its wording.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html
 */
import { AwsError } from '../../protocol/errors.js';

export const validationError = (message: string) => new AwsError('ValidationError', message, { status: 400 });
export const alreadyExists = (message: string) => new AwsError('AlreadyExists', message, { status: 400 });
export const resourceInUse = (message: string) => new AwsError('ResourceInUse', message, { status: 400 });
export const scalingActivityInProgress = (message: string) => new AwsError('ScalingActivityInProgress', message, { status: 400 });
export const groupNotFound = (name: string) => validationError(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, { status: 400 });
