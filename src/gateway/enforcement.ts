/**
 * What IAM enforcement (`--enforce-iam`, issue 23) adds to `identify`: the SigV4 check against the secret Berth
 * issued, and the refusals in the client's protocol. Loaded only when enforcement is on (identity.ts).
 */
import { expiredToken, invalidAccessKey, missingAuthentication, signatureError } from '../protocol/auth-errors.js';
import type { ChunkSigning } from '../protocol/aws-chunked.js';
import type { CredentialScope } from '../protocol/sigv4.js';
import { chunkSigningOf, signatureParts, verifySignature } from '../protocol/sigv4-verify.js';
import type { Session } from '../services/sts/store/index.js';
import type { Clock } from '../shared/clock.js';
import type { SignedInput } from './identity.js';

/** A key Berth did not issue, or one made inactive: unsigned (no key at all) is "missing token", else an invalid key. */
export function refuseKey(signed: SignedInput, scope: CredentialScope | undefined): never {
  if (!signatureParts(signed.request, signed.query) && !scope) throw missingAuthentication(signed.protocol);
  throw invalidAccessKey(signed.protocol);
}

/** Throws the protocol's refusal unless the request is signed with `secret` (and, for a session, its token, unexpired). */
export function verify(state: { clock: Clock }, signed: SignedInput, secret: string, session?: Session): ChunkSigning | undefined {
  const parts = signatureParts(signed.request, signed.query);
  if (!parts) {
    // Signed, but not with SigV4 (SigV2 "AWS key:signature" or S3's SigV2 query form): not verifiable.
    throw signatureError({ kind: 'malformed', message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' }, signed.protocol);
  }
  if ('malformed' in parts) throw signatureError({ kind: 'malformed', message: parts.malformed }, signed.protocol);
  const now = state.clock.now();
  if (session) {
    if (parts.sessionToken !== session.sessionToken) throw invalidAccessKey(signed.protocol);
    if (session.expiresAt <= now) throw expiredToken(signed.protocol);
  }
  const problem = verifySignature(signed.request, parts, secret, now);
  if (problem) throw signatureError(problem, signed.protocol);
  return chunkSigningOf(signed.request, parts, secret);
}
