/**
 * Managed policies. AWS managed ones (`arn:aws:iam::aws:policy/…`) exist for
 * any name and carry no document in Berth; customer managed ones are created
 * here with version v1 (more in policy-versions.ts).
 */
import type {
  CreatePolicyRequest, CreatePolicyResponse, DeletePolicyRequest, GetPolicyRequest, GetPolicyResponse,
  ListPoliciesRequest, ListPoliciesResponse, Policy,
} from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { base32Id } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags, getTags, putTags } from '../../state/tags.js';
import { awsManagedPolicy } from './authz/aws-managed-policies.js';
import { alreadyExists, constraint, deleteConflict, invalidInput, noSuchPolicy } from './errors.js';
import { checkDescription, checkName, checkPath, checkPathPrefix, checkPolicyText, checkTags, paginate } from './inputs.js';
import { checkPolicyDocument } from './policy-document.js';
import {
  allPolicies, attachmentCount, deletePolicyRow, findPolicyByArn, findPolicyByName, insertPolicy, policyVersions, type StoredPolicy,
} from './store.js';

const POLICY_ARN_RE = /^arn:aws:iam::(aws|\d{12}):policy(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]+)$/;

export const isAwsManagedPolicy = (arn: string) => POLICY_ARN_RE.exec(arn)?.[1] === 'aws';

/** Name and path of a policy ARN, or InvalidInput as IAM says for a malformed one. */
export function parsePolicyArn(arn: string | undefined): { account: string; path: string; name: string } {
  const value = arn ?? '';
  if (value.length < 20) throw constraint(value, 'policyArn', 'Member must have length greater than or equal to 20');
  const m = POLICY_ARN_RE.exec(value);
  if (!m) throw invalidInput(`ARN ${value} is not valid.`);
  return { account: m[1], path: m[2], name: m[3] };
}

function policyOutput(ctx: RequestContext, p: StoredPolicy, withTags: boolean): Policy {
  const tags = withTags ? getTags(ctx, p.Arn).map((t) => ({ Key: t.key, Value: t.value })) : [];
  return {
    ...p,
    CreateDate: new Date(p.CreateDate),
    UpdateDate: new Date(p.UpdateDate),
    AttachmentCount: attachmentCount(ctx.sql, p.Arn),
    ...(tags.length ? { Tags: tags } : {}),
  };
}

/** What Berth knows of an AWS managed policy: its name, path and use, and for those it ships, its default version. */
function awsManagedOutput(ctx: RequestContext, arn: string): Policy {
  const { path, name } = parsePolicyArn(arn);
  return {
    PolicyName: name, Arn: arn, Path: path, DefaultVersionId: awsManagedPolicy(arn)?.versionId ?? 'v1', AttachmentCount: attachmentCount(ctx.sql, arn),
    PermissionsBoundaryUsageCount: 0, IsAttachable: true,
  };
}

export function createPolicy(ctx: RequestContext, input: CreatePolicyRequest): CreatePolicyResponse {
  checkName(input.PolicyName ?? '', 'policyName', 128);
  const path = checkPath(input.Path);
  checkPolicyText(input.PolicyDocument ?? '', 'policyDocument');
  checkDescription(input.Description);
  const tags = checkTags(input.Tags);
  checkPolicyDocument(input.PolicyDocument!, 'identity');
  const scope = { sql: ctx.sql, account: ctx.account };
  if (findPolicyByName(scope, input.PolicyName!)) {
    throw alreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
  }
  const now = new Date(ctx.clock.now()).toISOString();
  const policy: StoredPolicy = {
    PolicyName: input.PolicyName!,
    PolicyId: base32Id('ANPA', 17),
    Arn: iamArn.policy(ctx.account, input.PolicyName!, path),
    Path: path,
    DefaultVersionId: 'v1',
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    CreateDate: now,
    UpdateDate: now,
  };
  insertPolicy(scope, policy, input.PolicyDocument!);
  if (tags.length) putTags(ctx, policy.Arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  const out = policyOutput(ctx, policy, true);
  delete out.Description; // CreatePolicy does not echo the description (it is in GetPolicy).
  return { Policy: out };
}

export function getPolicy(ctx: RequestContext, input: GetPolicyRequest): GetPolicyResponse {
  parsePolicyArn(input.PolicyArn);
  if (isAwsManagedPolicy(input.PolicyArn!)) return { Policy: awsManagedOutput(ctx, input.PolicyArn!) };
  const p = findPolicyByArn(ctx.sql, input.PolicyArn!);
  if (!p) throw noSuchPolicy(input.PolicyArn!);
  const { document: _document, ...stored } = p;
  return { Policy: policyOutput(ctx, stored, true) };
}

export function deletePolicy(ctx: RequestContext, input: DeletePolicyRequest): Record<string, never> {
  parsePolicyArn(input.PolicyArn);
  const p = findPolicyByArn(ctx.sql, input.PolicyArn!);
  if (!p) throw noSuchPolicy(input.PolicyArn!);
  if (attachmentCount(ctx.sql, p.Arn)) throw deleteConflict('Cannot delete a policy attached to entities.');
  if (policyVersions(ctx.sql, p.Arn).length > 1) {
    throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
  }
  deletePolicyRow(ctx.sql, p.Arn);
  dropAllTags(ctx, p.Arn);
  return {};
}

/** Customer managed policies (Local) and the AWS managed ones attached in this account (AWS). */
export function listPolicies(ctx: RequestContext, input: ListPoliciesRequest): ListPoliciesResponse {
  const scope = input.Scope ?? 'All';
  const usage = input.PolicyUsageFilter;
  const prefix = checkPathPrefix(input.PathPrefix);
  const policies: Policy[] = [];
  // Berth counts attachments as permissions policies only (boundary use is not counted).
  if (usage === 'PermissionsBoundary') return { Policies: [], IsTruncated: false };
  if (scope !== 'AWS') policies.push(...allPolicies({ sql: ctx.sql, account: ctx.account }).map((p) => policyOutput(ctx, p, false)));
  if (scope !== 'Local') {
    const arns = ctx.sql.get("SELECT DISTINCT policy_arn FROM iam_role_attached_policies WHERE account = ? AND policy_arn LIKE 'arn:aws:iam::aws:%'")
      .pluck().all(ctx.account) as string[];
    policies.push(...arns.map((arn) => awsManagedOutput(ctx, arn)));
  }
  const shown = policies.filter((p) => p.Path!.startsWith(prefix) && (!input.OnlyAttached || p.AttachmentCount! > 0));
  const page = paginate(shown, (p) => p.PolicyName!.toLowerCase() + '\u0000' + p.Arn, input.Marker, input.MaxItems);
  return { Policies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}
