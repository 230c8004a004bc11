import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findingsFor, inventory, severityCounts } from './index.js';
import { evaluateAffected, findingName, loadVulnerabilityDb, VulnerabilityDb, type OsvAffected } from './osv.js';
import { cvss3BaseScore, ratingOf } from './severity.js';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
const imageFile = (name: string) => readFileSync(`${FIXTURES}images/vulnerable/${name}`);

const range = (type: string, ...events: Record<string, string>[]): OsvAffected => ({ ranges: [{ type, events }] });

describe('OSV affected ranges', () => {
  it('introduced/fixed intervals use the ecosystem order (dpkg epochs and tildes)', () => {
    const a = range('ECOSYSTEM', { introduced: '0' }, { fixed: '1:1.2.13.dfsg-1+deb12u1' });
    assert.deepEqual(evaluateAffected(a, 'Debian', '1:1.2.13.dfsg-1'), { affected: true, fixed: '1:1.2.13.dfsg-1+deb12u1' });
    assert.deepEqual(evaluateAffected(a, 'Debian', '1:1.2.13.dfsg-1+deb12u1'), { affected: false });
    assert.equal(evaluateAffected(a, 'Debian', '1.2.99').affected, true, 'no epoch is epoch 0, before 1:');
    assert.equal(evaluateAffected(a, 'Debian', '2:0.1-1').affected, false, 'a higher epoch is newer whatever follows');
    const tilde = range('ECOSYSTEM', { introduced: '0' }, { fixed: '3.0.13-1~deb12u1' });
    assert.equal(evaluateAffected(tilde, 'Debian', '3.0.11-1~deb12u2').affected, true);
    assert.equal(evaluateAffected(tilde, 'Debian', '3.0.13-1').affected, false);
  });

  it('several intervals, last_affected, and explicit versions', () => {
    const two = range('SEMVER', { introduced: '1.0.0' }, { fixed: '1.2.6' }, { introduced: '2.0.0' }, { fixed: '2.0.3' });
    assert.deepEqual(evaluateAffected(two, 'npm', '1.2.5'), { affected: true, fixed: '1.2.6' });
    assert.deepEqual(evaluateAffected(two, 'npm', '1.5.0'), { affected: false });
    assert.deepEqual(evaluateAffected(two, 'npm', '2.0.1'), { affected: true, fixed: '2.0.3' });
    assert.deepEqual(evaluateAffected(two, 'npm', '0.9.0'), { affected: false });
    const last = range('SEMVER', { introduced: '3.3.6' }, { last_affected: '3.3.6' });
    assert.equal(evaluateAffected(last, 'npm', '3.3.6').affected, true);
    assert.equal(evaluateAffected(last, 'npm', '3.3.7').affected, false);
    assert.equal(evaluateAffected({ versions: ['0.1.1'] }, 'npm', '0.1.1').affected, true);
  });

  it('apk revisions order as apk does', () => {
    const a = range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.36.1-r16' });
    assert.equal(evaluateAffected(a, 'Alpine', '1.36.1-r15').affected, true);
    assert.equal(evaluateAffected(a, 'Alpine', '1.36.1-r16').affected, false);
    assert.equal(evaluateAffected(a, 'Alpine', '1.36.10-r0').affected, false);
  });

  it('a finding is named by its CVE', () => {
    assert.equal(findingName({ id: 'GHSA-x', aliases: ['CVE-2099-1'] }), 'CVE-2099-1');
    assert.equal(findingName({ id: 'DEBIAN-CVE-2099-2', upstream: ['CVE-2099-2'] }), 'CVE-2099-2');
    assert.equal(findingName({ id: 'GHSA-only' }), 'GHSA-only');
  });
});

describe('CVSS v3 base scores', () => {
  it('computes the specification examples and rates them', () => {
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'), 10);
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'), 7.8);
    assert.equal(cvss3BaseScore('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L'), 5.3);
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N'), 4.4);
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'), 0);
    assert.equal(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P'), undefined);
    assert.deepEqual([9.8, 7.0, 6.9, 0.1, 0].map(ratingOf), ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']);
  });
});

describe('findings for the fixture image', () => {
  it('match the fixture database: severity, package, installed and fixed versions', async () => {
    const db = await loadVulnerabilityDb(`${FIXTURES}osv`);
    assert.equal(db.updatedAt, Date.parse('2099-02-01T08:30:00Z'));
    const inv = inventory(new Map([
      ['etc/os-release', imageFile('os-release')],
      ['var/lib/dpkg/status', imageFile('dpkg-status')],
      ['app/package-lock.json', imageFile('package-lock.json')],
    ]));
    const findings = findingsFor(db, inv);
    const table = findings.map((f) => {
      const a = Object.fromEntries(f.attributes!.map((x) => [x.key, x.value]));
      return [f.name, f.severity, a.package_name, a.package_version, a.fixed_in_version];
    });
    assert.deepEqual(table, [
      ['CVE-2099-0001', 'CRITICAL', 'openssl', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
      ['CVE-2099-0005', 'HIGH', 'lodash', '4.17.20', '4.17.21'],
      ['CVE-2099-0002', 'MEDIUM', 'zlib', '1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1+deb12u1'],
      ['CVE-2099-0007', 'MEDIUM', 'semver', '7.5.1', '7.5.2'],
    ]);
    assert.deepEqual(severityCounts(findings), { CRITICAL: 1, HIGH: 1, MEDIUM: 2 });
    const openssl = findings[0];
    assert.equal(openssl.uri, 'https://security-tracker.debian.org/tracker/CVE-2099-0001');
    assert.match(openssl.description!, /TEST DATA/);
    assert.deepEqual(openssl.attributes!.filter((a) => a.key?.startsWith('CVSS3')).map((a) => a.value), ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '9.8']);
  });

  it('without os-release, advisories of every release apply', () => {
    const db = new VulnerabilityDb([{
      id: 'X', affected: [{ package: { ecosystem: 'Debian:11', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
    }]);
    const inv = inventory(new Map([['var/lib/dpkg/status', imageFile('dpkg-status')]]));
    assert.deepEqual(findingsFor(db, inv).map((f) => [f.name, f.severity]), [['X', 'UNDEFINED']]);
  });
});
