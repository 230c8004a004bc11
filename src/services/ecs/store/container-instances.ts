/**
 * Container-instance references used by attributes: the one place that
 * resolves an id or ARN to a registered (not INACTIVE) instance.
 */
import type { RequestContext } from '../provider.js';

/**
 * The ARN of the container instance that `ref` (its id or ARN) names in the
 * cluster, or undefined when there is none.
 */
export function containerInstanceArnOf(ctx: RequestContext, cluster: string, ref: string): string | undefined {
  let id = ref;
  if (ref.startsWith('arn:')) id = ref.slice(ref.lastIndexOf('/') + 1);
  const row = ctx.sql
    .get("SELECT arn FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? AND id = ? AND status != 'INACTIVE'")
    .get(ctx.account, ctx.region, cluster, id) as { arn: string } | undefined;
  return row?.arn;
}
