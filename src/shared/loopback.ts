/** Loopback addresses: 127.0.0.0/8 and ::1 (also as IPv4-mapped IPv6), addresses that never leave the machine. */
import net from 'node:net';

export function isLoopback(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (!net.isIPv6(h)) return false;
  const lower = h.toLowerCase();
  if (lower.startsWith('::ffff:')) return isLoopback(lower.slice(7));
  return lower === '::1' || lower === '0:0:0:0:0:0:0:1';
}
