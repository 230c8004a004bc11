/**
 * App Runner's scaling by concurrency: a service needs ceil(concurrent requests ÷ MaxConcurrency) instances, within
 * MinSize…MaxSize. Out at once, when the requests in flight at their peak since the last look need more; in one
 * instance at a time, once the peak has stayed low for a metric minute since the last change (App Runner scales in
 * gradually). https://docs.aws.amazon.com/apprunner/latest/dg/manage-autoscaling.html
 */
export interface ScalingInput {
  /** Instances wanted now. */
  current: number;
  /** Most requests in flight at once since the last look. */
  peak: number;
  maxConcurrency: number;
  minSize: number;
  maxSize: number;
  /** Real ms since the last change, and the real length of a metric minute (`--metrics-period`). */
  sinceChangeMs: number;
  minuteMs: number;
}

export function instancesFor(s: ScalingInput): number {
  const need = Math.min(s.maxSize, Math.max(s.minSize, Math.ceil(s.peak / s.maxConcurrency)));
  const current = Math.min(s.maxSize, Math.max(s.minSize, s.current));
  if (need > current) return need;
  if (need < current && s.sinceChangeMs >= s.minuteMs) return current - 1;
  return current;
}
