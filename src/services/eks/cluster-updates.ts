/**
 * Cluster updates: UpdateClusterConfig (one kind of change a request, as EKS takes them: logging, endpoint
 * access, authentication mode, upgrade policy, deletion protection) and UpdateClusterVersion (one minor version
 * up). Each answers an update InProgress and moves the cluster to UPDATING; the cluster controller then makes
 * the change (a new version: the API server reports it) and the cluster ACTIVE, the update Successful.
 * DescribeUpdate and ListUpdates for a cluster, a node group or an add-on.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html
 */
import type {
  Cluster, DescribeUpdateRequest, DescribeUpdateResponse, ListUpdatesRequest, ListUpdatesResponse, UpdateClusterConfigRequest,
  UpdateClusterConfigResponse, UpdateClusterVersionRequest, UpdateClusterVersionResponse, UpdateParam, UpdateType,
} from '@aws-sdk/client-eks';
import type { RequestContext } from '../provider.js';
import { bootstrapCreatorEntry } from './access-entries.js';
import { requireCluster } from './clusters.js';
import { clusterInUse, invalidParameter, notFound } from './errors.js';
import { clusterDoc, clusterKey, getItem, loadCluster, saveCluster, type Scope } from './store.js';
import { describeUpdate as describeOne, finishUpdates, inProgressUpdates, listUpdates as listSome, newUpdate, paramValue } from './updates.js';
import { versionInfo } from './versions.js';

const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** Authentication modes only move towards API: CONFIG_MAP → API_AND_CONFIG_MAP → API. */
const AUTH_ORDER = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];

function requireActive(ctx: RequestContext, name: string): Cluster {
  const c = clusterDoc(requireCluster(ctx, name));
  if (c.status !== 'ACTIVE' || inProgressUpdates(ctx, name, '').length) {
    throw clusterInUse(name, `Cluster ${name} is currently being updated or is not ACTIVE (status ${c.status}).`);
  }
  return c;
}

function begin(ctx: RequestContext, c: Cluster, type: UpdateType, params: UpdateParam[]) {
  const update = newUpdate(ctx, c.name!, '', type, params);
  c.status = 'UPDATING';
  saveCluster(ctx, c);
  ctx.changed('eks.cluster', clusterKey(ctx, c.name!));
  return { update };
}

export function updateClusterConfig(ctx: RequestContext, input: UpdateClusterConfigRequest): UpdateClusterConfigResponse {
  const c = requireActive(ctx, input.name!);
  const fields = { clusterName: c.name };
  const asked = [
    input.resourcesVpcConfig && 'vpc', input.logging && 'logging', input.accessConfig && 'access', input.upgradePolicy && 'upgrade',
    input.deletionProtection !== undefined && 'protection', input.kubernetesNetworkConfig && 'network', input.computeConfig && 'compute',
    input.storageConfig && 'storage', input.zonalShiftConfig && 'zonal', input.remoteNetworkConfig && 'remote',
  ].filter(Boolean);
  if (asked.length === 0) throw invalidParameter('No update specified.', fields);
  if (asked.length > 1) throw invalidParameter('Only one type of update can be allowed.', fields);
  if (input.logging) {
    const enabled = new Set<string>(c.logging?.clusterLogging?.filter((l) => l.enabled).flatMap((l) => l.types ?? []) ?? []);
    for (const setup of input.logging.clusterLogging ?? []) {
      for (const t of setup.types ?? []) {
        if (!LOG_TYPES.includes(t)) throw invalidParameter(`Invalid log type: ${t}`, fields);
        if (setup.enabled) enabled.add(t); else enabled.delete(t);
      }
    }
    const logging = {
      clusterLogging: [
        ...(enabled.size ? [{ types: LOG_TYPES.filter((t) => enabled.has(t)) as never[], enabled: true }] : []),
        ...(enabled.size < LOG_TYPES.length ? [{ types: LOG_TYPES.filter((t) => !enabled.has(t)) as never[], enabled: false }] : []),
      ],
    };
    if (JSON.stringify(logging) === JSON.stringify(c.logging)) throw invalidParameter('No changes needed for the logging config provided', fields);
    c.logging = logging;
    return begin(ctx, c, 'LoggingUpdate', [{ type: 'ClusterLogging', value: JSON.stringify(logging) }]);
  }
  if (input.resourcesVpcConfig) {
    const v = input.resourcesVpcConfig;
    if (v.subnetIds || v.securityGroupIds) throw invalidParameter('Berth does not update a cluster’s subnets or security groups yet.', fields);
    const next = { ...c.resourcesVpcConfig, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) };
    if (next.endpointPublicAccess === false && next.endpointPrivateAccess === false) throw invalidParameter('Both public and private access cannot be disabled', fields);
    const params: UpdateParam[] = [];
    if (v.endpointPublicAccess !== undefined) params.push({ type: 'EndpointPublicAccess', value: String(v.endpointPublicAccess) });
    if (v.endpointPrivateAccess !== undefined) params.push({ type: 'EndpointPrivateAccess', value: String(v.endpointPrivateAccess) });
    if (v.publicAccessCidrs) params.push({ type: 'PublicAccessCidrs', value: JSON.stringify(v.publicAccessCidrs) });
    c.resourcesVpcConfig = next;
    return begin(ctx, c, 'EndpointAccessUpdate', params);
  }
  if (input.accessConfig) {
    const mode = input.accessConfig.authenticationMode;
    const from = c.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
    if (!mode || !AUTH_ORDER.includes(mode)) throw invalidParameter(`Invalid authenticationMode: ${mode}`, fields);
    if (mode === from) throw invalidParameter(`Cluster already has authentication mode ${mode}`, fields);
    if (AUTH_ORDER.indexOf(mode) < AUTH_ORDER.indexOf(from)) throw invalidParameter(`Unsupported authentication mode update from ${from} to ${mode}`, fields);
    c.accessConfig = { ...c.accessConfig, authenticationMode: mode };
    // Leaving CONFIG_MAP: the creator keeps its access through an entry of its own, as EKS makes one.
    if (from === 'CONFIG_MAP') bootstrapCreatorEntry(ctx, c.name!, requireCluster(ctx, c.name!).creator);
    return begin(ctx, c, 'AccessConfigUpdate', [{ type: 'AuthenticationMode', value: mode }]);
  }
  if (input.upgradePolicy) {
    c.upgradePolicy = { supportType: input.upgradePolicy.supportType ?? 'EXTENDED' };
    return begin(ctx, c, 'UpgradePolicyUpdate', [{ type: 'UpgradePolicy' as never, value: c.upgradePolicy.supportType }]);
  }
  if (input.deletionProtection !== undefined) {
    c.deletionProtection = input.deletionProtection;
    return begin(ctx, c, 'DeletionProtectionUpdate', [{ type: 'DeletionProtection', value: String(input.deletionProtection) }]);
  }
  throw invalidParameter('Berth does not update this part of a cluster’s configuration yet.', fields);
}

export function updateClusterVersion(ctx: RequestContext, input: UpdateClusterVersionRequest): UpdateClusterVersionResponse {
  const c = requireActive(ctx, input.name!);
  const fields = { clusterName: c.name };
  const to = input.version!;
  const from = c.version!;
  const target = versionInfo(to);
  if (!target) throw invalidParameter(`unsupported Kubernetes version ${to}`, fields);
  if (to === from) throw invalidParameter(`Cluster is already at the desired configuration with version: ${to}`, fields);
  const minor = (v: string) => Number(v.split('.')[1]);
  if (minor(to) !== minor(from) + 1) throw invalidParameter(`Unsupported Kubernetes minor version update from ${from} to ${to}`, fields);
  return begin(ctx, c, 'VersionUpdate', [{ type: 'Version', value: to }, { type: 'PlatformVersion', value: target.platformVersion }]);
}

/** The cluster controller's step for an UPDATING cluster: its updates made (a new version applied), ACTIVE again. */
export function settleClusterUpdates(s: Scope, name: string): boolean {
  const row = loadCluster(s, name);
  if (!row) return false;
  const c = clusterDoc(row);
  if (c.status !== 'UPDATING') return false;
  for (const u of inProgressUpdates(s, name, '')) {
    if (u.type === 'VersionUpdate') {
      c.version = paramValue(u, 'Version') ?? c.version;
      c.platformVersion = paramValue(u, 'PlatformVersion') ?? c.platformVersion;
    }
  }
  finishUpdates(s, name, '');
  c.status = 'ACTIVE';
  saveCluster(s, c);
  return true;
}

/** The resource an update belongs to must exist: the cluster, or its node group or add-on. */
function ownerCheck(ctx: RequestContext, cluster: string) {
  return (ref: string) => {
    requireCluster(ctx, cluster);
    if (!ref) return;
    const [kind, name] = ref.startsWith('addon:') ? ['addon', ref.slice(6)] as const : ['nodegroup', ref] as const;
    if (!getItem(ctx, cluster, kind, name)) {
      throw kind === 'addon'
        ? notFound(`No addon: ${name} found in cluster: ${cluster}`, { clusterName: cluster, addonName: name })
        : notFound(`No node group found for name: ${name}.`, { clusterName: cluster, nodegroupName: name });
    }
  };
}

export const describeUpdate = (ctx: RequestContext, input: DescribeUpdateRequest): DescribeUpdateResponse => describeOne(ctx, input, ownerCheck(ctx, input.name!));

export const listUpdates = (ctx: RequestContext, input: ListUpdatesRequest): ListUpdatesResponse => listSome(ctx, input, ownerCheck(ctx, input.name!));
