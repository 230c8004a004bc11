import { X509Certificate, createPrivateKey } from 'node:crypto';
import Database from 'better-sqlite3';
import { issueCertificate, localCa } from '../src/services/acm/local-ca.ts';
import { inspect } from '../src/services/acm/x509.ts';
import { writeFileSync } from 'node:fs';
const db = new Database(':memory:');
db.exec('CREATE TABLE berth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
let t = Date.now();
const ca = localCa(db as any, Date.now());
console.log('ca ms', Date.now() - t);
for (const alg of ['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'] as const) {
  t = Date.now();
  const i = issueCertificate(db as any, { domainName: 'example.com', names: ['example.com', '*.example.com'], keyAlgorithm: alg, notBefore: new Date(), notAfter: new Date(Date.now() + 86400e3) });
  console.log(alg, 'ms', Date.now() - t);
  const x = new X509Certificate(i.certificate);
  const cax = new X509Certificate(i.chain);
  console.log(x.checkIssued(cax), x.verify(cax.publicKey), x.checkPrivateKey(createPrivateKey(i.privateKey)), x.checkHost('a.example.com'));
  console.log(inspect(x));
  writeFileSync(`/tmp/acmscratch/${alg}.pem`, i.certificate); writeFileSync('/tmp/acmscratch/ca.pem', i.chain);
}
console.log(inspect(new X509Certificate(ca.certificate)));
