import Database from 'better-sqlite3';
import { issueCertificate } from '../src/services/acm/local-ca.ts';
import { writeFileSync } from 'node:fs';
const db = new Database(':memory:');
db.exec('CREATE TABLE berth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
const i = issueCertificate(db as any, { domainName: 'example.com', names: ['example.com'], keyAlgorithm: 'EC_prime256v1', notBefore: new Date(), notAfter: new Date(Date.now() + 86400e3) });
writeFileSync('/tmp/acmscratch/leaf.pem', i.certificate); writeFileSync('/tmp/acmscratch/ca.pem', i.chain);
