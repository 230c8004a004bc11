/**
 * What the SigV4 credential scope tells us: access key, region and signing
 * service, used for routing and identity. Signatures are verified only with
 * --enforce-iam (sigv4-verify.ts, from gateway/identity.ts).
 */
export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

// Credential=AKID/20261127/us-east-1/ecs/aws4_request
const AUTH_RE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function credentialScope(authorization: string | undefined, query?: URLSearchParams): CredentialScope | undefined {
  if (authorization) {
    const m = AUTH_RE.exec(authorization);
    if (m) return { accessKeyId: m[1], region: m[2], service: m[3] };
    // SigV2-style "AWS AKID:signature" still names the key.
    const v2 = /^AWS ([^:\s]+):/.exec(authorization);
    if (v2) return { accessKeyId: v2[1], region: '', service: '' };
  }
  const qc = query?.get('X-Amz-Credential');
  if (qc) {
    const [accessKeyId, , region, service] = qc.split('/');
    if (accessKeyId && region && service) return { accessKeyId, region, service };
  }
  return undefined;
}
