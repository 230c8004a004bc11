/**
 * Just enough IAM policy evaluation for ECR's cross-account access: another
 * account's caller may use a repository only if its repository policy allows
 * that ECR action for that caller, and no statement denies it. Conditions are
 * not evaluated (a statement with a Condition is ignored), so a policy never
 * grants more here than on AWS.
 */
export interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: unknown;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

/** Parses policy text; returns why it is invalid instead of throwing. */
export function parsePolicy(text: string): PolicyDocument | string {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'Invalid JSON';
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'Policy must be a JSON object';
  if (!VERSIONS.has(doc.Version)) return 'Policy Version must be 2012-10-17 or 2008-10-17';
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (!statements.length) return 'Policy must contain a Statement';
  for (const s of statements) {
    if (!s || typeof s !== 'object') return 'Statement must be an object';
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return 'Statement Effect must be Allow or Deny';
    if (s.Action === undefined && s.NotAction === undefined) return 'Statement must contain Action or NotAction';
  }
  return { Version: doc.Version, Statement: statements };
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const glob = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);

function principalMatches(principal: unknown, account: string): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  return list((principal as Record<string, unknown>).AWS).some(
    (p) => p === '*' || p === account || p.startsWith(`arn:aws:iam::${account}:`),
  );
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => glob(a, action));
  return list(s.Action).some((a) => glob(a, action));
}

/** Does this policy deny `account` `action` outright? */
export function policyDenies(text: string | null | undefined, account: string, action: string): boolean {
  if (!text) return false;
  const doc = parsePolicy(text);
  if (typeof doc === 'string') return false;
  return doc.Statement.some((s) => s.Effect === 'Deny' && principalMatches(s.Principal, account) && actionMatches(s, action));
}

/**
 * Whether another account may perform `action` on a repository: its repository policy, or the registry's policy
 * where that policy's scope covers the action (settings.ts registryPolicyFor), allows it, and neither denies it.
 */
export function repositoryGrants(repoPolicy: string | null | undefined, registryPolicy: string | undefined, account: string, action: string): boolean {
  if (policyDenies(repoPolicy, account, action) || policyDenies(registryPolicy, account, action)) return false;
  return policyAllows(repoPolicy, account, action) || policyAllows(registryPolicy, account, action);
}

/** Does this resource policy let `account` perform `action` (e.g. ecr:BatchGetImage)? */
export function policyAllows(text: string | null | undefined, account: string, action: string): boolean {
  if (!text) return false;
  const doc = parsePolicy(text);
  if (typeof doc === 'string') return false;
  const applies = (s: Statement) => principalMatches(s.Principal, account) && actionMatches(s, action);
  if (doc.Statement.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return doc.Statement.some((s) => s.Effect === 'Allow' && s.Condition === undefined && applies(s));
}
