/**
 * A period's worth of samples of one metric in one unit: count, sum, min, max and, while every sample
 * was published as a value (not a statistic set), the values themselves with their counts, which
 * percentiles are computed from. The value list is bounded: past MAX_DISTINCT distinct values,
 * neighbours are merged (count-weighted), so percentiles become approximate, as CloudWatch's are.
 */
export interface Samples {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Sorted [value, count] pairs; null once a statistic set was merged in (no percentiles then). */
  values: [number, number][] | null;
}

export const MAX_DISTINCT = 2000;

export function fromValues(values: number[], counts?: number[]): Samples {
  const map = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  values.forEach((v, i) => {
    const c = counts?.[i] ?? 1;
    map.set(v, (map.get(v) ?? 0) + c);
    count += c;
    sum += v * c;
    if (v < min) min = v;
    if (v > max) max = v;
  });
  return { count, sum, min, max, values: bound([...map].sort((a, b) => a[0] - b[0])) };
}

export function fromStatisticSet(s: { SampleCount?: number; Sum?: number; Minimum?: number; Maximum?: number }): Samples {
  return { count: s.SampleCount!, sum: s.Sum!, min: s.Minimum!, max: s.Maximum!, values: null };
}

export function merge(a: Samples, b: Samples): Samples {
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    values: a.values && b.values ? bound(mergeSorted(a.values, b.values)) : null,
  };
}

function mergeSorted(a: [number, number][], b: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i][0] <= b[j][0]) ? a[i++] : b[j++];
    const last = out[out.length - 1];
    if (last && last[0] === next[0]) last[1] += next[1];
    else out.push([next[0], next[1]]);
  }
  return out;
}

/** Halves the list by merging neighbours until it is within MAX_DISTINCT. */
function bound(values: [number, number][]): [number, number][] {
  while (values.length > MAX_DISTINCT) {
    const out: [number, number][] = [];
    for (let i = 0; i < values.length; i += 2) {
      const a = values[i];
      const b = values[i + 1];
      if (!b) out.push(a);
      else out.push([(a[0] * a[1] + b[0] * b[1]) / (a[1] + b[1]), a[1] + b[1]]);
    }
    values = out;
  }
  return values;
}
