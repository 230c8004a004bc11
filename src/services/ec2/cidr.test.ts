import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  contains, formatCidr, formatIpv4, isCanonical, isIpv6Cidr, overlaps, parseCidr, parseIpv4, size, usableAddress, usableAddressCount,
} from './cidr.js';

const c = (text: string) => {
  const v = parseCidr(text);
  assert.ok(v, `${text} parses`);
  return v;
};

describe('CIDR arithmetic', () => {
  it('parses dotted quads and rejects out-of-range or leading-zero octets', () => {
    assert.equal(parseIpv4('172.31.0.1'), 0xac1f0001);
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIpv4('256.0.0.1'), undefined);
    assert.equal(parseIpv4('10.0.0'), undefined);
    assert.equal(parseIpv4('10.00.0.1'), undefined);
    assert.equal(parseIpv4('10.0.0.x'), undefined);
    assert.equal(formatIpv4(0xac1f0001), '172.31.0.1');
  });

  it('parses CIDRs with prefixes 0 to 32 only', () => {
    assert.deepEqual(parseCidr('10.0.0.0/16'), { base: 0x0a000000, prefix: 16 });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { base: 0, prefix: 0 });
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('10.0.0.0'), undefined);
    assert.equal(parseCidr('10.0.0.0/'), undefined);
    assert.equal(parseCidr('10.0.0.0/a'), undefined);
  });

  it('tells canonical network addresses from ones with host bits set', () => {
    assert.equal(isCanonical(c('10.0.0.0/16')), true);
    assert.equal(isCanonical(c('10.0.0.1/16')), false);
    assert.equal(isCanonical(c('172.31.16.0/20')), true);
    assert.equal(isCanonical(c('172.31.8.0/20')), false);
    assert.equal(formatCidr(c('10.0.3.7/16')), '10.0.0.0/16');
  });

  it('computes containment and overlap', () => {
    assert.equal(contains(c('172.31.0.0/16'), c('172.31.16.0/20')), true);
    assert.equal(contains(c('172.31.16.0/20'), c('172.31.0.0/16')), false);
    assert.equal(contains(c('10.0.0.0/16'), c('10.1.0.0/24')), false);
    assert.equal(overlaps(c('10.0.0.0/24'), c('10.0.0.128/25')), true);
    assert.equal(overlaps(c('10.0.0.0/25'), c('10.0.0.128/25')), false);
    assert.equal(overlaps(c('0.0.0.0/0'), c('192.168.1.0/24')), true);
  });

  it('reserves the first four and the last address of a subnet', () => {
    const sub = c('10.0.1.0/24');
    assert.equal(size(sub), 256);
    assert.equal(usableAddressCount(sub), 251);
    assert.equal(usableAddressCount(c('172.31.0.0/20')), 4091);
    assert.equal(formatIpv4(usableAddress(sub, 0)!), '10.0.1.4');
    assert.equal(formatIpv4(usableAddress(sub, 250)!), '10.0.1.254');
    assert.equal(usableAddress(sub, 251), undefined);
    assert.equal(usableAddressCount(c('10.0.0.0/28')), 11);
  });

  it('checks IPv6 CIDR syntax', () => {
    assert.equal(isIpv6Cidr('::/0'), true);
    assert.equal(isIpv6Cidr('2001:db8::/32'), true);
    assert.equal(isIpv6Cidr('2001:db8::/129'), false);
    assert.equal(isIpv6Cidr('10.0.0.0/8'), false);
  });
});
