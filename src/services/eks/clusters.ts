/**
 * EKS clusters: CreateCluster, DescribeCluster, ListClusters, DeleteCluster, DescribeClusterVersions.
 * CreateCluster records the cluster CREATING; the cluster controller (controllers/eks-clusters.ts) makes
 * its certificate authority, binds its Kubernetes API on a loopback port and moves it to ACTIVE, which is
 * when EKS too first shows `endpoint` and `certificateAuthority.data`. DeleteCluster moves it to DELETING;
 * the controller closes its API, removes its pods' containers and forgets it.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  Cluster, CreateClusterRequest, CreateClusterResponse, DeleteClusterRequest, DeleteClusterResponse, DescribeClusterRequest,
  DescribeClusterResponse, DescribeClusterVersionsRequest, DescribeClusterVersionsResponse, ListClustersRequest, ListClustersResponse,
} from '@aws-sdk/client-eks';
import { eksArn } from '../../shared/arns.js';
import { dropAllTags } from '../../state/tags.js';
import { createSecurityGroup, findSecurityGroups, findSubnets, findVpc } from '../ec2/index.js';
import type { RequestContext } from '../provider.js';
import { bootstrapCreatorEntry } from './access-entries.js';
import { clusterExists, clusterInUse, clusterNotFound, invalidParameter, invalidRequest } from './errors.js';
import { clusterDoc, clusterKey, countItems, loadCluster, nextSeq, saveCluster, type ClusterRow } from './store.js';
import { applyTags, eksTags, validateTags } from './tags.js';
import { pageOf, pageRequest } from './pages.js';
import { DEFAULT_VERSION, VERSIONS, versionInfo } from './versions.js';

const NAME_RE = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
const AUTH_MODES = ['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP'];

/** EKS's cluster id (the hex in its endpoint and OIDC issuer): 32 upper-case hex digits. */
const clusterHexId = () => randomUUID().replace(/-/g, '').toUpperCase();

function validateVpc(ctx: RequestContext, input: CreateClusterRequest) {
  const vpcConfig = input.resourcesVpcConfig ?? {};
  const subnetIds = vpcConfig.subnetIds ?? [];
  if (subnetIds.length === 0) throw invalidParameter('Subnets specified must be in at least two different AZs', { clusterName: input.name });
  const { found, missing } = findSubnets(ctx.sql, ctx.account, ctx.region, subnetIds);
  if (missing.length) throw invalidParameter(`The subnet ID '${missing[0]}' does not exist`, { clusterName: input.name });
  const vpcs = new Set(found.map((s) => s.vpcId));
  if (vpcs.size > 1) throw invalidParameter('Subnets specified must belong to the same VPC', { clusterName: input.name });
  // The control plane places its network interfaces in two zones at least.
  if (new Set(found.map((s) => s.availabilityZone)).size < 2) {
    throw invalidParameter('Subnets specified must be in at least two different AZs', { clusterName: input.name });
  }
  const vpcId = found[0].vpcId;
  const groups = findSecurityGroups(ctx.sql, ctx.account, ctx.region, vpcConfig.securityGroupIds ?? []);
  if (groups.missing.length) throw invalidParameter(`The security group '${groups.missing[0]}' does not exist`, { clusterName: input.name });
  if (groups.found.some((g) => g.vpcId !== vpcId)) {
    throw invalidParameter('Security groups specified must belong to the same VPC as the subnets', { clusterName: input.name });
  }
  if (vpcConfig.endpointPublicAccess === false && vpcConfig.endpointPrivateAccess === false) {
    throw invalidParameter('Both public and private access cannot be disabled', { clusterName: input.name });
  }
  return { vpcId, subnetIds, securityGroupIds: vpcConfig.securityGroupIds ?? [] };
}

/** The service CIDR EKS picks when none is given: 10.100.0.0/16, or 172.20.0.0/16 when the VPC is in 10.0.0.0/8. */
function defaultServiceCidr(vpcCidr: string | undefined): string {
  return vpcCidr?.startsWith('10.') ? '172.20.0.0/16' : '10.100.0.0/16';
}

export function createCluster(ctx: RequestContext, input: CreateClusterRequest): CreateClusterResponse {
  const name = input.name ?? '';
  if (!NAME_RE.test(name) || name.length > 100) {
    throw invalidParameter(`The cluster name '${name}' is invalid: it must start with an alphanumeric character and contain only alphanumeric characters, hyphens and underscores (at most 100).`);
  }
  if (loadCluster(ctx, name)) throw clusterExists(name);
  if (!ROLE_ARN_RE.test(input.roleArn ?? '')) throw invalidParameter(`Invalid role ARN: ${input.roleArn}`, { clusterName: name });
  const version = input.version ?? DEFAULT_VERSION;
  const info = versionInfo(version);
  if (!info) throw invalidParameter(`unsupported Kubernetes version ${version}`, { clusterName: name });
  const network = validateVpc(ctx, input);
  const authMode = input.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
  if (!AUTH_MODES.includes(authMode)) throw invalidParameter(`Invalid authenticationMode: ${authMode}`, { clusterName: name });
  for (const setup of input.logging?.clusterLogging ?? []) {
    for (const t of setup.types ?? []) if (!LOG_TYPES.includes(t)) throw invalidParameter(`Invalid log type: ${t}`, { clusterName: name });
  }
  validateTags(input.tags);

  const id = clusterHexId();
  const arn = eksArn.cluster(ctx.region, ctx.account, name);
  const vpc = findVpc(ctx.sql, ctx.account, ctx.region, network.vpcId);
  // EKS makes the cluster security group in the cluster's VPC (control plane and managed workloads).
  const suffix = createHash('sha256').update(arn + id).digest('hex').slice(0, 10);
  const clusterSg = createSecurityGroup(ctx, {
    GroupName: `eks-cluster-sg-${name}-${suffix}`.slice(0, 255), VpcId: network.vpcId,
    Description: 'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
    TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: `kubernetes.io/cluster/${name}`, Value: 'owned' }, { Key: 'Name', Value: `eks-cluster-sg-${name}-${suffix}` }] }],
  }).GroupId!;
  const enabledLogs = new Set<string>((input.logging?.clusterLogging ?? []).filter((s) => s.enabled).flatMap((s) => s.types ?? []));
  const cluster: Cluster = {
    name,
    arn,
    createdAt: (ctx.clock.now() / 1000) as unknown as Date,
    version,
    roleArn: input.roleArn,
    resourcesVpcConfig: {
      subnetIds: network.subnetIds,
      securityGroupIds: network.securityGroupIds,
      clusterSecurityGroupId: clusterSg,
      vpcId: network.vpcId,
      endpointPublicAccess: input.resourcesVpcConfig?.endpointPublicAccess ?? true,
      endpointPrivateAccess: input.resourcesVpcConfig?.endpointPrivateAccess ?? false,
      publicAccessCidrs: input.resourcesVpcConfig?.publicAccessCidrs ?? ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: {
      serviceIpv4Cidr: input.kubernetesNetworkConfig?.serviceIpv4Cidr ?? defaultServiceCidr(vpc?.cidrBlock),
      ipFamily: input.kubernetesNetworkConfig?.ipFamily ?? 'ipv4',
      elasticLoadBalancing: { enabled: input.kubernetesNetworkConfig?.elasticLoadBalancing?.enabled ?? false },
    },
    logging: {
      clusterLogging: [
        ...(enabledLogs.size ? [{ types: LOG_TYPES.filter((t) => enabledLogs.has(t)) as never[], enabled: true }] : []),
        ...(enabledLogs.size < LOG_TYPES.length ? [{ types: LOG_TYPES.filter((t) => !enabledLogs.has(t)) as never[], enabled: false }] : []),
      ],
    },
    identity: { oidc: { issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${id}` } },
    status: 'CREATING',
    ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
    platformVersion: info.platformVersion,
    tags: {},
    ...(input.encryptionConfig?.length ? { encryptionConfig: input.encryptionConfig } : {}),
    health: { issues: [] },
    accessConfig: { authenticationMode: authMode as never },
    upgradePolicy: { supportType: input.upgradePolicy?.supportType ?? 'EXTENDED' },
    ...(input.deletionProtection !== undefined ? { deletionProtection: input.deletionProtection } : {}),
  };
  // The creator is the cluster's first admin unless the request says otherwise (bootstrapClusterCreatorAdminPermissions).
  const creator = input.accessConfig?.bootstrapClusterCreatorAdminPermissions === false ? '' : ctx.principalArn;
  ctx.sql
    .get(`INSERT INTO eks_clusters (account, region, name, uid, status, doc, creator, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(ctx.account, ctx.region, name, randomUUID(), 'CREATING', JSON.stringify(cluster), creator, nextSeq(ctx.sql));
  applyTags(ctx, arn, input.tags);
  if (authMode !== 'CONFIG_MAP') bootstrapCreatorEntry(ctx, name, creator);
  ctx.changed('eks.cluster', clusterKey(ctx, name));
  return { cluster: describe(ctx, loadCluster(ctx, name)!) };
}

/** The description as DescribeCluster shows it: tags are live. */
function describe(ctx: RequestContext, row: ClusterRow): Cluster {
  const c = clusterDoc(row);
  return { ...c, tags: eksTags(ctx, c.arn!) };
}

export function requireCluster(ctx: RequestContext, name: string): ClusterRow {
  const row = loadCluster(ctx, name);
  if (!row) throw clusterNotFound(name);
  return row;
}

export function describeCluster(ctx: RequestContext, input: DescribeClusterRequest): DescribeClusterResponse {
  return { cluster: describe(ctx, requireCluster(ctx, input.name!)) };
}

export function listClusters(ctx: RequestContext, input: ListClustersRequest): ListClustersResponse {
  const { limit, afterSeq } = pageRequest(input);
  const rows = ctx.sql
    .get('SELECT name, seq FROM eks_clusters WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(ctx.account, ctx.region, afterSeq, limit + 1) as { name: string; seq: number }[];
  const { page, nextToken } = pageOf(rows, limit);
  return { clusters: page.map((r) => r.name), nextToken };
}

export function deleteCluster(ctx: RequestContext, input: DeleteClusterRequest): DeleteClusterResponse {
  const row = requireCluster(ctx, input.name!);
  const c = clusterDoc(row);
  if (c.deletionProtection) {
    throw invalidRequest(`Cluster ${c.name} has deletion protection enabled. Disable it with UpdateClusterConfig before deleting the cluster.`, { clusterName: c.name });
  }
  // EKS refuses while node groups or Fargate profiles exist (deleting ones included: they still hold the cluster).
  if (countItems(ctx, c.name!, 'nodegroup')) throw clusterInUse(c.name!, 'Cluster has nodegroups attached');
  if (countItems(ctx, c.name!, 'fargateprofile')) throw clusterInUse(c.name!, 'Cluster has fargate profiles attached');
  if (c.status !== 'DELETING') {
    c.status = 'DELETING';
    saveCluster(ctx, c);
    dropAllTags(ctx, c.arn!);
    ctx.changed('eks.cluster', clusterKey(ctx, c.name!));
  }
  return { cluster: { ...c, tags: {} } };
}

export function describeClusterVersions(_ctx: RequestContext, input: DescribeClusterVersionsRequest): DescribeClusterVersionsResponse {
  const wanted = input.clusterVersions?.length ? new Set(input.clusterVersions) : undefined;
  const asOf = Date.now();
  const list = VERSIONS.filter((v) => (!wanted || wanted.has(v.version)) && (!input.defaultOnly || v.version === DEFAULT_VERSION));
  return {
    clusterVersions: list.map((v) => {
      const standard = asOf < Date.parse(v.endOfStandardSupport);
      return {
        clusterVersion: v.version, clusterType: 'eks', defaultPlatformVersion: v.platformVersion, defaultVersion: v.version === DEFAULT_VERSION,
        releaseDate: (Date.parse(v.releaseDate) / 1000) as unknown as Date,
        endOfStandardSupportDate: (Date.parse(v.endOfStandardSupport) / 1000) as unknown as Date,
        status: (standard ? 'STANDARD_SUPPORT' : 'EXTENDED_SUPPORT') as never,
        versionStatus: (standard ? 'STANDARD_SUPPORT' : 'EXTENDED_SUPPORT') as never,
        kubernetesPatchVersion: v.gitVersion.replace(/^v/, '').replace(/-.*$/, ''),
      };
    }),
  };
}
