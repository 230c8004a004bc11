/**
 * The service-deployment APIs: ListServiceDeployments,
 * DescribeServiceDeployments, StopServiceDeployment, DescribeServiceRevisions.
 * The documents are written by store/services.ts and the scheduler.
 */
import type {
  DescribeServiceDeploymentsRequest,
  DescribeServiceDeploymentsResponse,
  DescribeServiceRevisionsRequest,
  DescribeServiceRevisionsResponse,
  Failure,
  ListServiceDeploymentsRequest,
  ListServiceDeploymentsResponse,
  ServiceDeployment,
  ServiceRevision,
  StopServiceDeploymentRequest,
  StopServiceDeploymentResponse,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import { parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { requireActiveCluster } from './clusters.js';
import { invalidParameter, serviceNotFound } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { findService, iso, loadService, loadServiceDeployment, loadServiceRevision, saveService, saveServiceDeployment, serviceDeploymentsOf } from './store/index.js';
import { serviceNameOf } from './services.js';

function inScope(ctx: RequestContext, arnText: string | undefined): boolean {
  const a = arnText ? parseArn(arnText) : undefined;
  return !!a && a.account === ctx.account && a.region === ctx.region;
}

export function listServiceDeployments(ctx: RequestContext, input: ListServiceDeploymentsRequest): ListServiceDeploymentsResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const name = serviceNameOf(ctx, input.service!);
  const row = name ? findService(ctx, cluster.clusterName!, name) : undefined;
  if (!row) throw serviceNotFound();
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken(input.nextToken, '');
  const statuses = input.status?.length ? input.status : undefined;
  const from = input.createdAt?.after ? new Date(input.createdAt.after).getTime() : -Infinity;
  const to = input.createdAt?.before ? new Date(input.createdAt.before).getTime() : Infinity;
  const docs = serviceDeploymentsOf(ctx.sql, row.arn)
    .filter((d) => !statuses || statuses.includes(d.status!))
    .filter((d) => {
      const t = new Date(d.createdAt as unknown as string).getTime();
      return t >= from && t <= to;
    });
  const start = after ? docs.findIndex((d) => d.serviceDeploymentArn === after) + 1 : 0;
  const page = docs.slice(start, start + limit);
  return {
    serviceDeployments: page.map((d) => ({
      serviceDeploymentArn: d.serviceDeploymentArn, serviceArn: d.serviceArn, clusterArn: d.clusterArn,
      startedAt: d.startedAt, createdAt: d.createdAt, finishedAt: d.finishedAt,
      targetServiceRevisionArn: d.targetServiceRevision?.arn, status: d.status, statusReason: d.statusReason,
    })),
    nextToken: start + limit < docs.length ? encodeNextToken(page[page.length - 1].serviceDeploymentArn!) : undefined,
  };
}

export function describeServiceDeployments(ctx: RequestContext, input: DescribeServiceDeploymentsRequest): DescribeServiceDeploymentsResponse {
  const arns = input.serviceDeploymentArns ?? [];
  if (!arns.length || arns.length > 20) throw invalidParameter('serviceDeploymentArns must contain between 1 and 20 ARNs.');
  const serviceDeployments: ServiceDeployment[] = [];
  const failures: Failure[] = [];
  for (const a of arns) {
    const d = inScope(ctx, a) ? loadServiceDeployment(ctx.sql, a) : undefined;
    if (d) serviceDeployments.push(d);
    else failures.push({ arn: a, reason: 'MISSING' });
  }
  return { serviceDeployments, failures };
}

export function describeServiceRevisions(ctx: RequestContext, input: DescribeServiceRevisionsRequest): DescribeServiceRevisionsResponse {
  const arns = input.serviceRevisionArns ?? [];
  if (!arns.length || arns.length > 20) throw invalidParameter('serviceRevisionArns must contain between 1 and 20 ARNs.');
  const serviceRevisions: ServiceRevision[] = [];
  const failures: Failure[] = [];
  for (const a of arns) {
    const revision = inScope(ctx, a) ? loadServiceRevision(ctx.sql, a) : undefined;
    if (revision) serviceRevisions.push(revision);
    else failures.push({ arn: a, reason: 'MISSING' });
  }
  return { serviceRevisions, failures };
}

/**
 * Stops an in-progress deployment. ROLLBACK (the default) returns the service to
 * the revision it ran before; ABORT leaves the tasks as they are.
 */
export function stopServiceDeployment(ctx: RequestContext, input: StopServiceDeploymentRequest): StopServiceDeploymentResponse {
  const sdArn = input.serviceDeploymentArn!;
  const sd = inScope(ctx, sdArn) ? loadServiceDeployment(ctx.sql, sdArn) : undefined;
  if (!sd) throw new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
  if (sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING') {
    throw new AwsError('ConflictException', `The service deployment is ${sd.status} and cannot be stopped.`);
  }
  const row = loadService(ctx.sql, sd.serviceArn!);
  if (!row) throw serviceNotFound();
  const now = ctx.clock.now();
  const stopType = input.stopType ?? 'ROLLBACK';
  sd.status = stopType === 'ABORT' ? 'STOPPED' : 'ROLLBACK_REQUESTED';
  sd.statusReason = `Stop requested (${stopType}).`;
  sd.updatedAt = iso(now);
  saveServiceDeployment(ctx.sql, sd);
  // The scheduler carries out the rollback: it marks the deployment for it here.
  const service = row.service;
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary) {
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = stopType === 'ABORT' ? 'Service deployment stopped by user.' : 'Service deployment rollback requested by user.';
    (primary as { berthRollback?: boolean }).berthRollback = stopType === 'ROLLBACK';
  }
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { serviceDeploymentArn: sdArn };
}
