/**
 * App Runner VPC ingress connections (Create/Describe/List/Update/DeleteVpcIngressConnection): a service made
 * reachable from a VPC through an interface endpoint, under a domain name of its own. The VPC must exist in Berth's
 * EC2; Berth has no VPC endpoints, so VpcEndpointId is checked for its shape only. The create and update answers
 * say PENDING_CREATION / PENDING_UPDATE, as App Runner's do; there is nothing to provision, so the connection is
 * AVAILABLE from then on. Its domain (`<10 characters>.<region>.awsapprunner.localhost`, AWS `….awsapprunner.com`)
 * is one more host the service's URL rules serve (custom-domains.ts does the routing for both).
 * https://docs.aws.amazon.com/apprunner/latest/api/API_CreateVpcIngressConnection.html
 */
import type {
  CreateVpcIngressConnectionRequest, CreateVpcIngressConnectionResponse, DeleteVpcIngressConnectionRequest, DeleteVpcIngressConnectionResponse,
  DescribeVpcIngressConnectionRequest, DescribeVpcIngressConnectionResponse, IngressVpcConfiguration, ListVpcIngressConnectionsRequest,
  ListVpcIngressConnectionsResponse, UpdateVpcIngressConnectionRequest, UpdateVpcIngressConnectionResponse, VpcIngressConnection,
} from '@aws-sdk/client-apprunner';
import { findVpc } from '../ec2/index.js';
import { randomHex } from '../../shared/ids.js';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, invalidState } from './errors.js';
import { newArn, pageOf, resolveNamed, RESOURCE_NAME_RE } from './named-resources.js';
import { resourcesNamed, saveResource, type ResourceRow } from './resource-store.js';
import { requireService } from './services.js';
import { checkTags } from './tags.js';

const KIND = 'vpcingressconnection';

type IngressDoc = Omit<VpcIngressConnection, 'CreatedAt' | 'DeletedAt'> & { CreatedAt: number; DeletedAt?: number };

const view = (d: IngressDoc, status?: string): VpcIngressConnection => ({
  ...d, Status: (status ?? d.Status) as VpcIngressConnection['Status'], CreatedAt: new Date(d.CreatedAt), DeletedAt: d.DeletedAt ? new Date(d.DeletedAt) : undefined,
});

function checkIngress(ctx: RequestContext, cfg: IngressVpcConfiguration | undefined): IngressVpcConfiguration {
  if (!cfg?.VpcId || !cfg.VpcEndpointId) throw invalidRequest('IngressVpcConfiguration must specify VpcId and VpcEndpointId.');
  if (!findVpc(ctx.sql, ctx.account, ctx.region, cfg.VpcId)) throw invalidRequest(`The vpc ID '${cfg.VpcId}' does not exist`);
  if (!/^vpce-[0-9a-f]{8,17}$/.test(cfg.VpcEndpointId)) throw invalidRequest(`Invalid VPC endpoint ID: ${cfg.VpcEndpointId}`);
  return { VpcId: cfg.VpcId, VpcEndpointId: cfg.VpcEndpointId };
}

export function createVpcIngressConnection(ctx: RequestContext, input: CreateVpcIngressConnectionRequest): CreateVpcIngressConnectionResponse {
  const name = input.VpcIngressConnectionName!;
  if (!RESOURCE_NAME_RE.test(name)) throw invalidRequest('VpcIngressConnectionName must be 4-32 characters: letters, digits, hyphens and underscores, starting with a letter or digit.');
  checkTags(input.Tags);
  const service = requireService(ctx, input.ServiceArn!);
  const cfg = checkIngress(ctx, input.IngressVpcConfiguration);
  if (resourcesNamed<IngressDoc>(ctx, KIND, name).some((r) => r.status !== 'DELETED')) throw invalidRequest(`VPC ingress connection with the provided name already exists: ${name}`);
  const arn = newArn(ctx, KIND, name);
  const doc: IngressDoc = {
    VpcIngressConnectionArn: arn, VpcIngressConnectionName: name, ServiceArn: service.ServiceArn, Status: 'AVAILABLE', AccountId: ctx.account,
    DomainName: `${randomHex(5)}.${ctx.region}.awsapprunner.localhost`, IngressVpcConfiguration: cfg, CreatedAt: ctx.clock.now(),
  };
  saveResource(ctx, KIND, { arn, name, status: doc.Status!, doc });
  // The apprunner-services controller serves its domain (custom-domains.ts, syncHosts).
  ctx.changed('apprunner.service', service.ServiceArn);
  if (input.Tags?.length) putTags(ctx, arn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { VpcIngressConnection: view(doc, 'PENDING_CREATION') };
}

function requireIngress(ctx: RequestContext, arn: string): ResourceRow<IngressDoc> {
  return resolveNamed<IngressDoc>(ctx, KIND, arn, false);
}

export function describeVpcIngressConnection(ctx: RequestContext, input: DescribeVpcIngressConnectionRequest): DescribeVpcIngressConnectionResponse {
  return { VpcIngressConnection: view(requireIngress(ctx, input.VpcIngressConnectionArn!).doc) };
}

export function listVpcIngressConnections(ctx: RequestContext, input: ListVpcIngressConnectionsRequest): ListVpcIngressConnectionsResponse {
  const f = input.Filter ?? {};
  const page = pageOf<IngressDoc, { VpcIngressConnectionArn?: string; ServiceArn?: string }>(ctx, KIND, input,
    (r) => r.status !== 'DELETED' && (!f.ServiceArn || r.doc.ServiceArn === f.ServiceArn) && (!f.VpcEndpointId || r.doc.IngressVpcConfiguration?.VpcEndpointId === f.VpcEndpointId),
    (r) => ({ VpcIngressConnectionArn: r.arn, ServiceArn: r.doc.ServiceArn }));
  return { VpcIngressConnectionSummaryList: page.items, NextToken: page.NextToken };
}

export function updateVpcIngressConnection(ctx: RequestContext, input: UpdateVpcIngressConnectionRequest): UpdateVpcIngressConnectionResponse {
  const row = requireIngress(ctx, input.VpcIngressConnectionArn!);
  if (!['AVAILABLE', 'FAILED_CREATION', 'FAILED_UPDATE'].includes(row.status)) {
    throw invalidState(`You can't update VPC ingress connection ${row.arn} in ${row.status} state.`);
  }
  const doc: IngressDoc = { ...row.doc, IngressVpcConfiguration: checkIngress(ctx, input.IngressVpcConfiguration), Status: 'AVAILABLE' };
  saveResource(ctx, KIND, { ...row, status: 'AVAILABLE', doc });
  return { VpcIngressConnection: view(doc, 'PENDING_UPDATE') };
}

/** Deletes a connection (DeleteVpcIngressConnection, or its service's deletion): DELETED, its domain no longer served. */
export function retireIngress(ctx: RequestContext, row: ResourceRow<IngressDoc>): IngressDoc {
  const doc: IngressDoc = { ...row.doc, Status: 'DELETED', DeletedAt: ctx.clock.now() };
  saveResource(ctx, KIND, { ...row, status: 'DELETED', doc });
  ctx.changed('apprunner.service', row.doc.ServiceArn!);
  return doc;
}

export function deleteVpcIngressConnection(ctx: RequestContext, input: DeleteVpcIngressConnectionRequest): DeleteVpcIngressConnectionResponse {
  const row = requireIngress(ctx, input.VpcIngressConnectionArn!);
  if (!['AVAILABLE', 'FAILED_CREATION', 'FAILED_UPDATE', 'FAILED_DELETION'].includes(row.status)) {
    throw invalidState(`You can't delete VPC ingress connection ${row.arn} in ${row.status} state.`);
  }
  const doc = retireIngress(ctx, row);
  return { VpcIngressConnection: view(doc, 'PENDING_DELETION') };
}

/** A service's live ingress connections (its deletion retires them). */
export function serviceIngresses(ctx: RequestContext, serviceArn: string): ResourceRow<IngressDoc>[] {
  return pageOf<IngressDoc, ResourceRow<IngressDoc>>(ctx, KIND, { MaxResults: 1000 }, (r) => r.status !== 'DELETED' && r.doc.ServiceArn === serviceArn, (r) => r).items;
}
