/**
 * ACM's front door for everything outside services/acm: writing X.509 certificates with node:crypto
 * (EKS makes each cluster's certificate authority and API server certificate with it).
 */
export { buildCertificate, generateKey, type CertificateSpec, type KeySpec } from './x509.js';
