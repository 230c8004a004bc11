/** The load balancer lines of `berth status`: where each listener answers. */
import type { LoadBalancerStatus } from './index.js';

export function loadBalancerStatusLines(lbs: LoadBalancerStatus[]): string[] {
  if (!lbs.length) return [];
  const lines = ['Load balancers:'];
  for (const lb of lbs) {
    lines.push(`  ${lb.name} (${lb.type}, ${lb.region}) ${lb.dnsName}`);
    for (const l of lb.listeners) {
      const where = l.boundPort === null ? `not bound${l.error ? `: ${l.error}` : ''}`
        : l.boundPort === l.port ? l.url : `${l.url} (port ${l.port} was taken or not permitted)`;
      lines.push(`    ${l.protocol} ${l.port} → ${where}`);
    }
    if (lb.mainPortUrl) lines.push(`    also ${lb.mainPortUrl} (Berth's port, by Host header)`);
  }
  return lines;
}
