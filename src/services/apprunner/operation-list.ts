/** ListOperations: a service's operations, newest first (App Runner keeps them as long as the service). */
import type { ListOperationsRequest, ListOperationsResponse } from '@aws-sdk/client-apprunner';
import type { RequestContext } from '../provider.js';
import { pageToken, readToken } from './pages.js';
import { requireService } from './services.js';
import { listOperationRows } from './store.js';

export function listOperations(ctx: RequestContext, input: ListOperationsRequest): ListOperationsResponse {
  const doc = requireService(ctx, input.ServiceArn!);
  const limit = input.MaxResults ?? 20;
  const rows = listOperationRows(ctx.sql, doc.ServiceArn, readToken(input.NextToken, Number.MAX_SAFE_INTEGER), limit + 1);
  const page = rows.slice(0, limit);
  return {
    OperationSummaryList: page.map(({ doc: o }) => ({
      Id: o.Id, Type: o.Type as never, Status: o.Status as never, TargetArn: o.TargetArn,
      StartedAt: new Date(o.StartedAt), UpdatedAt: new Date(o.UpdatedAt), ...(o.EndedAt ? { EndedAt: new Date(o.EndedAt) } : {}),
    })),
    NextToken: rows.length > limit ? pageToken(page[page.length - 1].seq) : undefined,
  };
}
