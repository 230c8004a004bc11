/**
 * Users: only the caller. Berth's long-term credentials are the account's root
 * (any access key), so GetUser without a name describes the root user, as IAM
 * does for root credentials; Berth has no IAM users to name.
 */
import type { GetUserRequest, GetUserResponse } from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { getOrCreateMeta } from '../../state/meta.js';
import type { RequestContext } from '../provider.js';
import { noSuchUser, validation } from './errors.js';
import { checkName } from './inputs.js';

export function getUser(ctx: RequestContext, input: GetUserRequest): GetUserResponse {
  if (input.UserName !== undefined) {
    checkName(input.UserName, 'userName', 128);
    throw noSuchUser(input.UserName);
  }
  if (ctx.principalArn !== iamArn.root(ctx.account)) throw validation('Must specify userName when calling with non-User credentials');
  // The root user's creation date: the first time this data dir was asked, then stable.
  const created = getOrCreateMeta(ctx.db, `iam-root-created:${ctx.account}`, () => new Date(ctx.clock.now()).toISOString());
  return { User: { UserId: ctx.account, Arn: ctx.principalArn, CreateDate: new Date(created) } as GetUserResponse['User'] };
}
