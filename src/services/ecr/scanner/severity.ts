/**
 * A finding's severity, in ECR's scale (INFORMATIONAL, LOW, MEDIUM, HIGH,
 * CRITICAL, UNDEFINED), from what an OSV record says: the distribution's own
 * rating (Debian urgency, ecosystem_specific.severity), the advisory
 * database's (GitHub's database_specific.severity), else the CVSS v3 base
 * score computed from the vector (FIRST's CVSS v3.1 specification, section 7).
 */

export type Severity = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' | 'UNDEFINED';

export const SEVERITY_ORDER: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS v3.1 Roundup: the smallest number with one decimal that is >= the input (float-safe). */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** The base score of a CVSS:3.0 or CVSS:3.1 vector, undefined if it is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  if (!/^CVSS:3\.[01]\//.test(vector)) return undefined;
  const m: Record<string, string> = {};
  for (const part of vector.split('/').slice(1)) {
    const [k, v] = part.split(':');
    m[k] = v;
  }
  const av = WEIGHTS.AV[m.AV as keyof typeof WEIGHTS.AV];
  const ac = WEIGHTS.AC[m.AC as keyof typeof WEIGHTS.AC];
  const ui = WEIGHTS.UI[m.UI as keyof typeof WEIGHTS.UI];
  const [c, i, a] = [m.C, m.I, m.A].map((x) => WEIGHTS.CIA[x as keyof typeof WEIGHTS.CIA]);
  const changed = m.S === 'C';
  if (m.S !== 'U' && !changed) return undefined;
  const pr = ({ N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 } as Record<string, number>)[m.PR];
  if ([av, ac, ui, c, i, a, pr].some((w) => w === undefined)) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return roundUp(Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
}

/** CVSS v3 qualitative rating, in ECR's words (None is INFORMATIONAL). */
export function ratingOf(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'INFORMATIONAL';
}

/** A rating word as distributions and advisory databases write it (Debian urgency, GHSA, Alpine, Ubuntu priority). */
export function severityFromWord(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  switch (word.trim().toLowerCase().replace(/\*+$/, '')) {
    case 'critical': return 'CRITICAL';
    case 'high':
    case 'important': return 'HIGH';
    case 'medium':
    case 'moderate': return 'MEDIUM';
    case 'low':
    case 'negligible': return 'LOW';
    case 'unimportant':
    case 'none':
    case 'informational': return 'INFORMATIONAL';
    default: return undefined;
  }
}
