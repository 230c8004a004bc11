/**
 * EC2 errors by their wire codes, with EC2's wording. EC2's model declares no
 * error shapes: the code a provider throws is the <Code> the client sees.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
import { AwsError } from '../../protocol/errors.js';
import type { ResourceKind } from './ids.js';
import { PREFIX } from './ids.js';

export const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', message);
export const invalidParameter = (message: string) => new AwsError('InvalidParameter', message);
export const invalidParameterCombination = (message: string) => new AwsError('InvalidParameterCombination', message);
export const missingParameter = (name: string) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
export const dependencyViolation = (message: string) => new AwsError('DependencyViolation', message);

/** DryRun=true on a request that would succeed: EC2 answers 412 with this code. */
export const dryRunOperation = () =>
  new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { status: 412 });

const NOT_FOUND: Record<ResourceKind, { code: string; noun: string }> = {
  vpc: { code: 'InvalidVpcID.NotFound', noun: 'vpc ID' },
  subnet: { code: 'InvalidSubnetID.NotFound', noun: 'subnet ID' },
  'security-group': { code: 'InvalidGroup.NotFound', noun: 'security group' },
  'security-group-rule': { code: 'InvalidSecurityGroupRuleId.NotFound', noun: 'security group rule ID' },
  'network-interface': { code: 'InvalidNetworkInterfaceID.NotFound', noun: 'networkInterface ID' },
  'internet-gateway': { code: 'InvalidInternetGatewayID.NotFound', noun: 'internetGateway ID' },
  'route-table': { code: 'InvalidRouteTableID.NotFound', noun: 'routeTable ID' },
  'network-acl': { code: 'InvalidNetworkAclID.NotFound', noun: 'networkAcl ID' },
  'dhcp-options': { code: 'InvalidDhcpOptionID.NotFound', noun: 'dhcpOption ID' },
  instance: { code: 'InvalidInstanceID.NotFound', noun: 'instance ID' },
  'launch-template': { code: 'InvalidLaunchTemplateId.NotFound', noun: 'launch template ID' },
  'launch-template-version': { code: 'InvalidLaunchTemplateId.VersionNotFound', noun: 'launch template version' },
  'elastic-ip': { code: 'InvalidAllocationID.NotFound', noun: 'allocation ID' },
  natgateway: { code: 'NatGatewayNotFound', noun: 'natGateway ID' },
};

const MALFORMED: Record<ResourceKind, string> = {
  vpc: 'InvalidVpcID.Malformed',
  subnet: 'InvalidSubnetID.Malformed',
  'security-group': 'InvalidGroupId.Malformed',
  'security-group-rule': 'InvalidSecurityGroupRuleId.Malformed',
  'network-interface': 'InvalidNetworkInterfaceId.Malformed',
  'internet-gateway': 'InvalidInternetGatewayId.Malformed',
  'route-table': 'InvalidRouteTableId.Malformed',
  'network-acl': 'InvalidNetworkAclId.Malformed',
  'dhcp-options': 'InvalidDhcpOptionsId.Malformed',
  instance: 'InvalidInstanceID.Malformed',
  'launch-template': 'InvalidLaunchTemplateId.Malformed',
  'launch-template-version': 'InvalidLaunchTemplateId.Malformed',
  'elastic-ip': 'InvalidAllocationID.Malformed',
  natgateway: 'NatGatewayMalformed',
};

/** "The vpc ID 'vpc-1' does not exist" / "The vpc IDs 'vpc-1, vpc-2' do not exist". */
export function notFound(kind: ResourceKind, ids: string | string[]): AwsError {
  const list = Array.isArray(ids) ? ids : [ids];
  const { code, noun } = NOT_FOUND[kind];
  const message = list.length > 1
    ? `The ${noun}s '${list.join(', ')}' do not exist`
    : `The ${noun} '${list[0]}' does not exist`;
  return new AwsError(code, message);
}

export function malformed(kind: ResourceKind, id: string): AwsError {
  return new AwsError(MALFORMED[kind], `Invalid id: "${id}" (expecting "${PREFIX[kind]}-...")`);
}

/** A CIDR that does not parse, in the parameter's wire name (cidrBlock, destinationCidrBlock). */
export const invalidCidrParameter = (cidr: string, parameter = 'cidrBlock') =>
  invalidParameterValue(`Value (${cidr}) for parameter ${parameter} is invalid. This is not a valid CIDR block.`);

export const invalidPaginationToken = () =>
  new AwsError('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
