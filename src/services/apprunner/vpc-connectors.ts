/**
 * App Runner VPC connectors (Create/Describe/List/DeleteVpcConnector): named, with revisions, each naming subnets
 * and security groups that must exist in Berth's EC2 (one VPC; no security groups given: the VPC's default group,
 * as App Runner uses it). A service uses one for egress (NetworkConfiguration.EgressConfiguration, EgressType VPC);
 * one a live service uses cannot be deleted. On Berth the connector is recorded, not enforced: the service's
 * containers reach what the engine's network reaches (README.md).
 * https://docs.aws.amazon.com/apprunner/latest/api/API_CreateVpcConnector.html
 */
import type {
  CreateVpcConnectorRequest, CreateVpcConnectorResponse, DeleteVpcConnectorRequest, DeleteVpcConnectorResponse, DescribeVpcConnectorRequest,
  DescribeVpcConnectorResponse, ListVpcConnectorsRequest, ListVpcConnectorsResponse, VpcConnector,
} from '@aws-sdk/client-apprunner';
import { defaultSecurityGroupId, findSecurityGroups, findSubnets } from '../ec2/index.js';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, quotaExceeded } from './errors.js';
import { newArn, nextRevision, pageOf, resolveNamed, RESOURCE_NAME_RE, retireRevision } from './named-resources.js';
import { saveResource, type ResourceRow } from './resource-store.js';
import { checkTags } from './tags.js';

const KIND = 'vpcconnector';
const MAX_REVISIONS = 5;

type ConnectorDoc = Omit<VpcConnector, 'CreatedAt' | 'DeletedAt'> & { CreatedAt: number; DeletedAt?: number; Latest?: boolean };

const view = ({ Latest: _latest, ...d }: ConnectorDoc): VpcConnector => ({ ...d, CreatedAt: new Date(d.CreatedAt), DeletedAt: d.DeletedAt ? new Date(d.DeletedAt) : undefined });

export function createVpcConnector(ctx: RequestContext, input: CreateVpcConnectorRequest): CreateVpcConnectorResponse {
  const name = input.VpcConnectorName!;
  if (!RESOURCE_NAME_RE.test(name)) throw invalidRequest('VpcConnectorName must be 4-32 characters: letters, digits, hyphens and underscores, starting with a letter or digit.');
  checkTags(input.Tags);
  if (!input.Subnets?.length) throw invalidRequest('Subnets must name at least one subnet.');
  const subnets = findSubnets(ctx.sql, ctx.account, ctx.region, input.Subnets);
  if (subnets.missing.length) throw invalidRequest(`The subnet ID '${subnets.missing[0]}' does not exist`);
  const vpcs = new Set(subnets.found.map((s) => s.vpcId));
  if (vpcs.size > 1) throw invalidRequest('All subnets of a VPC connector must be in the same VPC.');
  const [vpcId] = vpcs;
  let groups = input.SecurityGroups ?? [];
  if (groups.length) {
    const found = findSecurityGroups(ctx.sql, ctx.account, ctx.region, groups);
    if (found.missing.length) throw invalidRequest(`The security group '${found.missing[0]}' does not exist`);
    if (found.found.some((g) => g.vpcId !== vpcId)) throw invalidRequest('Security groups must be in the VPC of the subnets.');
  } else {
    const def = defaultSecurityGroupId(ctx.sql, ctx.account, ctx.region, vpcId);
    groups = def ? [def] : [];
  }
  const { revision, active } = nextRevision(ctx, KIND, name);
  if (active >= MAX_REVISIONS) throw quotaExceeded(`You have reached the maximum of ${MAX_REVISIONS} revisions for VPC connector ${name}.`);
  const arn = newArn(ctx, KIND, name, revision);
  const doc: ConnectorDoc = {
    VpcConnectorName: name, VpcConnectorArn: arn, VpcConnectorRevision: revision, Subnets: input.Subnets, SecurityGroups: groups,
    Status: 'ACTIVE', CreatedAt: ctx.clock.now(), Latest: true,
  };
  saveResource(ctx, KIND, { arn, name, revision, status: 'ACTIVE', doc });
  if (input.Tags?.length) putTags(ctx, arn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { VpcConnector: view(doc) };
}

export function resolveVpcConnector(ctx: RequestContext, arn: string): ResourceRow<ConnectorDoc> {
  return resolveNamed<ConnectorDoc>(ctx, KIND, arn, true);
}

export function describeVpcConnector(ctx: RequestContext, input: DescribeVpcConnectorRequest): DescribeVpcConnectorResponse {
  return { VpcConnector: view(resolveVpcConnector(ctx, input.VpcConnectorArn!).doc) };
}

export function listVpcConnectors(ctx: RequestContext, input: ListVpcConnectorsRequest): ListVpcConnectorsResponse {
  const page = pageOf<ConnectorDoc, VpcConnector>(ctx, KIND, input, (r) => r.status === 'ACTIVE', (r) => view(r.doc));
  return { VpcConnectors: page.items, NextToken: page.NextToken };
}

export function deleteVpcConnector(ctx: RequestContext, input: DeleteVpcConnectorRequest): DeleteVpcConnectorResponse {
  const row = resolveVpcConnector(ctx, input.VpcConnectorArn!);
  const doc = retireRevision(ctx, KIND, row, '$.NetworkConfiguration.EgressConfiguration.VpcConnectorArn');
  return { VpcConnector: view(doc as ConnectorDoc) };
}
