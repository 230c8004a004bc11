/**
 * ACM's operations for a service that provisions on a caller's behalf inside its own call's transaction (ECS Express
 * Mode requests its service URL's certificate and deletes it with the service; App Runner its custom domains'), and the local CA's certificate for
 * Berth's own endpoint (`/_berth/local-ca.pem`, `berth status`). One implementation: the API's checks and tags.
 */
export { requestCertificate } from './request.js';
export { deleteCertificate, describeCertificate } from './certificates.js';
export { localCaCertificate } from './local-ca.js';
