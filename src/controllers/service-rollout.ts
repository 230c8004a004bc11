/**
 * The ECS deployment controller's decision, as a pure function: given the
 * service's desired count, its deployment configuration and the live tasks of
 * each deployment, which tasks to start and which to stop in this pass.
 *
 * Rolling update (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * never more than maximumPercent of desiredCount tasks live, never fewer than
 * minimumHealthyPercent healthy; old deployments drain as the new one becomes
 * healthy; unhealthy tasks past their grace period are replaced by starting a
 * task first and stopping them once it is healthy (one by one when
 * maximumPercent leaves no room).
 *
 * Task scale-in protection (UpdateTaskProtection,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html): a protected task is
 * never chosen to stop when the desired count goes down or a deployment replaces it; the service runs more tasks
 * than desired (or keeps the old deployment's) until its protection ends. Failing health checks still replace it.
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
  /** Scale-in protection in force: not stopped for a lower desired count or a deployment. */
  protectedFromScaleIn?: boolean;
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
  // Only a failing health check stops a protected task.
  const stoppable = (t: TaskView) => !t.protectedFromScaleIn || !!t.failingHealth;
  const mark = (t: TaskView, reason: string) => {
    if (stopping.has(t.arn) || !stoppable(t)) return;
    stopping.add(t.arn);
    stop.push({ arn: t.arn, reason });
  };
  const scaling = (t: TaskView) => `Scaling activity initiated by (deployment ${t.deploymentId})`;
  const oldestFirst = (a: TaskView, b: TaskView) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0);

  for (const t of input.tasks) if (t.draining) stopping.add(t.arn);
  const live = () => input.tasks.filter((t) => !stopping.has(t.arn));
  const old = () => live().filter((t) => t.deploymentId !== primaryId);
  // Tasks to be replaced: those failing a health check, and an old deployment's running tasks that are not healthy.
  // They may still be all a listener has to serve, so (as ECS does since 2023) a replacement is started first and
  // the unhealthy task stopped only once a replacement is healthy
  // (https://aws.amazon.com/about-aws/whats-new/2023/10/amazon-ecs-applications-resiliency-unpredictable-load-spikes/).
  const toReplace = (t: TaskView) => !!t.failingHealth || (t.deploymentId !== primaryId && t.running && !t.healthy);
  const primaryKept = () => live().filter((t) => t.deploymentId === primaryId && !t.failingHealth);

  // Scale-in of the primary deployment: pending tasks first, then running ones not yet healthy, then the newest.
  const extra = primaryKept().length - desired;
  if (extra > 0) {
    const order = primaryKept().filter(stoppable).sort((a, b) =>
      Number(a.running) - Number(b.running) || Number(a.healthy) - Number(b.healthy) || (b.startedAtMs ?? 0) - (a.startedAtMs ?? 0));
    for (const t of order.slice(0, extra)) mark(t, `Scaling activity initiated by (deployment ${primaryId})`);
  }

  // An old deployment's tasks that never ran serve nothing: they go first.
  for (const t of old()) if (!t.running) mark(t, scaling(t));

  // Unhealthy tasks stop as healthy ones cover for them: each healthy task beyond the desired count frees one.
  const reasonFor = (t: TaskView) =>
    t.failingHealth === 'container' ? 'Task failed container health checks.' : t.failingHealth === 'elb' ? 'Task failed ELB health checks.' : scaling(t);
  const unhealthy = () => live().filter(toReplace).sort((a, b) => Number(!a.failingHealth) - Number(!b.failingHealth) || oldestFirst(a, b));
  const healthyCount = () => live().filter((t) => t.healthy).length;
  let freed = healthyCount() + unhealthy().length - desired;
  for (const t of unhealthy().filter(stoppable)) {
    if (freed <= 0) break;
    mark(t, reasonFor(t));
    freed--;
  }

  // Healthy old tasks stop as far as minimumHealthyPercent allows.
  let canStop = healthyCount() - minHealthy;
  for (const t of old().filter((x) => x.healthy && stoppable(x)).sort(oldestFirst)) {
    if (canStop <= 0) break;
    mark(t, scaling(t));
    canStop--;
  }

  // Launch the primary's missing tasks within maximumPercent (stopping and unhealthy tasks still count until gone).
  const totalLive = input.tasks.length;
  const missing = desired - primaryKept().length;
  const room = maxTotal - totalLive;
  const start = input.canLaunch ? Math.max(0, Math.min(missing, room)) : 0;

  // No room to start a replacement (maximumPercent): unhealthy tasks stop one by one to make room, once nothing else is on its way out.
  if (input.canLaunch && missing > 0 && room <= 0 && !stop.length && !input.tasks.some((t) => t.draining)) {
    const [first] = unhealthy().filter(stoppable);
    if (first) mark(first, reasonFor(first));
  }
  return { start, stop };
}
