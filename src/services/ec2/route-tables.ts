/**
 * Route tables: CreateRouteTable, DeleteRouteTable, DescribeRouteTables,
 * CreateRoute, ReplaceRoute, DeleteRoute, AssociateRouteTable,
 * DisassociateRouteTable, ReplaceRouteTableAssociation. Every VPC has a main
 * table with the local route; a subnet without an explicit association uses it.
 * Targets are internet gateways, NAT gateways and network interfaces; those Berth
 * does not model (peering, transit gateways, instances…) cannot exist, so naming
 * one is that target's NotFound error.
 * https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html
 */
import type {
  AssociateRouteTableRequest,
  AssociateRouteTableResult,
  CreateRouteRequest,
  CreateRouteResult,
  CreateRouteTableRequest,
  CreateRouteTableResult,
  DeleteRouteRequest,
  DeleteRouteTableRequest,
  DescribeRouteTablesRequest,
  DescribeRouteTablesResult,
  DisassociateRouteTableRequest,
  InternetGateway,
  NatGateway,
  NetworkInterface,
  ReplaceRouteRequest,
  ReplaceRouteTableAssociationRequest,
  ReplaceRouteTableAssociationResult,
  Route,
  RouteTable,
  RouteTableAssociation,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { contains, isCanonical, isIpv6Cidr, parseCidr } from './cidr.js';
import { describeResources, requireDoc, requireStored } from './describe.js';
import { dependencyViolation, invalidCidrParameter, invalidParameterValue, missingParameter } from './errors.js';
import { bool, type FilterFields } from './filters.js';
import { newId, newResourceId } from './ids.js';
import { natRouteState } from './nat-gateways.js';
import { deleteDoc, getDoc, insertDoc, listStored, updateDoc, type Scope, type Stored } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

const associated = { State: 'associated' as const };

export function insertRouteTable(s: Scope, vpc: Vpc, main: boolean): RouteTable {
  const id = newResourceId('route-table');
  const rt: RouteTable = {
    Associations: main ? [{ Main: true, RouteTableAssociationId: newId('rtbassoc'), RouteTableId: id, AssociationState: associated }] : [],
    PropagatingVgws: [],
    RouteTableId: id,
    Routes: (vpc.CidrBlockAssociationSet ?? []).map((a) => ({
      DestinationCidrBlock: a.CidrBlock, GatewayId: 'local', Origin: 'CreateRouteTable' as const, State: 'active' as const,
    })),
    VpcId: vpc.VpcId,
    OwnerId: s.account,
  };
  insertDoc(s, 'route-table', id, rt, { vpcId: vpc.VpcId });
  return rt;
}

export function mainRouteTable(s: Scope, vpcId: string): Stored<RouteTable> | undefined {
  return listStored<RouteTable>(s, 'route-table', { vpcId }).find((r) => r.doc.Associations?.some((a) => a.Main));
}

/** Route state as EC2 reports it: a route to a gone or detached target is a blackhole. */
function routeState(s: Scope, vpcId: string, r: Route): Route['State'] {
  if (r.GatewayId?.startsWith('igw-')) {
    const igw = getDoc<InternetGateway>(s, 'internet-gateway', r.GatewayId);
    return igw?.Attachments?.some((a) => a.VpcId === vpcId) ? 'active' : 'blackhole';
  }
  if (r.NatGatewayId) return natRouteState(s, r.NatGatewayId) ?? 'blackhole';
  if (r.NetworkInterfaceId) return getDoc<NetworkInterface>(s, 'network-interface', r.NetworkInterfaceId) ? 'active' : 'blackhole';
  return 'active';
}

export function viewRouteTable(s: Scope, rt: RouteTable): RouteTable {
  return withTags(s, rt.RouteTableId!, { ...rt, Routes: (rt.Routes ?? []).map((r) => ({ ...r, State: routeState(s, rt.VpcId!, r) })) });
}

export function createRouteTable(s: Scope, input: CreateRouteTableRequest): CreateRouteTableResult {
  const vpc = requireDoc<Vpc>(s, 'vpc', input.VpcId);
  const tags = tagsFromSpecs(input.TagSpecifications, 'route-table');
  const rt = insertRouteTable(s, vpc, false);
  applyTags(s, rt.RouteTableId!, 'route-table', tags);
  return { RouteTable: viewRouteTable(s, rt) };
}

export function deleteRouteTable(s: Scope, input: DeleteRouteTableRequest): Record<string, never> {
  const rt = requireStored<RouteTable>(s, 'route-table', input.RouteTableId);
  if (rt.doc.Associations?.length) throw dependencyViolation(`The routeTable '${rt.id}' has dependencies and cannot be deleted.`);
  deleteDoc(s, rt.id);
  return {};
}

/** Removes every route table of a VPC (when the VPC itself is deleted). */
export function deleteVpcRouteTables(s: Scope, vpcId: string): void {
  for (const rt of listStored<RouteTable>(s, 'route-table', { vpcId })) deleteDoc(s, rt.id);
}

const notFoundTarget = (code: string, noun: string) => (id: string) => new AwsError(code, `The ${noun} ID '${id}' does not exist`);

/** Targets that cannot exist in Berth, with the NotFound error EC2 gives for each. */
const ABSENT_TARGETS: [keyof CreateRouteRequest, (id: string) => AwsError][] = [
  ['InstanceId', notFoundTarget('InvalidInstanceID.NotFound', 'instance')],
  ['VpcPeeringConnectionId', notFoundTarget('InvalidVpcPeeringConnectionID.NotFound', 'vpcPeeringConnection')],
  ['TransitGatewayId', notFoundTarget('InvalidTransitGatewayID.NotFound', 'transitGateway')],
  ['EgressOnlyInternetGatewayId', notFoundTarget('InvalidGatewayID.NotFound', 'eigw')],
  ['LocalGatewayId', notFoundTarget('InvalidLocalGatewayID.NotFound', 'localGateway')],
  ['CarrierGatewayId', notFoundTarget('InvalidCarrierGatewayID.NotFound', 'carrierGateway')],
  ['VpcEndpointId', notFoundTarget('InvalidVpcEndpointId.NotFound', 'VpcEndpoint')],
  ['CoreNetworkArn', (id) => invalidParameterValue(`Core network ${id} does not exist`)],
  ['OdbNetworkArn', (id) => invalidParameterValue(`ODB network ${id} does not exist`)],
];

type RouteRequest = CreateRouteRequest | ReplaceRouteRequest;

function destinationOf(input: RouteRequest): Pick<Route, 'DestinationCidrBlock' | 'DestinationIpv6CidrBlock'> {
  if (input.DestinationCidrBlock !== undefined) {
    const c = parseCidr(input.DestinationCidrBlock);
    if (!c || !isCanonical(c)) throw invalidCidrParameter(input.DestinationCidrBlock, 'destinationCidrBlock');
    return { DestinationCidrBlock: input.DestinationCidrBlock };
  }
  if (input.DestinationIpv6CidrBlock !== undefined) {
    if (!isIpv6Cidr(input.DestinationIpv6CidrBlock)) throw invalidCidrParameter(input.DestinationIpv6CidrBlock, 'destinationIpv6CidrBlock');
    return { DestinationIpv6CidrBlock: input.DestinationIpv6CidrBlock };
  }
  if (input.DestinationPrefixListId !== undefined) {
    throw new AwsError('InvalidPrefixListID.NotFound', `The prefix list ID '${input.DestinationPrefixListId}' does not exist`);
  }
  throw missingParameter('destinationCidrBlock or destinationIpv6CidrBlock');
}

/** The validated target of a route, as Route members. */
function targetOf(s: Scope, rt: RouteTable, input: RouteRequest, dest: Route): Partial<Route> {
  const given = (['GatewayId', 'NatGatewayId', 'NetworkInterfaceId', ...ABSENT_TARGETS.map(([k]) => k)] as (keyof RouteRequest)[]).filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    throw new AwsError('InvalidParameterCombination', 'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, transitGatewayId, egressOnlyInternetGatewayId, localGatewayId, carrierGatewayId, vpcEndpointId, coreNetworkArn or instanceId');
  }
  const absent = ABSENT_TARGETS.find(([k]) => k === given[0]);
  if (absent) throw absent[1](String(input[given[0]]));
  if (input.NatGatewayId) {
    const nat = getDoc<NatGateway>(s, 'natgateway', input.NatGatewayId);
    if (!nat || natRouteState(s, input.NatGatewayId) === 'blackhole') {
      throw new AwsError('InvalidNatGatewayID.NotFound', `The natGateway ID '${input.NatGatewayId}' does not exist`);
    }
    if (nat.VpcId !== rt.VpcId) throw invalidParameterValue(`route table ${rt.RouteTableId} and NAT gateway ${nat.NatGatewayId} belong to different networks`);
    return { NatGatewayId: nat.NatGatewayId };
  }
  if (input.NetworkInterfaceId) {
    const eni = requireDoc<NetworkInterface>(s, 'network-interface', input.NetworkInterfaceId);
    if (eni.VpcId !== rt.VpcId) throw invalidParameterValue(`route table ${rt.RouteTableId} and interface ${eni.NetworkInterfaceId} belong to different networks`);
    return { NetworkInterfaceId: eni.NetworkInterfaceId };
  }
  const gatewayId = input.GatewayId!;
  if (!gatewayId.startsWith('igw-')) throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${gatewayId}' does not exist`);
  const igw = getDoc<InternetGateway>(s, 'internet-gateway', gatewayId);
  if (!igw) throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${gatewayId}' does not exist`);
  if (!igw.Attachments?.some((a) => a.VpcId === rt.VpcId)) {
    throw invalidParameterValue(`route table ${rt.RouteTableId} and network gateway ${gatewayId} belong to different networks`);
  }
  const d = dest.DestinationCidrBlock ? parseCidr(dest.DestinationCidrBlock) : undefined;
  const vpc = getDoc<Vpc>(s, 'vpc', rt.VpcId!);
  const local = (vpc?.CidrBlockAssociationSet ?? []).map((a) => parseCidr(a.CidrBlock ?? '')).filter((c) => !!c);
  if (d && local.some((c) => contains(c, d))) {
    throw invalidParameterValue(`The destination CIDR block ${dest.DestinationCidrBlock} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.`);
  }
  return { GatewayId: gatewayId };
}

const sameDestination = (a: Route, b: Route) =>
  (!!a.DestinationCidrBlock && a.DestinationCidrBlock === b.DestinationCidrBlock) ||
  (!!a.DestinationIpv6CidrBlock && a.DestinationIpv6CidrBlock === b.DestinationIpv6CidrBlock);

const destinationText = (r: Route) => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? '';

export function addRoute(s: Scope, rt: Stored<RouteTable>, route: Route): void {
  if (rt.doc.Routes?.some((r) => sameDestination(r, route))) {
    throw new AwsError('RouteAlreadyExists', `The route identified by ${destinationText(route)} already exists.`);
  }
  updateDoc(s, rt.id, { ...rt.doc, Routes: [...(rt.doc.Routes ?? []), route] });
}

export function createRoute(s: Scope, input: CreateRouteRequest): CreateRouteResult {
  const rt = requireStored<RouteTable>(s, 'route-table', input.RouteTableId);
  const dest = destinationOf(input);
  const target = targetOf(s, rt.doc, input, dest);
  addRoute(s, rt, { ...dest, ...target, Origin: 'CreateRoute', State: 'active' });
  return { Return: true };
}

export function replaceRoute(s: Scope, input: ReplaceRouteRequest): Record<string, never> {
  const rt = requireStored<RouteTable>(s, 'route-table', input.RouteTableId);
  const dest = destinationOf(input);
  const index = (rt.doc.Routes ?? []).findIndex((r) => sameDestination(r, dest));
  if (index < 0) throw invalidParameterValue(`There is no route defined for '${destinationText(dest)}' in the route table. Use CreateRoute instead.`);
  if (rt.doc.Routes![index].GatewayId === 'local' && input.GatewayId === 'local') return {};
  const target = targetOf(s, rt.doc, input, dest);
  const routes = [...rt.doc.Routes!];
  routes[index] = { ...dest, ...target, Origin: 'CreateRoute', State: 'active' };
  updateDoc(s, rt.id, { ...rt.doc, Routes: routes });
  return {};
}

export function deleteRoute(s: Scope, input: DeleteRouteRequest): Record<string, never> {
  const rt = requireStored<RouteTable>(s, 'route-table', input.RouteTableId);
  const dest: Route = { DestinationCidrBlock: input.DestinationCidrBlock, DestinationIpv6CidrBlock: input.DestinationIpv6CidrBlock };
  const route = rt.doc.Routes?.find((r) => sameDestination(r, dest));
  if (!route) {
    throw new AwsError('InvalidRoute.NotFound', `no route with destination-cidr-block ${destinationText(dest)} in route table ${rt.id}`);
  }
  if (route.GatewayId === 'local') throw invalidParameterValue(`cannot remove local route ${destinationText(dest)} in route table ${rt.id}`);
  updateDoc(s, rt.id, { ...rt.doc, Routes: rt.doc.Routes!.filter((r) => r !== route) });
  return {};
}

function findAssociation(s: Scope, associationId: string | undefined): { rt: Stored<RouteTable>; assoc: RouteTableAssociation } {
  for (const rt of listStored<RouteTable>(s, 'route-table')) {
    const assoc = rt.doc.Associations?.find((a) => a.RouteTableAssociationId === associationId);
    if (assoc) return { rt, assoc };
  }
  throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId ?? ''}' does not exist`);
}

export function associateRouteTable(s: Scope, input: AssociateRouteTableRequest): AssociateRouteTableResult {
  const rt = requireStored<RouteTable>(s, 'route-table', input.RouteTableId);
  if (input.GatewayId) throw new AwsError('UnsupportedOperation', 'Berth does not support gateway route table associations.');
  if (!input.SubnetId) throw missingParameter('subnetId');
  const subnet = requireDoc<Subnet>(s, 'subnet', input.SubnetId);
  if (subnet.VpcId !== rt.doc.VpcId) throw invalidParameterValue(`Route table ${rt.id} and subnet ${subnet.SubnetId} belong to different networks`);
  const taken = listStored<RouteTable>(s, 'route-table', { vpcId: subnet.VpcId }).some((t) => t.doc.Associations?.some((a) => a.SubnetId === subnet.SubnetId));
  if (taken) {
    throw new AwsError('Resource.AlreadyAssociated', `the specified association for route table ${rt.id} conflicts with an existing association`);
  }
  const assoc: RouteTableAssociation = {
    Main: false, RouteTableAssociationId: newId('rtbassoc'), RouteTableId: rt.id, SubnetId: subnet.SubnetId, AssociationState: associated,
  };
  updateDoc(s, rt.id, { ...rt.doc, Associations: [...(rt.doc.Associations ?? []), assoc] });
  return { AssociationId: assoc.RouteTableAssociationId, AssociationState: associated };
}

export function disassociateRouteTable(s: Scope, input: DisassociateRouteTableRequest): Record<string, never> {
  const { rt, assoc } = findAssociation(s, input.AssociationId);
  if (assoc.Main) throw invalidParameterValue(`cannot disassociate the main route table association ${assoc.RouteTableAssociationId}`);
  updateDoc(s, rt.id, { ...rt.doc, Associations: rt.doc.Associations!.filter((a) => a !== assoc) });
  return {};
}

/** Moves an association (a subnet's, or the VPC's main one) to another table of the same VPC. */
export function replaceRouteTableAssociation(s: Scope, input: ReplaceRouteTableAssociationRequest): ReplaceRouteTableAssociationResult {
  const { rt, assoc } = findAssociation(s, input.AssociationId);
  const target = requireStored<RouteTable>(s, 'route-table', input.RouteTableId);
  if (target.doc.VpcId !== rt.doc.VpcId) throw invalidParameterValue(`Route table ${target.id} and association ${assoc.RouteTableAssociationId} belong to different networks`);
  updateDoc(s, rt.id, { ...rt.doc, Associations: rt.doc.Associations!.filter((a) => a !== assoc) });
  const fresh = listStored<RouteTable>(s, 'route-table', { vpcId: target.doc.VpcId }).find((t) => t.id === target.id)!;
  const moved: RouteTableAssociation = { ...assoc, RouteTableAssociationId: newId('rtbassoc'), RouteTableId: target.id };
  updateDoc(s, target.id, { ...fresh.doc, Associations: [...(fresh.doc.Associations ?? []), moved] });
  return { NewAssociationId: moved.RouteTableAssociationId, AssociationState: associated };
}

/** Drops a deleted subnet's explicit association. */
export function dissociateSubnet(s: Scope, vpcId: string, subnetId: string): void {
  for (const rt of listStored<RouteTable>(s, 'route-table', { vpcId })) {
    const kept = (rt.doc.Associations ?? []).filter((a) => a.SubnetId !== subnetId);
    if (kept.length !== rt.doc.Associations?.length) updateDoc(s, rt.id, { ...rt.doc, Associations: kept });
  }
}

const FIELDS: FilterFields<RouteTable> = {
  'association.gateway-id': (t) => t.Associations?.map((a) => a.GatewayId),
  'association.route-table-association-id': (t) => t.Associations?.map((a) => a.RouteTableAssociationId),
  'association.route-table-id': (t) => t.Associations?.map((a) => a.RouteTableId),
  'association.subnet-id': (t) => t.Associations?.map((a) => a.SubnetId),
  'association.main': (t) => t.Associations?.map((a) => bool(a.Main)),
  'owner-id': (t) => t.OwnerId,
  'route-table-id': (t) => t.RouteTableId,
  'route.destination-cidr-block': (t) => t.Routes?.map((r) => r.DestinationCidrBlock),
  'route.destination-ipv6-cidr-block': (t) => t.Routes?.map((r) => r.DestinationIpv6CidrBlock),
  'route.destination-prefix-list-id': (t) => t.Routes?.map((r) => r.DestinationPrefixListId),
  'route.egress-only-internet-gateway-id': (t) => t.Routes?.map((r) => r.EgressOnlyInternetGatewayId),
  'route.gateway-id': (t) => t.Routes?.map((r) => r.GatewayId),
  'route.instance-id': (t) => t.Routes?.map((r) => r.InstanceId),
  'route.nat-gateway-id': (t) => t.Routes?.map((r) => r.NatGatewayId),
  'route.transit-gateway-id': (t) => t.Routes?.map((r) => r.TransitGatewayId),
  'route.origin': (t) => t.Routes?.map((r) => r.Origin),
  'route.state': (t) => t.Routes?.map((r) => r.State),
  'route.vpc-peering-connection-id': (t) => t.Routes?.map((r) => r.VpcPeeringConnectionId),
  'vpc-id': (t) => t.VpcId,
};

export function describeRouteTables(s: Scope, input: DescribeRouteTablesRequest): DescribeRouteTablesResult {
  const { items, NextToken } = describeResources<RouteTable, RouteTable>(s, 'route-table', {
    ids: input.RouteTableIds,
    filters: input.Filters,
    fields: FIELDS,
    view: (r) => viewRouteTable(s, r.doc),
    page: input,
    limits: { min: 5, max: 100 },
  });
  return { RouteTables: items, NextToken };
}
