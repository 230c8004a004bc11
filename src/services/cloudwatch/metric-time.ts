/**
 * Metric time: CloudWatch's clock, compressed by `--metrics-period` (one CloudWatch minute lasts that
 * many real seconds). Berth stores and computes every metric and alarm time in metric seconds — real
 * epoch milliseconds ÷ (1000 × scale), scale = metricsPeriod / 60 — so periods, evaluation windows,
 * period alignment and retention keep AWS's numbers (Period 60, "3 out of 3 datapoints", 15 days of
 * 1-minute data) while lasting `scale` times as long in real time. Timestamps cross the API in real time.
 * With the default (60 s) metric time is plain epoch seconds.
 */
export interface MetricTime {
  /** Real seconds per metric second (1 = real time). */
  readonly scale: number;
  /** Real epoch milliseconds → metric seconds. */
  toMetric(realMs: number): number;
  /** Metric seconds → a real Date. */
  toReal(metricSeconds: number): Date;
  /** Metric seconds → real milliseconds of duration. */
  realMs(metricSeconds: number): number;
}

export const DEFAULT_METRICS_PERIOD = 60;

export function metricTime(metricsPeriod: number = DEFAULT_METRICS_PERIOD): MetricTime {
  const scale = metricsPeriod / 60;
  return {
    scale,
    toMetric: (ms) => ms / (1000 * scale),
    toReal: (mt) => new Date(Math.round(mt * 1000 * scale)),
    realMs: (seconds) => seconds * 1000 * scale,
  };
}
