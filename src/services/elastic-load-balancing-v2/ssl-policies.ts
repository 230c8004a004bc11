/**
 * ELB's predefined security policies for HTTPS and TLS listeners, with the
 * protocols and ciphers AWS documents for each (OpenSSL names, in server
 * preference order), DescribeSSLPolicies, and the TLS settings the data plane
 * derives from a policy (src/lb/tls.ts).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 */
import type { DescribeSSLPoliciesInput, DescribeSSLPoliciesOutput, SslPolicy } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { validationError } from './errors.js';
import { paginate } from './pagination.js';

/** What CreateListener uses when an HTTPS or TLS listener names no policy. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

export const sslPolicyNotFound = (names: string[]) =>
  new AwsError('SSLPolicyNotFound', `SSL policy '${names.join("', '")}' not found`);

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const ECDHE_GCM = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'];
const ECDHE_SHA2 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
];
const ECDHE_ALL = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES256-SHA',
];
const RSA_SHA2 = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256'];
const RSA_ALL = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA'];
const LEGACY = [...ECDHE_ALL, ...RSA_ALL];

const V10 = ['TLSv1', 'TLSv1.1', 'TLSv1.2'];
const V11 = ['TLSv1.1', 'TLSv1.2'];
const V12 = ['TLSv1.2'];

interface PolicyDef {
  protocols: string[];
  ciphers: string[];
}

/** Name → protocols and ciphers. */
export const SSL_POLICIES: Record<string, PolicyDef> = {
  'ELBSecurityPolicy-TLS13-1-2-2021-06': { protocols: [...V12, 'TLSv1.3'], ciphers: [...TLS13, ...ECDHE_SHA2] },
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06': { protocols: [...V12, 'TLSv1.3'], ciphers: [...TLS13, ...ECDHE_GCM] },
  'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06': { protocols: [...V12, 'TLSv1.3'], ciphers: [...TLS13, ...ECDHE_SHA2, ...RSA_SHA2] },
  'ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06': { protocols: [...V12, 'TLSv1.3'], ciphers: [...TLS13, ...LEGACY] },
  'ELBSecurityPolicy-TLS13-1-1-2021-06': { protocols: [...V11, 'TLSv1.3'], ciphers: [...TLS13, ...LEGACY] },
  'ELBSecurityPolicy-TLS13-1-0-2021-06': { protocols: [...V10, 'TLSv1.3'], ciphers: [...TLS13, ...LEGACY] },
  'ELBSecurityPolicy-TLS13-1-3-2021-06': { protocols: ['TLSv1.3'], ciphers: TLS13 },
  'ELBSecurityPolicy-TLS-1-2-Ext-2018-06': { protocols: V12, ciphers: LEGACY },
  'ELBSecurityPolicy-TLS-1-2-2017-01': { protocols: V12, ciphers: [...ECDHE_SHA2, ...RSA_SHA2] },
  'ELBSecurityPolicy-TLS-1-1-2017-01': { protocols: V11, ciphers: LEGACY },
  'ELBSecurityPolicy-2016-08': { protocols: V10, ciphers: LEGACY },
  'ELBSecurityPolicy-TLS-1-0-2015-04': { protocols: V10, ciphers: [...LEGACY, 'DES-CBC3-SHA'] },
  'ELBSecurityPolicy-2015-05': { protocols: V10, ciphers: LEGACY },
  'ELBSecurityPolicy-FS-2018-06': { protocols: V10, ciphers: ECDHE_ALL },
  'ELBSecurityPolicy-FS-1-1-2019-08': { protocols: V11, ciphers: ECDHE_ALL },
  'ELBSecurityPolicy-FS-1-2-2019-08': { protocols: V12, ciphers: ECDHE_ALL },
  'ELBSecurityPolicy-FS-1-2-Res-2019-08': { protocols: V12, ciphers: ECDHE_SHA2 },
  'ELBSecurityPolicy-FS-1-2-Res-2020-10': { protocols: V12, ciphers: ECDHE_GCM },
};

/** Checks a policy name; the default when none is given. */
export function checkSslPolicy(name: string | undefined): string {
  const policy = name ?? DEFAULT_SSL_POLICY;
  if (!SSL_POLICIES[policy]) throw sslPolicyNotFound([policy]);
  return policy;
}

function describe(name: string): SslPolicy {
  const p = SSL_POLICIES[name];
  return {
    Name: name,
    SslProtocols: p.protocols,
    Ciphers: p.ciphers.map((Name, i) => ({ Name, Priority: i + 1 })),
    SupportedLoadBalancerTypes: ['application', 'network'],
  };
}

export function describeSSLPolicies(_ctx: RequestContext, input: DescribeSSLPoliciesInput): DescribeSSLPoliciesOutput {
  const names = input.Names?.length ? input.Names : Object.keys(SSL_POLICIES);
  const missing = names.filter((n) => !SSL_POLICIES[n]);
  if (missing.length) throw sslPolicyNotFound(missing);
  if (input.LoadBalancerType && !['application', 'network'].includes(input.LoadBalancerType)) {
    throw validationError(`Load balancer type '${input.LoadBalancerType}' must be one of 'application, network'`);
  }
  const { page, NextMarker } = paginate(names.map((name, i) => ({ name, i })), (n) => n.i, input.Marker, input.PageSize);
  return { SslPolicies: page.map((n) => describe(n.name)), NextMarker };
}

const NODE_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  TLSv1: 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3',
};

/** The node:tls settings that make a server speak a policy's protocols and ciphers. */
export function tlsSettings(name: string): { minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ciphers: string } {
  const p = SSL_POLICIES[name] ?? SSL_POLICIES[DEFAULT_SSL_POLICY];
  const minVersion = NODE_VERSIONS[p.protocols[0]];
  const maxVersion = NODE_VERSIONS[p.protocols[p.protocols.length - 1]];
  // OpenSSL 3 refuses TLS 1.0/1.1 and SHA-1 suites at its default security level; the policy asked for them.
  const legacy = minVersion === 'TLSv1' || minVersion === 'TLSv1.1';
  return { minVersion, maxVersion, ciphers: `${p.ciphers.join(':')}${legacy ? ':@SECLEVEL=0' : ''}` };
}
