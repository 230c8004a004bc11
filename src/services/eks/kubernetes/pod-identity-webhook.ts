/**
 * The EKS Pod Identity webhook, as EKS runs it on every cluster: a pod created with a service account that has a
 * pod identity association gets, in each container and init container, the environment the AWS SDKs' container
 * credential provider reads and a projected service account token for the Pod Identity Agent
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html). As the webhook, it acts at admission
 * only: a pod made before its association gets nothing (restart it), and a container that already sets
 * AWS_CONTAINER_CREDENTIALS_FULL_URI is left alone.
 */
import { podIdentityRole } from '../pod-identity.js';
import type { KubeObject, ObjectScope } from './objects.js';

export const POD_IDENTITY = {
  /** Where the Pod Identity Agent answers on every node (the SDKs accept this link-local host over http). */
  fullUri: 'http://169.254.170.23/v1/credentials',
  volume: 'eks-pod-identity-token',
  mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
  tokenPath: 'eks-pod-identity-token',
  audience: 'pods.eks.amazonaws.com',
  expirationSeconds: 86400,
} as const;

export function injectPodIdentity(store: Pick<ObjectScope, 'sql' | 'cluster'>, pod: KubeObject): void {
  const spec = pod.spec;
  if (!spec || (spec.volumes ?? []).some((v: any) => v.name === POD_IDENTITY.volume)) return;
  const assoc = podIdentityRole(store.sql, store.cluster, pod.metadata.namespace!, spec.serviceAccountName ?? 'default');
  if (!assoc) return;
  const env = [
    { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
    { name: 'AWS_DEFAULT_REGION', value: assoc.region },
    { name: 'AWS_REGION', value: assoc.region },
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: POD_IDENTITY.fullUri },
    { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: `${POD_IDENTITY.mountPath}/${POD_IDENTITY.tokenPath}` },
  ];
  let injected = false;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const has = new Set((c.env ?? []).map((e: any) => e.name));
    if (has.has('AWS_CONTAINER_CREDENTIALS_FULL_URI')) continue;
    c.env = [...(c.env ?? []), ...env.filter((e) => !has.has(e.name))];
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: POD_IDENTITY.volume, mountPath: POD_IDENTITY.mountPath, readOnly: true }];
    injected = true;
  }
  if (!injected) return;
  spec.volumes = [...(spec.volumes ?? []), {
    name: POD_IDENTITY.volume,
    projected: {
      defaultMode: 0o644,
      sources: [{ serviceAccountToken: { audience: POD_IDENTITY.audience, expirationSeconds: POD_IDENTITY.expirationSeconds, path: POD_IDENTITY.tokenPath } }],
    },
  }];
}
