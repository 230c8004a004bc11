/**
 * Account from the access key, region from the SigV4 scope. A temporary key
 * Berth issued (STS AssumeRole, task role credentials) is its session's
 * principal, in the role's account.
 */
import type { Config } from '../config/index.js';
import { AwsError } from '../protocol/errors.js';
import type { CredentialScope } from '../protocol/sigv4.js';
import { findSession } from '../services/sts/store/index.js';
import { iamArn } from '../shared/arns.js';
import type { Clock } from '../shared/clock.js';
import type { Statements } from '../state/db.js';

export interface Identity {
  account: string;
  region: string;
  accessKeyId: string;
  principalArn: string;
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** `state` lets temporary keys be recognised; without it every key is a long-term one. */
export function identify(config: Config, scope: CredentialScope | undefined, state?: { sql: Statements; clock: Clock }): Identity {
  const key = scope?.accessKeyId ?? '';
  const region = scope?.region && REGION_RE.test(scope.region) ? scope.region : config.defaultRegion;
  const session = state ? findSession(state.sql, key) : undefined;
  if (session) {
    if (session.expiresAt <= state!.clock.now()) {
      throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired', { status: 400 });
    }
    return { account: session.account, region, accessKeyId: key, principalArn: session.arn };
  }
  // A configured key wins; a 12-digit key is its own account (the convention of local emulators).
  const account = config.accessKeys[key] ?? (/^\d{12}$/.test(key) ? key : config.defaultAccount);
  return { account, region, accessKeyId: key || 'anonymous', principalArn: iamArn.root(account) };
}
