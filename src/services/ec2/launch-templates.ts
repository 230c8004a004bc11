/**
 * Launch templates: CreateLaunchTemplate, CreateLaunchTemplateVersion,
 * DescribeLaunchTemplates, DescribeLaunchTemplateVersions,
 * ModifyLaunchTemplate, DeleteLaunchTemplate, DeleteLaunchTemplateVersions.
 * A template is an `ec2_resources` row (kind `launch-template`); each version
 * is a row of kind `launch-template-version` under it, id `<template>#<n>`.
 * Version numbers only grow (a deleted version's number is not reused); the
 * default version cannot be deleted; `$Latest` and `$Default` name the
 * newest and the default version.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-launch-templates.html
 */
import type {
  CreateLaunchTemplateRequest, CreateLaunchTemplateResult, CreateLaunchTemplateVersionRequest, CreateLaunchTemplateVersionResult,
  DeleteLaunchTemplateRequest, DeleteLaunchTemplateResult, DeleteLaunchTemplateVersionsRequest, DeleteLaunchTemplateVersionsResult,
  DeleteLaunchTemplateVersionsResponseErrorItem, DeleteLaunchTemplateVersionsResponseSuccessItem, DescribeLaunchTemplatesRequest,
  DescribeLaunchTemplatesResult, DescribeLaunchTemplateVersionsRequest, DescribeLaunchTemplateVersionsResult, LaunchTemplate,
  LaunchTemplateVersion, ModifyLaunchTemplateRequest, ModifyLaunchTemplateResult, ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { iamArn } from '../../shared/arns.js';
import { invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.js';
import { compileFilters, bool, type FilterFields } from './filters.js';
import { isWellFormed, newResourceId } from './ids.js';
import { paginate } from './pagination.js';
import { deleteDoc, getStored, insertDoc, listStored, updateDoc, type Scope, type Stored } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

type StoredTemplate = LaunchTemplate & { LaunchTemplateId: string; LaunchTemplateName: string; DefaultVersionNumber: number; LatestVersionNumber: number };

export interface TemplateRef {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
}

const idNotFound = (id: string) =>
  new AwsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
const nameNotFound = (name: string) =>
  new AwsError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
const versionNotFound = (id: string, version: string) =>
  new AwsError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${version} for launch template ID ${id}.`);

const versionKey = (id: string, n: number) => `${id}#${n}`;

function templateByName(s: Scope, name: string): Stored<StoredTemplate> | undefined {
  return listStored<StoredTemplate>(s, 'launch-template').find((t) => t.doc.LaunchTemplateName === name);
}

/** The template a request names by id or by name (not both), or the error EC2 gives. */
export function requireTemplate(s: Scope, ref: TemplateRef): StoredTemplate {
  // EC2 takes one or the other: "You must specify either the launch template ID or the launch template name in the
  // request, but not both." (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateSpecification.html)
  if (ref.LaunchTemplateId && ref.LaunchTemplateName) {
    throw invalidParameterCombination('You must specify either the launch template ID or the launch template name in the request, but not both.');
  }
  if (ref.LaunchTemplateId) {
    if (!isWellFormed(ref.LaunchTemplateId, 'launch-template')) {
      throw new AwsError('InvalidLaunchTemplateId.Malformed', `The specified ID for the launch template (${ref.LaunchTemplateId}) is not valid.`);
    }
    const t = getStored<StoredTemplate>(s, 'launch-template', ref.LaunchTemplateId);
    if (!t) throw idNotFound(ref.LaunchTemplateId);
    return t.doc;
  }
  if (ref.LaunchTemplateName) {
    const t = templateByName(s, ref.LaunchTemplateName);
    if (!t) throw nameNotFound(ref.LaunchTemplateName);
    return t.doc;
  }
  throw missingParameter('launchTemplateName or launchTemplateId');
}

function versionDoc(s: Scope, t: StoredTemplate, n: number): LaunchTemplateVersion | undefined {
  const v = getStored<LaunchTemplateVersion>(s, 'launch-template-version', versionKey(t.LaunchTemplateId, n))?.doc;
  return v && { ...v, DefaultVersion: n === t.DefaultVersionNumber };
}

/** The version a reference names: a number, `$Latest` or `$Default` (absent: `$Default`). */
export function resolveVersion(s: Scope, t: StoredTemplate, version: string | undefined): LaunchTemplateVersion {
  const ref = version ?? '$Default';
  const n = ref === '$Latest' ? t.LatestVersionNumber : ref === '$Default' ? t.DefaultVersionNumber : /^\d+$/.test(ref) ? Number(ref) : NaN;
  if (Number.isNaN(n)) throw invalidParameterValue(`The launch template version '${ref}' is not valid. Specify a version number, $Latest, or $Default.`);
  const v = versionDoc(s, t, n);
  if (!v) throw versionNotFound(t.LaunchTemplateId, ref);
  return v;
}

function insertVersion(s: Scope, t: StoredTemplate, n: number, data: ResponseLaunchTemplateData, description: string | undefined, now: string) {
  const v: LaunchTemplateVersion = {
    LaunchTemplateId: t.LaunchTemplateId,
    LaunchTemplateName: t.LaunchTemplateName,
    VersionNumber: n,
    ...(description !== undefined ? { VersionDescription: description } : {}),
    CreateTime: now as unknown as Date,
    CreatedBy: iamArn.root(s.account),
    LaunchTemplateData: data,
  };
  insertDoc(s, 'launch-template-version', versionKey(t.LaunchTemplateId, n), v, { parentId: t.LaunchTemplateId });
  return v;
}

/** Template data is stored as DescribeLaunchTemplateVersions returns it (the request and response shapes agree on what Berth uses). */
const asData = (d: CreateLaunchTemplateRequest['LaunchTemplateData']) => (d ?? {}) as ResponseLaunchTemplateData;

function checkData(data: ResponseLaunchTemplateData) {
  if (data.UserData !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(data.UserData.replace(/\s/g, ''))) {
    throw invalidParameterValue('Invalid BASE64 encoding of user data.');
  }
}

export function createLaunchTemplate(s: Scope & { clock?: { now(): number } }, input: CreateLaunchTemplateRequest): CreateLaunchTemplateResult {
  const name = input.LaunchTemplateName!;
  if (templateByName(s, name)) throw new AwsError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
  const data = asData(input.LaunchTemplateData);
  checkData(data);
  const tags = tagsFromSpecs(input.TagSpecifications, 'launch-template');
  const now = new Date(s.clock?.now() ?? Date.now()).toISOString();
  const id = newResourceId('launch-template');
  const t: StoredTemplate = {
    LaunchTemplateId: id, LaunchTemplateName: name, CreateTime: now as unknown as Date, CreatedBy: iamArn.root(s.account),
    DefaultVersionNumber: 1, LatestVersionNumber: 1,
  };
  insertDoc(s, 'launch-template', id, t);
  applyTags(s, id, 'launch-template', tags);
  insertVersion(s, t, 1, data, input.VersionDescription, now);
  return { LaunchTemplate: withTags(s, id, t) };
}

export function createLaunchTemplateVersion(s: Scope & { clock?: { now(): number } }, input: CreateLaunchTemplateVersionRequest): CreateLaunchTemplateVersionResult {
  const t = requireTemplate(s, input);
  let data = asData(input.LaunchTemplateData);
  // With SourceVersion the new version starts from that one; what the request gives replaces its settings.
  if (input.SourceVersion !== undefined) data = { ...resolveVersion(s, t, input.SourceVersion).LaunchTemplateData, ...data };
  checkData(data);
  const n = t.LatestVersionNumber + 1;
  t.LatestVersionNumber = n;
  updateDoc(s, t.LaunchTemplateId, t);
  const v = insertVersion(s, t, n, data, input.VersionDescription, new Date(s.clock?.now() ?? Date.now()).toISOString());
  return { LaunchTemplateVersion: { ...v, DefaultVersion: false } };
}

export function modifyLaunchTemplate(s: Scope, input: ModifyLaunchTemplateRequest): ModifyLaunchTemplateResult {
  const t = requireTemplate(s, input);
  if (input.DefaultVersion !== undefined) {
    const v = resolveVersion(s, t, input.DefaultVersion);
    t.DefaultVersionNumber = v.VersionNumber!;
    updateDoc(s, t.LaunchTemplateId, t);
  }
  return { LaunchTemplate: t };
}

export function deleteLaunchTemplate(s: Scope, input: DeleteLaunchTemplateRequest): DeleteLaunchTemplateResult {
  const t = requireTemplate(s, input);
  for (const v of listStored(s, 'launch-template-version', { parentId: t.LaunchTemplateId })) deleteDoc(s, v.id);
  deleteDoc(s, t.LaunchTemplateId);
  return { LaunchTemplate: t };
}

export function deleteLaunchTemplateVersions(s: Scope, input: DeleteLaunchTemplateVersionsRequest): DeleteLaunchTemplateVersionsResult {
  const t = requireTemplate(s, input);
  const ok: DeleteLaunchTemplateVersionsResponseSuccessItem[] = [];
  const failed: DeleteLaunchTemplateVersionsResponseErrorItem[] = [];
  const named = { LaunchTemplateId: t.LaunchTemplateId, LaunchTemplateName: t.LaunchTemplateName };
  for (const ref of input.Versions ?? []) {
    const n = /^\d+$/.test(ref) ? Number(ref) : NaN;
    const fail = (Code: 'launchTemplateVersionDoesNotExist' | 'unexpectedError', Message: string) =>
      failed.push({ ...named, ...(Number.isNaN(n) ? {} : { VersionNumber: n }), ResponseError: { Code, Message } });
    if (Number.isNaN(n) || !versionDoc(s, t, n)) fail('launchTemplateVersionDoesNotExist', 'The specified launch template version does not exist.');
    else if (n === t.DefaultVersionNumber) fail('unexpectedError', 'Cannot delete the default version of a launch template. Set a different default version, or delete the launch template.');
    else {
      deleteDoc(s, versionKey(t.LaunchTemplateId, n));
      ok.push({ ...named, VersionNumber: n });
    }
  }
  return { SuccessfullyDeletedLaunchTemplateVersions: ok, UnsuccessfullyDeletedLaunchTemplateVersions: failed };
}

const TEMPLATE_FIELDS: FilterFields<LaunchTemplate> = {
  'create-time': (t) => (t.CreateTime ? new Date(t.CreateTime).toISOString() : undefined),
  'launch-template-name': (t) => t.LaunchTemplateName,
};

export function describeLaunchTemplates(s: Scope, input: DescribeLaunchTemplatesRequest): DescribeLaunchTemplatesResult {
  let all = listStored<StoredTemplate>(s, 'launch-template');
  const ids = input.LaunchTemplateIds ?? [];
  const names = input.LaunchTemplateNames ?? [];
  if (ids.length) {
    for (const id of ids) requireTemplate(s, { LaunchTemplateId: id });
    all = all.filter((t) => ids.includes(t.id));
  }
  if (names.length) {
    // One unknown name fails the whole call, in EC2's words.
    if (names.some((n) => !all.some((t) => t.doc.LaunchTemplateName === n))) {
      throw new AwsError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
    }
    all = all.filter((t) => names.includes(t.doc.LaunchTemplateName));
  }
  const match = compileFilters(input.Filters, TEMPLATE_FIELDS, (t) => t.Tags);
  const views = all.map((t) => ({ seq: t.seq, view: withTags(s, t.id, t.doc) })).filter((v) => match(v.view));
  const { page, NextToken } = paginate(views, (v) => v.seq, input, { min: 1, max: 200 });
  return { LaunchTemplates: page.map((v) => v.view), ...(NextToken ? { NextToken } : {}) };
}

const VERSION_FIELDS: FilterFields<LaunchTemplateVersion> = {
  'create-time': (v) => (v.CreateTime ? new Date(v.CreateTime).toISOString() : undefined),
  'ebs-optimized': (v) => (v.LaunchTemplateData?.EbsOptimized === undefined ? undefined : bool(v.LaunchTemplateData.EbsOptimized)),
  'iam-instance-profile': (v) => [v.LaunchTemplateData?.IamInstanceProfile?.Arn, v.LaunchTemplateData?.IamInstanceProfile?.Name],
  'image-id': (v) => v.LaunchTemplateData?.ImageId,
  'instance-type': (v) => v.LaunchTemplateData?.InstanceType,
  'is-default-version': (v) => bool(v.DefaultVersion),
  'kernel-id': (v) => v.LaunchTemplateData?.KernelId,
  'ram-disk-id': (v) => v.LaunchTemplateData?.RamDiskId,
};

export function describeLaunchTemplateVersions(s: Scope, input: DescribeLaunchTemplateVersionsRequest): DescribeLaunchTemplateVersionsResult {
  const refs = input.Versions ?? [];
  const templates = input.LaunchTemplateId || input.LaunchTemplateName
    ? [requireTemplate(s, input)]
    : listStored<StoredTemplate>(s, 'launch-template').map((t) => t.doc);
  if (!input.LaunchTemplateId && !input.LaunchTemplateName && refs.some((r) => r !== '$Latest' && r !== '$Default')) {
    // Without a template only $Latest and $Default make sense (for every template).
    throw invalidParameterValue('When not specifying a launch template ID or name, you can only specify $Latest or $Default versions.');
  }
  const out: { seq: number; view: LaunchTemplateVersion }[] = [];
  for (const t of templates) {
    let versions: LaunchTemplateVersion[];
    if (refs.length) versions = [...new Map(refs.map((r) => resolveVersion(s, t, r)).map((v) => [v.VersionNumber, v])).values()];
    else {
      versions = listStored<LaunchTemplateVersion>(s, 'launch-template-version', { parentId: t.LaunchTemplateId })
        .map((v) => ({ ...v.doc, DefaultVersion: v.doc.VersionNumber === t.DefaultVersionNumber }));
    }
    const min = input.MinVersion !== undefined ? Number(input.MinVersion) : -Infinity;
    const max = input.MaxVersion !== undefined ? Number(input.MaxVersion) : Infinity;
    // Newest first, as EC2 lists them.
    versions.sort((a, b) => b.VersionNumber! - a.VersionNumber!);
    for (const v of versions) {
      if (v.VersionNumber! < min || v.VersionNumber! > max) continue;
      out.push({ seq: out.length + 1, view: v });
    }
  }
  const match = compileFilters(input.Filters, VERSION_FIELDS);
  const matched = out.filter((v) => match(v.view));
  const { page, NextToken } = paginate(matched, (v) => v.seq, input, { min: 1, max: 200 });
  return { LaunchTemplateVersions: page.map((v) => v.view), ...(NextToken ? { NextToken } : {}) };
}

/** A template and version as another service names them (Auto Scaling): its id, name and the version resolved; EC2's error otherwise. */
export function findLaunchTemplate(s: Scope, ref: TemplateRef & { Version?: string }): { id: string; name: string; version: number } {
  const t = requireTemplate(s, ref);
  const v = resolveVersion(s, t, ref.Version);
  return { id: t.LaunchTemplateId, name: t.LaunchTemplateName, version: v.VersionNumber! };
}

/** The instance type a launch template version launches (what managed scaling sizes new instances by), if it names one. */
export function launchTemplateInstanceType(s: Scope, ref: TemplateRef & { Version?: string }): string | undefined {
  const t = requireTemplate(s, ref);
  return resolveVersion(s, t, ref.Version).LaunchTemplateData?.InstanceType;
}
