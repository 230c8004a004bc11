/**
 * Policy documents as IAM checks them when they are stored: JSON, the policy
 * grammar, and the rules of their kind. Identity policies (inline and managed)
 * name actions and resources, never a principal; trust policies (a role's
 * AssumeRolePolicyDocument) name principals and STS actions, never resources.
 * Berth stores policies but does not evaluate them (see README.md).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import { malformedPolicy } from './errors.js';

export type PolicyKind = 'identity' | 'trust';

const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const COMMON_FIELDS = ['Sid', 'Effect', 'Action', 'NotAction', 'Condition'];
const FIELDS: Record<PolicyKind, Set<string>> = {
  identity: new Set([...COMMON_FIELDS, 'Resource', 'NotResource']),
  trust: new Set([...COMMON_FIELDS, 'Principal', 'NotPrincipal']),
};
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const TRUST_ACTION = /^(\*|sts:\*|sts:(AssumeRole|AssumeRoleWithWebIdentity|AssumeRoleWithSAML|TagSession|SetSourceIdentity|SetContext))$/i;

const syntax = () => malformedPolicy('Syntax errors in policy.');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringOrStrings = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
const list = (v: unknown): string[] => (Array.isArray(v) ? v : [v]) as string[];

/** Throws MalformedPolicyDocument with IAM's message for the first problem found. */
export function checkPolicyDocument(text: string, kind: PolicyKind): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
  if (!isObject(doc)) throw syntax();
  if (Object.keys(doc).some((k) => !TOP_LEVEL.has(k))) throw syntax();
  if (doc.Version !== undefined && !VERSIONS.has(doc.Version as string)) throw syntax();
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw syntax();
  // Policy variables need the 2012 grammar; without a Version the document is read as 2008-10-17.
  if (doc.Version !== '2012-10-17' && text.includes('${')) throw malformedPolicy('Policy document must be version 2012-10-17 or greater.');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : isObject(doc.Statement) ? [doc.Statement] : undefined;
  if (!statements?.length) throw syntax();
  const sids = new Set<string>();
  for (const st of statements) {
    checkStatement(st, kind);
    const sid = (st as Record<string, unknown>).Sid as string | undefined;
    if (sid) {
      if (sids.has(sid)) throw malformedPolicy('Statement IDs (SID) in a single policy must be unique.');
      sids.add(sid);
    }
  }
}

function checkStatement(st: unknown, kind: PolicyKind): void {
  if (!isObject(st)) throw syntax();
  for (const key of Object.keys(st)) {
    if (FIELDS[kind].has(key)) continue;
    if (kind === 'identity' && (key === 'Principal' || key === 'NotPrincipal')) throw malformedPolicy('Policy document should not specify a principal.');
    if (kind === 'trust' && (key === 'Resource' || key === 'NotResource')) throw malformedPolicy(`Has prohibited field ${key}`);
    throw syntax();
  }
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw syntax();
  if (st.Sid !== undefined && typeof st.Sid !== 'string') throw syntax();
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (st[key] !== undefined && !isStringOrStrings(st[key])) throw syntax();
  }
  if ((st.Action !== undefined && st.NotAction !== undefined) || (st.Resource !== undefined && st.NotResource !== undefined)) throw syntax();
  if (st.Condition !== undefined && !(isObject(st.Condition) && Object.values(st.Condition).every(isObject))) throw syntax();

  const actions = st.Action ?? st.NotAction;
  if (actions === undefined || (Array.isArray(actions) && !actions.length)) throw malformedPolicy('Policy statement must contain actions.');
  for (const action of list(actions)) {
    if (action !== '*' && !action.includes(':')) throw malformedPolicy('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    if (action.split(':').length > 2) throw malformedPolicy('Actions/Condition can contain only one colon.');
  }

  if (kind === 'identity') {
    const resources = st.Resource ?? st.NotResource;
    if (resources === undefined || (Array.isArray(resources) && !resources.length)) throw malformedPolicy('Policy statement must contain resources.');
    for (const r of list(resources)) {
      if (r !== '*' && !r.startsWith('arn:')) throw malformedPolicy(`Resource ${r} must be in ARN format or "*".`);
    }
    return;
  }

  // Trust policy: who may assume the role, and only STS's role actions.
  const principal = st.Principal ?? st.NotPrincipal;
  if (principal === undefined) throw malformedPolicy('Missing required field Principal');
  checkPrincipal(principal);
  if (!list(actions).every((a) => TRUST_ACTION.test(a))) throw malformedPolicy('AssumeRole policy may only specify STS AssumeRole actions.');
}

function checkPrincipal(principal: unknown): void {
  if (principal === '*') return;
  if (!isObject(principal)) throw syntax();
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_TYPES.has(type) || !isStringOrStrings(value)) throw syntax();
    if (type !== 'AWS') continue;
    for (const v of list(value)) {
      // An AWS principal is everyone, an account, or an IAM/STS ARN (IAM also checks that it exists; Berth does not).
      if (v !== '*' && !/^\d{12}$/.test(v) && !/^arn:aws[\w-]*:(iam|sts)::(\d{12}|aws):/.test(v)) {
        throw malformedPolicy(`Invalid principal in policy: "AWS":"${v}"`);
      }
    }
  }
}

/** IAM returns policy documents URL-encoded (RFC 3986), as stored; the AWS CLI decodes them. */
export const encodePolicy = (text: string) => encodeURIComponent(text);
