/** AWS Certificate Manager (public certificates only): the operation table. Everything else in the model answers 501. */
import type { Provider } from '../provider.js';
import * as certificates from './certificates.js';
import { importCertificate } from './import.js';
import { requestCertificate } from './request.js';
import * as tags from './tags.js';

export const provider: Provider = {
  importCertificate,
  requestCertificate,
  describeCertificate: certificates.describeCertificate,
  getCertificate: certificates.getCertificate,
  listCertificates: certificates.listCertificates,
  deleteCertificate: certificates.deleteCertificate,

  addTagsToCertificate: tags.addTagsToCertificate,
  removeTagsFromCertificate: tags.removeTagsFromCertificate,
  listTagsForCertificate: tags.listTagsForCertificate,
};
