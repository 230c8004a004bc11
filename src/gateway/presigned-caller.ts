/**
 * Who signed a presigned STS GetCallerIdentity URL, as Berth's STS would answer it: the identity of
 * the key that signed it (`identify`, with the signature checked when IAM enforcement is on). EKS clusters'
 * Kubernetes APIs authenticate `aws eks get-token` tokens with it: the URL is checked with the header
 * `x-k8s-aws-id: <cluster>` it was signed with, so with enforcement on a token made for another cluster
 * fails the signature, as it fails at STS.
 *
 * The URL is checked as of when it was signed: get-token presigns for 60 seconds, while EKS accepts a token
 * for 15 minutes (kubectl reuses it for 14); how old a token may be is the caller's check (kubernetes/auth.ts).
 */
import type { Config } from '../config/index.js';
import { AwsError } from '../protocol/errors.js';
import { credentialScope } from '../protocol/sigv4.js';
import type { Clock } from '../shared/clock.js';
import type { Statements } from '../state/db.js';
import { identify } from './identity.js';

export function presignedCallerVerifier(config: Config, state: { sql: Statements; clock: Clock }) {
  return (url: URL, clusterName: string): { account: string; principalArn: string } => {
    const query = url.searchParams;
    if (query.get('Action') !== 'GetCallerIdentity') throw new AwsError('InvalidAction', 'not a GetCallerIdentity request');
    const scope = credentialScope(undefined, query);
    if (!scope || scope.service !== 'sts') throw new AwsError('IncompleteSignature', 'the URL is not signed for STS');
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
    if (!m) throw new AwsError('IncompleteSignature', 'the URL has no X-Amz-Date');
    const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    const who = identify(config, scope, { sql: state.sql, clock: { now: () => signedAt } }, {
      request: {
        method: 'GET', rawPath: url.pathname || '/', rawQuery: url.search.replace(/^\?/, ''),
        headers: { host: url.host, 'x-k8s-aws-id': clusterName }, s3: false,
      },
      query,
      protocol: 'awsQuery',
    });
    return { account: who.account, principalArn: who.principalArn };
  };
}
