/**
 * EKS add-ons: CreateAddon, DescribeAddon, ListAddons, UpdateAddon, DeleteAddon, DescribeAddonVersions,
 * DescribeAddonConfiguration, for the add-ons of addon-catalog.ts. An add-on is recorded with its version,
 * configuration values (checked against its schema's keys), service account role and pod identity associations
 * (made as the add-on's, `ownerArn` its ARN); CREATING/UPDATING/DELETING settle through the cluster controller
 * (settleAddons). What an add-on does in a cluster (the CSI drivers' storage, pod identity's credentials) is the
 * builtin API's own behaviour, present or not whether the add-on is recorded.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html
 */
import { randomUUID } from 'node:crypto';
import type {
  Addon, AddonInfo, CreateAddonRequest, CreateAddonResponse, DeleteAddonRequest, DeleteAddonResponse, DescribeAddonConfigurationRequest,
  DescribeAddonConfigurationResponse, DescribeAddonRequest, DescribeAddonResponse, DescribeAddonVersionsRequest, DescribeAddonVersionsResponse,
  ListAddonsRequest, ListAddonsResponse, UpdateAddonRequest, UpdateAddonResponse, UpdateParam,
} from '@aws-sdk/client-eks';
import { eksArn } from '../../shared/arns.js';
import { dropAllTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { addonSpec, ADDONS, configurationSchema, defaultAddonVersion, type AddonSpec } from './addon-catalog.js';
import { requireCluster } from './clusters.js';
import { inUse, invalidParameter, invalidRequest, notFound } from './errors.js';
import { pageOf, pageRequest } from './pages.js';
import { putAssociation } from './pod-identity.js';
import { clusterDoc, clusterKey, deleteItem, getItem, listItems, putItem, type Item, type Scope } from './store.js';
import { applyTags, eksTags, validateTags } from './tags.js';
import { finishUpdates, inProgressUpdates, newUpdate, updateRef } from './updates.js';

const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

const view = (ctx: Scope, a: Item<Addon>): Addon => ({ ...a.doc, tags: eksTags(ctx, a.doc.addonArn!) });

const addonNotFound = (cluster: string, name: string) => notFound(`No addon: ${name} found in cluster: ${cluster}`, { clusterName: cluster, addonName: name });

function requireAddon(ctx: RequestContext, cluster: string, name: string): Item<Addon> {
  requireCluster(ctx, cluster);
  const a = getItem<Addon>(ctx, cluster, 'addon', name);
  if (!a) throw addonNotFound(cluster, name);
  return a;
}

function checkVersion(spec: AddonSpec, version: string, clusterVersion: string, fields: Record<string, string>) {
  const v = spec.versions.find((x) => x.version === version);
  if (!v || !v.clusterVersions.includes(clusterVersion)) throw invalidParameter('Addon version specified is not supported', fields);
}

function checkConfiguration(spec: AddonSpec, values: string | undefined, fields: Record<string, string>) {
  if (values === undefined || values.trim() === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(values);
  } catch {
    throw invalidParameter('ConfigurationValue provided in request is not supported: Json schema validation failed with error: [the configuration is not valid JSON]', fields);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter('ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$: is not an object]', fields);
  }
  const extra = Object.keys(parsed).filter((k) => !spec.configurationKeys.includes(k));
  if (extra.length) {
    throw invalidParameter(`ConfigurationValue provided in request is not supported: Json schema validation failed with error: [${extra.map((k) => `$.${k}: is not defined in the schema and the schema does not allow additional properties`).join(', ')}]`, fields);
  }
}

function changed(ctx: RequestContext, cluster: string) {
  ctx.changed('eks.cluster', clusterKey(ctx, cluster));
}

export function createAddon(ctx: RequestContext, input: CreateAddonRequest): CreateAddonResponse {
  const clusterName = input.clusterName!;
  const cluster = clusterDoc(requireCluster(ctx, clusterName));
  const name = input.addonName!;
  const fields = { clusterName, addonName: name };
  const spec = addonSpec(name);
  if (!spec) throw invalidParameter(`Addon ${name} specified is not supported in ${cluster.version} kubernetes version`, fields);
  if (cluster.status !== 'ACTIVE') throw invalidRequest(`Cluster '${clusterName}' is not in ACTIVE status`, fields);
  if (getItem(ctx, clusterName, 'addon', name)) throw inUse('Addon already exists.', fields);
  const version = input.addonVersion ?? defaultAddonVersion(spec, cluster.version!);
  if (!version) throw invalidParameter(`Addon ${name} specified is not supported in ${cluster.version} kubernetes version`, fields);
  checkVersion(spec, version, cluster.version!, fields);
  if (input.serviceAccountRoleArn && !ROLE_ARN_RE.test(input.serviceAccountRoleArn)) throw invalidParameter(`Invalid service account role ARN: ${input.serviceAccountRoleArn}`, fields);
  checkConfiguration(spec, input.configurationValues, fields);
  validateTags(input.tags);
  const arn = eksArn.addon(ctx.region, ctx.account, clusterName, name, randomUUID());
  const associations = (input.podIdentityAssociations ?? []).map((p) => {
    if (!spec.podIdentity.some((x) => x.serviceAccount === p.serviceAccount)) {
      throw invalidParameter(`Service account ${p.serviceAccount} is not supported by addon ${name}.`, fields);
    }
    return putAssociation(ctx, clusterName, { namespace: spec.defaultNamespace, serviceAccount: p.serviceAccount!, roleArn: p.roleArn!, ownerArn: arn }).associationArn!;
  });
  const now = (ctx.clock.now() / 1000) as unknown as Date;
  const addon: Addon = {
    addonName: name, clusterName, status: 'CREATING', addonVersion: version, health: { issues: [] }, addonArn: arn, createdAt: now, modifiedAt: now,
    ...(input.serviceAccountRoleArn ? { serviceAccountRoleArn: input.serviceAccountRoleArn } : {}), tags: {},
    ...(input.configurationValues ? { configurationValues: input.configurationValues } : {}), podIdentityAssociations: associations,
  };
  putItem(ctx, clusterName, 'addon', name, addon, { status: 'CREATING' });
  applyTags(ctx, arn, input.tags);
  changed(ctx, clusterName);
  return { addon: view(ctx, getItem<Addon>(ctx, clusterName, 'addon', name)!) };
}

export function describeAddon(ctx: RequestContext, input: DescribeAddonRequest): DescribeAddonResponse {
  return { addon: view(ctx, requireAddon(ctx, input.clusterName!, input.addonName!)) };
}

export function listAddons(ctx: RequestContext, input: ListAddonsRequest): ListAddonsResponse {
  requireCluster(ctx, input.clusterName!);
  const { limit, afterSeq } = pageRequest(input);
  const { page, nextToken } = pageOf(listItems(ctx, input.clusterName!, 'addon', { afterSeq, limit: limit + 1 }), limit);
  return { addons: page.map((a) => a.name), nextToken };
}

export function updateAddon(ctx: RequestContext, input: UpdateAddonRequest): UpdateAddonResponse {
  const a = requireAddon(ctx, input.clusterName!, input.addonName!);
  const cluster = clusterDoc(requireCluster(ctx, a.cluster));
  const fields = { clusterName: a.cluster, addonName: a.name };
  const spec = addonSpec(a.name)!;
  if (a.doc.status !== 'ACTIVE' && a.doc.status !== 'DEGRADED') throw inUse(`Addon ${a.name} is currently in ${a.doc.status} status and cannot be updated`, fields);
  const params: UpdateParam[] = [];
  if (input.addonVersion && input.addonVersion !== a.doc.addonVersion) {
    checkVersion(spec, input.addonVersion, cluster.version!, fields);
    a.doc.addonVersion = input.addonVersion;
    params.push({ type: 'AddonVersion', value: input.addonVersion });
  }
  if (input.serviceAccountRoleArn !== undefined) {
    if (input.serviceAccountRoleArn && !ROLE_ARN_RE.test(input.serviceAccountRoleArn)) throw invalidParameter(`Invalid service account role ARN: ${input.serviceAccountRoleArn}`, fields);
    a.doc.serviceAccountRoleArn = input.serviceAccountRoleArn || undefined;
    params.push({ type: 'ServiceAccountRoleArn', value: input.serviceAccountRoleArn });
  }
  if (input.configurationValues !== undefined) {
    checkConfiguration(spec, input.configurationValues, fields);
    a.doc.configurationValues = input.configurationValues || undefined;
    params.push({ type: 'ConfigurationValues', value: input.configurationValues });
  }
  if (input.resolveConflicts) params.push({ type: 'ResolveConflicts', value: input.resolveConflicts });
  const update = newUpdate(ctx, a.cluster, updateRef({ addonName: a.name }), 'AddonUpdate', params);
  a.doc.status = 'UPDATING';
  a.doc.modifiedAt = (ctx.clock.now() / 1000) as unknown as Date;
  putItem(ctx, a.cluster, 'addon', a.name, a.doc, { status: 'UPDATING' });
  changed(ctx, a.cluster);
  return { update };
}

export function deleteAddon(ctx: RequestContext, input: DeleteAddonRequest): DeleteAddonResponse {
  const a = requireAddon(ctx, input.clusterName!, input.addonName!);
  const out = view(ctx, a);
  if (a.doc.status !== 'DELETING') {
    a.doc.status = 'DELETING';
    putItem(ctx, a.cluster, 'addon', a.name, a.doc, { status: 'DELETING' });
    dropAllTags(ctx, a.doc.addonArn!);
    changed(ctx, a.cluster);
  }
  return { addon: { ...out, status: 'DELETING' } };
}

/** The cluster controller's step: add-ons CREATING or UPDATING become ACTIVE (their updates Successful); DELETING ones go, with the pod identity associations they made. */
export function settleAddons(s: Scope, cluster: string): void {
  for (const a of listItems<Addon>(s, cluster, 'addon')) {
    if (a.doc.status === 'DELETING') {
      for (const p of listItems<{ ownerArn?: string }>(s, cluster, 'podidentity')) {
        if (p.doc.ownerArn === a.doc.addonArn) deleteItem(s, cluster, 'podidentity', p.name);
      }
      deleteItem(s, cluster, 'addon', a.name);
      continue;
    }
    if (a.doc.status !== 'CREATING' && a.doc.status !== 'UPDATING') continue;
    if (inProgressUpdates(s, cluster, updateRef({ addonName: a.name })).length) finishUpdates(s, cluster, updateRef({ addonName: a.name }));
    putItem(s, cluster, 'addon', a.name, { ...a.doc, status: 'ACTIVE' }, { status: 'ACTIVE' });
  }
}

export function describeAddonVersions(_ctx: RequestContext, input: DescribeAddonVersionsRequest): DescribeAddonVersionsResponse {
  const { limit, afterSeq } = pageRequest(input);
  const k8s = input.kubernetesVersion;
  const wanted = ADDONS.map((a, i) => ({ a, seq: i + 1 })).filter(({ a }) =>
    (!input.addonName || a.name === input.addonName) && (!input.types?.length || input.types.includes(a.type))
    && (!input.publishers?.length || input.publishers.includes('eks')) && (!input.owners?.length || input.owners.includes('aws'))
    && (!k8s || a.versions.some((v) => v.clusterVersions.includes(k8s))));
  const { page, nextToken } = pageOf(wanted.filter((x) => x.seq > afterSeq), limit);
  return {
    addons: page.map(({ a }): AddonInfo => ({
      addonName: a.name, type: a.type, publisher: 'eks', owner: 'aws', defaultNamespace: a.defaultNamespace,
      addonVersions: a.versions.filter((v) => !k8s || v.clusterVersions.includes(k8s)).map((v) => ({
        addonVersion: v.version, architecture: ['amd64', 'arm64'], computeTypes: ['ec2', 'auto', 'hybrid'],
        compatibilities: v.clusterVersions.filter((c) => !k8s || c === k8s).map((c) => ({ clusterVersion: c, platformVersions: ['*'], defaultVersion: defaultAddonVersion(a, c) === v.version })),
        requiresConfiguration: false, requiresIamPermissions: a.requiresIamPermissions,
      })),
    })),
    nextToken,
  };
}

export function describeAddonConfiguration(_ctx: RequestContext, input: DescribeAddonConfigurationRequest): DescribeAddonConfigurationResponse {
  const spec = addonSpec(input.addonName!);
  if (!spec || !spec.versions.some((v) => v.version === input.addonVersion)) {
    throw notFound(`Addon ${input.addonName} with version ${input.addonVersion} not found.`, { addonName: input.addonName });
  }
  return {
    addonName: spec.name, addonVersion: input.addonVersion, configurationSchema: configurationSchema(spec),
    podIdentityConfiguration: spec.podIdentity.map((p) => ({ serviceAccount: p.serviceAccount, recommendedManagedPolicies: p.recommendedManagedPolicies })),
  };
}
