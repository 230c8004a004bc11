/**
 * Bucket policies: checked when put (S3's MalformedPolicy errors), and
 * consulted for the one kind of caller Berth tells apart by them — an
 * anonymous (unsigned) request, which S3 serves only where a public policy
 * allows it and the bucket's public access block does not restrict it.
 * Signed requests are served for the bucket's own account, as everywhere in
 * Berth (signatures and IAM policies are not evaluated).
 */
import { s3Error } from './errors.js';
import type { BucketRow } from './store.js';

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
}

export interface Policy {
  Version?: string;
  Statement: PolicyStatement[];
}

const malformed = (message: string) => s3Error('MalformedPolicy', 400, message);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The policy document a PutBucketPolicy sent, parsed and checked as S3 checks it. */
export function parsePolicy(text: unknown, bucket: string): Policy {
  let doc: any;
  try {
    doc = typeof text === 'string' && text.trimStart().startsWith('{') ? JSON.parse(text) : undefined;
  } catch {
    doc = undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    throw malformed('The policy must contain a valid version string');
  }
  if (doc.Statement === undefined) throw malformed('Missing required field Statement');
  const statements: any[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (!statements.length) throw malformed('Could not parse the policy: Statement is empty!');
  for (const s of statements) {
    if (!s || typeof s !== 'object') throw malformed('Missing required field Statement');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Invalid effect: ${s.Effect ?? ''}`);
    if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformed('Missing required field Principal');
    if (s.Action === undefined && s.NotAction === undefined) throw malformed('Missing required field Action');
    for (const a of list(s.Action ?? s.NotAction)) {
      if (typeof a !== 'string' || (a !== '*' && !/^s3(-object-lambda)?:[A-Za-z*?]+$/.test(a))) throw malformed('Policy has invalid action');
    }
    const resources = list(s.Resource ?? s.NotResource);
    if (!resources.length) throw malformed('Missing required field Resource');
    // A bucket policy may only name this bucket and its objects.
    for (const r of resources) {
      if (typeof r !== 'string' || !matches(r.split('/')[0], `arn:aws:s3:::${bucket}`)) throw malformed('Policy has invalid resource');
    }
  }
  return { Version: doc.Version, Statement: statements };
}

const ANYONE = (p: unknown): boolean => {
  if (p === '*') return true;
  if (!p || typeof p !== 'object') return false;
  const aws = (p as Record<string, unknown>).AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
};

/** Public, in S3's sense: some statement allows anyone without a condition that pins the caller. */
export function isPublicPolicy(p: Policy): boolean {
  return p.Statement.some((s) => s.Effect === 'Allow' && ANYONE(s.Principal) && !s.Condition);
}

/** IAM's wildcards: `*` any run of characters, `?` one character. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}

/**
 * Whether an anonymous caller may do `action` (`s3:GetObject`) on `resource` (`arn:aws:s3:::b/key`): some
 * statement for anyone allows it and none denies it. A statement with a condition is not applied to
 * anonymous callers (Berth evaluates no condition keys), so it neither allows nor denies.
 */
export function allowsAnonymous(p: Policy, action: string, resource: string): boolean {
  const applies = (s: PolicyStatement) => {
    if (s.Condition || !ANYONE(s.Principal)) return false;
    const actionOk = s.Action !== undefined ? list(s.Action).some((a) => matches(a.toLowerCase(), action.toLowerCase()))
      : !list(s.NotAction).some((a) => matches(a.toLowerCase(), action.toLowerCase()));
    const resourceOk = s.Resource !== undefined ? list(s.Resource).some((r) => matches(r, resource))
      : !list(s.NotResource).some((r) => matches(r, resource));
    return actionOk && resourceOk;
  };
  const relevant = p.Statement.filter(applies);
  return relevant.some((s) => s.Effect === 'Allow') && !relevant.some((s) => s.Effect === 'Deny');
}

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/** The bucket's public access block: all four on (S3's default for new buckets) unless put otherwise; null once deleted. */
export function publicAccessBlock(b: BucketRow): typeof ALL_BLOCKED | null {
  return b.doc.PublicAccessBlock === undefined ? ALL_BLOCKED : b.doc.PublicAccessBlock;
}
