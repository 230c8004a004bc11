import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareApk, compareDpkg, compareSemver } from './versions.js';

const sign = (n: number) => Math.sign(n);

/** Every pair in `ascending` must compare in that order, both ways. */
function ordered(cmp: (a: string, b: string) => number, ascending: string[]) {
  for (let i = 0; i < ascending.length; i++) {
    for (let j = 0; j < ascending.length; j++) {
      assert.equal(sign(cmp(ascending[i], ascending[j])), sign(i - j), `${ascending[i]} vs ${ascending[j]}`);
    }
  }
}

describe('dpkg version comparison', () => {
  it('orders by epoch first, then upstream version, then revision', () => {
    ordered(compareDpkg, ['1.0-1', '1.0-2', '1.1-1', '2:0.1-1']);
    assert.equal(compareDpkg('1:1.2.13.dfsg-1', '1.2.13.dfsg-1'), 1);
  });

  it('a tilde sorts before anything, even the end of the version', () => {
    ordered(compareDpkg, ['1.0~~', '1.0~~a', '1.0~', '1.0~rc1', '1.0', '1.0a', '1.0+deb12u1']);
    ordered(compareDpkg, ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1', '3.0.13-1']);
  });

  it('compares digit runs numerically and non-digits with letters before other symbols', () => {
    ordered(compareDpkg, ['1.2', '1.10', '1.10a', '1.10+']);
    assert.equal(compareDpkg('1.002', '1.2'), 0);
    assert.equal(compareDpkg('1.0-0', '1.0'), 0);
  });

  it('handles revisions with hyphens in the upstream part', () => {
    ordered(compareDpkg, ['1.34+dfsg-1.2', '1.34+dfsg-1.2+deb12u1', '1.34+dfsg-1.2+deb12u2']);
    ordered(compareDpkg, ['2.0-beta-1', '2.0-beta-2', '2.0-rc-1']);
  });
});

describe('apk version comparison', () => {
  it('orders numbers, letters, pre- and post-release suffixes and revisions as apk does', () => {
    ordered(compareApk, ['1.1_alpha', '1.1_alpha2', '1.1_beta', '1.1_pre1', '1.1_rc1', '1.1', '1.1-r1', '1.1-r2', '1.1_p1', '1.1a', '1.1.1']);
  });

  it('compares components numerically and a longer version as newer', () => {
    ordered(compareApk, ['1.2', '1.9', '1.10', '1.10.1', '2']);
    ordered(compareApk, ['1.36.1-r15', '1.36.1-r16', '1.36.2-r0']);
    assert.equal(compareApk('3.1.4-r5', '3.1.4-r5'), 0);
  });

  it('treats a component with leading zeros as smaller (apk-tools 2 quirks included)', () => {
    ordered(compareApk, ['1.01', '1.1']);
    // apk-tools 2 reads '0' as a leading-zero run, so 1.0_alpha sorts after 1.0 there too.
    assert.equal(compareApk('1.0_alpha', '1.0'), 1);
  });
});

describe('semver comparison', () => {
  it('follows SemVer 2.0 precedence, with pre-releases before the release', () => {
    ordered(compareSemver, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
    ordered(compareSemver, ['0.9.9', '1.0.0', '1.2.0', '1.10.0', '4.17.20', '4.17.21']);
  });

  it('ignores build metadata and a leading v', () => {
    assert.equal(compareSemver('1.2.3+build.5', '1.2.3'), 0);
    assert.equal(compareSemver('v1.2.3', '1.2.3'), 0);
  });
});
