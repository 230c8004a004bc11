/**
 * How CloudWatch writes alarm reasons: numbers as Java prints doubles (42.0, 1.0E7), datapoint times
 * as dd/MM/yy HH:mm:ss (UTC), reason-data times as 2026-07-12T10:00:00.000+0000. Examples of the
 * wording, as AWS sends it:
 *   Threshold Crossed: 2 out of the last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] were greater
 *   than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).
 *   Threshold Crossed: 1 out of the last 1 datapoints [0.0 (01/08/22 15:06:00)] was not greater than or equal to the
 *   threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).
 */

export function javaDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) {
    const [m, e] = v.toExponential().split('e');
    return `${m.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 07/12/26 10:00:00 */
export function shortDate(d: Date): string {
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** 2026-07-12T10:00:00.000+0000 */
export function reasonDate(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

export const OPERATOR_WORDS: Record<string, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export const COMPARE: Record<string, (v: number, t: number) => boolean> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface Point {
  ts: Date;
  value: number;
}

/** "[v (date), …]", newest first. */
const list = (points: Point[]) => `[${[...points].sort((a, b) => b.ts.getTime() - a.ts.getTime()).map((p) => `${javaDouble(p.value)} (${shortDate(p.ts)})`).join(', ')}]`;

export function alarmReason(crossed: Point[], evaluated: number, op: string, threshold: number, minimum: number): string {
  return `Threshold Crossed: ${crossed.length} out of the last ${evaluated} datapoints ${list(crossed)} ${crossed.length === 1 ? 'was' : 'were'} ${OPERATOR_WORDS[op]} the threshold (${javaDouble(threshold)}) (minimum ${plural(minimum, 'datapoint')} for OK -> ALARM transition).`;
}

export function okReason(notCrossed: Point[], evaluated: number, op: string, threshold: number, minimum: number): string {
  return `Threshold Crossed: ${notCrossed.length} out of the last ${evaluated} datapoints ${list(notCrossed)} ${notCrossed.length === 1 ? 'was' : 'were'} not ${OPERATOR_WORDS[op]} the threshold (${javaDouble(threshold)}) (minimum ${plural(minimum, 'datapoint')} for ALARM -> OK transition).`;
}

/** All periods missing, treated as breaching or not. */
export function missingTreatedReason(periods: number, breaching: boolean): string {
  return `Threshold Crossed: no datapoints were received for ${plural(periods, 'period')} and ${plural(periods, 'missing datapoint')} ${periods === 1 ? 'was' : 'were'} treated as [${breaching ? 'Breaching' : 'NonBreaching'}].`;
}

export function insufficientReason(periods: number): string {
  return `Insufficient Data: ${plural(periods, 'datapoint')} ${periods === 1 ? 'was' : 'were'} unknown.`;
}
