/**
 * DescribeRegistries: the caller's public registry and its alias. AWS gives every account a default alias
 * (random; changeable once verified); Berth's is made from the account (store.ts defaultAlias) and never changes.
 */
import type { DescribeRegistriesRequest, DescribeRegistriesResponse } from '@aws-sdk/client-ecr-public';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, ownRegistry, pageSize, publicHost } from './common.js';
import { publicRegistryArn } from './store.js';

export function describeRegistries(ctx: RequestContext, input: DescribeRegistriesRequest): DescribeRegistriesResponse {
  const limit = pageSize(input.maxResults);
  const start = decodeToken(input.nextToken);
  const reg = ownRegistry(ctx);
  const all = [{
    registryId: reg.account,
    registryArn: publicRegistryArn(reg.account),
    registryUri: `${publicHost(ctx)}/${reg.alias}`,
    // Verified aliases are AWS's to grant (a verification request to AWS support).
    verified: false,
    aliases: [{ name: reg.alias, status: 'ACTIVE' as const, primaryRegistryAlias: true, defaultRegistryAlias: true }],
  }];
  return {
    registries: all.slice(start, start + limit),
    ...(all.length > start + limit ? { nextToken: encodeToken(start + limit) } : {}),
  };
}
