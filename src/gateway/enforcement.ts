/**
 * What IAM enforcement (`--enforce-iam`, issue 23) adds to the request path: the SigV4 check against the secret
 * Berth issued, the policy check of each operation, and their refusals in the client's protocol. Loaded only when
 * enforcement is on (identity.ts).
 */
import { accessDenied, expiredToken, invalidAccessKey, missingAuthentication, signatureError, type AuthProtocol } from '../protocol/auth-errors.js';
import type { ChunkSigning } from '../protocol/aws-chunked.js';
import type { CredentialScope } from '../protocol/sigv4.js';
import { chunkSigningOf, signatureParts, verifySignature } from '../protocol/sigv4-verify.js';
import type { Authorizer, Caller } from '../services/iam/index.js';
import type { Session } from '../services/sts/store/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Identity, SignedInput } from './identity.js';

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

export interface OperationRequest {
  protocol: AuthProtocol;
  serviceId: string;
  operation: string;
  input: Record<string, unknown>;
  sourceIp?: string;
}

/**
 * Throws the protocol's AccessDenied unless the caller's policies allow every action the operation needs; logs the
 * decision path of a denial at debug (which policy denied, or which kind of policy allowed nothing).
 */
export function authorizeOperation(authorizer: Authorizer, deps: { clock: Clock; log: Logger }, id: Identity, req: OperationRequest): void {
  // The account's root (Berth's default credentials) is always allowed: its requests act in its own account, and
  // services keep their own cross-account checks (ECR repository policies) as without enforcement.
  if (id.principalArn === `arn:aws:iam::${id.account}:root`) return;
  const checks = authorizer.checksFor(req.serviceId, req.operation, req.input, { account: id.account, region: id.region, principalArn: id.principalArn });
  if (!checks.length) return;
  const denial = authorizer.authorize(id, checks, { sourceIp: req.sourceIp, now: deps.clock.now(), region: id.region });
  if (!denial) return;
  if (deps.log.enabled('debug')) {
    deps.log.debug('request denied', {
      principal: denial.principalArn, action: denial.action, resource: denial.resource, path: denial.decision.path,
    });
  }
  // S3 quotes the resource in its message.
  const message = req.protocol === 's3' ? denial.message.replace(` on resource: ${denial.resource}`, ` on resource: "${denial.resource}"`) : denial.message;
  throw accessDenied(req.protocol, message);
}

/** The registry's question (RegistryDeps.authorize): the denial message for a pull or push, or undefined. */
export function registryDenial(
  authorizer: Authorizer, deps: { clock: Clock; log: Logger }, caller: Caller, action: string, resource: string,
  resourcePolicy: string | null, sourceIp: string | undefined,
): string | undefined {
  const denial = authorizer.authorize(caller, [{ action, resource, resourcePolicy }], { sourceIp, now: deps.clock.now(), region: resource.split(':')[3] });
  if (denial && deps.log.enabled('debug')) {
    deps.log.debug('registry request denied', { principal: denial.principalArn, action, resource, path: denial.decision.path });
  }
  return denial?.message;
}
