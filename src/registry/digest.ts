/**
 * Content digests. Berth stores and verifies the two algorithms the OCI image
 * spec registers as hashes, sha256 (canonical: docker, skopeo and ECR use it)
 * and sha512. Any other algorithm is unsupported: naming one for content to
 * store is DIGEST_INVALID, looking one up finds nothing (404, as the
 * distribution spec says for content that is not there).
 */
import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** The canonical algorithm: what a manifest pushed by tag is addressed by. */
export const CANONICAL: DigestAlgorithm = 'sha256';

const SUPPORTED_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** The image spec's general digest grammar, to tell "malformed" from "unsupported algorithm". */
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** An algorithm Berth supports with the wrong encoding is malformed, not merely unsupported. */
const KNOWN_RE = /^(?:sha256|sha512):/;

export const isAlgorithm = (value: string | null | undefined): value is DigestAlgorithm => value === 'sha256' || value === 'sha512';

/** A digest Berth can store and look up (sha256 or sha512, lower-case hex of the right length). */
export const isDigest = (value: string | null | undefined): value is string => !!value && SUPPORTED_RE.test(value);

/** The digest, or DIGEST_INVALID naming what was wrong (for content being pushed). */
export function requireDigest(value: string | null | undefined): string {
  if (value && SUPPORTED_RE.test(value)) return value;
  const why = value && DIGEST_RE.test(value) && !KNOWN_RE.test(value)
    ? `unsupported digest algorithm: ${value.split(':')[0]}` : 'invalid digest';
  throw new RegistryError('DIGEST_INVALID', why, { detail: { digest: value ?? null } });
}

/**
 * A digest to look content up by: the digest if supported; undefined for a
 * well-formed digest of an algorithm Berth does not store (nothing can be
 * there: the caller answers 404); DIGEST_INVALID if it is not a digest at all.
 */
export function lookupDigest(value: string): string | undefined {
  if (isDigest(value)) return value;
  if (DIGEST_RE.test(value) && !KNOWN_RE.test(value)) return undefined;
  return requireDigest(value);
}

export const algorithmOf = (digest: string): DigestAlgorithm => (digest.startsWith('sha512:') ? 'sha512' : 'sha256');
export const newHash = (algorithm: DigestAlgorithm = CANONICAL): Hash => createHash(algorithm);
export const digestOf = (hash: Hash, algorithm: DigestAlgorithm = CANONICAL): string => `${algorithm}:${hash.digest('hex')}`;
export const digestBytes = (bytes: Buffer | string, algorithm: DigestAlgorithm = CANONICAL): string =>
  digestOf(newHash(algorithm).update(bytes), algorithm);
export const sha256 = (bytes: Buffer | string): string => digestBytes(bytes, 'sha256');
/** The encoded part (hex) of a digest. */
export const hexOf = (digest: string) => digest.slice(digest.indexOf(':') + 1);
