/**
 * Access entries and access policies: CreateAccessEntry, DescribeAccessEntry, ListAccessEntries,
 * UpdateAccessEntry, DeleteAccessEntry, AssociateAccessPolicy, DisassociateAccessPolicy,
 * ListAssociatedAccessPolicies, ListAccessPolicies; and who the cluster's API admits (`admits`).
 *
 * Authentication modes as EKS has them: access entries exist only in API and API_AND_CONFIG_MAP (CONFIG_MAP
 * refuses the operations); a cluster made in one of them with bootstrapClusterCreatorAdminPermissions has an
 * entry for its creator with AmazonEKSClusterAdminPolicy. The API admits, by mode: CONFIG_MAP — the creator
 * (the aws-auth ConfigMap is not read); API_AND_CONFIG_MAP — the creator and every principal with an entry;
 * API — principals with an entry only (delete the creator's and the creator is out, as on EKS).
 * Policies are recorded; Berth has no RBAC, so an admitted principal may do everything.
 * https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 */
import { randomUUID } from 'node:crypto';
import type {
  AccessEntry, AccessPolicy, AssociateAccessPolicyRequest, AssociateAccessPolicyResponse, AssociatedAccessPolicy, CreateAccessEntryRequest,
  CreateAccessEntryResponse, DeleteAccessEntryRequest, DescribeAccessEntryRequest, DescribeAccessEntryResponse, DisassociateAccessPolicyRequest,
  ListAccessEntriesRequest, ListAccessEntriesResponse, ListAccessPoliciesRequest, ListAccessPoliciesResponse, ListAssociatedAccessPoliciesRequest,
  ListAssociatedAccessPoliciesResponse, UpdateAccessEntryRequest, UpdateAccessEntryResponse,
} from '@aws-sdk/client-eks';
import { load as loadYaml } from 'js-yaml';
import { eksArn } from '../../shared/arns.js';
import { dropAllTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { requireCluster } from './clusters.js';
import { inUse, invalidParameter, invalidRequest, notFound } from './errors.js';
import { principalIdentity } from './kubernetes/auth.js';
import { getObject } from './kubernetes/objects.js';
import { pageOf, pageRequest } from './pages.js';
import { clusterDoc, deleteItem, getItem, listItems, loadCluster, putItem, type Item, type Scope } from './store.js';
import { applyTags, eksTags, validateTags } from './tags.js';

/** AWS-managed access policies (ListAccessPolicies). */
const POLICIES = [
  'AmazonEKSAdminPolicy', 'AmazonEKSAdminViewPolicy', 'AmazonEKSClusterAdminPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSViewPolicy',
  'AmazonEKSAutoNodePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSComputePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy',
  'AmazonEKSSecretReaderPolicy', 'AmazonEKSHybridPolicy', 'AmazonEKSClusterInsightsPolicy',
];
const TYPES = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'EC2'];
const PRINCIPAL_RE = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/;

type StoredEntry = AccessEntry & { berthPolicies?: AssociatedAccessPolicy[] };

const entryView = (ctx: Scope, e: Item<StoredEntry>): AccessEntry => {
  const { berthPolicies: _, ...entry } = e.doc;
  return { ...entry, tags: eksTags(ctx, entry.accessEntryArn!) };
};

/** Access entries need a mode that has them. */
function requireApiMode(ctx: RequestContext, cluster: string) {
  const c = clusterDoc(requireCluster(ctx, cluster));
  if ((c.accessConfig?.authenticationMode ?? 'CONFIG_MAP') === 'CONFIG_MAP') {
    throw invalidRequest("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.", { clusterName: cluster });
  }
  return c;
}

function requireEntry(ctx: RequestContext, cluster: string, principalArn: string): Item<StoredEntry> {
  requireApiMode(ctx, cluster);
  const e = getItem<StoredEntry>(ctx, cluster, 'accessentry', principalArn);
  if (!e) throw notFound(`The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`, { clusterName: cluster });
  return e;
}

/** The entry as EKS makes it; `policies` for the creator's bootstrap entry. */
export function putAccessEntry(ctx: Scope & { clock: { now(): number } }, cluster: string, input: Omit<CreateAccessEntryRequest, 'clusterName'>, policies: AssociatedAccessPolicy[] = []): AccessEntry {
  // An account's root (the creator of a cluster made with root credentials) may hold the bootstrap entry.
  const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(input.principalArn ?? '');
  const m = root ? [root[0], root[1], 'user', 'root'] : PRINCIPAL_RE.exec(input.principalArn ?? '');
  const fields = { clusterName: cluster };
  if (!m) throw invalidParameter(`The principalArn parameter format is not valid: ${input.principalArn}`, fields);
  const type = input.type ?? 'STANDARD';
  if (!TYPES.includes(type)) throw invalidParameter(`Invalid access entry type ${type}`, fields);
  if (type !== 'STANDARD' && (input.kubernetesGroups?.length || input.username)) {
    throw invalidParameter(`The kubernetesGroups and username parameters cannot be specified for access entries of type ${type}.`, fields);
  }
  if (type !== 'STANDARD' && m[2] !== 'role') throw invalidParameter(`Access entries of type ${type} need an IAM role as principal.`, fields);
  const [, account, kind, name] = m;
  const username = input.username ?? (type === 'STANDARD'
    ? (kind === 'role' ? `arn:aws:sts::${account}:assumed-role/${name}/{{SessionName}}` : input.principalArn!)
    : type.startsWith('FARGATE') ? 'system:node:{{SessionName}}' : 'system:node:{{EC2PrivateDNSName}}');
  const groups = type === 'STANDARD' ? (input.kubernetesGroups ?? []) : type.startsWith('EC2') || type === 'HYBRID_LINUX' || type.startsWith('FARGATE') ? ['system:nodes'] : [];
  const now = (ctx.clock.now() / 1000) as unknown as Date;
  const entry: StoredEntry = {
    clusterName: cluster, principalArn: input.principalArn, kubernetesGroups: groups,
    accessEntryArn: eksArn.accessEntry(ctx.region, ctx.account, cluster, `${kind}/${account}/${name}`, randomUUID()),
    createdAt: now, modifiedAt: now, tags: {}, username, type, berthPolicies: policies,
  };
  putItem(ctx, cluster, 'accessentry', input.principalArn!, entry, { ref: principalIdentity(input.principalArn!) });
  return entry;
}

export function createAccessEntry(ctx: RequestContext, input: CreateAccessEntryRequest): CreateAccessEntryResponse {
  const cluster = input.clusterName!;
  requireApiMode(ctx, cluster);
  if (getItem(ctx, cluster, 'accessentry', input.principalArn!)) {
    throw inUse('The specified access entry resource is already in use on this cluster.', { clusterName: cluster });
  }
  validateTags(input.tags);
  const entry = putAccessEntry(ctx, cluster, input);
  applyTags(ctx, entry.accessEntryArn!, input.tags);
  return { accessEntry: entryView(ctx, getItem<StoredEntry>(ctx, cluster, 'accessentry', input.principalArn!)!) };
}

export function describeAccessEntry(ctx: RequestContext, input: DescribeAccessEntryRequest): DescribeAccessEntryResponse {
  return { accessEntry: entryView(ctx, requireEntry(ctx, input.clusterName!, input.principalArn!)) };
}

export function listAccessEntries(ctx: RequestContext, input: ListAccessEntriesRequest): ListAccessEntriesResponse {
  requireApiMode(ctx, input.clusterName!);
  const { limit, afterSeq } = pageRequest(input);
  let rows = listItems<StoredEntry>(ctx, input.clusterName!, 'accessentry', { afterSeq });
  if (input.associatedPolicyArn) rows = rows.filter((r) => r.doc.berthPolicies?.some((p) => p.policyArn === input.associatedPolicyArn));
  const { page, nextToken } = pageOf(rows.slice(0, limit + 1), limit);
  return { accessEntries: page.map((r) => r.name), nextToken };
}

export function updateAccessEntry(ctx: RequestContext, input: UpdateAccessEntryRequest): UpdateAccessEntryResponse {
  const e = requireEntry(ctx, input.clusterName!, input.principalArn!);
  if (e.doc.type !== 'STANDARD' && (input.kubernetesGroups || input.username)) {
    throw invalidParameter(`The kubernetesGroups and username parameters cannot be specified for access entries of type ${e.doc.type}.`, { clusterName: e.cluster });
  }
  if (input.kubernetesGroups) e.doc.kubernetesGroups = input.kubernetesGroups;
  if (input.username) e.doc.username = input.username;
  e.doc.modifiedAt = (ctx.clock.now() / 1000) as unknown as Date;
  putItem(ctx, e.cluster, 'accessentry', e.name, e.doc, { ref: e.ref });
  return { accessEntry: entryView(ctx, e) };
}

export function deleteAccessEntry(ctx: RequestContext, input: DeleteAccessEntryRequest): Record<string, never> {
  const e = requireEntry(ctx, input.clusterName!, input.principalArn!);
  deleteItem(ctx, e.cluster, 'accessentry', e.name);
  dropAllTags(ctx, e.doc.accessEntryArn!);
  return {};
}

const policyArnOk = (arn: string | undefined) => POLICIES.some((p) => eksArn.accessPolicy(p) === arn);

export function associateAccessPolicy(ctx: RequestContext, input: AssociateAccessPolicyRequest): AssociateAccessPolicyResponse {
  const e = requireEntry(ctx, input.clusterName!, input.principalArn!);
  const fields = { clusterName: e.cluster };
  if (!policyArnOk(input.policyArn)) throw notFound(`The specified policyArn could not be found: ${input.policyArn}`, fields);
  if (e.doc.type !== 'STANDARD') throw invalidRequest(`Access policies can only be associated with access entries of type STANDARD.`, fields);
  const scope = input.accessScope ?? {};
  if (scope.type === 'namespace' && !scope.namespaces?.length) throw invalidParameter('At least one namespace is required for an access scope of type namespace.', fields);
  if (scope.type === 'cluster' && scope.namespaces?.length) throw invalidParameter('Namespaces cannot be specified for an access scope of type cluster.', fields);
  const now = (ctx.clock.now() / 1000) as unknown as Date;
  const existing = e.doc.berthPolicies?.find((p) => p.policyArn === input.policyArn);
  const policy: AssociatedAccessPolicy = {
    policyArn: input.policyArn, accessScope: { type: scope.type, namespaces: scope.namespaces ?? [] }, associatedAt: existing?.associatedAt ?? now, modifiedAt: now,
  };
  e.doc.berthPolicies = [...(e.doc.berthPolicies ?? []).filter((p) => p.policyArn !== input.policyArn), policy];
  putItem(ctx, e.cluster, 'accessentry', e.name, e.doc, { ref: e.ref });
  return { clusterName: e.cluster, principalArn: e.name, associatedAccessPolicy: policy };
}

export function disassociateAccessPolicy(ctx: RequestContext, input: DisassociateAccessPolicyRequest): Record<string, never> {
  const e = requireEntry(ctx, input.clusterName!, input.principalArn!);
  if (!e.doc.berthPolicies?.some((p) => p.policyArn === input.policyArn)) {
    throw notFound(`The specified policyArn is not associated with the access entry: ${input.policyArn}`, { clusterName: e.cluster });
  }
  e.doc.berthPolicies = e.doc.berthPolicies.filter((p) => p.policyArn !== input.policyArn);
  putItem(ctx, e.cluster, 'accessentry', e.name, e.doc, { ref: e.ref });
  return {};
}

export function listAssociatedAccessPolicies(ctx: RequestContext, input: ListAssociatedAccessPoliciesRequest): ListAssociatedAccessPoliciesResponse {
  const e = requireEntry(ctx, input.clusterName!, input.principalArn!);
  const { limit, afterSeq } = pageRequest(input);
  const all = (e.doc.berthPolicies ?? []).map((p, i) => ({ ...p, seq: i + 1 }));
  const { page, nextToken } = pageOf(all.filter((p) => p.seq > afterSeq), limit);
  return { clusterName: e.cluster, principalArn: e.name, associatedAccessPolicies: page.map(({ seq: _, ...p }) => p), nextToken };
}

export function listAccessPolicies(_ctx: RequestContext, input: ListAccessPoliciesRequest): ListAccessPoliciesResponse {
  const { limit, afterSeq } = pageRequest(input);
  const all = POLICIES.map((name, i) => ({ name, arn: eksArn.accessPolicy(name), seq: i + 1 }));
  const { page, nextToken } = pageOf(all.filter((p) => p.seq > afterSeq), limit);
  return { accessPolicies: page.map(({ seq: _, ...p }): AccessPolicy => p), nextToken };
}

/**
 * Whether the `aws-auth` ConfigMap (kube-system) maps the identity: a `mapRoles` entry's `rolearn` or a `mapUsers`
 * entry's `userarn` (YAML lists, as eksctl and the EKS docs write them). A ConfigMap that does not parse maps no one.
 */
function awsAuthMaps(s: Scope, clusterUid: string, identity: string): boolean {
  const cm = getObject({ sql: s.sql, cluster: clusterUid }, 'configmaps', 'kube-system', 'aws-auth');
  if (!cm?.data) return false;
  const list = (text: unknown): Record<string, unknown>[] => {
    try {
      const v = typeof text === 'string' ? loadYaml(text) : undefined;
      return Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : [];
    } catch {
      return [];
    }
  };
  return list(cm.data.mapRoles).some((r) => typeof r.rolearn === 'string' && principalIdentity(r.rolearn) === identity)
    || list(cm.data.mapUsers).some((u) => u.userarn === identity);
}

/** Whether the cluster's API admits an IAM identity (a session as its role): the module comment's rules. */
export function admits(s: Scope, cluster: string, creator: string, identity: string): boolean {
  const row = loadCluster(s, cluster);
  if (!row) return false;
  const mode = clusterDoc(row).accessConfig?.authenticationMode ?? 'CONFIG_MAP';
  const byConfigMap = () => (!!creator && principalIdentity(creator) === identity) || awsAuthMaps(s, row.uid, identity);
  if (mode === 'CONFIG_MAP') return byConfigMap();
  const hasEntry = listItems(s, cluster, 'accessentry', { ref: identity }).length > 0;
  return hasEntry || (mode === 'API_AND_CONFIG_MAP' && byConfigMap());
}

export const CLUSTER_ADMIN_POLICY = eksArn.accessPolicy('AmazonEKSClusterAdminPolicy');

/** EKS's entry for the cluster creator, with cluster admin (bootstrapClusterCreatorAdminPermissions) when its mode has entries. */
export function bootstrapCreatorEntry(ctx: Scope & { clock: { now(): number } }, cluster: string, creator: string): void {
  if (!creator) return;
  const principalArn = principalIdentity(creator);
  if (getItem(ctx, cluster, 'accessentry', principalArn)) return;
  const now = (ctx.clock.now() / 1000) as unknown as Date;
  putAccessEntry(ctx, cluster, { principalArn }, [{ policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: 'cluster', namespaces: [] }, associatedAt: now, modifiedAt: now }]);
}
