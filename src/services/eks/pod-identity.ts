/**
 * EKS Pod Identity associations: CreatePodIdentityAssociation, DescribePodIdentityAssociation,
 * ListPodIdentityAssociations, UpdatePodIdentityAssociation, DeletePodIdentityAssociation — one IAM role per
 * (namespace, service account) of a cluster — and `podIdentityRole`, what a pod's credentials come from: the
 * role the association of its service account names (the pod identity agent hands pods that role's credentials).
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html
 */
import { randomBytes } from 'node:crypto';
import type {
  CreatePodIdentityAssociationRequest, CreatePodIdentityAssociationResponse, DeletePodIdentityAssociationRequest,
  DeletePodIdentityAssociationResponse, DescribePodIdentityAssociationRequest, DescribePodIdentityAssociationResponse,
  ListPodIdentityAssociationsRequest, ListPodIdentityAssociationsResponse, PodIdentityAssociation, UpdatePodIdentityAssociationRequest,
  UpdatePodIdentityAssociationResponse,
} from '@aws-sdk/client-eks';
import { eksArn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';
import { dropAllTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { requireCluster } from './clusters.js';
import { inUse, invalidParameter, notFound } from './errors.js';
import { pageOf, pageRequest } from './pages.js';
import { clusterByUid, deleteItem, getItem, listItems, putItem, type Item, type Scope } from './store.js';
import { applyTags, eksTags, validateTags } from './tags.js';

const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SA_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** EKS's association ids: `a-` and 17 lower-case letters and digits. */
const associationId = () => `a-${[...randomBytes(17)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('')}`;

const view = (ctx: Scope, a: Item<PodIdentityAssociation>): PodIdentityAssociation => ({ ...a.doc, tags: eksTags(ctx, a.doc.associationArn!) });

function requireAssociation(ctx: RequestContext, cluster: string, id: string): Item<PodIdentityAssociation> {
  requireCluster(ctx, cluster);
  const a = getItem<PodIdentityAssociation>(ctx, cluster, 'podidentity', id);
  if (!a) throw notFound(`Association ${id} not found`, { clusterName: cluster });
  return a;
}

/** Records an association (an add-on's carry its ARN as `ownerArn`). */
export function putAssociation(ctx: RequestContext, cluster: string, o: { namespace: string; serviceAccount: string; roleArn: string; ownerArn?: string }): PodIdentityAssociation {
  const fields = { clusterName: cluster };
  if (!DNS_LABEL.test(o.namespace) || o.namespace.length > 63) throw invalidParameter(`Namespace ${o.namespace} is invalid.`, fields);
  if (!SA_NAME.test(o.serviceAccount) || o.serviceAccount.length > 253) throw invalidParameter(`Service account ${o.serviceAccount} is invalid.`, fields);
  if (!ROLE_ARN_RE.test(o.roleArn)) throw invalidParameter(`Role ARN ${o.roleArn} is invalid.`, fields);
  const ref = `${o.namespace}/${o.serviceAccount}`;
  const taken = listItems<PodIdentityAssociation>(ctx, cluster, 'podidentity', { ref })[0];
  if (taken) throw inUse(`Association already exists: ${taken.name}`, fields);
  const id = associationId();
  const now = (ctx.clock.now() / 1000) as unknown as Date;
  const a: PodIdentityAssociation = {
    clusterName: cluster, namespace: o.namespace, serviceAccount: o.serviceAccount, roleArn: o.roleArn,
    associationArn: eksArn.podIdentityAssociation(ctx.region, ctx.account, cluster, id), associationId: id, tags: {}, createdAt: now, modifiedAt: now,
    ...(o.ownerArn ? { ownerArn: o.ownerArn } : {}),
  };
  putItem(ctx, cluster, 'podidentity', id, a, { ref });
  return a;
}

export function createPodIdentityAssociation(ctx: RequestContext, input: CreatePodIdentityAssociationRequest): CreatePodIdentityAssociationResponse {
  requireCluster(ctx, input.clusterName!);
  validateTags(input.tags);
  const a = putAssociation(ctx, input.clusterName!, { namespace: input.namespace!, serviceAccount: input.serviceAccount!, roleArn: input.roleArn! });
  applyTags(ctx, a.associationArn!, input.tags);
  return { association: view(ctx, getItem<PodIdentityAssociation>(ctx, input.clusterName!, 'podidentity', a.associationId!)!) };
}

export function describePodIdentityAssociation(ctx: RequestContext, input: DescribePodIdentityAssociationRequest): DescribePodIdentityAssociationResponse {
  return { association: view(ctx, requireAssociation(ctx, input.clusterName!, input.associationId!)) };
}

export function listPodIdentityAssociations(ctx: RequestContext, input: ListPodIdentityAssociationsRequest): ListPodIdentityAssociationsResponse {
  requireCluster(ctx, input.clusterName!);
  const { limit, afterSeq } = pageRequest(input);
  const rows = listItems<PodIdentityAssociation>(ctx, input.clusterName!, 'podidentity', { afterSeq })
    .filter((a) => (!input.namespace || a.doc.namespace === input.namespace) && (!input.serviceAccount || a.doc.serviceAccount === input.serviceAccount));
  const { page, nextToken } = pageOf(rows.slice(0, limit + 1), limit);
  return {
    associations: page.map(({ doc: a }) => ({
      clusterName: a.clusterName, namespace: a.namespace, serviceAccount: a.serviceAccount, associationArn: a.associationArn, associationId: a.associationId,
      ...(a.ownerArn ? { ownerArn: a.ownerArn } : {}),
    })),
    nextToken,
  };
}

export function updatePodIdentityAssociation(ctx: RequestContext, input: UpdatePodIdentityAssociationRequest): UpdatePodIdentityAssociationResponse {
  const a = requireAssociation(ctx, input.clusterName!, input.associationId!);
  if (input.roleArn !== undefined) {
    if (!ROLE_ARN_RE.test(input.roleArn)) throw invalidParameter(`Role ARN ${input.roleArn} is invalid.`, { clusterName: a.cluster });
    a.doc.roleArn = input.roleArn;
  }
  a.doc.modifiedAt = (ctx.clock.now() / 1000) as unknown as Date;
  putItem(ctx, a.cluster, 'podidentity', a.name, a.doc, { ref: a.ref });
  return { association: view(ctx, a) };
}

export function deletePodIdentityAssociation(ctx: RequestContext, input: DeletePodIdentityAssociationRequest): DeletePodIdentityAssociationResponse {
  const a = requireAssociation(ctx, input.clusterName!, input.associationId!);
  const out = view(ctx, a);
  deleteItem(ctx, a.cluster, 'podidentity', a.name);
  dropAllTags(ctx, a.doc.associationArn!);
  return { association: out };
}

/**
 * The role service account `serviceAccount` in `namespace` of the cluster with uid `clusterUid` (the key of its
 * Kubernetes objects) gets through EKS Pod Identity, or undefined; with the cluster's account and region (where
 * credentials for it are issued).
 */
export function podIdentityRole(sql: Statements, clusterUid: string, namespace: string, serviceAccount: string): { roleArn: string; account: string; region: string; associationArn: string } | undefined {
  const row = clusterByUid(sql, clusterUid);
  if (!row) return undefined;
  const s: Scope = { sql, account: row.account, region: row.region };
  const a = listItems<PodIdentityAssociation>(s, row.name, 'podidentity', { ref: `${namespace}/${serviceAccount}` })[0];
  return a ? { roleArn: a.doc.roleArn!, account: row.account, region: row.region, associationArn: a.doc.associationArn! } : undefined;
}
