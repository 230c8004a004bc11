/**
 * GetAuthorizationToken: base64("AWS:<token>") for `docker login -u AWS`,
 * valid 12 hours, for the caller's account in every region (Berth serves all
 * regions on one host, and docker keeps one credential per host).
 */
import type { GetAuthorizationTokenRequest, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr';
import { issueToken } from '../../registry/auth.js';
import { proxyEndpoint } from '../../registry/names.js';
import type { RequestContext } from '../provider.js';
import { checkRegistryId, registryOf } from './common.js';

export function getAuthorizationToken(ctx: RequestContext, input: GetAuthorizationTokenRequest): GetAuthorizationTokenResponse {
  for (const id of input.registryIds ?? []) checkRegistryId(id);
  const reg = registryOf(ctx);
  // The token names its principal: with --enforce-iam the registry authorizes pulls and pushes as the caller.
  const token = issueToken(reg.secret, ctx.account, ctx.clock.now(), { principalArn: ctx.principalArn, accessKeyId: ctx.accessKeyId });
  return {
    authorizationData: [{
      authorizationToken: token.authorizationToken,
      expiresAt: new Date(token.expiresAt),
      proxyEndpoint: proxyEndpoint(reg.endpoint()),
    }],
  };
}
