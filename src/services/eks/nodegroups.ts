/**
 * Managed node groups: CreateNodegroup, DescribeNodegroup, ListNodegroups, UpdateNodegroupConfig,
 * UpdateNodegroupVersion, DeleteNodegroup. A request records the node group's desired state; the node-group
 * controller (controllers/eks-nodegroups.ts) makes it so with a real EC2 launch template and Auto Scaling
 * group (through those services' operations), turns the group's instances into Nodes, and moves the node group
 * CREATING → ACTIVE, UPDATING → ACTIVE (its updates Successful), DELETING → gone.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateNodegroupRequest, CreateNodegroupResponse, DeleteNodegroupRequest, DeleteNodegroupResponse, DescribeNodegroupRequest,
  DescribeNodegroupResponse, ListNodegroupsRequest, ListNodegroupsResponse, Nodegroup, UpdateNodegroupConfigRequest,
  UpdateNodegroupConfigResponse, UpdateNodegroupVersionRequest, UpdateNodegroupVersionResponse, UpdateParam,
} from '@aws-sdk/client-eks';
import { eksArn } from '../../shared/arns.js';
import { dropAllTags } from '../../state/tags.js';
import { findSubnets, instanceTypeSpec } from '../ec2/index.js';
import type { RequestContext } from '../provider.js';
import { requireCluster } from './clusters.js';
import { inUse, invalidParameter, invalidRequest, nodegroupNotFound } from './errors.js';
import { pageOf, pageRequest } from './pages.js';
import { clusterDoc, getItem, listItems, nodegroupKey, putItem, type Item } from './store.js';
import { applyTags, eksTags, validateTags } from './tags.js';
import { inProgressUpdates, newUpdate } from './updates.js';
import { versionInfo } from './versions.js';

const NAME_RE = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
/** The AMI date suffix of EKS's release versions (`<kubernetes patch>-<date>`). */
const AMI_RELEASE = '20251120';

/** What Berth keeps beside the description: the launch template it made for the group (EKS's own `eks-<id>`). */
export type StoredNodegroup = Nodegroup & { berthLaunchTemplateId?: string };

export const releaseVersionOf = (version: string) => `${(versionInfo(version)?.gitVersion ?? 'v1.32.9').replace(/^v/, '').replace(/-.*$/, '')}-${AMI_RELEASE}`;

/** The description as DescribeNodegroup answers it: Berth's own fields off, tags live. */
export function nodegroupView(ctx: RequestContext, item: Item<StoredNodegroup>): Nodegroup {
  const { berthLaunchTemplateId: _, ...ng } = item.doc;
  return { ...ng, tags: eksTags(ctx, ng.nodegroupArn!) };
}

export function requireNodegroup(ctx: RequestContext, cluster: string, name: string): Item<StoredNodegroup> {
  requireCluster(ctx, cluster);
  const ng = getItem<StoredNodegroup>(ctx, cluster, 'nodegroup', name);
  if (!ng) throw nodegroupNotFound(cluster, name);
  return ng;
}

function saveNodegroup(ctx: RequestContext, cluster: string, ng: StoredNodegroup, asg = '') {
  putItem(ctx, cluster, 'nodegroup', ng.nodegroupName!, ng, { ref: asg, status: ng.status });
  ctx.changed('eks.nodegroup', nodegroupKey(ctx, cluster, ng.nodegroupName!));
}

function checkScaling(s: { minSize?: number; maxSize?: number; desiredSize?: number }, fields: Record<string, string>) {
  const { minSize = 0, maxSize = 1, desiredSize = 0 } = s;
  if (maxSize < 1) throw invalidParameter('Maximum capacity should be at least 1', fields);
  if (minSize > maxSize) throw invalidParameter(`Minimum capacity ${minSize} can't be greater than max size ${maxSize}`, fields);
  if (desiredSize > maxSize) throw invalidParameter(`Desired capacity ${desiredSize} can't be greater than max size ${maxSize}`, fields);
  if (desiredSize < minSize) throw invalidParameter(`Minimum capacity ${minSize} can't be greater than desired size ${desiredSize}`, fields);
}

function checkLabelsAndTaints(labels: Record<string, string> | undefined, taints: { key?: string; value?: string }[] | undefined, fields: Record<string, string>) {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(k)) throw invalidParameter(`Label key ${k} is invalid.`, fields);
    if (v.length > 63) throw invalidParameter(`Label value ${v} is invalid.`, fields);
  }
  if ((taints ?? []).length > 50) throw invalidParameter('A node group can have at most 50 taints.', fields);
  for (const t of taints ?? []) if (!t.key) throw invalidParameter('Taint key is required.', fields);
}

export function createNodegroup(ctx: RequestContext, input: CreateNodegroupRequest): CreateNodegroupResponse {
  const clusterName = input.clusterName!;
  const row = requireCluster(ctx, clusterName);
  const cluster = clusterDoc(row);
  const name = input.nodegroupName ?? '';
  const fields = { clusterName, nodegroupName: name };
  if (!NAME_RE.test(name) || name.length > 63) throw invalidParameter(`Nodegroup name ${name} is invalid.`, fields);
  if (cluster.status !== 'ACTIVE') throw invalidRequest(`Cluster '${clusterName}' is not in ACTIVE status`, fields);
  if (getItem(ctx, clusterName, 'nodegroup', name)) throw inUse(`NodeGroup already exists with name ${name} and cluster name ${clusterName}`, fields);
  if (!ROLE_ARN_RE.test(input.nodeRole ?? '')) throw invalidParameter(`Invalid node role ARN: ${input.nodeRole}`, fields);
  const subnets = input.subnets ?? [];
  if (!subnets.length) throw invalidParameter('Subnets are required', fields);
  const { found, missing } = findSubnets(ctx.sql, ctx.account, ctx.region, subnets);
  if (missing.length) throw invalidParameter(`The subnet ID '${missing[0]}' does not exist`, fields);
  if (found.some((s) => s.vpcId !== cluster.resourcesVpcConfig?.vpcId)) throw invalidParameter('Subnets are not in the same VPC as the cluster.', fields);
  const scalingConfig = { minSize: input.scalingConfig?.minSize ?? 1, maxSize: input.scalingConfig?.maxSize ?? 2, desiredSize: input.scalingConfig?.desiredSize ?? 2 };
  checkScaling(scalingConfig, fields);
  if (input.launchTemplate && input.diskSize !== undefined) throw invalidParameter('Disk size must be specified within the launch template.', fields);
  if (input.launchTemplate && !input.launchTemplate.id && !input.launchTemplate.name) throw invalidParameter('Either launch template ID or name must be specified.', fields);
  const instanceTypes = input.instanceTypes?.length ? input.instanceTypes : input.launchTemplate ? [] : ['t3.medium'];
  for (const t of instanceTypes) if (!instanceTypeSpec(t)) throw invalidParameter(`Instance type ${t} is not supported.`, fields);
  const arm = instanceTypes.length > 0 && instanceTypeSpec(instanceTypes[0])!.arch === 'arm64';
  const amiType = input.amiType ?? (arm ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD');
  if (/ARM_64/.test(amiType) !== arm && instanceTypes.length) {
    throw invalidParameter(`[${instanceTypes[0]}] is not a valid instance type for requested amiType ${amiType}`, fields);
  }
  if (/^(WINDOWS|BOTTLEROCKET)|NVIDIA|NEURON|GPU/.test(amiType)) throw invalidParameter(`Berth runs ${amiType} node groups as Amazon Linux 2023 nodes only; use an AL2023 or AL2 standard AMI type.`, fields);
  const version = input.version ?? cluster.version!;
  checkVersion(version, cluster.version!, fields);
  checkLabelsAndTaints(input.labels, input.taints, fields);
  validateTags(input.tags);
  const id = randomUUID();
  const arn = eksArn.nodegroup(ctx.region, ctx.account, clusterName, name, id);
  const now = (ctx.clock.now() / 1000) as unknown as Date;
  const ng: StoredNodegroup = {
    nodegroupName: name, nodegroupArn: arn, clusterName, version, releaseVersion: input.releaseVersion ?? releaseVersionOf(version),
    createdAt: now, modifiedAt: now, status: 'CREATING', capacityType: input.capacityType ?? 'ON_DEMAND', scalingConfig, instanceTypes, subnets,
    ...(input.remoteAccess ? { remoteAccess: input.remoteAccess } : {}),
    amiType: amiType as never, nodeRole: input.nodeRole, labels: input.labels ?? {}, ...(input.taints?.length ? { taints: input.taints } : {}),
    resources: {}, ...(input.launchTemplate ? {} : { diskSize: input.diskSize ?? 20 }), health: { issues: [] },
    updateConfig: input.updateConfig ?? { maxUnavailable: 1 }, ...(input.nodeRepairConfig ? { nodeRepairConfig: input.nodeRepairConfig } : {}),
    ...(input.launchTemplate ? { launchTemplate: input.launchTemplate } : {}), tags: {},
  };
  saveNodegroup(ctx, clusterName, ng);
  applyTags(ctx, arn, input.tags);
  return { nodegroup: nodegroupView(ctx, getItem<StoredNodegroup>(ctx, clusterName, 'nodegroup', name)!) };
}

export function describeNodegroup(ctx: RequestContext, input: DescribeNodegroupRequest): DescribeNodegroupResponse {
  return { nodegroup: nodegroupView(ctx, requireNodegroup(ctx, input.clusterName!, input.nodegroupName!)) };
}

export function listNodegroups(ctx: RequestContext, input: ListNodegroupsRequest): ListNodegroupsResponse {
  requireCluster(ctx, input.clusterName!);
  const { limit, afterSeq } = pageRequest(input);
  const { page, nextToken } = pageOf(listItems(ctx, input.clusterName!, 'nodegroup', { afterSeq, limit: limit + 1 }), limit);
  return { nodegroups: page.map((n) => n.name), nextToken };
}

/** A node group takes one update at a time, and none while it is not ACTIVE. */
function requireUpdatable(ctx: RequestContext, item: Item<StoredNodegroup>) {
  const fields = { clusterName: item.cluster, nodegroupName: item.name };
  if (item.doc.status !== 'ACTIVE' || inProgressUpdates(ctx, item.cluster, item.name).length) {
    throw inUse(`Nodegroup ${item.name} is currently in ${item.doc.status} status and cannot be updated`, fields);
  }
}

export function updateNodegroupConfig(ctx: RequestContext, input: UpdateNodegroupConfigRequest): UpdateNodegroupConfigResponse {
  const item = requireNodegroup(ctx, input.clusterName!, input.nodegroupName!);
  requireUpdatable(ctx, item);
  const ng = item.doc;
  const fields = { clusterName: item.cluster, nodegroupName: item.name };
  const params: UpdateParam[] = [];
  if (input.scalingConfig) {
    const next = { ...ng.scalingConfig, ...Object.fromEntries(Object.entries(input.scalingConfig).filter(([, v]) => v !== undefined)) };
    checkScaling(next, fields);
    if (input.scalingConfig.minSize !== undefined) params.push({ type: 'MinSize', value: String(next.minSize) });
    if (input.scalingConfig.maxSize !== undefined) params.push({ type: 'MaxSize', value: String(next.maxSize) });
    if (input.scalingConfig.desiredSize !== undefined) params.push({ type: 'DesiredSize', value: String(next.desiredSize) });
    ng.scalingConfig = next;
  }
  if (input.labels) {
    const add = input.labels.addOrUpdateLabels ?? {};
    const remove = input.labels.removeLabels ?? [];
    checkLabelsAndTaints(add, [], fields);
    ng.labels = Object.fromEntries(Object.entries({ ...ng.labels, ...add }).filter(([k]) => !remove.includes(k)));
    if (Object.keys(add).length) params.push({ type: 'LabelsToAdd', value: JSON.stringify(add) });
    if (remove.length) params.push({ type: 'LabelsToRemove', value: JSON.stringify(remove) });
  }
  if (input.taints) {
    const add = input.taints.addOrUpdateTaints ?? [];
    const remove = input.taints.removeTaints ?? [];
    const same = (a: { key?: string; effect?: string }, b: { key?: string; effect?: string }) => a.key === b.key && a.effect === b.effect;
    const taints = [...(ng.taints ?? []).filter((t) => !add.some((x) => same(x, t)) && !remove.some((x) => same(x, t))), ...add];
    checkLabelsAndTaints({}, taints, fields);
    ng.taints = taints;
    if (!taints.length) delete ng.taints;
    if (add.length) params.push({ type: 'TaintsToAdd' as never, value: JSON.stringify(add) });
    if (remove.length) params.push({ type: 'TaintsToRemove' as never, value: JSON.stringify(remove) });
  }
  if (input.updateConfig) {
    ng.updateConfig = input.updateConfig;
    if (input.updateConfig.maxUnavailable !== undefined) params.push({ type: 'MaxUnavailable', value: String(input.updateConfig.maxUnavailable) });
    if (input.updateConfig.maxUnavailablePercentage !== undefined) params.push({ type: 'MaxUnavailablePercentage', value: String(input.updateConfig.maxUnavailablePercentage) });
  }
  if (input.nodeRepairConfig) {
    ng.nodeRepairConfig = input.nodeRepairConfig;
    params.push({ type: 'NodeRepairEnabled', value: String(input.nodeRepairConfig.enabled ?? false) });
  }
  if (!params.length) throw invalidParameter('No changes needed for the nodegroup configuration provided.', fields);
  return beginUpdate(ctx, item, 'ConfigUpdate', params);
}

/** The update recorded InProgress and the node group UPDATING (the node-group controller finishes both). */
function beginUpdate(ctx: RequestContext, item: Item<StoredNodegroup>, type: 'ConfigUpdate' | 'VersionUpdate', params: UpdateParam[]) {
  const update = newUpdate(ctx, item.cluster, item.name, type, params);
  item.doc.status = 'UPDATING';
  item.doc.modifiedAt = (ctx.clock.now() / 1000) as unknown as Date;
  saveNodegroup(ctx, item.cluster, item.doc, item.ref);
  return { update };
}

/** A node group's Kubernetes version: one Berth offers, not newer than its cluster's. */
function checkVersion(version: string, clusterVersion: string, fields: Record<string, string>) {
  if (!versionInfo(version)) throw invalidParameter(`Requested Nodegroup version ${version} is invalid.`, fields);
  if (Number(version.split('.')[1]) > Number(clusterVersion.split('.')[1])) {
    throw invalidParameter(`Requested Nodegroup version ${version} is greater than the cluster version ${clusterVersion}.`, fields);
  }
}

export function updateNodegroupVersion(ctx: RequestContext, input: UpdateNodegroupVersionRequest): UpdateNodegroupVersionResponse {
  const item = requireNodegroup(ctx, input.clusterName!, input.nodegroupName!);
  requireUpdatable(ctx, item);
  const ng = item.doc;
  const cluster = clusterDoc(requireCluster(ctx, item.cluster));
  const fields = { clusterName: item.cluster, nodegroupName: item.name };
  const version = input.version ?? cluster.version!;
  checkVersion(version, cluster.version!, fields);
  const releaseVersion = input.releaseVersion ?? releaseVersionOf(version);
  const params: UpdateParam[] = [{ type: 'Version', value: version }, { type: 'ReleaseVersion', value: releaseVersion }];
  if (input.launchTemplate) {
    params.push({ type: 'LaunchTemplateName', value: input.launchTemplate.name ?? ng.launchTemplate?.name });
    params.push({ type: 'LaunchTemplateVersion', value: input.launchTemplate.version ?? ng.launchTemplate?.version });
  }
  ng.version = version;
  ng.releaseVersion = releaseVersion;
  if (input.launchTemplate) ng.launchTemplate = { ...ng.launchTemplate, ...input.launchTemplate };
  return beginUpdate(ctx, item, 'VersionUpdate', params);
}

export function deleteNodegroup(ctx: RequestContext, input: DeleteNodegroupRequest): DeleteNodegroupResponse {
  const item = requireNodegroup(ctx, input.clusterName!, input.nodegroupName!);
  const ng = item.doc;
  if (ng.status !== 'DELETING') {
    ng.status = 'DELETING';
    ng.modifiedAt = (ctx.clock.now() / 1000) as unknown as Date;
    saveNodegroup(ctx, item.cluster, ng, item.ref);
  }
  const view = nodegroupView(ctx, item);
  dropAllTags(ctx, ng.nodegroupArn!);
  return { nodegroup: view };
}
