/**
 * Instances once launched: DescribeInstances, DescribeInstanceStatus,
 * TerminateInstances, StopInstances, StartInstances, RebootInstances. A
 * request only records the next state (stopping, shutting-down, pending) and
 * when the controller should settle it; the transitions themselves are the
 * instance controller's (src/controllers/ec2-instances.ts). Terminated
 * instances stay visible for an hour, as on EC2.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
 */
import type {
  DescribeInstancesRequest, DescribeInstancesResult, DescribeInstanceStatusRequest, DescribeInstanceStatusResult, Instance,
  InstanceStateChange, InstanceStateName, InstanceStatus, RebootInstancesRequest, StartInstancesRequest, StartInstancesResult,
  StopInstancesRequest, StopInstancesResult, TerminateInstancesRequest, TerminateInstancesResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { checkIds } from './describe.js';
import { invalidParameterCombination, notFound } from './errors.js';
import { bool, compileFilters, type FilterFields } from './filters.js';
import { getInstance, listInstances, saveInstance, stateOf, userInitiated, USER_SHUTDOWN, type InstanceContext, type InstanceRecord } from './instance-records.js';
import { viewInstance, viewReservations } from './instance-views.js';
import { paginate } from './pagination.js';
import type { Scope, Stored } from './store.js';

/** How long stopping and shutting-down last before the controller settles them. */
export const STOPPING_MS = 1_000;

const FIELDS: FilterFields<Instance & { ReservationId?: string; RequesterId?: string }> = {
  'ami-launch-index': (i) => i.AmiLaunchIndex,
  architecture: (i) => i.Architecture,
  'availability-zone': (i) => i.Placement?.AvailabilityZone,
  'availability-zone-id': (i) => i.Placement?.AvailabilityZoneId,
  'block-device-mapping.device-name': (i) => i.BlockDeviceMappings?.map((b) => b.DeviceName),
  'block-device-mapping.status': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.Status),
  'block-device-mapping.volume-id': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeId),
  'boot-mode': (i) => i.BootMode,
  'client-token': (i) => i.ClientToken,
  'current-instance-boot-mode': (i) => i.CurrentInstanceBootMode,
  'dns-name': (i) => i.PublicDnsName,
  'ebs-optimized': (i) => bool(i.EbsOptimized),
  'ena-support': (i) => bool(i.EnaSupport),
  hypervisor: (i) => i.Hypervisor,
  'iam-instance-profile.arn': (i) => i.IamInstanceProfile?.Arn,
  'iam-instance-profile.id': (i) => i.IamInstanceProfile?.Id,
  'image-id': (i) => i.ImageId,
  'instance-id': (i) => i.InstanceId,
  'instance-lifecycle': (i) => i.InstanceLifecycle,
  'instance-state-code': (i) => i.State?.Code,
  'instance-state-name': (i) => i.State?.Name,
  'instance-type': (i) => i.InstanceType,
  'instance.group-id': (i) => i.SecurityGroups?.map((g) => g.GroupId),
  'instance.group-name': (i) => i.SecurityGroups?.map((g) => g.GroupName),
  'key-name': (i) => i.KeyName,
  'launch-index': (i) => i.AmiLaunchIndex,
  'launch-time': (i) => (i.LaunchTime ? new Date(i.LaunchTime).toISOString() : undefined),
  'metadata-options.http-endpoint': (i) => i.MetadataOptions?.HttpEndpoint,
  'metadata-options.http-tokens': (i) => i.MetadataOptions?.HttpTokens,
  'monitoring-state': (i) => i.Monitoring?.State,
  'network-interface.network-interface-id': (i) => i.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
  'network-interface.subnet-id': (i) => i.NetworkInterfaces?.map((n) => n.SubnetId),
  'network-interface.vpc-id': (i) => i.NetworkInterfaces?.map((n) => n.VpcId),
  'network-interface.private-dns-name': (i) => i.NetworkInterfaces?.map((n) => n.PrivateDnsName),
  'network-interface.mac-address': (i) => i.NetworkInterfaces?.map((n) => n.MacAddress),
  'network-interface.group-id': (i) => i.NetworkInterfaces?.flatMap((n) => n.Groups?.map((g) => g.GroupId) ?? []),
  'network-interface.addresses.private-ip-address': (i) => i.NetworkInterfaces?.flatMap((n) => n.PrivateIpAddresses?.map((a) => a.PrivateIpAddress) ?? []),
  'owner-id': () => undefined,
  'placement-group-name': (i) => i.Placement?.GroupName,
  'platform-details': (i) => i.PlatformDetails,
  'private-dns-name': (i) => i.PrivateDnsName,
  'private-ip-address': (i) => i.PrivateIpAddress,
  'reason': (i) => i.StateTransitionReason,
  'requester-id': (i) => i.RequesterId,
  'reservation-id': (i) => i.ReservationId,
  'root-device-name': (i) => i.RootDeviceName,
  'root-device-type': (i) => i.RootDeviceType,
  'source-dest-check': (i) => bool(i.SourceDestCheck),
  'state-reason-code': (i) => i.StateReason?.Code,
  'state-reason-message': (i) => i.StateReason?.Message,
  'subnet-id': (i) => i.SubnetId,
  tenancy: (i) => i.Placement?.Tenancy,
  'usage-operation': (i) => i.UsageOperation,
  'virtualization-type': (i) => i.VirtualizationType,
  'vpc-id': (i) => i.VpcId,
};

/** Instances a request names: each well formed and existing (all missing ones in one NotFound), in the order named. */
function requireInstances(s: Scope, ids: string[] | undefined): Stored<InstanceRecord>[] {
  const list = ids ?? [];
  checkIds('instance', list);
  const found = list.map((id) => getInstance(s, id));
  const missing = list.filter((_, i) => !found[i]);
  if (missing.length) throw notFound('instance', [...new Set(missing)]);
  return found as Stored<InstanceRecord>[];
}

export function describeInstances(s: Scope, input: DescribeInstancesRequest): DescribeInstancesResult {
  if (input.InstanceIds?.length && input.MaxResults !== undefined) {
    throw invalidParameterCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  let stored = listInstances(s);
  if (input.InstanceIds?.length) {
    const wanted = new Set(requireInstances(s, input.InstanceIds).map((r) => r.id));
    stored = stored.filter((r) => wanted.has(r.id));
  }
  const owner = s.account;
  const fields: typeof FIELDS = { ...FIELDS, 'owner-id': () => owner };
  const match = compileFilters(input.Filters, fields, (i) => i.Tags);
  const views = new Map<string, Instance>();
  const matched = stored.filter((r) => {
    const view = viewInstance(s, r.doc);
    views.set(r.id, view);
    return match({ ...view, ReservationId: r.doc.reservationId } as Instance & { ReservationId: string });
  });
  const { page, NextToken } = paginate(matched, (r) => r.seq, input);
  return { Reservations: viewReservations(s, page, (r) => views.get(r.instance.InstanceId!)!), ...(NextToken ? { NextToken } : {}) };
}

function status(rec: InstanceRecord): InstanceStatus {
  const i = rec.instance;
  const running = i.State?.Name === 'running';
  const summary = running
    ? { Status: 'ok' as const, Details: [{ Name: 'reachability' as const, Status: 'passed' as const }] }
    : { Status: 'not-applicable' as const };
  return {
    AvailabilityZone: i.Placement?.AvailabilityZone,
    AvailabilityZoneId: i.Placement?.AvailabilityZoneId,
    InstanceId: i.InstanceId,
    InstanceState: i.State,
    InstanceStatus: summary,
    SystemStatus: summary,
    ...(running ? { AttachedEbsStatus: { Status: 'ok' as const, Details: [{ Name: 'reachability' as const, Status: 'passed' as const }] } } : {}),
  };
}

const STATUS_FIELDS: FilterFields<InstanceStatus> = {
  'availability-zone': (x) => x.AvailabilityZone,
  'instance-state-code': (x) => x.InstanceState?.Code,
  'instance-state-name': (x) => x.InstanceState?.Name,
  'instance-status.status': (x) => x.InstanceStatus?.Status,
  'instance-status.reachability': (x) => x.InstanceStatus?.Details?.map((d) => d.Status),
  'system-status.status': (x) => x.SystemStatus?.Status,
  'system-status.reachability': (x) => x.SystemStatus?.Details?.map((d) => d.Status),
};

/** Running instances only, unless IncludeAllInstances (terminated ones are never listed). */
export function describeInstanceStatus(s: Scope, input: DescribeInstanceStatusRequest): DescribeInstanceStatusResult {
  if (input.InstanceIds?.length && input.MaxResults !== undefined) {
    throw invalidParameterCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  let stored = input.InstanceIds?.length ? requireInstances(s, input.InstanceIds) : listInstances(s);
  stored = stored.filter((r) => (input.IncludeAllInstances ? r.doc.instance.State?.Name !== 'terminated' : r.doc.instance.State?.Name === 'running'));
  const match = compileFilters(input.Filters, STATUS_FIELDS);
  const items = stored.map((r) => ({ seq: r.seq, view: status(r.doc) })).filter((x) => match(x.view));
  const { page, NextToken } = paginate(items, (x) => x.seq, input);
  return { InstanceStatuses: page.map((x) => x.view), ...(NextToken ? { NextToken } : {}) };
}

const incorrectState = (id: string, verb: string) =>
  new AwsError('IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be ${verb}.`);

/** Moves an instance to `to` for the controller to settle after `afterMs`; returns the change EC2 reports. */
function transition(ctx: InstanceContext, rec: InstanceRecord, to: InstanceStateName, afterMs: number, reason?: boolean): InstanceStateChange {
  const i = rec.instance;
  const previous = i.State!;
  const now = ctx.clock.now();
  i.State = stateOf(to);
  if (reason) {
    i.StateTransitionReason = userInitiated(now);
    i.StateReason = USER_SHUTDOWN;
  } else {
    delete i.StateReason;
    i.StateTransitionReason = '';
  }
  rec.nextAt = now + afterMs;
  saveInstance(ctx, rec);
  ctx.changed('ec2.instance', `${ctx.account}/${ctx.region}/${i.InstanceId}`);
  return { InstanceId: i.InstanceId, CurrentState: i.State, PreviousState: previous };
}

const unchanged = (rec: InstanceRecord): InstanceStateChange => ({ InstanceId: rec.instance.InstanceId, CurrentState: rec.instance.State, PreviousState: rec.instance.State });

export function terminateInstances(ctx: InstanceContext, input: TerminateInstancesRequest): TerminateInstancesResult {
  const stored = requireInstances(ctx, input.InstanceIds);
  for (const { doc } of stored) {
    if (doc.disableApiTermination) {
      throw new AwsError('OperationNotPermitted', `The instance '${doc.instance.InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`);
    }
  }
  const TerminatingInstances = stored.map(({ doc }) => {
    const state = doc.instance.State?.Name;
    if (state === 'terminated' || state === 'shutting-down') return unchanged(doc);
    return transition(ctx, doc, 'shutting-down', STOPPING_MS, true);
  });
  return { TerminatingInstances };
}

export function stopInstances(ctx: InstanceContext, input: StopInstancesRequest): StopInstancesResult {
  const stored = requireInstances(ctx, input.InstanceIds);
  for (const { doc } of stored) {
    const state = doc.instance.State?.Name;
    if (state === 'pending' || state === 'shutting-down' || state === 'terminated') throw incorrectState(doc.instance.InstanceId!, 'stopped');
    if (doc.disableApiStop && !input.Force) {
      throw new AwsError('OperationNotPermitted', `The instance '${doc.instance.InstanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`);
    }
  }
  const StoppingInstances = stored.map(({ doc }) => {
    const state = doc.instance.State?.Name;
    if (state === 'stopped' || state === 'stopping') return unchanged(doc);
    return transition(ctx, doc, 'stopping', STOPPING_MS, true);
  });
  return { StoppingInstances };
}

export function startInstances(ctx: InstanceContext, input: StartInstancesRequest): StartInstancesResult {
  const stored = requireInstances(ctx, input.InstanceIds);
  for (const { doc } of stored) {
    const state = doc.instance.State?.Name;
    if (state === 'stopping' || state === 'shutting-down' || state === 'terminated') throw incorrectState(doc.instance.InstanceId!, 'started');
  }
  const StartingInstances = stored.map(({ doc }) => {
    const state = doc.instance.State?.Name;
    if (state === 'running' || state === 'pending') return unchanged(doc);
    return transition(ctx, doc, 'pending', 1_000);
  });
  return { StartingInstances };
}

/** A reboot keeps the instance running (its ECS agent reconnects as the same container instance). */
export function rebootInstances(ctx: InstanceContext, input: RebootInstancesRequest): Record<string, never> {
  const stored = requireInstances(ctx, input.InstanceIds);
  for (const { doc } of stored) {
    const state = doc.instance.State?.Name;
    if (state === 'terminated' || state === 'shutting-down') throw incorrectState(doc.instance.InstanceId!, 'rebooted');
  }
  return {};
}

export { requireInstances };
