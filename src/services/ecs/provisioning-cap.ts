/**
 * The cap on tasks waiting in PROVISIONING for a capacity provider's instances (RunTask refuses past it, a service
 * starts what fits). Kept apart from task-demand.ts: this reads managed scaling's store, which Berth loads after its
 * ready line.
 */
import type { Scope } from '../../state/scope.js';
import { waitingTaskCount } from './store/capacity-demand.js';

/**
 * ECS's quota "Tasks in the PROVISIONING state per cluster" (L-B7718569, not adjustable): 500 today (100 at launch,
 * then 300). RunTask beyond it is refused with "Tasks provisioning capacity limit exceeded." (ClientException).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
 */
export const PROVISIONING_TASKS_PER_CLUSTER = 500;
export const PROVISIONING_LIMIT_MESSAGE = 'Tasks provisioning capacity limit exceeded.';

/** How many more tasks may begin waiting for capacity in the cluster. */
export const provisioningRoom = (s: Scope, cluster: string) => Math.max(0, PROVISIONING_TASKS_PER_CLUSTER - waitingTaskCount(s, cluster));
