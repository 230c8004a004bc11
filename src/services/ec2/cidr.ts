/**
 * IPv4 CIDR arithmetic for VPCs, subnets and address allocation, plus the
 * syntax checks EC2 applies to IPv6 CIDRs in security group rules. Addresses
 * are unsigned 32-bit numbers.
 */
import { isIPv6 } from 'node:net';

export interface Cidr {
  /** The network address (host bits as given; see isCanonical). */
  base: number;
  prefix: number;
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const p = text.slice(slash + 1);
  if (base === undefined || !/^\d{1,2}$/.test(p)) return undefined;
  const prefix = Number(p);
  if (prefix > 32) return undefined;
  return { base, prefix };
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** True when no host bit is set (10.0.0.0/16, not 10.0.0.1/16). */
export function isCanonical(c: Cidr): boolean {
  return ((c.base & maskOf(c.prefix)) >>> 0) === c.base;
}

export function network(c: Cidr): number {
  return (c.base & maskOf(c.prefix)) >>> 0;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(network(c))}/${c.prefix}`;
}

export function containsIp(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === network(c);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && containsIp(outer, network(inner));
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/**
 * AWS reserves the first four addresses and the last one of every subnet
 * (network, VPC router, DNS, future use, broadcast).
 * https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
export const RESERVED_LOW = 4;
export const RESERVED_HIGH = 1;

export function usableAddressCount(c: Cidr): number {
  return Math.max(0, size(c) - RESERVED_LOW - RESERVED_HIGH);
}

/** The n-th address that an ENI may use (0-based), or undefined past the end. */
export function usableAddress(c: Cidr, n: number): number | undefined {
  if (n < 0 || n >= usableAddressCount(c)) return undefined;
  return network(c) + RESERVED_LOW + n;
}

/** IPv6 CIDR syntax (2001:db8::/32), as security group rules and routes accept it. */
export function isIpv6Cidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const p = text.slice(slash + 1);
  return isIPv6(text.slice(0, slash)) && /^\d{1,3}$/.test(p) && Number(p) <= 128;
}
