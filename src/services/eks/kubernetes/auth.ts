/**
 * Who is calling a cluster's API: the bearer token `aws eks get-token` (or aws-iam-authenticator) makes,
 * `k8s-aws-v1.` + base64url(a presigned STS GetCallerIdentity URL whose signature covers the header
 * `x-k8s-aws-id: <cluster name>`). EKS hands that URL to STS with the header and maps the ARN STS
 * answers through the cluster's access entries. Berth does the same through its own STS (`verify`,
 * handed in by app.ts): with IAM enforcement on, the signature is checked against the key's secret,
 * so a token made for another cluster, or altered, is refused; with it off, any signature passes, as
 * it does for every Berth API. The cluster creator is its admin (bootstrapClusterCreatorAdminPermissions,
 * the default); with access entries (authentication mode API or API_AND_CONFIG_MAP) a principal with an
 * entry is admitted; any other is refused with 401, as EKS refuses an unmapped identity. https://docs.aws.amazon.com/eks/latest/userguide/cluster-auth.html
 */
import { unauthorized } from './status.js';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** How old a token's signing time may be (aws-iam-authenticator's window; get-token says 14 minutes). */
const MAX_TOKEN_AGE_MS = 15 * 60_000;

/** Who signed a presigned GetCallerIdentity URL, sent with `x-k8s-aws-id: clusterName`; throws when STS would refuse it. */
export type PresignedCallerVerifier = (url: URL, clusterName: string) => { account: string; principalArn: string };

export interface Caller {
  account: string;
  arn: string;
  /** The Kubernetes user name (EKS: the IAM ARN, sessions as assumed-role ARNs). */
  username: string;
}

/** STS endpoints a token may name: AWS's (global and regional), or a loopback one (Berth's, AWS_ENDPOINT_URL_STS). */
const STS_HOST = /^(sts\.amazonaws\.com|sts(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?|127\.0\.0\.1(:\d+)?|localhost(:\d+)?|\[::1\](:\d+)?)$/;

function presignedUrl(token: string): URL | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const q = url.searchParams;
  if (!STS_HOST.test(url.host) || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  if (q.get('Action') !== 'GetCallerIdentity' || q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return undefined;
  if (!(q.get('X-Amz-SignedHeaders') ?? '').split(';').includes(CLUSTER_ID_HEADER)) return undefined;
  return url;
}

/** `20261207T103000Z` → ms. */
const amzDate = (s: string | null) => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
};

/** The role a session ARN is of, by name (EKS maps sessions to their role): `arn:aws:iam::<acct>:role/<name>`. */
export function principalIdentity(arn: string): string {
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (session) return `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  const role = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (role) return `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`;
  return arn;
}

export function authenticate(
  authorization: string | undefined, cluster: { name: string; creator: string; admits?: (identity: string) => boolean }, verify: PresignedCallerVerifier, now: number,
): Caller {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  const url = m ? presignedUrl(m[1]) : undefined;
  if (!url) throw unauthorized();
  const signedAt = amzDate(url.searchParams.get('X-Amz-Date'));
  if (!(Math.abs(now - signedAt) <= MAX_TOKEN_AGE_MS)) throw unauthorized();
  let who: { account: string; principalArn: string };
  try {
    who = verify(url, cluster.name);
  } catch {
    throw unauthorized();
  }
  // `admits` (the cluster's authentication mode and access entries, services/eks/access-entries.ts) decides when given.
  const identity = principalIdentity(who.principalArn);
  const admitted = cluster.admits ? cluster.admits(identity) : !!cluster.creator && identity === principalIdentity(cluster.creator);
  if (!admitted) throw unauthorized();
  return { account: who.account, arn: who.principalArn, username: who.principalArn };
}
