/**
 * Load balancer DNS names in AWS's shapes, under `.localhost` so they resolve
 * to 127.0.0.1 offline (curl and browsers resolve `*.localhost` to loopback
 * themselves, RFC 6761), and the canonical hosted zone ids AWS uses per region
 * (what Route 53 alias records and Terraform expect).
 *   ALB  my-lb-1234567890.us-east-1.elb.amazonaws.com        → my-lb-1234567890.us-east-1.elb.localhost
 *   ALB internal-my-lb-…                                     → internal-my-lb-1234567890.us-east-1.elb.localhost
 *   NLB  my-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com → my-nlb-0123456789abcdef.elb.us-east-1.localhost
 * https://docs.aws.amazon.com/general/latest/gr/elb.html
 */
import { randomBytes, randomInt } from 'node:crypto';

export const DNS_SUFFIX = 'localhost';

export function dnsNameFor(type: string, scheme: string, name: string, region: string): string {
  if (type === 'network') return `${name}-${randomBytes(8).toString('hex')}.elb.${region}.${DNS_SUFFIX}`;
  const id = String(randomInt(100_000_000, 2_147_483_647));
  return `${scheme === 'internal' ? 'internal-' : ''}${name}-${id}.${region}.elb.${DNS_SUFFIX}`;
}

/** Application (and Classic) Load Balancer hosted zones. */
const ALB_ZONES: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'ca-central-1': 'ZQSVJUPU6J1EY',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-west-2': 'ZHURV8PSTC4K8',
  'eu-west-3': 'Z3Q77PNBQS71R4',
  'eu-north-1': 'Z23TAZTHSZK44',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
  'ap-northeast-2': 'ZWKZPGTI48KDX',
  'ap-northeast-3': 'Z5LXEXXYW11ES',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-southeast-2': 'Z1GM3OXH4ZPM65',
  'ap-south-1': 'ZP97RAFLXTNZK',
  'sa-east-1': 'Z2P70J7HTTTPLU',
};

const NLB_ZONES: Record<string, string> = {
  'us-east-1': 'Z26RNL4JYFTOTI',
  'us-east-2': 'ZLMOA37VPKANP',
  'us-west-1': 'Z24FKFUX50B4VW',
  'us-west-2': 'Z18D5FSROUN65G',
  'ca-central-1': 'Z2EPGBW3API2WT',
  'eu-central-1': 'Z3F0SRJ5LGBH90',
  'eu-west-1': 'Z2IFOLAFXWLO4F',
  'eu-west-2': 'ZD4D7Y8KGAS4G',
  'eu-west-3': 'Z1CMS0P5QUZ6D5',
  'eu-north-1': 'Z1UDT6IFJ4EJM',
  'ap-northeast-1': 'Z31USIVHYNEOWT',
  'ap-northeast-2': 'ZIBE1TIR4HY56',
  'ap-northeast-3': 'Z1GWIQ4HH19I5X',
  'ap-southeast-1': 'ZKVM4W9LS7TM',
  'ap-southeast-2': 'ZCT6FZBF4DROD',
  'ap-south-1': 'ZVDDRBQ08TROA',
  'sa-east-1': 'ZTK26PT1VY4CU',
};

/** The region's zone; for a region missing from the table, us-east-1's (a stand-in, not AWS's value). */
export function canonicalHostedZoneId(type: string, region: string): string {
  const zones = type === 'network' ? NLB_ZONES : ALB_ZONES;
  return zones[region] ?? zones['us-east-1'];
}
