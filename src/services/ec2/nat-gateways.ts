/**
 * NAT gateways: CreateNatGateway, DeleteNatGateway, DescribeNatGateways. A gateway is a record
 * (Berth's containers reach out through the engine's own network, not through it): it has a
 * requester-managed interface in its subnet (type `natGateway`) holding a private address and,
 * for a public gateway, its Elastic IP. States as EC2 reports them: `pending`, then `available`
 * (or `failed`: a public gateway in a VPC without an attached internet gateway), `deleting`, then
 * `deleted`, which DescribeNatGateways shows for an hour. EC2 takes minutes for each step; Berth
 * takes SETTLE_MS, derived from the recorded times when the gateway is read (nothing runs meanwhile).
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
 */
import type {
  Address,
  CreateNatGatewayRequest,
  CreateNatGatewayResult,
  DeleteNatGatewayRequest,
  DeleteNatGatewayResult,
  DescribeNatGatewaysRequest,
  DescribeNatGatewaysResult,
  NatGateway,
  NatGatewayState,
  Subnet,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import type { Clock } from '../../shared/clock.js';
import { mapAddress, unmapAddress } from './addresses.js';
import { describeResources, requireDoc, requireStored } from './describe.js';
import { invalidParameterValue, missingParameter } from './errors.js';
import type { FilterFields } from './filters.js';
import { newResourceId } from './ids.js';
import { gatewayOf } from './internet-gateways.js';
import { insertEni, removeEni } from './network-interfaces.js';
import { getDoc, getStored, insertDoc, listStored, updateDoc, type Scope } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

/** How long each transition takes in Berth. */
export const SETTLE_MS = 1_000;
/** How long a deleted gateway stays visible ("about an hour", as EC2 documents). */
const DELETED_VISIBLE_MS = 3_600_000;

type Ctx = Scope & { clock: Clock };

/** What Berth keeps beside the SDK-shaped gateway. */
interface NatRecord extends NatGateway {
  /** When the gateway settles: its create (pending → available/failed) or its delete (deleting → deleted). */
  settlesAt: number;
  /** Set for a public gateway that cannot work: where it goes once pending ends. */
  failure?: { FailureCode: string; FailureMessage: string };
  /** The ClientToken it was created with, for idempotent retries. */
  clientToken?: string;
}

function stateOf(g: NatRecord, now: number): NatGatewayState {
  const settled = now >= g.settlesAt;
  if (g.State === 'deleting') return settled ? 'deleted' : 'deleting';
  if (g.State === 'pending') return settled ? (g.failure ? 'failed' : 'available') : 'pending';
  return g.State!;
}

function view(s: Scope, g: NatRecord, now: number): NatGateway {
  const { settlesAt: _s, failure, clientToken: _c, ...gateway } = g;
  const State = stateOf(g, now);
  return withTags(s, g.NatGatewayId!, {
    ...gateway, State,
    ...(State === 'failed' && failure ? failure : {}),
    ...(State === 'deleted' ? { DeleteTime: new Date(g.settlesAt).toISOString() as unknown as Date } : {}),
  });
}

export function createNatGateway(s: Ctx, input: CreateNatGatewayRequest): CreateNatGatewayResult {
  const now = s.clock.now();
  if (input.ClientToken) {
    const earlier = listStored<NatRecord>(s, 'natgateway').find((g) => g.doc.clientToken === input.ClientToken);
    if (earlier) return { ClientToken: input.ClientToken, NatGateway: view(s, earlier.doc, now) };
  }
  const connectivity = input.ConnectivityType ?? 'public';
  if (input.SecondaryAllocationIds?.length || input.SecondaryPrivateIpAddresses?.length || input.SecondaryPrivateIpAddressCount) {
    throw new AwsError('UnsupportedOperation', 'Berth NAT gateways have one address (no secondary addresses).');
  }
  if (!input.SubnetId) throw missingParameter('subnetId');
  const subnet = requireDoc<Subnet>(s, 'subnet', input.SubnetId);
  if (connectivity === 'public' && !input.AllocationId) {
    throw invalidParameterValue('AllocationId must be specified for a public NAT gateway.');
  }
  if (connectivity === 'private' && input.AllocationId) {
    throw invalidParameterValue('AllocationId cannot be specified for a private NAT gateway.');
  }
  const address = input.AllocationId ? requireStored<Address>(s, 'elastic-ip', input.AllocationId) : undefined;
  if (address?.doc.AssociationId) {
    throw new AwsError('Resource.AlreadyAssociated', `Elastic IP address [${address.id}] is already associated`);
  }
  const tags = tagsFromSpecs(input.TagSpecifications, 'natgateway');
  const id = newResourceId('natgateway');
  const eni = insertEni(s, {
    subnetId: subnet.SubnetId!, description: `Interface for NAT Gateway ${id}`, requesterId: 'amazon-aws', privateIpAddress: input.PrivateIpAddress,
  });
  // A NAT gateway's interface has no security groups and is in use from the start.
  updateDoc(s, eni.NetworkInterfaceId!, { ...eni, Groups: [], InterfaceType: 'natGateway', Status: 'in-use' });
  const failure = connectivity === 'public' && !gatewayOf(s, subnet.VpcId!)
    ? { FailureCode: 'Gateway.NotAttached', FailureMessage: `Network ${subnet.VpcId} has no Internet gateway attached` }
    : undefined;
  const associationId = address && !failure ? mapAddress(s, address, getDoc(s, 'network-interface', eni.NetworkInterfaceId!)!, false) : undefined;
  const record: NatRecord = {
    ConnectivityType: connectivity,
    CreateTime: new Date(now).toISOString() as unknown as Date,
    NatGatewayAddresses: [{
      ...(address ? { AllocationId: address.id, PublicIp: address.doc.PublicIp } : {}),
      ...(associationId ? { AssociationId: associationId } : {}),
      IsPrimary: true, NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIp: eni.PrivateIpAddress, Status: 'succeeded',
    }],
    NatGatewayId: id,
    State: 'pending',
    SubnetId: subnet.SubnetId,
    VpcId: subnet.VpcId,
    settlesAt: now + SETTLE_MS,
    ...(failure ? { failure } : {}),
    ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
  };
  // A failed gateway gives its interface back (EC2 deletes it when the gateway fails).
  if (failure) removeEni(s, eni.NetworkInterfaceId!);
  insertDoc(s, 'natgateway', id, record, { vpcId: subnet.VpcId, parentId: subnet.SubnetId });
  applyTags(s, id, 'natgateway', tags);
  return { ClientToken: input.ClientToken, NatGateway: view(s, record, now) };
}

export function deleteNatGateway(s: Ctx, input: DeleteNatGatewayRequest): DeleteNatGatewayResult {
  const now = s.clock.now();
  const stored = requireStored<NatRecord>(s, 'natgateway', input.NatGatewayId);
  const state = stateOf(stored.doc, now);
  if (state === 'deleted') throw new AwsError('NatGatewayNotFound', `The natGateway ID '${stored.id}' does not exist`);
  if (state === 'deleting') return { NatGatewayId: stored.id };
  // The address goes back to the account and the interface is deleted as the gateway goes.
  for (const a of stored.doc.NatGatewayAddresses ?? []) {
    const address = a.AllocationId ? getStored<Address>(s, 'elastic-ip', a.AllocationId) : undefined;
    if (address?.doc.NetworkInterfaceId === a.NetworkInterfaceId) unmapAddress(s, address!);
    if (a.NetworkInterfaceId) removeEni(s, a.NetworkInterfaceId);
  }
  const addresses = (stored.doc.NatGatewayAddresses ?? []).map(({ AssociationId: _a, ...rest }) => ({ ...rest, Status: 'succeeded' as const }));
  updateDoc(s, stored.id, { ...stored.doc, State: 'deleting', settlesAt: now + SETTLE_MS, NatGatewayAddresses: addresses } satisfies NatRecord);
  return { NatGatewayId: stored.id };
}

/**
 * A route's view of the gateway it names: undefined when no such gateway was ever made here, a blackhole once it is
 * deleting or failed, active otherwise (a pending gateway's routes are active, as EC2 shows them).
 */
export function natRouteState(s: Scope, id: string): 'active' | 'blackhole' | undefined {
  const g = getDoc<NatRecord>(s, 'natgateway', id);
  if (!g) return undefined;
  return g.State === 'deleting' || g.failure ? 'blackhole' : 'active';
}

const FIELDS: FilterFields<NatGateway> = {
  'nat-gateway-id': (g) => g.NatGatewayId,
  state: (g) => g.State,
  'subnet-id': (g) => g.SubnetId,
  'vpc-id': (g) => g.VpcId,
};

export function describeNatGateways(s: Ctx, input: DescribeNatGatewaysRequest): DescribeNatGatewaysResult {
  const now = s.clock.now();
  const { items, NextToken } = describeResources<NatRecord, NatGateway>(s, 'natgateway', {
    ids: input.NatGatewayIds,
    filters: input.Filter,
    fields: FIELDS,
    view: (r) => view(s, r.doc, now),
    page: input,
  });
  // Deleted gateways stay visible for an hour, then are gone.
  const visible = items.filter((g) => g.State !== 'deleted' || now - new Date(g.DeleteTime!).getTime() < DELETED_VISIBLE_MS);
  return { NatGateways: visible, NextToken };
}
