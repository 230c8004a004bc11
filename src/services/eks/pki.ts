/**
 * A cluster's PKI, as EKS makes one per cluster: a certificate authority (CN=kubernetes, RSA 2048, ten
 * years), whose PEM is DescribeCluster's `certificateAuthority.data` (base64), and the API server's
 * certificate signed by it, for the names and addresses clients reach it at (127.0.0.1 and localhost
 * for Berth's endpoint, the in-cluster kubernetes.default names). Made by the cluster controller (key
 * generation takes tens of milliseconds; an operation would hold the API for them).
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { buildCertificate } from '../acm/index.js';
import type { ClusterPki } from './store.js';

const generate = promisify(generateKeyPair);
const YEAR_MS = 365 * 86400_000;

export async function issueClusterPki(now: number): Promise<ClusterPki> {
  // The two keys at once: key generation runs on libuv's pool, so on two cores this halves the wait for ACTIVE.
  const [ca, server] = await Promise.all([generate('rsa', { modulusLength: 2048 }), generate('rsa', { modulusLength: 2048 })]) as
    { privateKey: KeyObject; publicKey: KeyObject }[];
  const caName: [string, string][] = [['CN', 'kubernetes']];
  const notBefore = new Date(now - 3600_000);
  const caCertificate = buildCertificate({
    subject: caName, issuer: caName, publicKey: ca.publicKey, signingKey: ca.privateKey, issuerPublicKey: ca.publicKey,
    notBefore, notAfter: new Date(now + 10 * YEAR_MS), ca: true,
  });
  const certificate = buildCertificate({
    subject: [['CN', 'kube-apiserver']], issuer: caName, publicKey: server.publicKey, signingKey: ca.privateKey, issuerPublicKey: ca.publicKey,
    notBefore, notAfter: new Date(now + YEAR_MS),
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  return {
    caCertificate, caKey: ca.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certificate, key: server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
