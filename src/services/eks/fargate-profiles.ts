/**
 * Fargate profiles: CreateFargateProfile, DescribeFargateProfile, ListFargateProfiles, DeleteFargateProfile.
 * A profile is CREATING, then ACTIVE once the Fargate controller (controllers/eks-fargate.ts) saw it; from then
 * on a pending pod in one of its selectors' namespaces, with all the selector's labels, is placed on a Fargate
 * node of its own (kubernetes/scheduling.ts). Deleting a profile deletes the pods it placed, then the profile.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateFargateProfile.html
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateFargateProfileRequest, CreateFargateProfileResponse, DeleteFargateProfileRequest, DeleteFargateProfileResponse,
  DescribeFargateProfileRequest, DescribeFargateProfileResponse, FargateProfile, ListFargateProfilesRequest, ListFargateProfilesResponse,
} from '@aws-sdk/client-eks';
import { eksArn } from '../../shared/arns.js';
import { dropAllTags } from '../../state/tags.js';
import { findSubnets } from '../ec2/index.js';
import type { RequestContext } from '../provider.js';
import { requireCluster } from './clusters.js';
import { inUse, invalidParameter, invalidRequest, notFound } from './errors.js';
import { pageOf, pageRequest } from './pages.js';
import { clusterDoc, getItem, listItems, nodegroupKey, putItem, type Item } from './store.js';
import { applyTags, eksTags, validateTags } from './tags.js';

const NAME_RE = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;


const view = (ctx: RequestContext, item: Item<FargateProfile>): FargateProfile => ({ ...item.doc, tags: eksTags(ctx, item.doc.fargateProfileArn!) });

function requireProfile(ctx: RequestContext, cluster: string, name: string): Item<FargateProfile> {
  requireCluster(ctx, cluster);
  const p = getItem<FargateProfile>(ctx, cluster, 'fargateprofile', name);
  if (!p) throw notFound(`No Fargate Profile found with name: ${name}.`, { clusterName: cluster, fargateProfileName: name });
  return p;
}

function save(ctx: RequestContext, cluster: string, p: FargateProfile) {
  putItem(ctx, cluster, 'fargateprofile', p.fargateProfileName!, p, { status: p.status });
  ctx.changed('eks.fargateprofile', nodegroupKey(ctx, cluster, p.fargateProfileName!));
}

export function createFargateProfile(ctx: RequestContext, input: CreateFargateProfileRequest): CreateFargateProfileResponse {
  const clusterName = input.clusterName!;
  const cluster = clusterDoc(requireCluster(ctx, clusterName));
  const name = input.fargateProfileName ?? '';
  const fields = { clusterName, fargateProfileName: name };
  if (!NAME_RE.test(name) || name.length > 63) throw invalidParameter(`Fargate Profile name ${name} is invalid.`, fields);
  if (cluster.status !== 'ACTIVE') throw invalidRequest(`Cluster '${clusterName}' is not in ACTIVE status`, fields);
  if (getItem(ctx, clusterName, 'fargateprofile', name)) throw inUse('A Fargate Profile already exists with this name in this cluster.', fields);
  if (!ROLE_ARN_RE.test(input.podExecutionRoleArn ?? '')) throw invalidParameter(`Invalid pod execution role ARN: ${input.podExecutionRoleArn}`, fields);
  const selectors = input.selectors ?? [];
  if (!selectors.length) throw invalidParameter('Fargate Profile must have at least one selector.', fields);
  if (selectors.length > 5) throw invalidParameter('Fargate Profile can have at most 5 selectors.', fields);
  for (const s of selectors) {
    if (!s.namespace) throw invalidParameter('Fargate Profile selector must specify a namespace.', fields);
    if (Object.keys(s.labels ?? {}).length > 5) throw invalidParameter('Fargate Profile selector can have at most 5 labels.', fields);
  }
  // Without subnets the profile takes the cluster's (EKS takes its private ones; Berth does not tell private from public).
  const subnets = input.subnets?.length ? input.subnets : (cluster.resourcesVpcConfig?.subnetIds ?? []);
  const { found, missing } = findSubnets(ctx.sql, ctx.account, ctx.region, subnets);
  if (missing.length) throw invalidParameter(`The subnet ID '${missing[0]}' does not exist`, fields);
  if (found.some((s) => s.vpcId !== cluster.resourcesVpcConfig?.vpcId)) throw invalidParameter('Subnets are not in the same VPC as the cluster.', fields);
  validateTags(input.tags);
  const arn = eksArn.fargateProfile(ctx.region, ctx.account, clusterName, name, randomUUID());
  const profile: FargateProfile = {
    fargateProfileName: name, fargateProfileArn: arn, clusterName, createdAt: (ctx.clock.now() / 1000) as unknown as Date,
    podExecutionRoleArn: input.podExecutionRoleArn, subnets, selectors, status: 'CREATING', tags: {}, health: { issues: [] },
  };
  save(ctx, clusterName, profile);
  applyTags(ctx, arn, input.tags);
  return { fargateProfile: view(ctx, getItem<FargateProfile>(ctx, clusterName, 'fargateprofile', name)!) };
}

export function describeFargateProfile(ctx: RequestContext, input: DescribeFargateProfileRequest): DescribeFargateProfileResponse {
  return { fargateProfile: view(ctx, requireProfile(ctx, input.clusterName!, input.fargateProfileName!)) };
}

export function listFargateProfiles(ctx: RequestContext, input: ListFargateProfilesRequest): ListFargateProfilesResponse {
  requireCluster(ctx, input.clusterName!);
  const { limit, afterSeq } = pageRequest(input);
  const { page, nextToken } = pageOf(listItems(ctx, input.clusterName!, 'fargateprofile', { afterSeq, limit: limit + 1 }), limit);
  return { fargateProfileNames: page.map((p) => p.name), nextToken };
}

export function deleteFargateProfile(ctx: RequestContext, input: DeleteFargateProfileRequest): DeleteFargateProfileResponse {
  const item = requireProfile(ctx, input.clusterName!, input.fargateProfileName!);
  const out = view(ctx, item);
  if (item.doc.status !== 'DELETING') {
    save(ctx, item.cluster, { ...item.doc, status: 'DELETING' });
    dropAllTags(ctx, item.doc.fargateProfileArn!);
  }
  return { fargateProfile: { ...out, status: 'DELETING' } };
}
