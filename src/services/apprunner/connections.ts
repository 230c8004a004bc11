/**
 * App Runner connections (CreateConnection, ListConnections, DeleteConnection): a connection is App Runner's link
 * to a GitHub or Bitbucket account, PENDING_HANDSHAKE until its owner completes the handshake in the console. Berth
 * has no provider to shake hands with, so a connection stays PENDING_HANDSHAKE: stored and answered as App Runner
 * answers it, never AVAILABLE. Berth's source code services read a git repository on the host instead and need
 * none (README.md). https://docs.aws.amazon.com/apprunner/latest/api/API_CreateConnection.html
 */
import type {
  Connection, CreateConnectionRequest, CreateConnectionResponse, DeleteConnectionRequest, DeleteConnectionResponse, ListConnectionsRequest,
  ListConnectionsResponse,
} from '@aws-sdk/client-apprunner';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest } from './errors.js';
import { newArn, pageOf, resolveNamed, RESOURCE_NAME_RE } from './named-resources.js';
import { deleteResourceRow, resourcesNamed, saveResource, type ResourceRow } from './resource-store.js';
import { checkTags } from './tags.js';

type ConnectionDoc = { ConnectionName: string; ConnectionArn: string; ProviderType: string; Status: string; CreatedAt: number };

const view = (d: ConnectionDoc): Connection => ({ ...d, ProviderType: d.ProviderType as Connection['ProviderType'], Status: d.Status as Connection['Status'], CreatedAt: new Date(d.CreatedAt) });

export function createConnection(ctx: RequestContext, input: CreateConnectionRequest): CreateConnectionResponse {
  const name = input.ConnectionName!;
  if (!RESOURCE_NAME_RE.test(name)) throw invalidRequest('ConnectionName must be 4-32 characters: letters, digits, hyphens and underscores, starting with a letter or digit.');
  checkTags(input.Tags);
  if (resourcesNamed(ctx, 'connection', name).length) throw invalidRequest(`Connection with the provided name already exists: ${name}`);
  const doc: ConnectionDoc = {
    ConnectionName: name, ConnectionArn: newArn(ctx, 'connection', name), ProviderType: input.ProviderType!, Status: 'PENDING_HANDSHAKE', CreatedAt: ctx.clock.now(),
  };
  saveResource(ctx, 'connection', { arn: doc.ConnectionArn, name, status: doc.Status, doc });
  if (input.Tags?.length) putTags(ctx, doc.ConnectionArn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { Connection: view(doc) };
}

export function listConnections(ctx: RequestContext, input: ListConnectionsRequest): ListConnectionsResponse {
  const page = pageOf<ConnectionDoc, Connection>(ctx, 'connection', input, (r) => !input.ConnectionName || r.name === input.ConnectionName, (r) => view(r.doc));
  return { ConnectionSummaryList: page.items, NextToken: page.NextToken };
}

/** The connection an ARN names (a service's AuthenticationConfiguration.ConnectionArn must name one). */
export function requireConnection(ctx: RequestContext, arn: string): ResourceRow<ConnectionDoc> {
  return resolveNamed<ConnectionDoc>(ctx, 'connection', arn, false);
}

export function deleteConnection(ctx: RequestContext, input: DeleteConnectionRequest): DeleteConnectionResponse {
  const row = requireConnection(ctx, input.ConnectionArn!);
  deleteResourceRow(ctx.sql, row.arn);
  return { Connection: view({ ...row.doc, Status: 'DELETED' }) };
}
