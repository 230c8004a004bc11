import { randomBytes, randomUUID } from 'node:crypto';

export const requestId = (): string => randomUUID();

/** Lower-case hex of n random bytes (e.g. ECS task ids use 16). */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');
