/**
 * The arithmetic Application Auto Scaling and EC2 Auto Scaling share for step and simple scaling policies: what an
 * alarm read, which step holds the breach, and the capacity an adjustment asks for.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepAdjustment.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html
 */

export type AdjustmentType = 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity';
export const ADJUSTMENT_TYPES: readonly string[] = ['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity'];

export interface StepAdjustment {
  MetricIntervalLowerBound?: number;
  MetricIntervalUpperBound?: number;
  ScalingAdjustment?: number;
}

/** The evaluation's latest datapoint and the alarm's threshold, from an alarm's StateReasonData. */
export function alarmReading(reasonData: string | undefined): { value: number; threshold: number } | undefined {
  try {
    const data = JSON.parse(reasonData ?? '{}');
    const points: number[] = data.recentDatapoints ?? [];
    if (!points.length || typeof data.threshold !== 'number') return undefined;
    return { value: points[points.length - 1], threshold: data.threshold };
  } catch {
    return undefined;
  }
}

/** AWS's rounding of a percent change: |x| > 1 toward zero, 0 < |x| < 1 away from it; then MinAdjustmentMagnitude. */
export function percentDelta(capacity: number, percent: number, minMagnitude: number | undefined): number {
  const raw = (capacity * percent) / 100;
  let delta = Math.abs(raw) >= 1 ? Math.trunc(raw) : raw === 0 ? 0 : Math.sign(raw);
  if (minMagnitude !== undefined && delta !== 0 && Math.abs(delta) < minMagnitude) delta = Math.sign(delta) * minMagnitude;
  return delta;
}

/** The capacity one adjustment asks for. */
export function adjusted(capacity: number, type: string | undefined, adjustment: number, minMagnitude?: number): number {
  if (type === 'ExactCapacity') return adjustment;
  if (type === 'PercentChangeInCapacity') return capacity + percentDelta(capacity, adjustment, minMagnitude);
  return capacity + adjustment;
}

/**
 * The step whose bounds hold the breach (metric − threshold), or undefined. Above the threshold the lower bound is
 * inclusive and the upper exclusive, below it the other way round; at the threshold itself (an "…OrEqualTo" alarm)
 * the side is the alarm's.
 */
export function stepFor(steps: StepAdjustment[], breach: number, comparison: string | undefined): StepAdjustment | undefined {
  const above = breach > 0 || (breach === 0 && comparison === 'GreaterThanOrEqualToThreshold');
  return steps.find((s) => {
    const lo = s.MetricIntervalLowerBound;
    const hi = s.MetricIntervalUpperBound;
    return above
      ? (lo === undefined || breach >= lo) && (hi === undefined || breach < hi)
      : (lo === undefined || breach > lo) && (hi === undefined || breach <= hi);
  });
}

/** What is wrong with a set of steps, in words each service wraps in its own error; undefined when they are sound. */
export function stepIntervalProblem(steps: StepAdjustment[]): string | undefined {
  if (!steps.length) return 'empty';
  // Steps may not overlap, and only one may be open-ended on each side.
  const sorted = steps.map((s) => [s.MetricIntervalLowerBound ?? -Infinity, s.MetricIntervalUpperBound ?? Infinity] as const).sort((a, b) => a[0] - b[0]);
  for (const [lo, hi] of sorted) if (lo >= hi) return 'bounds';
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][0] < sorted[i - 1][1]) return 'overlap';
    if (sorted[i][0] > sorted[i - 1][1]) return 'gap';
  }
  return undefined;
}
