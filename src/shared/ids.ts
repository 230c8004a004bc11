import { randomBytes, randomUUID } from 'node:crypto';

export const requestId = (): string => randomUUID();

/** Lower-case hex of n random bytes (e.g. ECS task ids use 16). */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * IAM-style unique ids and access key ids: a type prefix and upper-case base32
 * (AROA… roles, ANPA… policies, ASIA… temporary keys), as AWS makes them;
 * `bytes` (at least `length` of them, e.g. a digest) makes a stable id.
 */
export function base32Id(prefix: string, length: number, bytes: Uint8Array = randomBytes(length)): string {
  let out = prefix;
  for (let i = 0; i < length; i++) out += BASE32[bytes[i] & 31];
  return out;
}

/** A secret of `length` characters from the base64 alphabet (secret access keys are 40). */
export const randomSecret = (length: number): string => randomBytes(Math.ceil((length * 3) / 4) + 3).toString('base64').slice(0, length);
