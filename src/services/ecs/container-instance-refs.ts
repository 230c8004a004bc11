/**
 * Container-instance references used by attributes (and later placement).
 * Berth has no container instances yet (RegisterContainerInstance is not
 * implemented), so no reference resolves; when they arrive, this is the one
 * place that looks them up.
 */
import type { RequestContext } from '../provider.js';

/**
 * The ARN of the container instance that `ref` (its id or ARN) names in the
 * cluster, or undefined when there is none.
 */
export function containerInstanceArnOf(_ctx: RequestContext, _cluster: string, _ref: string): string | undefined {
  return undefined;
}
