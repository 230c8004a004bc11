/**
 * Auto Scaling groups: CreateAutoScalingGroup, UpdateAutoScalingGroup,
 * DescribeAutoScalingGroups, DescribeAutoScalingInstances, SetDesiredCapacity,
 * SetInstanceProtection, TerminateInstanceInAutoScalingGroup,
 * DeleteAutoScalingGroup. Requests record the group's desired state; the
 * group controller (src/controllers/auto-scaling-groups.ts) launches and
 * terminates instances through EC2's door until the group has its desired
 * capacity, spread over its subnets' zones.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html
 */
import { randomUUID } from 'node:crypto';
import type {
  Activity, AutoScalingGroupsType, AutoScalingInstanceDetails, AutoScalingInstancesType, CreateAutoScalingGroupType, DeleteAutoScalingGroupType,
  DescribeAutoScalingInstancesType, AutoScalingGroupNamesType, Instance, SetDesiredCapacityType, SetInstanceProtectionQuery,
  TagDescription, TerminateInstanceInAutoScalingGroupType, UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../../protocol/errors.js';
import { findLaunchTemplate, findSubnets, instanceState, terminateInstances, zonesOf } from '../ec2/index.js';
import type { RequestContext } from '../provider.js';
import { alreadyExists, groupNotFound, resourceInUse, scalingActivityInProgress, validationError } from './errors.js';
import { page } from './pages.js';
import { addActivity, causeTime, newActivity } from './activities.js';
import { beginLifecycleActions, forgetGroupHooks, putHooksAtCreation, TERMINATING } from './lifecycle-hooks.js';
import { forgetGroupPolicies } from './policies.js';
import { forgetGroupSchedules } from './scheduled-actions.js';
import type { WarmGroup } from './warm-pools.js';
import { allGroups, deleteGroupRow, findGroup, groupKey, insertGroup, saveGroup, setDesired, type StoredGroup } from './store.js';

const DELETING = 'Delete in progress';

function requireGroup(ctx: RequestContext, name: string | undefined): StoredGroup {
  const g = name ? findGroup(ctx, name) : undefined;
  if (!g) throw groupNotFound(name ?? '');
  return g;
}

const changed = (ctx: RequestContext, g: StoredGroup) => ctx.changed('autoscaling.group', groupKey(ctx.account, ctx.region, g.AutoScalingGroupName));

function checkBounds(min: number, max: number, desired: number) {
  if (min > max) throw validationError(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max) throw validationError(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

/** The launch template a request names, as the group records it (the version as asked: $Latest and $Default stay symbolic). */
function launchTemplateOf(ctx: RequestContext, spec: CreateAutoScalingGroupType['LaunchTemplate']) {
  if (!spec) return undefined;
  try {
    const t = findLaunchTemplate(ctx, { LaunchTemplateId: spec.LaunchTemplateId, LaunchTemplateName: spec.LaunchTemplateName, Version: spec.Version });
    return { LaunchTemplateId: t.id, LaunchTemplateName: t.name, Version: spec.Version ?? '$Default' };
  } catch (err) {
    if (err instanceof AwsError) throw validationError(`You must use a valid fully-formed launch template. ${err.message}`);
    throw err;
  }
}

/** The subnet an instance was launched into (activity details name it). */
const subnetOf = (ctx: RequestContext, id: string) => instanceState(ctx, id)?.subnetId ?? '';

/** What goes with a deleted group: its policies (and the alarms target tracking made), scheduled actions, lifecycle hooks. */
export function forgetGroup(ctx: RequestContext, name: string): void {
  forgetGroupPolicies(ctx, name);
  forgetGroupSchedules(ctx, name);
  forgetGroupHooks(ctx, name);
}

/** Subnets (VPCZoneIdentifier) or zones (their default subnets): the group's zones and subnets. */
function placementOf(ctx: RequestContext, vpcZoneIdentifier: string | undefined, zones: string[] | undefined) {
  const ids = (vpcZoneIdentifier ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (ids.length) {
    const { found, missing } = findSubnets(ctx.sql, ctx.account, ctx.region, ids);
    if (missing.length) throw validationError(`The subnet ID '${missing[0]}' does not exist`);
    if (new Set(found.map((x) => x.vpcId)).size > 1) throw validationError('The subnets specified must be in the same VPC.');
    return { VPCZoneIdentifier: ids.join(','), AvailabilityZones: [...new Set(found.map((x) => x.availabilityZone))] };
  }
  if (zones?.length) {
    const known = new Set(zonesOf(ctx.region).map((z) => z.name));
    const bad = zones.find((z) => !known.has(z));
    if (bad) throw validationError(`The availability zone '${bad}' is not legal`);
    return { VPCZoneIdentifier: '', AvailabilityZones: [...new Set(zones)] };
  }
  throw validationError('At least one Availability Zone or VPC Subnet is required.');
}

export function createAutoScalingGroup(ctx: RequestContext, input: CreateAutoScalingGroupType): Record<string, never> {
  const name = input.AutoScalingGroupName!;
  if (findGroup(ctx, name)) throw alreadyExists(`AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
  if (!input.LaunchTemplate && !input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification) {
    if (input.LaunchConfigurationName || input.InstanceId) throw new AwsError('UnsupportedOperation', 'Berth supports Auto Scaling groups with a launch template only.');
    throw validationError('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
  }
  const template = launchTemplateOf(ctx, input.LaunchTemplate ?? input.MixedInstancesPolicy!.LaunchTemplate!.LaunchTemplateSpecification);
  const min = input.MinSize!;
  const max = input.MaxSize!;
  const desired = input.DesiredCapacity ?? min;
  checkBounds(min, max, desired);
  const placement = placementOf(ctx, input.VPCZoneIdentifier, input.AvailabilityZones);
  const tags: TagDescription[] = (input.Tags ?? []).map((t) => ({
    ResourceId: name, ResourceType: 'auto-scaling-group', Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false,
  }));
  const g: StoredGroup = {
    AutoScalingGroupName: name,
    AutoScalingGroupARN: `arn:aws:autoscaling:${ctx.region}:${ctx.account}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
    ...(input.MixedInstancesPolicy ? { MixedInstancesPolicy: input.MixedInstancesPolicy } : { LaunchTemplate: template }),
    MinSize: min,
    MaxSize: max,
    DesiredCapacity: desired,
    DefaultCooldown: input.DefaultCooldown ?? 300,
    AvailabilityZones: placement.AvailabilityZones,
    LoadBalancerNames: input.LoadBalancerNames ?? [],
    TargetGroupARNs: input.TargetGroupARNs ?? [],
    HealthCheckType: input.HealthCheckType ?? 'EC2',
    HealthCheckGracePeriod: input.HealthCheckGracePeriod ?? (input.HealthCheckType === 'ELB' ? 300 : 0),
    Instances: [],
    CreatedTime: new Date(ctx.clock.now()).toISOString() as unknown as Date,
    SuspendedProcesses: [],
    VPCZoneIdentifier: placement.VPCZoneIdentifier,
    EnabledMetrics: [],
    Tags: tags,
    TerminationPolicies: input.TerminationPolicies?.length ? input.TerminationPolicies : ['Default'],
    NewInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? false,
    ServiceLinkedRoleARN: input.ServiceLinkedRoleARN ?? `arn:aws:iam::${ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    ...(input.MaxInstanceLifetime !== undefined ? { MaxInstanceLifetime: input.MaxInstanceLifetime } : {}),
    CapacityRebalance: input.CapacityRebalance ?? false,
    TrafficSources: input.TrafficSources ?? [],
  };
  if (g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification) g.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification = template;
  if (desired) g.BerthCause = `At ${causeTime(ctx.clock.now())} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.`;
  insertGroup(ctx, g);
  // Hooks named at creation hold the group's first instances too.
  putHooksAtCreation(ctx, name, input.LifecycleHookSpecificationList ?? []);
  changed(ctx, g);
  return {};
}

export function updateAutoScalingGroup(ctx: RequestContext, input: UpdateAutoScalingGroupType): Record<string, never> {
  const g = requireGroup(ctx, input.AutoScalingGroupName);
  if (g.Status === DELETING) throw new AwsError('ScalingActivityInProgress', 'The group is being deleted.');
  const min = input.MinSize ?? g.MinSize!;
  const max = input.MaxSize ?? g.MaxSize!;
  // A new min or max pulls the desired capacity inside them, as AWS does when DesiredCapacity is not given.
  const desired = input.DesiredCapacity ?? Math.min(max, Math.max(min, g.DesiredCapacity!));
  checkBounds(min, max, desired);
  if (input.LaunchTemplate) g.LaunchTemplate = launchTemplateOf(ctx, input.LaunchTemplate);
  if (input.VPCZoneIdentifier !== undefined || input.AvailabilityZones) {
    Object.assign(g, placementOf(ctx, input.VPCZoneIdentifier, input.AvailabilityZones));
  }
  Object.assign(g, { MinSize: min, MaxSize: max });
  setDesired(g, desired, `At ${causeTime(ctx.clock.now())} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired}`);
  if (input.HealthCheckType) g.HealthCheckType = input.HealthCheckType;
  if (input.HealthCheckGracePeriod !== undefined) g.HealthCheckGracePeriod = input.HealthCheckGracePeriod;
  if (input.DefaultCooldown !== undefined) g.DefaultCooldown = input.DefaultCooldown;
  if (input.TerminationPolicies?.length) g.TerminationPolicies = input.TerminationPolicies;
  if (input.NewInstancesProtectedFromScaleIn !== undefined) g.NewInstancesProtectedFromScaleIn = input.NewInstancesProtectedFromScaleIn;
  if (input.MaxInstanceLifetime !== undefined) g.MaxInstanceLifetime = input.MaxInstanceLifetime;
  saveGroup(ctx, g);
  changed(ctx, g);
  return {};
}

export function setDesiredCapacity(ctx: RequestContext, input: SetDesiredCapacityType): Record<string, never> {
  const g = requireGroup(ctx, input.AutoScalingGroupName);
  const d = input.DesiredCapacity!;
  if (d > g.MaxSize!) throw validationError(`New SetDesiredCapacity value ${d} is above max value ${g.MaxSize} for the AutoScalingGroup.`);
  if (d < g.MinSize!) throw validationError(`New SetDesiredCapacity value ${d} is below min value ${g.MinSize} for the AutoScalingGroup.`);
  // HonorCooldown: the cooldown a simple scaling policy started holds a manual change too.
  if (input.HonorCooldown && g.BerthCooldownUntil !== undefined && ctx.clock.now() < g.BerthCooldownUntil) {
    throw scalingActivityInProgress('Scaling activity is in progress: the group is in its cooldown period.');
  }
  setDesired(g, d, `At ${causeTime(ctx.clock.now())} a user request explicitly set group desired capacity`);
  saveGroup(ctx, g);
  changed(ctx, g);
  return {};
}

export function setInstanceProtection(ctx: RequestContext, input: SetInstanceProtectionQuery): Record<string, never> {
  const g = requireGroup(ctx, input.AutoScalingGroupName);
  for (const id of input.InstanceIds ?? []) {
    const m = g.Instances!.find((i) => i.InstanceId === id);
    if (!m) throw validationError(`The instance ${id} is not part of Auto Scaling group ${g.AutoScalingGroupName}.`);
    m.ProtectedFromScaleIn = !!input.ProtectedFromScaleIn;
  }
  saveGroup(ctx, g);
  // An instance no longer protected may be the one a group above its desired capacity takes out now.
  changed(ctx, g);
  return {};
}

export function terminateInstanceInAutoScalingGroup(ctx: RequestContext, input: TerminateInstanceInAutoScalingGroupType): { Activity: Activity } {
  const id = input.InstanceId!;
  const g = allGroups(ctx).find((x) => x.Instances?.some((i) => i.InstanceId === id));
  if (!g) throw validationError(`Instance Id not found - No managed instance found for instance ID: ${id}`);
  const now = ctx.clock.now();
  const at = causeTime(now);
  const from = g.DesiredCapacity!;
  if (input.ShouldDecrementDesiredCapacity) {
    if (g.DesiredCapacity! <= g.MinSize!) {
      throw validationError(`Currently, desiredCapacity (${g.DesiredCapacity}) is not greater than minSize (${g.MinSize}). Cannot decrement desired capacity.`);
    }
    g.DesiredCapacity = from - 1;
  }
  const m = g.Instances!.find((i) => i.InstanceId === id)!;
  if (m.LifecycleState?.startsWith('Terminating')) throw validationError(`The instance ${id} is already terminating.`);
  // A termination hook holds the instance in Terminating:Wait; the group controller terminates it once the hooks are done.
  const held = beginLifecycleActions(ctx, g, id, TERMINATING, now, ctx.metricsPeriod ?? 60);
  m.LifecycleState = held ? 'Terminating:Wait' : 'Terminating';
  if (!held) terminateInstances(ctx, { InstanceIds: [id] });
  saveGroup(ctx, g);
  changed(ctx, g);
  const cause = input.ShouldDecrementDesiredCapacity
    ? `At ${at} instance ${id} was taken out of service in response to a user request, shrinking the capacity from ${from} to ${g.DesiredCapacity}.`
    : `At ${at} instance ${id} was taken out of service in response to a user request.`;
  const activity = newActivity(g, {
    Description: `Terminating EC2 instance: ${id}`, Cause: cause, StartTime: now, StatusCode: held ? 'MidLifecycleAction' : 'InProgress', Progress: 0,
    Details: JSON.stringify({ 'Subnet ID': subnetOf(ctx, id), 'Availability Zone': m.AvailabilityZone }),
  });
  addActivity(ctx, activity, 'terminate', id);
  return { Activity: { ...activity, StartTime: new Date(now), EndTime: undefined } as Activity };
}

export function deleteAutoScalingGroup(ctx: RequestContext, input: DeleteAutoScalingGroupType): Record<string, never> {
  const g = requireGroup(ctx, input.AutoScalingGroupName);
  // A warm pool's instances count as the group's.
  const held = (g.Instances?.length ?? 0) + ((g as WarmGroup).BerthWarmInstances?.length ?? 0);
  if (held && !input.ForceDelete) {
    throw resourceInUse('You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
  }
  if (!held) {
    deleteGroupRow(ctx, g.AutoScalingGroupName);
    forgetGroup(ctx, g.AutoScalingGroupName);
    return {};
  }
  // Forced: the controller terminates its instances, then the group goes.
  g.Status = DELETING;
  g.DesiredCapacity = 0;
  g.MinSize = 0;
  saveGroup(ctx, g);
  changed(ctx, g);
  return {};
}

function matchesFilters(g: StoredGroup, filters: AutoScalingGroupNamesType['Filters']): boolean {
  return (filters ?? []).every((f) => {
    const values = f.Values ?? [];
    const name = f.Name ?? '';
    const tags = g.Tags ?? [];
    if (name === 'tag-key') return tags.some((t) => values.includes(t.Key!));
    if (name === 'tag-value') return tags.some((t) => values.includes(t.Value!));
    if (name.startsWith('tag:')) return tags.some((t) => t.Key === name.slice(4) && values.includes(t.Value!));
    throw validationError(`Filter name '${name}' is invalid.`);
  });
}

export function describeAutoScalingGroups(ctx: RequestContext, input: AutoScalingGroupNamesType): AutoScalingGroupsType {
  const names = input.AutoScalingGroupNames ?? [];
  const groups = allGroups(ctx).filter((g) => (!names.length || names.includes(g.AutoScalingGroupName)) && matchesFilters(g, input.Filters));
  const { items, NextToken } = page(groups, (g) => g.AutoScalingGroupName, input.MaxRecords, input.NextToken);
  return { AutoScalingGroups: items, ...(NextToken ? { NextToken } : {}) };
}

const details = (g: StoredGroup, i: Instance): AutoScalingInstanceDetails => ({
  InstanceId: i.InstanceId, InstanceType: i.InstanceType, AutoScalingGroupName: g.AutoScalingGroupName, AvailabilityZone: i.AvailabilityZone,
  // DescribeAutoScalingInstances spells health in capitals, unlike the group's instance list.
  LifecycleState: i.LifecycleState, HealthStatus: (i.HealthStatus ?? 'Healthy').toUpperCase(), LaunchTemplate: i.LaunchTemplate,
  ProtectedFromScaleIn: i.ProtectedFromScaleIn,
});

export function describeAutoScalingInstances(ctx: RequestContext, input: DescribeAutoScalingInstancesType): AutoScalingInstancesType {
  const ids = input.InstanceIds ?? [];
  const all = allGroups(ctx).flatMap((g) => (g.Instances ?? []).map((i) => details(g, i))).filter((d) => !ids.length || ids.includes(d.InstanceId!));
  const { items, NextToken } = page(all, (d) => d.InstanceId!, input.MaxRecords, input.NextToken);
  return { AutoScalingInstances: items, ...(NextToken ? { NextToken } : {}) };
}
