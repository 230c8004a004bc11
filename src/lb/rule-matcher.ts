/**
 * Listener rule conditions compiled to predicates over a request, as an
 * Application Load Balancer evaluates them: all conditions must match, any
 * value of a condition may. Wildcards `*` (any run of characters) and `?` (one
 * character); path-pattern is case-sensitive and sees the path without the
 * query; host-header, http-header values and query-string keys/values are
 * case-insensitive; http-request-method is exact; source-ip is the client's
 * address (not X-Forwarded-For).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';

export interface RequestFacts {
  method: string;
  /** Host header without port, lower case. */
  host: string;
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  sourceIp: string;
}

export type Predicate = (f: RequestFacts) => boolean;

export function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

const anyOf = (regexes: RegExp[]) => (value: string) => regexes.some((r) => r.test(value));

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function queryPairs(query: string): [string, string][] {
  if (!query) return [];
  return query.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
  });
}

// ---- CIDR matching ----------------------------------------------------------------

function ipv4ToBig(ip: string): bigint {
  return ip.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
}

function ipv6ToBig(ip: string): bigint {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBig(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/** Client address without the IPv4-mapped prefix (::ffff:127.0.0.1 → 127.0.0.1). */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

export function cidrMatcher(cidr: string): (ip: string) => boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const v6 = isIPv6(base);
  const width = v6 ? 128n : 32n;
  const mask = bits === 0 ? 0n : ((1n << width) - 1n) ^ ((1n << (width - BigInt(bits))) - 1n);
  const net = (v6 ? ipv6ToBig(base) : ipv4ToBig(base)) & mask;
  return (ip: string) => {
    const addr = normalizeIp(ip);
    if (v6 ? !isIPv6(addr) : !isIPv4(addr)) return false;
    return ((v6 ? ipv6ToBig(addr) : ipv4ToBig(addr)) & mask) === net;
  };
}

// ---- conditions ------------------------------------------------------------------

function headerValues(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function compileOne(c: RuleCondition): Predicate {
  switch (c.Field) {
    case 'host-header': {
      const test = anyOf((c.HostHeaderConfig?.Values ?? c.Values ?? []).map((v) => wildcard(v, true)));
      return (f) => test(f.host);
    }
    case 'path-pattern': {
      const test = anyOf((c.PathPatternConfig?.Values ?? c.Values ?? []).map((v) => wildcard(v, false)));
      return (f) => test(f.path);
    }
    case 'http-header': {
      const name = (c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
      const test = anyOf((c.HttpHeaderConfig?.Values ?? []).map((v) => wildcard(v, true)));
      return (f) => headerValues(f.headers[name]).some(test);
    }
    case 'http-request-method': {
      const methods = new Set(c.HttpRequestMethodConfig?.Values ?? []);
      return (f) => methods.has(f.method);
    }
    case 'query-string': {
      const wanted = (c.QueryStringConfig?.Values ?? []).map((kv) => ({
        key: kv.Key !== undefined ? wildcard(kv.Key, true) : undefined,
        value: wildcard(kv.Value ?? '', true),
      }));
      return (f) => {
        const pairs = queryPairs(f.query);
        return wanted.some((w) => pairs.some(([k, v]) => (w.key ? w.key.test(k) : true) && w.value.test(v)));
      };
    }
    case 'source-ip': {
      const tests = (c.SourceIpConfig?.Values ?? []).map(cidrMatcher);
      return (f) => tests.some((t) => t(f.sourceIp));
    }
    default:
      return () => false;
  }
}

/** All conditions must hold; an empty list (the default rule) always matches. */
export function compileConditions(conditions: RuleCondition[] | undefined): Predicate {
  const preds = (conditions ?? []).map(compileOne);
  if (!preds.length) return () => true;
  if (preds.length === 1) return preds[0];
  return (f) => preds.every((p) => p(f));
}
