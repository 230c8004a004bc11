/** EventBridge Scheduler errors by their model names. */
import { AwsError } from '../../protocol/errors.js';

export const validation = (message: string) => new AwsError('ValidationException', message);
export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message);
export const conflict = (message: string) => new AwsError('ConflictException', message);
export const scheduleNotFound = (name: string) => notFound(`Schedule ${name} does not exist.`);
export const groupNotFound = (name: string) => notFound(`Schedule group ${name} does not exist.`);
