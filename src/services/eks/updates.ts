/**
 * EKS updates: UpdateClusterConfig, UpdateClusterVersion, UpdateNodegroupConfig and UpdateNodegroupVersion
 * (and UpdateAddon) each answer an update, `InProgress` until the controller that owns the resource has made
 * it so (eks-clusters for a cluster's, eks-nodegroups for a node group's), then `Successful`. DescribeUpdate
 * and ListUpdates read them: a cluster's own, or a node group's or an add-on's when the request names one.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeUpdate.html
 */
import { randomUUID } from 'node:crypto';
import type {
  DescribeUpdateRequest, DescribeUpdateResponse, ListUpdatesRequest, ListUpdatesResponse, Update, UpdateParam, UpdateType,
} from '@aws-sdk/client-eks';
import type { RequestContext } from '../provider.js';
import { AwsError } from '../../protocol/errors.js';
import { getItem, listItems, putItem, type Scope } from './store.js';
import { pageOf, pageRequest } from './pages.js';

/** An update's handle among a cluster's: '' for the cluster's own, the node group's name, or `addon:<name>`. */
export const updateRef = (o: { nodegroupName?: string; addonName?: string }) => (o.addonName ? `addon:${o.addonName}` : (o.nodegroupName ?? ''));

export function newUpdate(ctx: RequestContext, cluster: string, ref: string, type: UpdateType, params: UpdateParam[]): Update {
  const u: Update = { id: randomUUID(), status: 'InProgress', type, params, createdAt: (ctx.clock.now() / 1000) as unknown as Date, errors: [] };
  putItem(ctx, cluster, 'update', u.id!, u, { ref, status: 'InProgress' });
  return u;
}

/** The updates still in progress of one resource (the controller finishes them). */
export const inProgressUpdates = (s: Scope, cluster: string, ref: string) =>
  listItems<Update>(s, cluster, 'update', { ref }).filter((u) => u.doc.status === 'InProgress').map((u) => u.doc);

export function finishUpdates(s: Scope, cluster: string, ref: string): void {
  for (const u of inProgressUpdates(s, cluster, ref)) putItem(s, cluster, 'update', u.id!, { ...u, status: 'Successful' }, { ref, status: 'Successful' });
}

export const paramValue = (u: Update, type: string) => u.params?.find((p) => p.type === type)?.value;

const updateNotFound = (id: string) => new AwsError('ResourceNotFoundException', `No update found for ID: ${id}.`, { status: 404 });

export function describeUpdate(ctx: RequestContext, input: DescribeUpdateRequest, requireOwner: (ref: string) => void): DescribeUpdateResponse {
  const ref = updateRef(input);
  requireOwner(ref);
  const u = getItem<Update>(ctx, input.name!, 'update', input.updateId!);
  if (!u || u.ref !== ref) throw updateNotFound(input.updateId!);
  return { update: u.doc };
}

export function listUpdates(ctx: RequestContext, input: ListUpdatesRequest, requireOwner: (ref: string) => void): ListUpdatesResponse {
  const ref = updateRef(input);
  requireOwner(ref);
  const { limit, afterSeq } = pageRequest(input);
  const { page, nextToken } = pageOf(listItems<Update>(ctx, input.name!, 'update', { ref, afterSeq, limit: limit + 1 }), limit);
  return { updateIds: page.map((u) => u.name), nextToken };
}
