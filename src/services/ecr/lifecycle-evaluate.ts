/**
 * ECR lifecycle policies as pure functions: reading and validating a policy
 * text, and deciding which images it expires. Both the preview
 * (StartLifecyclePolicyPreview) and the controller that applies policies call
 * `evaluateLifecyclePolicy`, so a preview shows exactly what a run deletes.
 *
 * The evaluation rules, as the ECR user guide states them
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html):
 *  - rules are applied by rulePriority, lowest first;
 *  - an image is expired by exactly one or zero rules;
 *  - an image that matches the tagging requirements of a higher-priority rule
 *    cannot be expired by a lower-priority rule, but lower-priority rules still
 *    count it ("identify it as if it had not been expired");
 *  - tagPrefixList / tagPatternList select an image only if every entry matches
 *    at least one of its tags;
 *  - imageCountMoreThan keeps the newest countNumber images (by imagePushedAt)
 *    and expires the rest; sinceImagePushed expires images pushed more than
 *    countNumber days ago.
 */

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed';

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: TagStatus;
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: CountType;
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/** An image as the evaluator sees it. Input order breaks imagePushedAt ties (later = newer). */
export interface LifecycleImage {
  digest: string;
  tags: string[];
  pushedAt: number;
}

export interface LifecycleExpiry extends LifecycleImage {
  rulePriority: number;
}

/** A policy text ECR would refuse; `message` is the detail after "Lifecycle policy validation failure: ". */
export class LifecyclePolicyError extends Error {}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_WILDCARDS = 4;
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = ['tagStatus', 'tagPrefixList', 'tagPatternList', 'countType', 'countUnit', 'countNumber'];

// --- validation ----------------------------------------------------------
// ECR validates the text against a JSON schema first and words structural
// errors the way the Java json-schema-validator does (the messages users see,
// e.g. 'object has missing required properties (["countNumber"])').

const fail = (detail: string): never => {
  throw new LifecyclePolicyError(detail);
};

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : typeof v;

function expectType(v: unknown, allowed: string) {
  const t = jsonType(v);
  if (t !== allowed && !(allowed === 'number' && t === 'integer')) {
    fail(`instance type (${t}) does not match any allowed primitive type (allowed: ["${allowed}"])`);
  }
}

function expectObject(v: unknown, required: string[], allowed: string[]): Record<string, unknown> {
  expectType(v, 'object');
  const o = v as Record<string, unknown>;
  const missing = required.filter((k) => !(k in o)).sort();
  if (missing.length) fail(`object has missing required properties (${JSON.stringify(missing)})`);
  const extra = Object.keys(o).filter((k) => !allowed.includes(k)).sort();
  if (extra.length) fail(`object instance has properties which are not allowed by the schema: (${JSON.stringify(extra)})`);
  return o;
}

function expectEnum<T extends string>(v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) {
    fail(`instance value (${JSON.stringify(v)}) not found in enum (possible values: ${JSON.stringify(values)})`);
  }
  return v as T;
}

function expectMinimum(v: unknown, min: number): number {
  expectType(v, 'integer');
  if ((v as number) < min) fail(`numeric instance is lower than the required minimum (minimum: ${min}, found: ${v})`);
  return v as number;
}

function expectStringList(v: unknown, field: string): string[] {
  expectType(v, 'array');
  const list = v as unknown[];
  if (!list.length) fail(`array is too short: must have at least 1 elements but instance has 0 elements`);
  for (const s of list) {
    expectType(s, 'string');
    if (!(s as string).length) fail(`${field} must not contain empty strings.`);
  }
  return list as string[];
}

function parseRule(value: unknown): LifecycleRule {
  const r = expectObject(value, ['rulePriority', 'selection', 'action'], RULE_KEYS);
  const rulePriority = expectMinimum(r.rulePriority, 1);
  if (r.description !== undefined) expectType(r.description, 'string');
  const action = expectObject(r.action, ['type'], ['type']);
  expectEnum(action.type, ['expire'] as const);
  const s = expectObject(r.selection, ['tagStatus', 'countType', 'countNumber'], SELECTION_KEYS);
  const tagStatus = expectEnum(s.tagStatus, ['tagged', 'untagged', 'any'] as const);
  const countType = expectEnum(s.countType, ['imageCountMoreThan', 'sinceImagePushed'] as const);
  const countNumber = expectMinimum(s.countNumber, 1);
  const tagPrefixList = s.tagPrefixList === undefined ? undefined : expectStringList(s.tagPrefixList, 'tagPrefixList');
  const tagPatternList = s.tagPatternList === undefined ? undefined : expectStringList(s.tagPatternList, 'tagPatternList');
  const countUnit = s.countUnit === undefined ? undefined : expectEnum(s.countUnit, ['days'] as const);

  // The semantic checks the ECR docs state for each property (lifecycle_policy_parameters.html).
  if (tagStatus === 'tagged' && !tagPrefixList && !tagPatternList) {
    fail(`tagPrefixList or tagPatternList must be specified for rule with priority ${rulePriority} because its tagStatus is tagged.`);
  }
  if (tagStatus !== 'tagged' && (tagPrefixList || tagPatternList)) {
    fail(`tagPrefixList and tagPatternList can only be used when tagStatus is tagged (rule with priority ${rulePriority}).`);
  }
  if (tagPrefixList && tagPatternList) {
    fail(`tagPrefixList and tagPatternList cannot both be specified (rule with priority ${rulePriority}).`);
  }
  for (const p of tagPatternList ?? []) {
    if (p.split('*').length - 1 > MAX_WILDCARDS) fail(`A tagPatternList value can contain at most ${MAX_WILDCARDS} wildcards (*): '${p}'.`);
  }
  if (countType === 'sinceImagePushed' && countUnit === undefined) {
    fail(`countUnit must be specified when countType is sinceImagePushed (rule with priority ${rulePriority}).`);
  }
  if (countType === 'imageCountMoreThan' && countUnit !== undefined) {
    fail(`countUnit can only be specified when countType is sinceImagePushed (rule with priority ${rulePriority}).`);
  }
  return {
    rulePriority,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    selection: {
      tagStatus, countType, countNumber,
      ...(tagPrefixList ? { tagPrefixList } : {}),
      ...(tagPatternList ? { tagPatternList } : {}),
      ...(countUnit ? { countUnit } : {}),
    },
    action: { type: 'expire' },
  };
}

/** Parses and validates a lifecycle policy text; throws LifecyclePolicyError with ECR's detail. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail('Could not map policyString into LifecyclePolicy.');
  }
  if (jsonType(doc) !== 'object') fail('Could not map policyString into LifecyclePolicy.');
  const top = expectObject(doc, ['rules'], ['rules']);
  expectType(top.rules, 'array');
  const raw = top.rules as unknown[];
  if (!raw.length) fail('array is too short: must have at least 1 elements but instance has 0 elements');
  const rules = raw.map(parseRule);
  const seen = new Set<number>();
  for (const r of rules) {
    if (seen.has(r.rulePriority)) fail(`The rulePriority values must be unique; ${r.rulePriority} is used by more than one rule.`);
    seen.add(r.rulePriority);
  }
  const highest = Math.max(...rules.map((r) => r.rulePriority));
  const any = rules.find((r) => r.selection.tagStatus === 'any' && r.rulePriority !== highest);
  if (any) fail(`The rule with tagStatus any must have the highest rulePriority (rule with priority ${any.rulePriority}).`);
  return { rules: [...rules].sort((a, b) => a.rulePriority - b.rulePriority) };
}

// --- evaluation ------------------------------------------------------------

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);

/** Whether the rule's tag requirements select the image (the count criteria aside). */
export function ruleSelects(rule: LifecycleRule, tags: string[]): boolean {
  const s = rule.selection;
  switch (s.tagStatus) {
    case 'any': return true;
    case 'untagged': return tags.length === 0;
    case 'tagged': {
      if (!tags.length) return false;
      if (s.tagPrefixList) return s.tagPrefixList.every((p) => tags.some((t) => t.startsWith(p)));
      return (s.tagPatternList ?? []).map(wildcard).every((re) => tags.some((t) => re.test(t)));
    }
  }
}

/** The images a rule would expire on its own: beyond the newest countNumber, or older than countNumber days. */
function ruleCandidates(rule: LifecycleRule, selected: { image: LifecycleImage; order: number }[], now: number): LifecycleImage[] {
  const { countType, countNumber } = rule.selection;
  if (countType === 'sinceImagePushed') {
    const cutoff = now - countNumber * DAY_MS;
    return selected.filter((s) => s.image.pushedAt < cutoff).map((s) => s.image);
  }
  const newestFirst = [...selected].sort((a, b) => b.image.pushedAt - a.image.pushedAt || b.order - a.order);
  return newestFirst.slice(countNumber).map((s) => s.image);
}

/**
 * The images the policy expires at `now`, each with the priority of the rule
 * that expires it, oldest first (the order ECR expires them in).
 */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: LifecycleImage[], now: number): LifecycleExpiry[] {
  const indexed = images.map((image, order) => ({ image, order }));
  const claimed = new Set<string>();
  const expired = new Map<string, LifecycleExpiry>();
  for (const rule of [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const selected = indexed.filter((i) => ruleSelects(rule, i.image.tags));
    for (const image of ruleCandidates(rule, selected, now)) {
      if (!claimed.has(image.digest)) expired.set(image.digest, { ...image, rulePriority: rule.rulePriority });
    }
    for (const s of selected) claimed.add(s.image.digest);
  }
  const order = new Map(images.map((img, i) => [img.digest, i]));
  return [...expired.values()].sort((a, b) => a.pushedAt - b.pushedAt || order.get(a.digest)! - order.get(b.digest)!);
}
