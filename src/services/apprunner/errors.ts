/** App Runner's errors (JSON 1.0: `__type` + `Message`), as its model names them, all 400 but the quota's 402. */
import { AwsError } from '../../protocol/errors.js';

export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message, { status: 400 });
export const invalidState = (message: string) => new AwsError('InvalidStateException', message, { status: 400 });
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message, { status: 400 });
export const quotaExceeded = (message: string) => new AwsError('ServiceQuotaExceededException', message, { status: 402 });
