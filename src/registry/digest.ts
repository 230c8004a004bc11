/**
 * Content digests. Berth stores and verifies sha256 only (what docker, skopeo
 * and ECR use); any other algorithm is refused as DIGEST_INVALID.
 */
import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from './errors.js';

const SHA256_RE = /^sha256:[a-f0-9]{64}$/;
/** The spec's general digest grammar, to tell "malformed" from "unsupported algorithm". */
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export const isDigest = (value: string | null | undefined): value is string => !!value && SHA256_RE.test(value);

/** The digest, or DIGEST_INVALID naming what was wrong. */
export function requireDigest(value: string | null | undefined): string {
  if (value && SHA256_RE.test(value)) return value;
  const why = value && DIGEST_RE.test(value) ? `unsupported digest algorithm: ${value.split(':')[0]}` : 'invalid digest';
  throw new RegistryError('DIGEST_INVALID', why, { detail: { digest: value ?? null } });
}

export const newHash = (): Hash => createHash('sha256');
export const digestOf = (hash: Hash): string => `sha256:${hash.digest('hex')}`;
export const sha256 = (bytes: Buffer | string): string => digestOf(newHash().update(bytes));
export const hexOf = (digest: string) => digest.slice('sha256:'.length);
