/** Account from the access key, region from the SigV4 scope. */
import type { Config } from '../config/index.js';
import type { CredentialScope } from '../protocol/sigv4.js';
import { iamArn } from '../shared/arns.js';

export interface Identity {
  account: string;
  region: string;
  accessKeyId: string;
  principalArn: string;
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function identify(config: Config, scope: CredentialScope | undefined): Identity {
  const key = scope?.accessKeyId ?? '';
  // A configured key wins; a 12-digit key is its own account (the convention of local emulators).
  const account = config.accessKeys[key] ?? (/^\d{12}$/.test(key) ? key : config.defaultAccount);
  const region = scope?.region && REGION_RE.test(scope.region) ? scope.region : config.defaultRegion;
  return { account, region, accessKeyId: key || 'anonymous', principalArn: iamArn.root(account) };
}
