/**
 * AWS's policy evaluation logic (issue 23), as one pure function of the
 * request and the policies that apply to it:
 *
 *   1. an explicit Deny in any policy (identity, permissions boundary, session,
 *      resource-based) denies;
 *   2. within one account, a resource-based policy naming the caller (its user
 *      or session ARN, or `*`) allows by itself; one naming the role allows
 *      when the boundary and session policies allow too; one naming the account
 *      only delegates to the account's identity policies;
 *   3. otherwise an identity-based policy must allow, and so must the
 *      permissions boundary and the session policies when there are any;
 *   4. across accounts both sides must allow: the caller's identity policies
 *      (with its boundary and session policies) and the resource's policy.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
import { conditionsHold, type Conditions, type RequestContext, UnknownConditionOperator } from './conditions.js';
import { arnMatch, globMatch, matchSubstituted, substitute, type VariableLookup } from './match.js';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny' | string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Condition?: Conditions;
}
export type PrincipalElement = '*' | Record<string, string | string[]>;

export interface PolicyDocument {
  Version?: string;
  Statement: Statement | Statement[];
}

/** A policy and what to call it in a decision's path (its ARN, or `role/<name>#<inline policy>`). */
export interface NamedPolicy {
  id: string;
  document: PolicyDocument;
}

export interface Principal {
  /** The caller's ARN: a user, an assumed-role session, an account's root. */
  arn: string;
  account: string;
  /** A session's role: resource policies naming the role apply to its sessions. */
  roleArn?: string;
  /** aws:username (users only) and aws:userid. */
  userName?: string;
  userId?: string;
  /** An AWS service acting (trust policies' Service principals). */
  service?: string;
}

export interface PolicySet {
  identity: NamedPolicy[];
  boundary?: NamedPolicy;
  /** Session policies (AssumeRole's Policy/PolicyArns); undefined when the session has none. */
  session?: NamedPolicy[];
  /** The resource's policy (ECR repository, S3 bucket, secret, SQS queue, role trust policy). */
  resource?: NamedPolicy;
  /** ECR's registry policy where its scope covers the action: a second resource-based policy over every repository. */
  registry?: NamedPolicy;
}

export interface AuthzRequest {
  principal: Principal;
  action: string;
  /** The resource's ARN, or `*` for actions without a resource type. */
  resource: string;
  /** The account owning the resource; the principal's when absent. */
  resourceAccount?: string;
  context: RequestContext;
}

/** Where a deny came from, worded as AWS's messages word it. */
export type PolicyKind = 'identity-based policy' | 'resource-based policy' | 'permissions boundary' | 'session policy';

/** A statement that decided: which policy, its position, its effect. */
export interface MatchedStatement {
  policyId: string;
  kind: PolicyKind;
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

/** `path` words the decision for logs; `matched` the statements behind it (the deny, or the allows that counted). */
export type Decision = { path: string[]; matched: MatchedStatement[] } & (
  | { allowed: true }
  | { allowed: false; explicit: true; deniedIn: PolicyKind }
  | { allowed: false; explicit: false; missing: PolicyKind }
);

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
export const statementsOf = (doc: PolicyDocument): Statement[] => (Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : []);

/** How a resource-based policy's principal named the caller. */
type PrincipalMatch = 'direct' | 'role' | 'account';

const ACCOUNT_RE = /^(\d{12})$|^arn:aws[\w-]*:iam::(\d{12}):root$/;

export function principalMatches(element: PrincipalElement | undefined, p: Principal): PrincipalMatch | undefined {
  if (element === undefined) return undefined;
  if (element === '*') return 'direct';
  let best: PrincipalMatch | undefined;
  const rank = { account: 1, role: 2, direct: 3 } as const;
  const note = (m: PrincipalMatch) => { if (!best || rank[m] > rank[best]) best = m; };
  for (const [kind, values] of Object.entries(element)) {
    for (const v of list(values) ?? []) {
      if (kind === 'AWS') {
        if (v === '*') note('direct');
        else if (v === p.arn) note('direct');
        else if (p.roleArn && v === p.roleArn) note('role');
        else {
          const m = ACCOUNT_RE.exec(v);
          if (m && (m[1] ?? m[2]) === p.account) note('account');
        }
      } else if (kind === 'Service' && p.service && v === p.service) note('direct');
      else if (kind === 'CanonicalUser' && v === '*') note('direct');
    }
  }
  return best;
}

function variables(req: AuthzRequest): VariableLookup {
  return (key) => {
    const k = key.toLowerCase();
    const fromContext = req.context.get(k);
    if (fromContext !== undefined && !Array.isArray(fromContext)) return String(fromContext);
    if (k === 'aws:username') return req.principal.userName;
    if (k === 'aws:userid') return req.principal.userId;
    if (k === 'aws:principalaccount') return req.principal.account;
    if (k === 'aws:principalarn') return req.principal.arn;
    return undefined;
  };
}

export function actionMatches(st: Statement, action: string): boolean {
  const acts = list(st.Action);
  if (acts) return acts.some((a) => globMatch(a, action, true));
  const not = list(st.NotAction);
  return !!not && !not.some((a) => globMatch(a, action, true));
}

function resourceMatches(st: Statement, resource: string, vars: VariableLookup, isResourcePolicy: boolean): boolean {
  const matchOne = (pattern: string) => {
    const p = substitute(pattern, vars);
    return p !== undefined && matchSubstituted(p, resource, arnMatch);
  };
  const res = list(st.Resource);
  if (res) return res.some(matchOne);
  const not = list(st.NotResource);
  if (not) return !not.some(matchOne);
  // A resource-based policy may leave Resource out (ECR repository and secret policies do): it is the resource.
  return isResourcePolicy;
}

/** Whether the statement applies to the request; for a resource policy, how its principal named the caller. */
function applies(st: Statement, req: AuthzRequest, vars: VariableLookup, isResourcePolicy: boolean): PrincipalMatch | false {
  if (!actionMatches(st, req.action)) return false;
  if (!resourceMatches(st, req.resource, vars, isResourcePolicy)) return false;
  let how: PrincipalMatch = 'direct';
  if (isResourcePolicy) {
    if (st.Principal !== undefined) {
      const m = principalMatches(st.Principal, req.principal);
      if (!m) return false;
      how = m;
    } else if (st.NotPrincipal !== undefined) {
      if (principalMatches(st.NotPrincipal, req.principal)) return false;
    } else return false;
  }
  try {
    if (!conditionsHold(st.Condition, req.context, vars)) return false;
  } catch (e) {
    if (e instanceof UnknownConditionOperator) return false;
    throw e;
  }
  return how;
}

interface Found { deny?: MatchedStatement; allow?: MatchedStatement; grant?: PrincipalMatch }

const GRANT_RANK: Record<PrincipalMatch, number> = { account: 1, role: 2, direct: 3 };

const labelOf = (m: MatchedStatement) => `${m.policyId}${m.sid ? `#${m.sid}` : `[${m.index}]`}`;

function scan(policy: NamedPolicy, kind: PolicyKind, req: AuthzRequest, vars: VariableLookup, isResourcePolicy: boolean): Found {
  const found: Found = {};
  statementsOf(policy.document).forEach((st, index) => {
    const how = applies(st, req, vars, isResourcePolicy);
    if (!how) return;
    const m: MatchedStatement = { policyId: policy.id, kind, index, ...(st.Sid ? { sid: st.Sid } : {}), effect: st.Effect === 'Deny' ? 'Deny' : 'Allow' };
    if (st.Effect === 'Deny') found.deny ??= m;
    else if (st.Effect === 'Allow') {
      const rank = { account: 1, role: 2, direct: 3 } as const;
      if (!found.grant || rank[how] > rank[found.grant]) { found.grant = how; found.allow = m; }
    }
  });
  return found;
}

export function evaluate(req: AuthzRequest, policies: PolicySet): Decision {
  const vars = variables(req);
  const groups: [PolicyKind, NamedPolicy[], boolean][] = [
    ['identity-based policy', policies.identity, false],
    ['permissions boundary', policies.boundary ? [policies.boundary] : [], false],
    ['session policy', policies.session ?? [], false],
    ['resource-based policy', [policies.resource, policies.registry].filter((p): p is NamedPolicy => !!p), true],
  ];
  const allows = new Map<PolicyKind, { statement: MatchedStatement; grant: PrincipalMatch }>();
  for (const [kind, named, isResource] of groups) {
    for (const policy of named) {
      const found = scan(policy, kind, req, vars, isResource);
      if (found.deny) return { allowed: false, explicit: true, deniedIn: kind, path: [`deny ${labelOf(found.deny)}`], matched: [found.deny] };
      // Two resource-based policies (an ECR repository's and its registry's): the one naming the caller most directly counts.
      const had = allows.get(kind);
      if (found.allow && (!had || GRANT_RANK[found.grant!] > GRANT_RANK[had.grant])) allows.set(kind, { statement: found.allow, grant: found.grant! });
    }
  }
  const matched = [...allows.values()].map((a) => a.statement);
  const path = matched.map((m) => `allow ${labelOf(m)}`);
  const identityOk = allows.has('identity-based policy');
  const boundaryOk = !policies.boundary || allows.has('permissions boundary');
  const sessionOk = policies.session === undefined || allows.has('session policy');
  const resourceGrant = allows.get('resource-based policy')?.grant;
  const crossAccount = !!req.resourceAccount && req.resourceAccount !== req.principal.account;
  const implicit = (missing: PolicyKind): Decision => ({ allowed: false, explicit: false, missing, path, matched });
  const allow: Decision = { allowed: true, path, matched };

  if (crossAccount) {
    if (!identityOk) return implicit('identity-based policy');
    if (!boundaryOk) return implicit('permissions boundary');
    if (!sessionOk) return implicit('session policy');
    if (!resourceGrant) return implicit('resource-based policy');
    return allow;
  }
  if (resourceGrant === 'direct') return allow;
  if (resourceGrant === 'role' && boundaryOk && sessionOk) return allow;
  if (!identityOk) return implicit('identity-based policy');
  if (!boundaryOk) return implicit('permissions boundary');
  if (!sessionOk) return implicit('session policy');
  return allow;
}

const ARTICLE: Record<PolicyKind, string> = {
  'identity-based policy': 'an identity-based policy',
  'resource-based policy': 'a resource-based policy',
  'permissions boundary': 'a permissions boundary',
  'session policy': 'a session policy',
};

/** AWS's words for a denial: "User: … is not authorized to perform: … on resource: … because no … allows the … action". */
export function denialMessage(principalArn: string, action: string, resource: string, d: Decision): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  if (d.allowed) return head;
  return d.explicit ? `${head} with an explicit deny in ${ARTICLE[d.deniedIn]}` : `${head} because no ${d.missing} allows the ${action} action`;
}

/** Whether any statement of these policies has a Condition or a policy variable (their decisions depend on the request). */
export function dependsOnRequest(policies: NamedPolicy[]): boolean {
  return policies.some((p) => statementsOf(p.document).some((st) => st.Condition !== undefined || JSON.stringify(st.Resource ?? st.NotResource ?? '').includes('${')));
}
