/**
 * The network every account has in every region before it creates anything:
 * the default VPC (172.31.0.0/16) with its default security group, main route
 * table (local route, 0.0.0.0/0 to the internet gateway), default network ACL,
 * an attached internet gateway, and one default /20 subnet per availability
 * zone. Made lazily and once per (account, region): deleting the default VPC
 * does not bring it back (CreateDefaultVpc does), as on AWS.
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
 */
import type {
  AccountAttribute,
  CreateDefaultVpcRequest,
  CreateDefaultVpcResult,
  DescribeAccountAttributesRequest,
  DescribeAccountAttributesResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import type { Statements } from '../../state/db.js';
import { formatIpv4, parseCidr } from './cidr.js';
import { invalidParameterValue } from './errors.js';
import { attach, insertInternetGateway } from './internet-gateways.js';
import { addRoute, mainRouteTable } from './route-tables.js';
import { defaultVpc } from './security-group-refs.js';
import type { Scope } from './store.js';
import { insertSubnet } from './subnets.js';
import { insertVpc, viewVpc, type VpcRecord } from './vpcs.js';
import { zonesOf } from './zones.js';

export const DEFAULT_VPC_CIDR = '172.31.0.0/16';

/** 172.31.0.0/20, 172.31.16.0/20, 172.31.32.0/20, … one per zone. */
export function defaultSubnetCidr(index: number): string {
  return `${formatIpv4(parseCidr(DEFAULT_VPC_CIDR)!.base + index * 4096)}/20`;
}

function buildDefaultVpc(s: Scope): VpcRecord {
  const vpc = insertVpc(s, { cidr: DEFAULT_VPC_CIDR, isDefault: true });
  const igw = insertInternetGateway(s);
  attach(s, igw, vpc.VpcId!);
  addRoute(s, mainRouteTable(s, vpc.VpcId!)!, {
    DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId, Origin: 'CreateRoute', State: 'active',
  });
  zonesOf(s.region).forEach((zone, i) => insertSubnet(s, { vpcId: vpc.VpcId!, cidr: defaultSubnetCidr(i), zone, defaultForAz: true }));
  return vpc;
}

/**
 * Makes sure the account's default network exists in the region (idempotent,
 * cheap after the first call). Other services call it before validating
 * subnet, VPC or security group references; it joins the caller's transaction
 * when there is one.
 */
export function ensureDefaultNetwork(sql: Statements, account: string, region: string): void {
  const seen = sql.get('SELECT 1 FROM ec2_networks WHERE account = ? AND region = ?').get(account, region);
  if (seen) return;
  sql.db.transaction(() => {
    const inserted = sql.get('INSERT OR IGNORE INTO ec2_networks (account, region) VALUES (?, ?)').run(account, region);
    if (inserted.changes) buildDefaultVpc({ sql, account, region });
  })();
}

export function createDefaultVpc(s: Scope, _input: CreateDefaultVpcRequest): CreateDefaultVpcResult {
  if (defaultVpc(s)) throw new AwsError('DefaultVpcAlreadyExists', 'A Default VPC already exists for this account in this region.');
  return { Vpc: viewVpc(s, buildDefaultVpc(s)) };
}

const ATTRIBUTE_NAMES = ['supported-platforms', 'default-vpc', 'max-instances', 'vpc-max-security-groups-per-interface', 'max-elastic-ips', 'vpc-max-elastic-ips'];

export function describeAccountAttributes(s: Scope, input: DescribeAccountAttributesRequest): DescribeAccountAttributesResult {
  const values: Record<string, string[]> = {
    'supported-platforms': ['VPC'],
    'default-vpc': [defaultVpc(s)?.id ?? 'none'],
    'max-instances': ['20'],
    'vpc-max-security-groups-per-interface': ['5'],
    'max-elastic-ips': ['5'],
    'vpc-max-elastic-ips': ['5'],
  };
  const names = input.AttributeNames?.length ? input.AttributeNames : ATTRIBUTE_NAMES;
  const attributes: AccountAttribute[] = names.map((name) => {
    if (!values[name]) throw invalidParameterValue(`Value (${name}) for parameter attributeName is invalid. Unknown attribute.`);
    return { AttributeName: name, AttributeValues: values[name].map((v) => ({ AttributeValue: v })) };
  });
  return { AccountAttributes: attributes };
}
