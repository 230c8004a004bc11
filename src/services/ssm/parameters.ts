/**
 * PutParameter, GetParameter, GetParameters, GetParametersByPath,
 * DeleteParameter, DeleteParameters.
 */
import type {
  DeleteParameterRequest,
  DeleteParameterResult,
  DeleteParametersRequest,
  DeleteParametersResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  GetParametersRequest,
  GetParametersResult,
  Parameter,
  PutParameterRequest,
  PutParameterResult,
} from '@aws-sdk/client-ssm';
import type { RequestContext } from '../provider.js';
import { dropAllTags, putTags } from '../../state/tags.js';
import {
  alreadyExists, constraint, invalidAllowedPattern, invalidNextToken, parameterNotFound, patternMismatch, reservedName, tooManyTags, validation,
  versionLimit,
} from './errors.js';
import { applyFilters, checkFilters } from './filters.js';
import {
  checkNewName, decodeToken, encodeToken, isUnderPath, pageSize, parameterArn, parseRef, resolveRef, tryResolveRef,
} from './names.js';
import { findPublicParameter, isPublicName, publicParameterArn, publicParameters } from './public-parameters.js';
import { isSecretReference, secretAsParameter } from './secrets-reference.js';
import { DEFAULT_KEY_ID, encryptForDisplay } from './secure-string.js';
import {
  allParameters, allVersions, deleteParameter as dropParameter, deleteVersion, findParameter, getVersion, saveVersion,
  type ParameterTier, type ParameterType, type Scope, type StoredVersion,
} from './store.js';

const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];
const STANDARD_MAX_BYTES = 4096;
const ADVANCED_MAX_BYTES = 8192;
const MAX_VERSIONS = 100;
const MAX_TAGS = 50;

/** The SDK shape of one version; SecureString values stay encrypted unless asked. */
export function toParameter(s: Scope, v: StoredVersion, withDecryption: boolean | undefined, selector?: string): Parameter {
  return {
    Name: v.name,
    Type: v.type,
    Value: v.type === 'SecureString' && !withDecryption ? v.ciphertext : v.value,
    Version: v.version,
    ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
    LastModifiedDate: new Date(v.modifiedAt),
    ARN: isPublicName(v.name) ? publicParameterArn(s.region, v.name) : parameterArn(s, v.name),
    DataType: v.dataType,
  };
}

function pickTier(requested: string | undefined, previous: ParameterTier | undefined, bytes: number, name: string): ParameterTier {
  if (requested === 'Standard' && previous === 'Advanced') {
    throw validation(
      `This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter. Parameter name: ${name}`,
    );
  }
  // Intelligent-Tiering picks Advanced only when the value (or the existing tier) needs it.
  const tier: ParameterTier = requested === 'Advanced' || previous === 'Advanced' || (requested === 'Intelligent-Tiering' && bytes > STANDARD_MAX_BYTES)
    ? 'Advanced'
    : 'Standard';
  if (tier === 'Standard' && bytes > STANDARD_MAX_BYTES) {
    throw validation(
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    );
  }
  if (bytes > ADVANCED_MAX_BYTES) throw constraint(`${bytes} bytes`, 'value', `Member must have length less than or equal to ${ADVANCED_MAX_BYTES}`);
  return tier;
}

function checkPattern(pattern: string | undefined, value: string) {
  if (pattern === undefined) return;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    throw invalidAllowedPattern();
  }
  if (!re.test(value)) throw patternMismatch(pattern);
}

export function putParameter(ctx: RequestContext, input: PutParameterRequest): PutParameterResult {
  const name = input.Name!;
  const value = input.Value!;
  if (value === '') throw constraint('', 'value', 'Member must have length greater than or equal to 1.');
  if (input.DataType !== undefined && !DATA_TYPES.includes(input.DataType)) {
    throw validation(`The following data type is not supported: ${input.DataType} (Data type names are all lowercase.)`);
  }
  if (input.Overwrite && input.Tags?.length) {
    throw validation(
      'Invalid request: tags and overwrite can\'t be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.',
    );
  }
  const existing = findParameter(ctx, name);
  if (existing && !input.Overwrite) throw alreadyExists();
  if (!existing) checkNewName(name);
  const previous = existing ? getVersion(ctx, name, existing.version) : undefined;
  const type = (input.Type ?? previous?.type) as ParameterType | undefined;
  if (!type) throw validation('A parameter type is required when you create a parameter.');
  if (input.KeyId !== undefined && type !== 'SecureString') throw validation('KeyId is required for SecureString type parameter only.');
  if ((input.Tags?.length ?? 0) > MAX_TAGS) throw tooManyTags();

  const allowedPattern = input.AllowedPattern ?? previous?.allowedPattern;
  checkPattern(allowedPattern, value);
  const keyId = type === 'SecureString' ? (input.KeyId ?? (previous?.type === 'SecureString' ? previous.keyId : undefined) ?? DEFAULT_KEY_ID) : undefined;
  const version = (existing?.version ?? 0) + 1;
  const stored: StoredVersion = {
    name,
    version,
    value,
    type,
    ...(keyId ? { keyId, ciphertext: encryptForDisplay(ctx.account, keyId, value) } : {}),
    description: input.Description ?? previous?.description,
    allowedPattern,
    tier: pickTier(input.Tier, previous?.tier, Buffer.byteLength(value, 'utf8'), name),
    dataType: input.DataType ?? previous?.dataType ?? 'text',
    policies: input.Policies ?? previous?.policies,
    modifiedAt: ctx.clock.now(),
    modifiedBy: ctx.principalArn,
    labels: [],
  };
  // A parameter keeps its last 100 versions; the oldest goes unless a label pins it.
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-versions.html
  if (existing) {
    const versions = allVersions(ctx, name);
    if (versions.length >= MAX_VERSIONS) {
      const oldest = versions[0];
      if (oldest.labels.length) throw versionLimit(name, oldest.version);
      deleteVersion(ctx, name, oldest.version);
    }
  }
  saveVersion(ctx, stored);
  if (input.Tags?.length) putTags(ctx, parameterArn(ctx, name), input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { Version: version, Tier: stored.tier };
}

export function getParameter(ctx: RequestContext, input: GetParameterRequest): GetParameterResult {
  const given = input.Name!;
  if (isSecretReference(given)) return { Parameter: secretAsParameter(ctx, given, input.WithDecryption) };
  const v = resolveRef(ctx, given);
  return { Parameter: toParameter(ctx, v, input.WithDecryption, parseRef(ctx, given)?.selector) };
}

export function getParameters(ctx: RequestContext, input: GetParametersRequest): GetParametersResult {
  const names = input.Names ?? [];
  if (names.length > 10) throw constraint(names, 'names', 'Member must have length less than or equal to 10.');
  if (names.length < 1) throw constraint(names, 'names', 'Member must have length greater than or equal to 1.');
  const Parameters: Parameter[] = [];
  const InvalidParameters: string[] = [];
  for (const given of new Set(names)) {
    if (isSecretReference(given)) {
      Parameters.push(secretAsParameter(ctx, given, input.WithDecryption));
      continue;
    }
    const v = tryResolveRef(ctx, given);
    if (v) Parameters.push(toParameter(ctx, v, input.WithDecryption, parseRef(ctx, given)?.selector));
    else InvalidParameters.push(given);
  }
  return { Parameters, InvalidParameters };
}

const PATH_RULES =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

export function getParametersByPath(ctx: RequestContext, input: GetParametersByPathRequest): GetParametersByPathResult {
  const path = input.Path!;
  if (!path.startsWith('/') || !/^[a-zA-Z0-9_.\-/]+$/.test(path)) throw validation(PATH_RULES);
  if (path.split('/').filter(Boolean).length > 15) throw validation(PATH_RULES);
  checkFilters(input.ParameterFilters, 'by-path');
  const limit = pageSize(input.MaxResults, 10);
  const after = decodeToken(input.NextToken, invalidNextToken);
  const out: Parameter[] = [];
  let last: string | undefined;
  let more = false;
  // Under /aws/ are AWS's public parameters only (nobody can create a parameter there).
  const candidates: { name: string; versions: () => StoredVersion[] }[] = isPublicName(path.endsWith('/') ? path : `${path}/`)
    ? publicParameters(ctx.region).map((v) => ({ name: v.name, versions: () => [v] }))
    : allParameters(ctx).map((p) => ({ name: p.name, versions: () => allVersions(ctx, p.name) }));
  for (const p of candidates) {
    if (after !== undefined && p.name <= after) continue;
    if (!isUnderPath(p.name, path, !!input.Recursive)) continue;
    const all = p.versions();
    const picked = applyFilters(ctx, { version: all[all.length - 1], all }, input.ParameterFilters);
    if (!picked) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push(toParameter(ctx, picked.version, input.WithDecryption));
    last = p.name;
  }
  return { Parameters: out, ...(more && last !== undefined ? { NextToken: encodeToken(last) } : {}) };
}

export function deleteParameter(ctx: RequestContext, input: DeleteParameterRequest): DeleteParameterResult {
  const name = input.Name!;
  if (findPublicParameter(ctx.region, name)) throw reservedName(name);
  if (!findParameter(ctx, name)) throw parameterNotFound(name);
  dropParameter(ctx, name);
  dropAllTags(ctx, parameterArn(ctx, name));
  return {};
}

export function deleteParameters(ctx: RequestContext, input: DeleteParametersRequest): DeleteParametersResult {
  const names = input.Names ?? [];
  if (names.length > 10) throw constraint(names, 'names', 'Member must have length less than or equal to 10.');
  const DeletedParameters: string[] = [];
  const InvalidParameters: string[] = [];
  for (const name of new Set(names)) {
    if (findParameter(ctx, name)) {
      dropParameter(ctx, name);
      dropAllTags(ctx, parameterArn(ctx, name));
      DeletedParameters.push(name);
    } else InvalidParameters.push(name);
  }
  return { DeletedParameters, InvalidParameters };
}
