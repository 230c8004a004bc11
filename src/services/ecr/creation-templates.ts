/**
 * Repository creation templates: CreateRepositoryCreationTemplate,
 * DescribeRepositoryCreationTemplates, UpdateRepositoryCreationTemplate and
 * DeleteRepositoryCreationTemplate. Each template field is validated as the
 * operation that sets it on a repository validates it (PutImageTagMutability,
 * SetRepositoryPolicy, PutLifecyclePolicy, TagResource), so a template can
 * never create a repository those operations would refuse. Where and how a
 * template is applied: store/creation-templates.ts.
 */
import type {
  CreateRepositoryCreationTemplateRequest, CreateRepositoryCreationTemplateResponse, DeleteRepositoryCreationTemplateRequest,
  DeleteRepositoryCreationTemplateResponse, DescribeRepositoryCreationTemplatesRequest, DescribeRepositoryCreationTemplatesResponse,
  EncryptionConfigurationForRepositoryCreationTemplate, RepositoryCreationTemplate, UpdateRepositoryCreationTemplateRequest,
  UpdateRepositoryCreationTemplateResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import {
  deleteTemplate, getTemplate, listTemplates, prefixKey, saveTemplate, type StoredTemplate,
} from './store/creation-templates.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, pageSize } from './common.js';
import { invalidParameter } from './errors.js';
import { checkPolicyText } from './lifecycle.js';
import { checkPolicy } from './policies.js';
import { checkMutability } from './repositories.js';
import { checkTags } from './tagging.js';

// The model's constraints (botocore's ecr service-2.json), which ECR's front end checks first.
const PREFIX_RE = /^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$/;
const KMS_KEY_RE = /^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-z0-9-]+/;
const APPLIED_FOR = ['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'];
const MAX_DESCRIPTION = 256;
const MAX_ROLE_ARN = 2048;

/** The Coral front end's wording for a value outside the model's constraints. */
const constraint = (value: unknown, field: string, rule: string) =>
  new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`);

function checkPrefix(prefix: string | undefined, field = 'prefix'): string {
  const p = prefix ?? '';
  if (p.length < 1 || p.length > 256) throw constraint(p, field, 'Member must have length between 1 and 256');
  if (!PREFIX_RE.test(p)) throw constraint(p, field, `Member must satisfy regular expression pattern: ${PREFIX_RE.source}`);
  return p;
}

const notFound = (prefix: string, account: string) =>
  new AwsError('TemplateNotFoundException', `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${account}'`);

function checkAppliedFor(list: string[] | undefined): string[] {
  if (!list?.length) throw invalidParameter("Invalid parameter at 'appliedFor' failed to satisfy constraint: 'Member must have at least 1 item'");
  for (const v of list) {
    if (!APPLIED_FOR.includes(v)) throw constraint(`[${list.join(', ')}]`, 'appliedFor', `Member must satisfy constraint: [Member must satisfy enum value set: [${APPLIED_FOR.join(', ')}]]`);
  }
  return [...new Set(list)];
}

function checkEncryption(enc: EncryptionConfigurationForRepositoryCreationTemplate | undefined) {
  if (!enc) return undefined;
  const type = enc.encryptionType;
  if (!type || !['AES256', 'KMS', 'KMS_DSSE'].includes(type)) {
    throw constraint(type, 'encryptionConfiguration.encryptionType', 'Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]');
  }
  if (enc.kmsKey !== undefined) {
    if (enc.kmsKey.length > 2048 || !KMS_KEY_RE.test(enc.kmsKey)) {
      throw constraint(enc.kmsKey, 'encryptionConfiguration.kmsKey', `Member must satisfy regular expression pattern: ${KMS_KEY_RE.source}`);
    }
    if (type === 'AES256' && enc.kmsKey) throw invalidParameter('KMS key should not be specified when encryption type is AES256.');
  }
  return { encryptionType: type, ...(enc.kmsKey ? { kmsKey: enc.kmsKey } : {}) };
}

function checkRole(ctx: RequestContext, roleArn: string | undefined): string | undefined {
  if (roleArn === undefined || roleArn === '') return undefined;
  if (roleArn.length > MAX_ROLE_ARN) throw constraint(roleArn, 'customRoleArn', `Member must have length less than or equal to ${MAX_ROLE_ARN}`);
  // ECR: "This role must be in the same account as the registry that you are configuring."
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/.exec(roleArn);
  if (!m) throw invalidParameter(`Invalid parameter at 'customRoleArn' failed to satisfy constraint: '${roleArn} is not a valid IAM role ARN'`);
  if (m[1] !== ctx.account) throw invalidParameter(`The customRoleArn must be in the same account as the registry (${ctx.account}).`);
  return roleArn;
}

function checkDescription(description: string | undefined): string | undefined {
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    throw constraint(description, 'description', `Member must have length less than or equal to ${MAX_DESCRIPTION}`);
  }
  return description || undefined;
}

type TemplateFields = Omit<CreateRepositoryCreationTemplateRequest, 'prefix' | 'appliedFor'> & { appliedFor?: string[] };

/** The template's settings, validated; only the fields the request names. */
function checkFields(ctx: RequestContext, input: TemplateFields): Partial<StoredTemplate> {
  const out: Partial<StoredTemplate> = {};
  if (input.description !== undefined) out.description = checkDescription(input.description);
  if (input.appliedFor !== undefined) out.appliedFor = checkAppliedFor(input.appliedFor) as StoredTemplate['appliedFor'];
  if (input.imageTagMutability !== undefined || input.imageTagMutabilityExclusionFilters !== undefined) {
    const m = checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
    out.imageTagMutability = m.imageTagMutability as StoredTemplate['imageTagMutability'];
    out.imageTagMutabilityExclusionFilters = m.imageTagMutabilityExclusionFilters as StoredTemplate['imageTagMutabilityExclusionFilters'];
  }
  if (input.encryptionConfiguration !== undefined) out.encryptionConfiguration = checkEncryption(input.encryptionConfiguration) as StoredTemplate['encryptionConfiguration'];
  if (input.resourceTags !== undefined) {
    checkTags(input.resourceTags);
    out.resourceTags = input.resourceTags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  }
  if (input.repositoryPolicy !== undefined) out.repositoryPolicy = input.repositoryPolicy === '' ? undefined : checkPolicy(input.repositoryPolicy, 'repository');
  if (input.lifecyclePolicy !== undefined) out.lifecyclePolicy = input.lifecyclePolicy === '' ? undefined : checkPolicyText(input.lifecyclePolicy);
  if (input.customRoleArn !== undefined) out.customRoleArn = checkRole(ctx, input.customRoleArn);
  return out;
}

/** The SDK shape: times as dates, MUTABLE when nothing was said, empty fields left out. */
function toTemplate(t: StoredTemplate): RepositoryCreationTemplate {
  const out: RepositoryCreationTemplate = {
    prefix: t.prefix,
    ...(t.description ? { description: t.description } : {}),
    encryptionConfiguration: t.encryptionConfiguration ?? { encryptionType: 'AES256' },
    resourceTags: t.resourceTags ?? [],
    imageTagMutability: t.imageTagMutability ?? 'MUTABLE',
    ...(t.imageTagMutabilityExclusionFilters?.length ? { imageTagMutabilityExclusionFilters: t.imageTagMutabilityExclusionFilters } : {}),
    ...(t.repositoryPolicy ? { repositoryPolicy: t.repositoryPolicy } : {}),
    ...(t.lifecyclePolicy ? { lifecyclePolicy: t.lifecyclePolicy } : {}),
    appliedFor: t.appliedFor,
    ...(t.customRoleArn ? { customRoleArn: t.customRoleArn } : {}),
    createdAt: new Date(t.createdAt),
    updatedAt: new Date(t.updatedAt),
  };
  return out;
}

export function createRepositoryCreationTemplate(
  ctx: RequestContext, input: CreateRepositoryCreationTemplateRequest,
): CreateRepositoryCreationTemplateResponse {
  const prefix = checkPrefix(input.prefix);
  const fields = checkFields(ctx, { ...input, appliedFor: input.appliedFor ?? [] });
  if (getTemplate(ctx, prefix)) {
    throw new AwsError('TemplateAlreadyExistsException', `The repository creation template with prefix '${prefix}' already exists in the registry with id '${ctx.account}'`);
  }
  const now = ctx.clock.now();
  const template: StoredTemplate = { ...fields, prefix, createdAt: now, updatedAt: now };
  saveTemplate(ctx, template);
  return { registryId: ctx.account, repositoryCreationTemplate: toTemplate(template) };
}

export function describeRepositoryCreationTemplates(
  ctx: RequestContext, input: DescribeRepositoryCreationTemplatesRequest,
): DescribeRepositoryCreationTemplatesResponse {
  // "If this parameter is not used, then DescribeRepositoryCreationTemplatesRequest returns up to 100 results."
  const limit = input.maxResults === undefined ? 100 : pageSize(input.maxResults);
  let all = listTemplates(ctx);
  if (input.prefixes?.length) {
    const wanted = new Set(input.prefixes.map((p, i) => prefixKey(checkPrefix(p, `prefixes.${i + 1}.member`))));
    all = all.filter((t) => wanted.has(prefixKey(t.prefix)));
  }
  const start = decodeToken(input.nextToken);
  return {
    registryId: ctx.account,
    repositoryCreationTemplates: all.slice(start, start + limit).map(toTemplate),
    nextToken: all.length > start + limit ? encodeToken(start + limit) : undefined,
  };
}

export function updateRepositoryCreationTemplate(
  ctx: RequestContext, input: UpdateRepositoryCreationTemplateRequest,
): UpdateRepositoryCreationTemplateResponse {
  const prefix = checkPrefix(input.prefix);
  const fields = checkFields(ctx, input);
  const current = getTemplate(ctx, prefix);
  if (!current) throw notFound(prefix, ctx.account);
  // Fields the request leaves out keep their values; a mutability given alone drops the old exclusion filters.
  const template: StoredTemplate = { ...current, ...fields, updatedAt: ctx.clock.now() };
  for (const k of Object.keys(template) as (keyof StoredTemplate)[]) if (template[k] === undefined) delete template[k];
  saveTemplate(ctx, template);
  return { registryId: ctx.account, repositoryCreationTemplate: toTemplate(template) };
}

export function deleteRepositoryCreationTemplate(
  ctx: RequestContext, input: DeleteRepositoryCreationTemplateRequest,
): DeleteRepositoryCreationTemplateResponse {
  const prefix = checkPrefix(input.prefix);
  const current = getTemplate(ctx, prefix);
  if (!current) throw notFound(prefix, ctx.account);
  deleteTemplate(ctx, prefix);
  return { registryId: ctx.account, repositoryCreationTemplate: toTemplate(current) };
}
