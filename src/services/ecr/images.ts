/**
 * Images through the ECR API: ListImages, DescribeImages, BatchGetImage,
 * BatchDeleteImage and PutImage (the retag recipe: BatchGetImage's manifest
 * put back under a new tag). The registry's own image logic (images.ts in
 * src/registry) does the storing, so a push and a PutImage obey the same rules.
 */
import type {
  BatchDeleteImageRequest, BatchDeleteImageResponse, BatchGetImageRequest, BatchGetImageResponse,
  DescribeImagesRequest, DescribeImagesResponse, Image, ImageDetail, ImageFailure, ImageIdentifier,
  ListImagesRequest, ListImagesResponse, PutImageRequest, PutImageResponse, UpdateImageStorageClassRequest,
  UpdateImageStorageClassResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { RegistryError } from '../../registry/errors.js';
import { appendImageAction, deleteImage, putManifest, resolveManifest } from './store/images.js';
import { translateManifest } from '../../registry/manifest-format.js';
import { deleteManifestRow, deleteTag, digestForTag, getManifest, listManifests, parentIndexes, setImageStatus, tagsOf, touchPull, type ManifestRow } from './store/manifests.js';
import { type RepoRow } from './store/repositories.js';
import { TAG_RE } from '../../registry/names.js';
import { queueReplication } from './store/replication.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, pageSize, requireRepo, requireRepoForPush } from './common.js';
import { fromRegistryError, imageNotFound, invalidParameter } from './errors.js';
import { pullTimeExcluded } from './account-settings.js';
import { scanDetail } from './scanning.js';

const allManifests = (ctx: RequestContext, repo: RepoRow) => listManifests(ctx.sql, repo, 0, Number.MAX_SAFE_INTEGER);

/**
 * The imageStatus filter of ListImages and DescribeImages: ACTIVE when unset,
 * as on ECR (archived images are listed only when asked for). Berth restores
 * at once, so nothing is ever ACTIVATING.
 */
function statusFilter(status: string | undefined): (m: ManifestRow) => boolean {
  const wanted = status ?? 'ACTIVE';
  return (m) => wanted === 'ANY' || m.imageStatus === wanted;
}

export function listImages(ctx: RequestContext, input: ListImagesRequest): ListImagesResponse {
  const repo = requireRepo(ctx, input, 'ecr:ListImages');
  const status = input.filter?.tagStatus ?? 'ANY';
  const inStatus = statusFilter(input.filter?.imageStatus);
  const ids: ImageIdentifier[] = [];
  for (const m of allManifests(ctx, repo).filter(inStatus)) {
    const tags = tagsOf(ctx.sql, repo, m.digest);
    if (tags.length && status !== 'UNTAGGED') ids.push(...tags.map((imageTag) => ({ imageDigest: m.digest, imageTag })));
    if (!tags.length && status !== 'TAGGED') ids.push({ imageDigest: m.digest });
  }
  const limit = pageSize(input.maxResults);
  const start = decodeToken(input.nextToken);
  return {
    imageIds: ids.slice(start, start + limit),
    nextToken: ids.length > start + limit ? encodeToken(start + limit) : undefined,
  };
}

function detail(ctx: RequestContext, repo: RepoRow, m: ManifestRow): ImageDetail {
  const tags = tagsOf(ctx.sql, repo, m.digest);
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    imageDigest: m.digest,
    ...(tags.length ? { imageTags: tags } : {}),
    imageSizeInBytes: m.imageSize,
    imagePushedAt: new Date(m.pushedAt),
    imageManifestMediaType: m.mediaType,
    ...(m.artifactType ? { artifactMediaType: m.artifactType } : {}),
    ...(m.lastPulledAt ? { lastRecordedPullTime: new Date(m.lastPulledAt) } : {}),
    ...(m.subject ? { subjectManifestDigest: m.subject } : {}),
    ...scanDetail(ctx, repo, m.digest),
    imageStatus: m.imageStatus,
    ...(m.lastArchivedAt ? { lastArchivedAt: new Date(m.lastArchivedAt) } : {}),
    ...(m.lastActivatedAt ? { lastActivatedAt: new Date(m.lastActivatedAt) } : {}),
  };
}

const idText = (id: ImageIdentifier) => `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;

export function describeImages(ctx: RequestContext, input: DescribeImagesRequest): DescribeImagesResponse {
  const repo = requireRepo(ctx, input, 'ecr:DescribeImages');
  const inStatus = statusFilter(input.filter?.imageStatus);
  if (input.imageIds?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) throw invalidParameter('Cannot specify imageIds together with maxResults or nextToken.');
    const seen = new Set<string>();
    const imageDetails: ImageDetail[] = [];
    for (const id of input.imageIds) {
      const m = lookup(ctx, repo, id);
      if (!m) {
        throw imageNotFound(`The image with imageId ${idText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`);
      }
      if (!seen.has(m.digest)) imageDetails.push(detail(ctx, repo, m));
      seen.add(m.digest);
    }
    return { imageDetails };
  }
  const status = input.filter?.tagStatus ?? 'ANY';
  const all = allManifests(ctx, repo).filter(inStatus).map((m) => detail(ctx, repo, m)).filter((d) =>
    status === 'ANY' || (status === 'TAGGED' ? !!d.imageTags : !d.imageTags));
  const limit = pageSize(input.maxResults);
  const start = decodeToken(input.nextToken);
  return { imageDetails: all.slice(start, start + limit), nextToken: all.length > start + limit ? encodeToken(start + limit) : undefined };
}

/** The manifest an image id names; undefined if absent or if tag and digest disagree. */
function lookup(ctx: RequestContext, repo: RepoRow, id: ImageIdentifier): ManifestRow | undefined {
  if (id.imageDigest) {
    const m = isDigest(id.imageDigest) ? getManifest(ctx.sql, repo, id.imageDigest) : undefined;
    if (m && id.imageTag && digestForTag(ctx.sql, repo, id.imageTag) !== m.digest) return undefined;
    return m;
  }
  return id.imageTag ? resolveManifest(ctx.sql, repo, id.imageTag) : undefined;
}

/** Why an image id fails, in BatchGetImage/BatchDeleteImage's failure codes; undefined if it resolves. */
function failureOf(ctx: RequestContext, repo: RepoRow, id: ImageIdentifier): ImageFailure | undefined {
  if (!id.imageDigest && !id.imageTag) return { imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' };
  if (id.imageDigest && !isDigest(id.imageDigest)) return { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid request parameters: image digest should satisfy the regex' };
  if (id.imageTag && !TAG_RE.test(id.imageTag)) return { imageId: id, failureCode: 'InvalidImageTag', failureReason: 'Invalid request parameters: image tag should satisfy the regex' };
  if (id.imageDigest && id.imageTag) {
    const tagged = digestForTag(ctx.sql, repo, id.imageTag);
    if (tagged && tagged !== id.imageDigest) return { imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid input: Image Tag does not match Image Digest' };
  }
  return lookup(ctx, repo, id) ? undefined : { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
}

/**
 * The manifest in a media type the caller accepts: as stored when it is
 * accepted (or nothing was said); else, for a request by tag, ECR's
 * translation between Docker schema 2 and OCI. By digest ECR never
 * translates: the stored manifest comes back whatever was asked
 * (aws/containers-roadmap#1075). Undefined when no accepted form exists.
 */
function inAcceptedType(m: ManifestRow, id: ImageIdentifier, accepted: string[] | undefined): { body: Buffer; mediaType: string } | undefined {
  if (!accepted?.length || accepted.includes(m.mediaType) || id.imageDigest) return { body: m.body, mediaType: m.mediaType };
  return translateManifest(m.body, m.mediaType, accepted);
}

export function batchGetImage(ctx: RequestContext, input: BatchGetImageRequest): BatchGetImageResponse {
  const repo = requireRepo(ctx, input, 'ecr:BatchGetImage');
  const accepted = input.acceptedMediaTypes;
  if (accepted !== undefined && (accepted.length < 1 || accepted.length > 100)) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'acceptedMediaTypes' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1");
  }
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds ?? []) {
    const failure = failureOf(ctx, repo, id);
    if (failure) {
      failures.push(failure);
      continue;
    }
    const m = lookup(ctx, repo, id)!;
    // An archived image cannot be pulled until it is restored (the registry answers 404 too).
    if (m.imageStatus === 'ARCHIVED') {
      failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image is archived; restore it with UpdateImageStorageClass before pulling it' });
      continue;
    }
    const served = inAcceptedType(m, id, accepted);
    if (!served) {
      failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      continue;
    }
    if (!pullTimeExcluded(ctx)) touchPull(ctx.sql, repo, m.digest, ctx.clock.now());
    images.push({
      registryId: repo.account,
      repositoryName: repo.name,
      imageId: { imageDigest: m.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
      imageManifest: served.body.toString('utf8'),
      imageManifestMediaType: served.mediaType,
    });
  }
  return { images, failures };
}

export function batchDeleteImage(ctx: RequestContext, input: BatchDeleteImageRequest): BatchDeleteImageResponse {
  const repo = requireRepo(ctx, input, 'ecr:BatchDeleteImage');
  const imageIds: ImageIdentifier[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds ?? []) {
    const failure = failureOf(ctx, repo, id);
    if (failure) {
      failures.push(failure);
      continue;
    }
    const m = lookup(ctx, repo, id)!;
    if (!id.imageDigest) {
      // Removing a tag; ECR deletes the image with its last tag (unless an index still lists it).
      deleteTag(ctx.sql, repo, id.imageTag!);
      if (!tagsOf(ctx.sql, repo, m.digest).length && !parentIndexes(ctx.sql, repo, m.digest).length) deleteManifestRow(ctx.sql, repo, m.digest);
      appendImageAction(ctx.sql, repo, 'DELETE', m.digest, id.imageTag, Date.now());
      ctx.changed('ecr.image-action', `${repo.account}|${repo.region}`);
      imageIds.push({ imageDigest: m.digest, imageTag: id.imageTag });
      continue;
    }
    try {
      const tags = deleteImage(ctx.sql, repo, m.digest);
      ctx.changed('ecr.image-action', `${repo.account}|${repo.region}`);
      if (tags.length) imageIds.push(...tags.map((imageTag) => ({ imageDigest: m.digest, imageTag })));
      else imageIds.push({ imageDigest: m.digest });
    } catch (err) {
      if (!(err instanceof RegistryError) || err.kind !== 'referenced-by-index') throw err;
      failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: 'Requested image is referenced by an image index' });
    }
  }
  return { imageIds, failures };
}

/** Whether a manifest's JSON names its own media type (a top-level `mediaType` string). */
function declaresMediaType(manifest: string | undefined): boolean {
  try {
    const doc = JSON.parse(manifest ?? '');
    return !!doc && typeof doc === 'object' && typeof doc.mediaType === 'string' && doc.mediaType !== '';
  } catch {
    return false;
  }
}

export function putImage(ctx: RequestContext, input: PutImageRequest): PutImageResponse {
  const repo = requireRepoForPush(ctx, input, 'ecr:PutImage');
  if (input.imageTag !== undefined && !TAG_RE.test(input.imageTag)) {
    throw invalidParameter(`Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '${TAG_RE.source}''`);
  }
  if (input.imageDigest !== undefined && !isDigest(input.imageDigest)) {
    throw invalidParameter("Invalid parameter at 'imageDigest' failed to satisfy constraint: 'Invalid digest'");
  }
  const body = Buffer.from(input.imageManifest ?? '', 'utf8');
  if (!input.imageManifestMediaType && !declaresMediaType(input.imageManifest)) {
    // "If you push an image manifest that does not contain the mediaType field, you must specify the
    // imageManifestMediaType in the request": ECR refuses it as it refuses unparsable JSON.
    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html
    throw invalidParameter("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  }
  try {
    const { digest, manifest, scanKey } = putManifest(ctx.sql, ctx.clock.now(), repo, {
      body,
      contentType: input.imageManifestMediaType,
      tag: input.imageTag,
      digest: input.imageDigest,
      unchangedIsError: true,
    });
    // ECR replication: queued with the image, run by the ecr-replication controller after commit.
    const replication = queueReplication(ctx.sql, ctx.clock.now(), repo, digest);
    if (replication) ctx.changed('ecr.replication', replication);
    if (scanKey) ctx.changed('ecr.image-scan', scanKey);
    ctx.changed('ecr.image-action', `${repo.account}|${repo.region}`);
    return {
      image: {
        registryId: repo.account,
        repositoryName: repo.name,
        imageId: { imageDigest: digest, ...(input.imageTag ? { imageTag: input.imageTag } : {}) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: manifest.mediaType,
      },
    };
  } catch (err) {
    if (err instanceof RegistryError) throw fromRegistryError(err, repo);
    throw err;
  }
}

/**
 * ECR archive: ARCHIVE moves an ACTIVE image to the archival storage class
 * (still listed and described, with imageStatus ARCHIVED and lastArchivedAt,
 * but not pullable); STANDARD restores an ARCHIVED one. Berth keeps the
 * bytes where they were, so a restore is immediate: the image is ACTIVE
 * (lastActivatedAt) when the call returns, never ACTIVATING.
 */
export function updateImageStorageClass(ctx: RequestContext, input: UpdateImageStorageClassRequest): UpdateImageStorageClassResponse {
  const repo = requireRepo(ctx, input, 'ecr:UpdateImageStorageClass');
  const target = input.targetStorageClass!;
  const id = input.imageId ?? {};
  if (!id.imageDigest && !id.imageTag) throw invalidParameter('Invalid request parameters: both tag and digest cannot be null');
  if (id.imageDigest !== undefined && !isDigest(id.imageDigest)) throw invalidParameter("Invalid parameter at 'imageId.imageDigest' failed to satisfy constraint: 'Invalid digest'");
  if (id.imageTag !== undefined && !TAG_RE.test(id.imageTag)) {
    throw invalidParameter(`Invalid parameter at 'imageId.imageTag' failed to satisfy constraint: 'must satisfy regular expression '${TAG_RE.source}''`);
  }
  const m = lookup(ctx, repo, id);
  if (!m) {
    throw imageNotFound(`The image with imageId ${idText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`);
  }
  const status = target === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVE';
  if (m.imageStatus === status) {
    throw new AwsError(
      'ImageStorageClassUpdateNotSupportedException',
      target === 'ARCHIVE'
        ? `The image with digest '${m.digest}' is already archived in the repository with name '${repo.name}' in the registry with id '${repo.account}'`
        : `The image with digest '${m.digest}' is not archived in the repository with name '${repo.name}' in the registry with id '${repo.account}'; only an archived image can be restored`,
    );
  }
  if (target === 'ARCHIVE' && parentIndexes(ctx.sql, repo, m.digest).length) {
    // An index's platform images go with the index (archive the index itself).
    throw new AwsError(
      'ImageStorageClassUpdateNotSupportedException',
      `The image with digest '${m.digest}' is referenced by an image index in the repository with name '${repo.name}'; archive the index instead`,
    );
  }
  setImageStatus(ctx.sql, repo, m.digest, status, ctx.clock.now());
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    imageId: { imageDigest: m.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
    imageStatus: status,
  };
}
