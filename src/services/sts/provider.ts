/** STS: GetCallerIdentity (the identity Berth derived from the access key). */
import type { GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import type { Provider, RequestContext } from '../provider.js';

export const provider: Provider = {
  getCallerIdentity(ctx: RequestContext): GetCallerIdentityResponse {
    return { UserId: ctx.account, Account: ctx.account, Arn: ctx.principalArn };
  },
};
