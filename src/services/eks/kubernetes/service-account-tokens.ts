/**
 * Bound service account tokens, as the API server's TokenRequest issues them for a pod's projected
 * `serviceAccountToken` volume: a JWT (RS256) whose `iss` is the cluster's OIDC issuer, `sub`
 * `system:serviceaccount:<ns>:<sa>`, `aud` the requested audience, with the `kubernetes.io` claim naming the
 * namespace, pod and service account (https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens).
 * Berth signs them with the cluster's CA key (EKS uses a key of its own, published at the issuer; Berth
 * serves no OIDC discovery). A token is good while it has not expired and the pod it is bound to still
 * exists with the same uid, as a bound token is invalidated with its pod.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import type { Cluster } from '@aws-sdk/client-eks';
import type { Statements } from '../../../state/db.js';
import type { ClusterPki } from '../store.js';
import { clusterByUid } from '../store.js';
import { getObject, type KubeObject } from './objects.js';

export interface BoundToken {
  clusterUid: string;
  namespace: string;
  podName: string;
  podUid: string;
  serviceAccount: string;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const keyId = (pki: ClusterPki) => createHash('sha256').update(createPublicKey(pki.caKey).export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 40);
const issuerOf = (doc: string) => (JSON.parse(doc) as Cluster).identity?.oidc?.issuer ?? '';

/** A token for `pod`'s service account with `audience`, valid `expirationSeconds`; undefined while the cluster has no keys yet. */
export function issueServiceAccountToken(sql: Statements, clusterUid: string, pod: KubeObject, audience: string, expirationSeconds: number, now: number): string | undefined {
  const row = clusterByUid(sql, clusterUid);
  if (!row?.pki) return undefined;
  const pki = JSON.parse(row.pki) as ClusterPki;
  const ns = pod.metadata.namespace!;
  const saName: string = pod.spec?.serviceAccountName ?? 'default';
  const sa = getObject({ sql, cluster: clusterUid }, 'serviceaccounts', ns, saName);
  const iat = Math.floor(now / 1000);
  const header = { alg: 'RS256', kid: keyId(pki) };
  const claims = {
    aud: [audience], exp: iat + expirationSeconds, iat, nbf: iat, iss: issuerOf(row.doc), jti: randomUUID(),
    sub: `system:serviceaccount:${ns}:${saName}`,
    'kubernetes.io': {
      namespace: ns,
      ...(pod.spec?.nodeName ? { node: { name: pod.spec.nodeName } } : {}),
      pod: { name: pod.metadata.name, uid: pod.metadata.uid },
      serviceaccount: { name: saName, ...(sa?.metadata.uid ? { uid: sa.metadata.uid } : {}) },
    },
  };
  const signed = `${b64(header)}.${b64(claims)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), createPrivateKey(pki.caKey)).toString('base64url')}`;
}

/** The pod a token is bound to, if it is a token of one of this Berth's clusters for `audience`, unexpired, and its pod lives. */
export function verifyServiceAccountToken(sql: Statements, token: string, audience: string, now: number): BoundToken | undefined {
  const [h, p, s] = token.trim().split('.');
  if (!h || !p || !s) return undefined;
  let claims: any;
  try {
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const rows = sql.get('SELECT uid, doc, pki FROM eks_clusters WHERE pki IS NOT NULL').all() as { uid: string; doc: string; pki: string }[];
  const row = rows.find((r) => issuerOf(r.doc) === claims.iss);
  if (!row) return undefined;
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey((JSON.parse(row.pki) as ClusterPki).caKey), Buffer.from(s, 'base64url'));
  const k = claims['kubernetes.io'];
  if (!ok || !k?.pod?.uid || !(claims.aud ?? []).includes(audience) || claims.exp * 1000 <= now) return undefined;
  const pod = getObject({ sql, cluster: row.uid }, 'pods', k.namespace, k.pod.name);
  if (!pod || pod.metadata.uid !== k.pod.uid) return undefined;
  return { clusterUid: row.uid, namespace: k.namespace, podName: k.pod.name, podUid: k.pod.uid, serviceAccount: k.serviceaccount?.name };
}
