/**
 * Internet gateways: CreateInternetGateway, AttachInternetGateway,
 * DetachInternetGateway, DeleteInternetGateway, DescribeInternetGateways.
 * A gateway attaches to at most one VPC and a VPC has at most one gateway.
 */
import type {
  AttachInternetGatewayRequest,
  AttachmentStatus,
  CreateInternetGatewayRequest,
  CreateInternetGatewayResult,
  DeleteInternetGatewayRequest,
  DescribeInternetGatewaysRequest,
  DescribeInternetGatewaysResult,
  DetachInternetGatewayRequest,
  InternetGateway,
  Vpc,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { describeResources, requireDoc, requireStored } from './describe.js';
import { vpcHasMappedAddresses } from './addresses.js';
import { dependencyViolation } from './errors.js';
import type { FilterFields } from './filters.js';
import { newResourceId } from './ids.js';
import { insertDoc, deleteDoc, listStored, updateDoc, type Scope, type Stored } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

export function insertInternetGateway(s: Scope): InternetGateway {
  const igw: InternetGateway = { Attachments: [], InternetGatewayId: newResourceId('internet-gateway'), OwnerId: s.account };
  insertDoc(s, 'internet-gateway', igw.InternetGatewayId!, igw);
  return igw;
}

/** The gateway attached to a VPC, if any. */
export function gatewayOf(s: Scope, vpcId: string): Stored<InternetGateway> | undefined {
  return listStored<InternetGateway>(s, 'internet-gateway', { vpcId })[0];
}

export function attach(s: Scope, igw: InternetGateway, vpcId: string): void {
  // EC2 reports an attached gateway's state as "available", outside the AttachmentStatus enum
  // (DescribeInternetGateways, filter attachment.state).
  const doc = { ...igw, Attachments: [{ VpcId: vpcId, State: 'available' as AttachmentStatus }] };
  updateDoc(s, igw.InternetGatewayId!, doc, { vpcId });
}

export function createInternetGateway(s: Scope, input: CreateInternetGatewayRequest): CreateInternetGatewayResult {
  const tags = tagsFromSpecs(input.TagSpecifications, 'internet-gateway');
  const igw = insertInternetGateway(s);
  applyTags(s, igw.InternetGatewayId!, 'internet-gateway', tags);
  return { InternetGateway: withTags(s, igw.InternetGatewayId!, igw) };
}

export function attachInternetGateway(s: Scope, input: AttachInternetGatewayRequest): Record<string, never> {
  const igw = requireStored<InternetGateway>(s, 'internet-gateway', input.InternetGatewayId);
  const vpc = requireDoc<Vpc>(s, 'vpc', input.VpcId);
  const current = igw.doc.Attachments?.[0]?.VpcId;
  if (current) throw new AwsError('Resource.AlreadyAssociated', `resource ${igw.id} is already attached to network ${current}`);
  const other = gatewayOf(s, vpc.VpcId!);
  if (other) throw new AwsError('Resource.AlreadyAssociated', `Network ${vpc.VpcId} already has an internet gateway attached`);
  attach(s, igw.doc, vpc.VpcId!);
  return {};
}

export function detachInternetGateway(s: Scope, input: DetachInternetGatewayRequest): Record<string, never> {
  const igw = requireStored<InternetGateway>(s, 'internet-gateway', input.InternetGatewayId);
  requireDoc<Vpc>(s, 'vpc', input.VpcId);
  if (igw.doc.Attachments?.[0]?.VpcId !== input.VpcId) {
    throw new AwsError('Gateway.NotAttached', `resource ${igw.id} is not attached to network ${input.VpcId}`);
  }
  if (vpcHasMappedAddresses(s, input.VpcId!)) {
    throw dependencyViolation(`Network ${input.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
  }
  updateDoc(s, igw.id, { ...igw.doc, Attachments: [] }, {});
  return {};
}

export function deleteInternetGateway(s: Scope, input: DeleteInternetGatewayRequest): Record<string, never> {
  const igw = requireStored<InternetGateway>(s, 'internet-gateway', input.InternetGatewayId);
  if (igw.doc.Attachments?.length) throw dependencyViolation(`The internetGateway '${igw.id}' has dependencies and cannot be deleted.`);
  deleteDoc(s, igw.id);
  return {};
}

const FIELDS: FilterFields<InternetGateway> = {
  'attachment.state': (g) => g.Attachments?.map((a) => a.State),
  'attachment.vpc-id': (g) => g.Attachments?.map((a) => a.VpcId),
  'internet-gateway-id': (g) => g.InternetGatewayId,
  'owner-id': (g) => g.OwnerId,
};

export function describeInternetGateways(s: Scope, input: DescribeInternetGatewaysRequest): DescribeInternetGatewaysResult {
  const { items, NextToken } = describeResources<InternetGateway, InternetGateway>(s, 'internet-gateway', {
    ids: input.InternetGatewayIds,
    filters: input.Filters,
    fields: FIELDS,
    view: (r) => withTags(s, r.id, r.doc),
    page: input,
  });
  return { InternetGateways: items, NextToken };
}
