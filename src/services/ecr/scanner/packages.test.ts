import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { osEcosystem, parseApkInstalled, parseDpkgStatus, parseOsRelease, parsePackageLock } from './packages.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../../../fixtures/images/vulnerable/${name}`, import.meta.url)), 'utf8');

describe('package inventories', () => {
  it('dpkg status: installed packages with their source package, removed ones left out', () => {
    const pkgs = parseDpkgStatus(fixture('dpkg-status'), '/var/lib/dpkg/status');
    assert.deepEqual(pkgs.map((p) => [p.name, p.version, p.source, p.sourceVersion]), [
      ['libssl3', '3.0.11-1~deb12u2', 'openssl', '3.0.11-1~deb12u2'],
      ['openssl', '3.0.11-1~deb12u2', undefined, undefined],
      ['zlib1g', '1:1.2.13.dfsg-1', 'zlib', '1:1.2.13.dfsg-1'],
      ['tar', '1.34+dfsg-1.2+deb12u1', undefined, undefined],
      ['bash', '5.2.15-2+b2', 'bash', '5.2.15-2'],
    ]);
    assert.ok(pkgs.every((p) => p.ecosystem === 'Debian' && p.path === '/var/lib/dpkg/status'));
  });

  it('apk installed: name, version and origin', () => {
    const text = 'C:Q1abc=\nP:busybox-binsh\nV:1.36.1-r15\nA:x86_64\no:busybox\n\nP:musl\nV:1.2.4_git20230717-r4\no:musl\n';
    assert.deepEqual(parseApkInstalled(text, '/lib/apk/db/installed').map((p) => [p.name, p.version, p.source]), [
      ['busybox-binsh', '1.36.1-r15', 'busybox'],
      ['musl', '1.2.4_git20230717-r4', 'musl'],
    ]);
  });

  it('package-lock v3 lists every installed package once by its node_modules path', () => {
    const pkgs = parsePackageLock(fixture('package-lock.json'), '/app/package-lock.json');
    assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`), ['lodash@4.17.20', 'lru-cache@6.0.0', 'minimist@1.2.8', 'semver@7.5.1', 'yallist@4.0.0']);
  });

  it('package-lock v2 nested and scoped packages; links and non-registry versions are skipped', () => {
    const lock = JSON.stringify({
      lockfileVersion: 2,
      packages: {
        '': { name: 'x' },
        'node_modules/@scope/pkg': { version: '1.0.0' },
        'node_modules/a/node_modules/b': { version: '2.0.0' },
        'node_modules/linked': { resolved: '../linked', link: true },
        'node_modules/gitdep': { version: 'git+https://example.invalid/x.git#abc' },
        'node_modules/alias': { name: 'real-name', version: '3.1.4' },
      },
    });
    assert.deepEqual(parsePackageLock(lock, '/l').map((p) => `${p.name}@${p.version}`), ['@scope/pkg@1.0.0', 'b@2.0.0', 'real-name@3.1.4']);
  });

  it('package-lock v1 walks nested dependencies', () => {
    const pkgs = parsePackageLock(fixture('legacy-package-lock.json'), '/l');
    assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`), ['event-stream@3.3.6', 'flatmap-stream@0.1.1']);
    assert.deepEqual(parsePackageLock('not json', '/l'), []);
  });

  it('os-release gives the OSV ecosystem and release', () => {
    const os = parseOsRelease(fixture('os-release'));
    assert.deepEqual(os, { id: 'debian', versionId: '12' });
    assert.deepEqual(osEcosystem(os, 'Debian'), { ecosystem: 'Debian', release: '12' });
    assert.deepEqual(osEcosystem(parseOsRelease('ID=alpine\nVERSION_ID=3.19.1\n'), 'Alpine'), { ecosystem: 'Alpine', release: 'v3.19' });
    assert.deepEqual(osEcosystem(undefined, 'Debian'), { ecosystem: 'Debian' });
  });
});
