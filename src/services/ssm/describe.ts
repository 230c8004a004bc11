/** DescribeParameters and GetParameterHistory: metadata pages and every version. */
import type {
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  ParameterHistory,
  ParameterInlinePolicy,
  ParameterMetadata,
} from '@aws-sdk/client-ssm';
import type { RequestContext } from '../provider.js';
import { invalidNextToken, parameterNotFound, validation } from './errors.js';
import { applyFilters, checkFilters, legacyFilters } from './filters.js';
import { decodeToken, encodeToken, pageSize, parameterArn, parseRef } from './names.js';
import { allParameters, allVersions, findParameter, type StoredVersion } from './store.js';

/** Policies as SSM reports them: one entry per policy in the JSON array PutParameter took. */
function policiesOf(raw: string | undefined): ParameterInlinePolicy[] | undefined {
  if (!raw) return undefined;
  try {
    const list = JSON.parse(raw);
    if (!Array.isArray(list)) return undefined;
    return list.map((p) => ({ PolicyText: JSON.stringify(p), PolicyType: String(p?.Type ?? ''), PolicyStatus: 'Pending' }));
  } catch {
    return undefined;
  }
}

function metadataOf(ctx: RequestContext, v: StoredVersion): ParameterMetadata {
  const policies = policiesOf(v.policies);
  return {
    Name: v.name,
    ARN: parameterArn(ctx, v.name),
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: new Date(v.modifiedAt),
    LastModifiedUser: v.modifiedBy,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: policies ?? [],
    DataType: v.dataType,
  };
}

export function describeParameters(ctx: RequestContext, input: DescribeParametersRequest): DescribeParametersResult {
  if (input.Filters?.length && input.ParameterFilters?.length) {
    throw validation('You can use either Filters or ParameterFilters in a single request.');
  }
  const filters = input.ParameterFilters?.length ? input.ParameterFilters : legacyFilters(input.Filters);
  checkFilters(filters, 'describe');
  const limit = pageSize(input.MaxResults, 10);
  const after = decodeToken(input.NextToken, invalidNextToken);
  const out: ParameterMetadata[] = [];
  let last: string | undefined;
  let more = false;
  for (const p of allParameters(ctx)) {
    if (after !== undefined && p.name <= after) continue;
    const all = allVersions(ctx, p.name);
    if (!applyFilters(ctx, { version: all[all.length - 1], all }, filters)) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push(metadataOf(ctx, all[all.length - 1]));
    last = p.name;
  }
  return { Parameters: out, ...(more && last !== undefined ? { NextToken: encodeToken(last) } : {}) };
}

export function getParameterHistory(ctx: RequestContext, input: GetParameterHistoryRequest): GetParameterHistoryResult {
  const ref = parseRef(ctx, input.Name!);
  if (!ref || ref.selector !== undefined || !findParameter(ctx, ref.name)) throw parameterNotFound(input.Name!);
  const limit = pageSize(input.MaxResults, 50);
  const after = decodeToken(input.NextToken, invalidNextToken);
  const versions = allVersions(ctx, ref.name).filter((v) => after === undefined || v.version > Number(after));
  const page = versions.slice(0, limit);
  const Parameters: ParameterHistory[] = page.map((v) => {
    const { ARN: _arn, ...meta } = metadataOf(ctx, v);
    return {
      ...meta,
      Value: v.type === 'SecureString' && !input.WithDecryption ? v.ciphertext : v.value,
      Labels: v.labels,
    };
  });
  return {
    Parameters,
    ...(versions.length > limit ? { NextToken: encodeToken(String(page[page.length - 1].version)) } : {}),
  };
}
