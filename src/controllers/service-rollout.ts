/**
 * The ECS deployment controller's decision, as a pure function: given the
 * service's desired count, its deployment configuration and the live tasks of
 * each deployment, which tasks to start and which to stop in this pass.
 *
 * Rolling update (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * never more than maximumPercent of desiredCount tasks live, never fewer than
 * minimumHealthyPercent healthy; old deployments drain as the new one becomes
 * healthy; unhealthy tasks past their grace period are replaced.
 */

export interface TaskView {
  arn: string;
  deploymentId: string;
  /** lastStatus RUNNING. */
  running: boolean;
  /** Running and passing its container and load balancer health checks. */
  healthy: boolean;
  /** Failing a health check after the grace period: to be replaced. */
  failingHealth?: 'container' | 'elb';
  /** Deregistered from its load balancers and draining: on its way out, counted but not touched. */
  draining?: boolean;
  startedAtMs?: number;
}

export interface RolloutInput {
  desiredCount: number;
  maximumPercent: number;
  minimumHealthyPercent: number;
  primaryId: string;
  /** Live tasks (desiredStatus RUNNING) of every deployment. */
  tasks: TaskView[];
  /** False while launches are throttled or the circuit breaker has tripped. */
  canLaunch: boolean;
}

export interface StopDecision {
  arn: string;
  reason: string;
}

export interface RolloutPlan {
  start: number;
  stop: StopDecision[];
}

export function planRollout(input: RolloutInput): RolloutPlan {
  const { desiredCount: desired, primaryId } = input;
  const maxTotal = Math.floor((desired * input.maximumPercent) / 100);
  const minHealthy = Math.ceil((desired * input.minimumHealthyPercent) / 100);
  const stop: StopDecision[] = [];
  const stopping = new Set<string>();
  const mark = (t: TaskView, reason: string) => {
    if (stopping.has(t.arn)) return;
    stopping.add(t.arn);
    stop.push({ arn: t.arn, reason });
  };
  const scaling = (t: TaskView) => `Scaling activity initiated by (deployment ${t.deploymentId})`;

  // Tasks failing their health checks are replaced whatever the bounds say, as ECS does.
  for (const t of input.tasks) if (t.draining) stopping.add(t.arn);
  for (const t of input.tasks) {
    if (t.draining) continue;
    if (t.failingHealth === 'container') mark(t, 'Task failed container health checks.');
    else if (t.failingHealth === 'elb') mark(t, 'Task failed ELB health checks.');
  }
  const live = () => input.tasks.filter((t) => !stopping.has(t.arn));
  const primary = () => live().filter((t) => t.deploymentId === primaryId);
  const old = () => live().filter((t) => t.deploymentId !== primaryId);

  // Scale-in of the primary deployment: pending tasks first, then the newest.
  const extra = primary().length - desired;
  if (extra > 0) {
    const order = [...primary()].sort((a, b) => Number(a.running) - Number(b.running) || (b.startedAtMs ?? 0) - (a.startedAtMs ?? 0));
    for (const t of order.slice(0, extra)) mark(t, `Scaling activity initiated by (deployment ${primaryId})`);
  }

  // Old deployments: tasks that are not healthy never count toward the minimum, so they go first.
  for (const t of old()) if (!t.healthy) mark(t, scaling(t));
  const healthyNow = live().filter((t) => t.healthy).length;
  let canStop = healthyNow - minHealthy;
  for (const t of old().sort((a, b) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0))) {
    if (canStop <= 0) break;
    mark(t, scaling(t));
    canStop--;
  }

  // Launch the primary's missing tasks within maximumPercent (stopping tasks still count until gone).
  const totalLive = input.tasks.length;
  const start = input.canLaunch ? Math.max(0, Math.min(desired - primary().length, maxTotal - totalLive)) : 0;
  return { start, stop };
}
