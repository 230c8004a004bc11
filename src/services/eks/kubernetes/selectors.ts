/**
 * Label and field selectors as list and watch take them (`labelSelector=app=web,tier!=db`,
 * `labelSelector=env in (a,b)`, `fieldSelector=metadata.name=web`).
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
import type { KubeObject } from './objects.js';
import { badRequest } from './status.js';

export type Matcher = (obj: KubeObject) => boolean;

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

function labelTerm(term: string): (labels: Record<string, string>) => boolean {
  let m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]);
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m;
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = /^(!?)([^=!\s()]+)$/.exec(term);
  if (m) return m[1] ? (l) => !(m![2] in l) : (l) => m![2] in l;
  throw badRequest(`unable to parse requirement: ${term}`);
}

export function labelMatcher(selector: string | null | undefined): Matcher {
  if (!selector) return () => true;
  const checks = terms(selector).map(labelTerm);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return checks.every((c) => c(labels));
  };
}

const fieldValue = (obj: KubeObject, path: string): string => {
  let v: any = obj;
  for (const part of path.split('.')) v = v?.[part];
  return v === undefined || v === null ? '' : String(v);
};

export function fieldMatcher(selector: string | null | undefined): Matcher {
  if (!selector) return () => true;
  const checks = terms(selector).map((term) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, path, op, value] = m;
    return op === '!=' ? (o: KubeObject) => fieldValue(o, path) !== value : (o: KubeObject) => fieldValue(o, path) === value;
  });
  return (obj) => checks.every((c) => c(obj));
}

/** A label selector object (matchLabels, matchExpressions) as a matcher over labels. */
export function selectorObjectMatcher(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): (labels: Record<string, string>) => boolean {
  if (!sel) return () => false;
  return (labels) => {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of sel.matchExpressions ?? []) {
      const has = e.key in labels;
      const values = e.values ?? [];
      if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
      if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
      if (e.operator === 'Exists' && !has) return false;
      if (e.operator === 'DoesNotExist' && has) return false;
    }
    return true;
  };
}
