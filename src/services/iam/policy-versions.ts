/**
 * Versions of customer managed policies: Create/Get/Delete/ListPolicyVersions
 * and SetDefaultPolicyVersion. A policy keeps at most five versions; ids are
 * vN and never reused; the default version cannot be deleted (it goes with the
 * policy). AWS managed policies have one version: for those Berth ships (authz/aws-managed-policies.ts) their
 * default version with its document, for others v1 without one.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 */
import type {
  CreatePolicyVersionRequest, CreatePolicyVersionResponse, DeletePolicyVersionRequest, GetPolicyVersionRequest,
  GetPolicyVersionResponse, ListPolicyVersionsRequest, ListPolicyVersionsResponse, PolicyVersion, SetDefaultPolicyVersionRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../provider.js';
import { deleteConflict, limitExceeded, noSuchEntity, noSuchPolicy } from './errors.js';
import { checkPolicyText, paginate } from './inputs.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { awsManagedPolicy } from './authz/aws-managed-policies.js';
import { isAwsManagedPolicy, parsePolicyArn } from './policies.js';
import {
  deletePolicyVersionRow, findPolicyByArn, insertPolicyVersion, policyVersions, takeVersionNumber, updatePolicyRow,
  type StoredPolicyVersion,
} from './store.js';

export const MAX_VERSIONS = 5;

function customerPolicy(ctx: RequestContext, arn: string | undefined) {
  parsePolicyArn(arn);
  const p = findPolicyByArn(ctx.sql, arn!);
  if (!p) throw noSuchPolicy(arn!);
  const { document: _document, ...policy } = p;
  return { policy, versions: policyVersions(ctx.sql, p.Arn) };
}

const versionNotFound = (arn: string | undefined, id: string | undefined) =>
  noSuchEntity(`Policy ${arn} version ${id} does not exist or is not attachable.`);

const versionOutput = (v: StoredPolicyVersion, defaultId: string | undefined, withDocument: boolean): PolicyVersion => ({
  ...(withDocument ? { Document: encodePolicy(v.Document) } : {}),
  VersionId: v.VersionId,
  IsDefaultVersion: v.VersionId === defaultId,
  CreateDate: new Date(v.CreateDate),
});

export function getPolicyVersion(ctx: RequestContext, input: GetPolicyVersionRequest): GetPolicyVersionResponse {
  parsePolicyArn(input.PolicyArn);
  if (isAwsManagedPolicy(input.PolicyArn!)) {
    const shipped = awsManagedPolicy(input.PolicyArn!);
    if (!shipped || shipped.versionId !== input.VersionId) throw versionNotFound(input.PolicyArn, input.VersionId);
    return {
      PolicyVersion: {
        Document: encodePolicy(JSON.stringify(shipped.document)), VersionId: shipped.versionId, IsDefaultVersion: true, CreateDate: new Date(shipped.createDate),
      },
    };
  }
  const p = findPolicyByArn(ctx.sql, input.PolicyArn!);
  const v = p && policyVersions(ctx.sql, p.Arn).find((x) => x.VersionId === input.VersionId);
  if (!p || !v) throw versionNotFound(input.PolicyArn, input.VersionId);
  return { PolicyVersion: versionOutput(v, p.DefaultVersionId, true) };
}

/** Newest first, without documents (as IAM lists them). */
export function listPolicyVersions(ctx: RequestContext, input: ListPolicyVersionsRequest): ListPolicyVersionsResponse {
  parsePolicyArn(input.PolicyArn);
  if (isAwsManagedPolicy(input.PolicyArn!)) {
    const shipped = awsManagedPolicy(input.PolicyArn!);
    return { Versions: [{ VersionId: shipped?.versionId ?? 'v1', IsDefaultVersion: true, ...(shipped ? { CreateDate: new Date(shipped.createDate) } : {}) }], IsTruncated: false };
  }
  const { policy, versions } = customerPolicy(ctx, input.PolicyArn);
  const page = paginate(versions, (v) => String(1e9 - v.number).padStart(10, '0'), input.Marker, input.MaxItems);
  return { Versions: page.items.map((v) => versionOutput(v, policy.DefaultVersionId, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function createPolicyVersion(ctx: RequestContext, input: CreatePolicyVersionRequest): CreatePolicyVersionResponse {
  checkPolicyText(input.PolicyDocument ?? '', 'policyDocument');
  const { policy, versions } = customerPolicy(ctx, input.PolicyArn);
  checkPolicyDocument(input.PolicyDocument!, 'identity');
  if (versions.length >= MAX_VERSIONS) {
    throw limitExceeded(`A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
  }
  const number = takeVersionNumber(ctx.sql, policy.Arn);
  const now = new Date(ctx.clock.now()).toISOString();
  const version: StoredPolicyVersion = { VersionId: `v${number}`, number, Document: input.PolicyDocument!, CreateDate: now };
  insertPolicyVersion(ctx.sql, policy.Arn, version);
  if (input.SetAsDefault) {
    updatePolicyRow(ctx.sql, { ...policy, DefaultVersionId: version.VersionId, UpdateDate: now }, version.Document);
  }
  return { PolicyVersion: versionOutput(version, input.SetAsDefault ? version.VersionId : policy.DefaultVersionId, false) };
}

export function setDefaultPolicyVersion(ctx: RequestContext, input: SetDefaultPolicyVersionRequest): Record<string, never> {
  const { policy, versions } = customerPolicy(ctx, input.PolicyArn);
  const v = versions.find((x) => x.VersionId === input.VersionId);
  if (!v) throw versionNotFound(input.PolicyArn, input.VersionId);
  updatePolicyRow(ctx.sql, { ...policy, DefaultVersionId: v.VersionId, UpdateDate: new Date(ctx.clock.now()).toISOString() }, v.Document);
  return {};
}

export function deletePolicyVersion(ctx: RequestContext, input: DeletePolicyVersionRequest): Record<string, never> {
  const { policy, versions } = customerPolicy(ctx, input.PolicyArn);
  if (!versions.some((x) => x.VersionId === input.VersionId)) throw versionNotFound(input.PolicyArn, input.VersionId);
  if (input.VersionId === policy.DefaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
  deletePolicyVersionRow(ctx.sql, policy.Arn, input.VersionId!);
  return {};
}
