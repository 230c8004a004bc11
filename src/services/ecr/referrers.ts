/**
 * ListImageReferrers: the artifacts (signatures, SBOMs, attestations) whose
 * manifest names an image as its OCI 1.1 `subject` — what the registry's
 * referrers API (GET /v2/<name>/referrers/<digest>) lists, as ECR shapes it.
 * Berth has no archive storage class, so every referrer is ACTIVE.
 */
import type { ImageReferrer, ListImageReferrersRequest, ListImageReferrersResponse } from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { referrers } from './store/manifests.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, pageSize, requireRepo } from './common.js';
import { invalidParameter } from './errors.js';

const STATUS_FILTERS = ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'];
/** "This value can be between 1 and 50. If this parameter is not used, then ListImageReferrers returns up to 20 results." */
const MAX_RESULTS = 50;
const DEFAULT_RESULTS = 20;

export function listImageReferrers(ctx: RequestContext, input: ListImageReferrersRequest): ListImageReferrersResponse {
  const repo = requireRepo(ctx, input, 'ecr:ListImageReferrers');
  const subject = input.subjectId?.imageDigest;
  if (!subject || !isDigest(subject)) {
    throw invalidParameter("Invalid parameter at 'subjectId.imageDigest' failed to satisfy constraint: 'Invalid digest'");
  }
  const status = input.filter?.artifactStatus ?? 'ACTIVE';
  if (!STATUS_FILTERS.includes(status)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${status}' at 'filter.artifactStatus' failed to satisfy constraint: Member must satisfy enum value set: [${STATUS_FILTERS.join(', ')}]`);
  }
  const types = input.filter?.artifactTypes;
  if (types && types.length > 5) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'filter.artifactTypes' failed to satisfy constraint: Member must have length less than or equal to 5");
  }
  const limit = input.maxResults === undefined ? DEFAULT_RESULTS : pageSize(input.maxResults, MAX_RESULTS);

  const all: ImageReferrer[] = [];
  // Nothing is ever archived here: asking for ARCHIVED or ACTIVATING artifacts finds none.
  if (status === 'ACTIVE' || status === 'ANY') {
    for (const m of referrers(ctx.sql, repo, subject)) {
      const artifactType = m.artifactType ?? undefined;
      if (types?.length && !(artifactType && types.includes(artifactType))) continue;
      const { annotations } = JSON.parse(m.body.toString('utf8')) as { annotations?: Record<string, string> };
      all.push({
        digest: m.digest,
        mediaType: m.mediaType,
        ...(artifactType ? { artifactType } : {}),
        size: m.body.length,
        ...(annotations && typeof annotations === 'object' ? { annotations } : {}),
        artifactStatus: 'ACTIVE',
      });
    }
  }
  const start = decodeToken(input.nextToken);
  return {
    referrers: all.slice(start, start + limit),
    nextToken: all.length > start + limit ? encodeToken(start + limit) : undefined,
  };
}
