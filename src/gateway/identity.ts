/**
 * Who sent a request: account from the access key, region from the SigV4
 * scope. A temporary key Berth issued (STS AssumeRole, GetSessionToken, task
 * role credentials) is its session's principal, in the session's account; an
 * IAM user's access key is that user; any other key is an account's root.
 *
 * With enforcement on (`--enforce-iam`, issue 23) the signature is verified
 * here as well, for every protocol: the generic pipeline and S3's streaming
 * handler both come through `identify`. Root keys (`test`, a 12-digit key, a
 * key in BERTH_ACCESS_KEYS) sign with the secret `test`; other unknown keys are
 * refused. Off, any key and any signature are accepted, as before.
 */
import type { Config } from '../config/index.js';
import type { AuthProtocol } from '../protocol/auth-errors.js';
import { AwsError } from '../protocol/errors.js';
import type { CredentialScope } from '../protocol/sigv4.js';
import type { ChunkSigning } from '../protocol/aws-chunked.js';
import type { SignedRequest } from '../protocol/sigv4-verify.js';
import { findAccessKey, findUser, recordAccessKeyUse, type StoredAccessKey } from '../services/iam/store.js';
import { findSession } from '../services/sts/store/index.js';
import { iamArn } from '../shared/arns.js';
import type { Clock } from '../shared/clock.js';
import type { Statements } from '../state/db.js';

export interface Identity {
  account: string;
  region: string;
  accessKeyId: string;
  principalArn: string;
  /** A role session's unique id (`AROA…:<session>`, GetCallerIdentity's UserId); absent for long-term keys. */
  principalId?: string;
}

/** A verified chunk-signed upload (S3) also says what its chunk signatures chain from. */
export type VerifiedIdentity = Identity & { chunkSigning?: ChunkSigning };

/** The secret root keys sign with when enforcement is on: that of Berth's documented test credentials. */
export const ROOT_SECRET = 'test';
const DEFAULT_KEY = 'test';

/** A request as signed, for verification; `protocol` words the refusals. */
export interface SignedInput {
  request: SignedRequest;
  query: URLSearchParams;
  protocol: AuthProtocol;
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * The checks enforcement adds (signatures and their refusals, ./enforcement.ts): loaded by app.ts only when
 * enforcement is on, so a default Berth does not load them before its ready line.
 */
let enforcement: typeof import('./enforcement.js') | undefined;
export async function loadEnforcement(): Promise<void> {
  enforcement ??= await import('./enforcement.js');
}

/** The enforcement checks, loaded (loadEnforcement) when enforcement is on; undefined otherwise. */
export const enforcementChecks = () => enforcement;

/** `state` lets issued keys be recognised; without it every key is a root key. */
export function identify(
  config: Config, scope: CredentialScope | undefined, state?: { sql: Statements; clock: Clock }, signed?: SignedInput,
): VerifiedIdentity {
  const key = scope?.accessKeyId ?? '';
  const region = scope?.region && REGION_RE.test(scope.region) ? scope.region : config.defaultRegion;
  const enforce = config.enforceIam && !!state && !!signed;
  const check = enforce ? enforcement : undefined;
  if (enforce && !check) throw new Error('IAM enforcement is on but its checks were not loaded (loadEnforcement)');
  const session = state ? findSession(state.sql, key) : undefined;
  if (session) {
    let chunkSigning: ChunkSigning | undefined;
    if (check) chunkSigning = check.verify(state!, signed!, session.secretAccessKey, session);
    else if (session.expiresAt <= state!.clock.now()) {
      throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired', { status: 400 });
    }
    return { account: session.account, region, accessKeyId: key, principalArn: session.arn, principalId: session.userId, chunkSigning };
  }
  const userKey = state ? findAccessKey(state.sql, key) : undefined;
  if (userKey) {
    let chunkSigning: ChunkSigning | undefined;
    if (check) {
      if (userKey.status !== 'Active') check.refuseKey(signed!, scope);
      chunkSigning = check.verify(state!, signed!, userKey.secret);
      recordUse(state!, userKey, region, scope?.service ?? '');
    }
    return { account: userKey.account, region, accessKeyId: key, principalArn: principalOf(state!.sql, userKey), chunkSigning };
  }
  // A configured key wins; a 12-digit key is its own account (the convention of local emulators).
  const configured = config.accessKeys[key];
  const twelveDigits = /^\d{12}$/.test(key);
  if (check && !(key === DEFAULT_KEY || configured || twelveDigits)) check.refuseKey(signed!, scope);
  const chunkSigning = check ? check.verify(state!, signed!, ROOT_SECRET) : undefined;
  const account = configured ?? (twelveDigits ? key : config.defaultAccount);
  return { account, region, accessKeyId: key || 'anonymous', principalArn: iamArn.root(account), chunkSigning };
}

function principalOf(sql: Statements, k: StoredAccessKey): string {
  if (k.userName === null) return iamArn.root(k.account);
  return findUser({ sql, account: k.account }, k.userName)?.Arn ?? iamArn.user(k.account, k.userName);
}

function recordUse(state: { sql: Statements; clock: Clock }, k: StoredAccessKey, region: string, service: string) {
  recordAccessKeyUse(state.sql, k, state.clock.now(), region, service);
}
