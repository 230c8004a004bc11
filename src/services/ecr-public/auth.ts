/**
 * GetAuthorizationToken: base64("AWS:<token>") for `docker login -u AWS` to Berth's public registry, valid 12 hours.
 * AWS issues it in us-east-1 only: "GetAuthorizationToken command is only supported in us-east-1."
 * (UnsupportedCommandException), which is why `aws ecr-public get-login-password --region us-east-1` is the recipe.
 * The token is signed under a key of its own (registry/auth.ts publicTokenSecret): the private registry refuses it.
 */
import type { GetAuthorizationTokenRequest, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr-public';
import { issueToken, publicTokenSecret } from '../../registry/auth.js';
import type { RequestContext } from '../provider.js';
import { ownRegistry, registryOf } from './common.js';
import { unsupportedCommand } from './errors.js';

export function getAuthorizationToken(ctx: RequestContext, _input: GetAuthorizationTokenRequest): GetAuthorizationTokenResponse {
  if (ctx.region !== 'us-east-1') throw unsupportedCommand('GetAuthorizationToken command is only supported in us-east-1.');
  const reg = registryOf(ctx);
  ownRegistry(ctx);
  // The token names its principal: with --enforce-iam the public registry authorizes pushes as the caller.
  const token = issueToken(publicTokenSecret(reg.secret), ctx.account, ctx.clock.now(), { principalArn: ctx.principalArn, accessKeyId: ctx.accessKeyId });
  return { authorizationData: { authorizationToken: token.authorizationToken, expiresAt: new Date(token.expiresAt) } };
}
