/**
 * The policies that speak for a caller (issue 23): a user's inline and
 * attached policies and its groups'; a role session's role policies, the role's permissions
 * boundary and the session's own policies; the principal's tags
 * (aws:PrincipalTag/*). An AWS managed policy Berth does not ship a document
 * for grants nothing (named in the decision path so a denial can be explained).
 */
import type { Statements } from '../../../state/db.js';
import { getTags } from '../../../state/tags.js';
import { findSession } from '../../sts/store/index.js';
import {
  attachedPolicyArns, findAccessKey, findPolicyByArn, findRoleByArn, findUser, getGroupPolicyDocument, getRolePolicyDocument,
  getUserPolicyDocument, groupAttachedPolicyArns, groupPolicyNames, groupsOfUser, rolePolicyNames, userAttachedPolicyArns, userPolicyNames,
} from '../store.js';
import { awsManagedPolicy } from './aws-managed-policies.js';
import type { NamedPolicy, PolicyDocument, PolicySet, Principal } from './evaluate.js';

export interface Caller {
  account: string;
  principalArn: string;
  accessKeyId: string;
  /**
   * A role acting without a stored session: ECS using a task's execution role (its image pulls, its secrets). The
   * principal is then `principalArn` (the assumed-role ARN) with the role's policies and no session policies.
   */
  roleArn?: string;
}

export interface PrincipalPolicies {
  principal: Principal;
  /** The account's root: every action on the account's own resources. */
  isRoot: boolean;
  policies: Omit<PolicySet, 'resource'>;
  /** aws:PrincipalTag/<key> values, keys as tagged. */
  tags: Record<string, string>;
  /** Managed policies attached whose documents Berth lacks. */
  unknownPolicies: string[];
}

function parse(text: string | undefined): PolicyDocument | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = JSON.parse(text);
    return doc && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** A managed policy's document: a customer one's default version, or an AWS managed one Berth ships. */
export function managedPolicy(sql: Statements, arn: string): NamedPolicy | undefined {
  const shipped = awsManagedPolicy(arn);
  if (shipped) return { id: arn, document: shipped.document };
  const doc = parse(findPolicyByArn(sql, arn)?.document);
  return doc ? { id: arn, document: doc } : undefined;
}

function collect(sql: Statements, arns: string[], inline: [string, string | undefined][], unknown: string[]): NamedPolicy[] {
  const out: NamedPolicy[] = [];
  for (const [id, text] of inline) {
    const doc = parse(text);
    if (doc) out.push({ id, document: doc });
  }
  for (const arn of arns) {
    const p = managedPolicy(sql, arn);
    if (p) out.push(p);
    else unknown.push(arn);
  }
  return out;
}

const tagsOf = (sql: Statements, arn: string) => Object.fromEntries(getTags({ sql }, arn).map((t) => [t.key, t.value]));

/** A user's own inline and attached policies, and those of every group it belongs to. */
export function userPolicies(sql: Statements, account: string, userName: string, unknown: string[]): NamedPolicy[] {
  const s = { sql, account };
  const inline = userPolicyNames(s, userName).map((n): [string, string | undefined] => [`user/${userName}#${n}`, getUserPolicyDocument(s, userName, n)]);
  const own = collect(sql, userAttachedPolicyArns(s, userName), inline, unknown);
  for (const group of groupsOfUser(s, userName)) {
    const groupInline = groupPolicyNames(s, group).map((n): [string, string | undefined] => [`group/${group}#${n}`, getGroupPolicyDocument(s, group, n)]);
    own.push(...collect(sql, groupAttachedPolicyArns(s, group), groupInline, unknown));
  }
  return own;
}

export function rolePolicies(sql: Statements, roleArn: string, unknown: string[]): { identity: NamedPolicy[]; boundary?: NamedPolicy; tags: Record<string, string> } {
  const role = findRoleByArn(sql, roleArn);
  if (!role) return { identity: [], tags: {} };
  const account = roleArn.split(':')[4];
  const s = { sql, account };
  const inline = rolePolicyNames(s, role.RoleName).map((n): [string, string | undefined] => [`role/${role.RoleName}#${n}`, getRolePolicyDocument(s, role.RoleName, n)]);
  const identity = collect(sql, attachedPolicyArns(s, role.RoleName), inline, unknown);
  const boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
  // A boundary whose document Berth lacks allows nothing (its statements are unknown): an empty boundary.
  const boundary = boundaryArn ? managedPolicy(sql, boundaryArn) ?? { id: boundaryArn, document: { Statement: [] } } : undefined;
  return { identity, boundary, tags: tagsOf(sql, role.Arn) };
}

/** Who the caller is and which of its policies apply, from the key that signed. */
export function principalPolicies(sql: Statements, caller: Caller): PrincipalPolicies {
  const unknownPolicies: string[] = [];
  const base = { arn: caller.principalArn, account: caller.account };
  const session = caller.accessKeyId ? findSession(sql, caller.accessKeyId) : undefined;
  if (!session && caller.roleArn) {
    const role = rolePolicies(sql, caller.roleArn, unknownPolicies);
    return {
      principal: { ...base, roleArn: caller.roleArn }, isRoot: false,
      policies: { identity: role.identity, boundary: role.boundary }, tags: role.tags, unknownPolicies,
    };
  }
  if (session?.roleArn) {
    const role = rolePolicies(sql, session.roleArn, unknownPolicies);
    let sessionPolicies: NamedPolicy[] | undefined;
    if (session.sessionPolicy !== undefined || session.sessionPolicyArns) {
      const inline: [string, string | undefined][] = session.sessionPolicy !== undefined ? [['session policy', session.sessionPolicy]] : [];
      sessionPolicies = collect(sql, session.sessionPolicyArns ?? [], inline, unknownPolicies);
    }
    return {
      principal: { ...base, arn: session.arn, roleArn: session.roleArn, userId: session.userId },
      isRoot: false,
      policies: { identity: role.identity, boundary: role.boundary, session: sessionPolicies },
      tags: role.tags,
      unknownPolicies,
    };
  }
  // GetSessionToken sessions act as the user (or root) that asked for them.
  const arn = session?.arn ?? caller.principalArn;
  if (/^arn:aws[\w-]*:iam::\d{12}:root$/.test(arn)) {
    return { principal: { ...base, arn }, isRoot: true, policies: { identity: [] }, tags: {}, unknownPolicies };
  }
  const key = session ? undefined : findAccessKey(sql, caller.accessKeyId);
  const userName = key?.userName ?? (arn.includes(':user/') ? arn.slice(arn.lastIndexOf('/') + 1) : undefined);
  const user = userName ? findUser({ sql, account: caller.account }, userName) : undefined;
  if (!user) return { principal: { ...base, arn }, isRoot: false, policies: { identity: [] }, tags: {}, unknownPolicies };
  return {
    principal: { ...base, arn: user.Arn, userName: user.UserName, userId: user.UserId },
    isRoot: false,
    policies: { identity: userPolicies(sql, caller.account, user.UserName, unknownPolicies) },
    tags: tagsOf(sql, user.Arn),
    unknownPolicies,
  };
}
