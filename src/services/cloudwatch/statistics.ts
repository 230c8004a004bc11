/**
 * Statistics of a period's samples: the five simple ones and the extended ones CloudWatch names
 * pNN.NN (percentile), tmNN (trimmed mean of the values up to the NNth percentile), tcNN / tsNN
 * (their count / sum), wmNN (winsorized mean: values above the NNth percentile count as it), and
 * the range forms TM(a%:b%), TC(…), TS(…), WM(…), plus IQR. Percentiles need the values themselves:
 * a period with statistic-set data has none, as in CloudWatch.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
 */
import type { Samples } from './samples.js';

export const SIMPLE_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

interface Extended {
  kind: 'p' | 'tm' | 'tc' | 'ts' | 'wm' | 'iqr';
  /** Lower and upper bounds, percent. */
  lo: number;
  hi: number;
}

const NUM = '(\\d{1,2}(?:\\.\\d{1,10})?|100)';
const SHORT = new RegExp(`^(p|tm|tc|ts|wm)${NUM}$`);
const RANGE = new RegExp(`^(TM|TC|TS|WM)\\(${NUM}?%?:${NUM}?%?\\)$`, 'i');

/** An extended statistic's meaning; undefined when the name is not one. */
export function parseExtended(name: string): Extended | undefined {
  if (name === 'IQR') return { kind: 'iqr', lo: 25, hi: 75 };
  const s = SHORT.exec(name);
  if (s) {
    const n = Number(s[2]);
    if (s[1] === 'p') return n <= 100 ? { kind: 'p', lo: n, hi: n } : undefined;
    return n <= 100 ? { kind: s[1] as Extended['kind'], lo: 0, hi: n } : undefined;
  }
  const r = RANGE.exec(name);
  if (r) {
    const lo = r[2] === undefined ? 0 : Number(r[2]);
    const hi = r[3] === undefined ? 100 : Number(r[3]);
    return lo < hi && hi <= 100 ? { kind: r[1].toLowerCase() as Extended['kind'], lo, hi } : undefined;
  }
  return undefined;
}

export const isStatistic = (name: string) => (SIMPLE_STATISTICS as readonly string[]).includes(name) || !!parseExtended(name);

/** A statistic of samples; undefined when it cannot be computed (percentiles of statistic sets). */
export function statistic(name: string, s: Samples): number | undefined {
  switch (name) {
    case 'SampleCount': return s.count;
    case 'Sum': return s.sum;
    case 'Minimum': return s.min;
    case 'Maximum': return s.max;
    case 'Average': return s.count ? s.sum / s.count : undefined;
    default: break;
  }
  const ext = parseExtended(name);
  if (!ext || !s.values || !s.count) return undefined;
  if (ext.kind === 'p') return percentile(s.values, s.count, ext.lo);
  const lo = ext.lo > 0 ? percentile(s.values, s.count, ext.lo) : -Infinity;
  const hi = percentile(s.values, s.count, ext.kind === 'iqr' ? 75 : ext.hi);
  if (ext.kind === 'wm') {
    // Winsorized: values outside [lo, hi] count as the bound.
    let sum = 0;
    for (const [v, c] of s.values) sum += Math.min(Math.max(v, lo), hi) * c;
    return sum / s.count;
  }
  let count = 0;
  let sum = 0;
  for (const [v, c] of s.values) {
    if (v < lo || v > hi) continue;
    count += c;
    sum += v * c;
  }
  if (ext.kind === 'tc') return count;
  if (ext.kind === 'ts') return sum;
  return count ? sum / count : undefined;
}

/** Nearest-rank percentile of sorted [value, count] pairs. */
export function percentile(values: [number, number][], total: number, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, c] of values) {
    seen += c;
    if (seen >= rank) return v;
  }
  return values[values.length - 1][0];
}
