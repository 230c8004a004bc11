/**
 * Managed signing: PutSigningConfiguration, GetSigningConfiguration,
 * DeleteSigningConfiguration (validated and stored per registry, as ECR
 * does) and DescribeImageSigningStatus. Berth has no AWS Signer, so nothing
 * is ever signed: an image's signing statuses are always an empty list.
 * Signatures pushed by clients (notation, cosign) are ordinary referrers.
 */
import type {
  DeleteSigningConfigurationRequest, DeleteSigningConfigurationResponse, DescribeImageSigningStatusRequest,
  DescribeImageSigningStatusResponse, GetSigningConfigurationRequest, GetSigningConfigurationResponse,
  PutSigningConfigurationRequest, PutSigningConfigurationResponse, SigningConfiguration,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { resolveManifest } from './store/images.js';
import { digestForTag, getManifest } from './store/manifests.js';
import { deleteSigningConfig, getSigningConfig, putSigningConfig } from './store/settings.js';
import type { RequestContext } from '../provider.js';
import { requireRepo } from './common.js';
import { imageNotFound } from './errors.js';

// The model's constraints (botocore's ecr service-2.json).
const PROFILE_RE = /^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$/;
const FILTER_RE = /^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*\/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$/;
const MAX_RULES = 10;
const MAX_FILTERS = 100;

const invalid = (value: unknown, field: string, rule: string) =>
  new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`);

function checkConfiguration(config: SigningConfiguration | undefined): SigningConfiguration {
  const rules = config?.rules;
  if (!rules) throw invalid(null, 'signingConfiguration.rules', 'Member must not be null');
  if (rules.length > MAX_RULES) throw invalid(`[${rules.length} rules]`, 'signingConfiguration.rules', `Member must have length less than or equal to ${MAX_RULES}`);
  return {
    rules: rules.map((r, i) => {
      const at = `signingConfiguration.rules.${i + 1}.member`;
      const arn = r.signingProfileArn ?? '';
      if (arn.length > 200 || !PROFILE_RE.test(arn)) throw invalid(arn, `${at}.signingProfileArn`, `Member must satisfy regular expression pattern: ${PROFILE_RE.source}`);
      const filters = r.repositoryFilters;
      if (filters && (filters.length < 1 || filters.length > MAX_FILTERS)) {
        throw invalid(`[${filters.length} filters]`, `${at}.repositoryFilters`, `Member must have length between 1 and ${MAX_FILTERS}`);
      }
      for (const [j, f] of (filters ?? []).entries()) {
        const fat = `${at}.repositoryFilters.${j + 1}.member`;
        if (f.filterType !== 'WILDCARD_MATCH') throw invalid(f.filterType, `${fat}.filterType`, 'Member must satisfy enum value set: [WILDCARD_MATCH]');
        const v = f.filter ?? '';
        if (v.length < 1 || v.length > 256 || !FILTER_RE.test(v)) throw invalid(v, `${fat}.filter`, `Member must satisfy regular expression pattern: ${FILTER_RE.source}`);
      }
      return { signingProfileArn: arn, ...(filters ? { repositoryFilters: filters.map((f) => ({ filter: f.filter, filterType: f.filterType })) } : {}) };
    }),
  };
}

const notFound = (account: string) =>
  new AwsError('SigningConfigurationNotFoundException', `Signing configuration does not exist in the registry with id '${account}'`);

export function putSigningConfiguration(ctx: RequestContext, input: PutSigningConfigurationRequest): PutSigningConfigurationResponse {
  const signingConfiguration = checkConfiguration(input.signingConfiguration);
  putSigningConfig(ctx, signingConfiguration);
  return { signingConfiguration };
}

export function getSigningConfiguration(ctx: RequestContext, _input: GetSigningConfigurationRequest): GetSigningConfigurationResponse {
  const signingConfiguration = getSigningConfig(ctx);
  if (!signingConfiguration) throw notFound(ctx.account);
  return { registryId: ctx.account, signingConfiguration };
}

export function deleteSigningConfiguration(ctx: RequestContext, _input: DeleteSigningConfigurationRequest): DeleteSigningConfigurationResponse {
  const signingConfiguration = getSigningConfig(ctx);
  if (!signingConfiguration) throw notFound(ctx.account);
  deleteSigningConfig(ctx);
  return { registryId: ctx.account, signingConfiguration };
}

export function describeImageSigningStatus(ctx: RequestContext, input: DescribeImageSigningStatusRequest): DescribeImageSigningStatusResponse {
  const repo = requireRepo(ctx, input, 'ecr:DescribeImageSigningStatus');
  const id = input.imageId ?? {};
  const m = id.imageDigest
    ? (isDigest(id.imageDigest) ? getManifest(ctx.sql, repo, id.imageDigest) : undefined)
    : id.imageTag ? resolveManifest(ctx.sql, repo, id.imageTag) : undefined;
  if (!m || (id.imageDigest && id.imageTag && digestForTag(ctx.sql, repo, id.imageTag) !== m.digest)) {
    throw imageNotFound(`The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`);
  }
  return {
    repositoryName: repo.name,
    imageId: { imageDigest: m.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
    registryId: repo.account,
    signingStatuses: [],
  };
}
