/**
 * Images through the ECR Public API: DescribeImages, DescribeImageTags, BatchDeleteImage, PutImage. The registry's
 * image rules (ECR's store: manifests, references, tags) do the storing in the public namespace, so a docker push
 * to the public registry and a PutImage obey the same rules.
 */
import type {
  BatchDeleteImageRequest, BatchDeleteImageResponse, DescribeImagesRequest, DescribeImagesResponse,
  DescribeImageTagsRequest, DescribeImageTagsResponse, ImageDetail, ImageFailure, ImageIdentifier, PutImageRequest, PutImageResponse,
} from '@aws-sdk/client-ecr-public';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { RegistryError } from '../../registry/errors.js';
import { TAG_RE } from '../../registry/names.js';
import {
  deleteImage, deleteManifestRow, deleteTag, digestForTag, getManifest, listManifests, parentIndexes, putManifest, resolveManifest,
  tagDetails, tagsOf, type ManifestRow, type RepoRow,
} from '../ecr/store/index.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, pageSize, requireRepo } from './common.js';
import { imageNotFound, invalidParameter } from './errors.js';
import { registryRepo } from './store.js';

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
  };
}

const idText = (id: ImageIdentifier) => `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;

/** The manifest an image id names; undefined if absent or if tag and digest disagree. */
function lookup(ctx: RequestContext, repo: RepoRow, id: ImageIdentifier): ManifestRow | undefined {
  if (id.imageDigest) {
    const m = isDigest(id.imageDigest) ? getManifest(ctx.sql, repo, id.imageDigest) : undefined;
    if (m && id.imageTag && digestForTag(ctx.sql, repo, id.imageTag) !== m.digest) return undefined;
    return m;
  }
  return id.imageTag ? resolveManifest(ctx.sql, repo, id.imageTag) : undefined;
}

export function describeImages(ctx: RequestContext, input: DescribeImagesRequest): DescribeImagesResponse {
  const repo = registryRepo(requireRepo(ctx, input));
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
  const all = listManifests(ctx.sql, repo, 0, Number.MAX_SAFE_INTEGER);
  const limit = pageSize(input.maxResults);
  const start = decodeToken(input.nextToken);
  return {
    imageDetails: all.slice(start, start + limit).map((m) => detail(ctx, repo, m)),
    ...(all.length > start + limit ? { nextToken: encodeToken(start + limit) } : {}),
  };
}

export function describeImageTags(ctx: RequestContext, input: DescribeImageTagsRequest): DescribeImageTagsResponse {
  const repo = registryRepo(requireRepo(ctx, input));
  const all = tagDetails(ctx.sql, repo);
  const limit = pageSize(input.maxResults);
  const start = decodeToken(input.nextToken);
  return {
    imageTagDetails: all.slice(start, start + limit).map((t) => {
      const m = getManifest(ctx.sql, repo, t.digest)!;
      return {
        imageTag: t.tag,
        createdAt: new Date(t.updatedAt),
        imageDetail: {
          imageDigest: m.digest, imageSizeInBytes: m.imageSize, imagePushedAt: new Date(m.pushedAt), imageManifestMediaType: m.mediaType,
          ...(m.artifactType ? { artifactMediaType: m.artifactType } : {}),
        },
      };
    }),
    ...(all.length > start + limit ? { nextToken: encodeToken(start + limit) } : {}),
  };
}

/** Why an image id fails, in BatchDeleteImage's failure codes; undefined if it resolves. */
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

export function batchDeleteImage(ctx: RequestContext, input: BatchDeleteImageRequest): BatchDeleteImageResponse {
  const repo = registryRepo(requireRepo(ctx, input));
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
      // Removing a tag; the image goes with its last tag (unless an index still lists it), as on ECR.
      deleteTag(ctx.sql, repo, id.imageTag!);
      if (!tagsOf(ctx.sql, repo, m.digest).length && !parentIndexes(ctx.sql, repo, m.digest).length) deleteManifestRow(ctx.sql, repo, m.digest);
      imageIds.push({ imageDigest: m.digest, imageTag: id.imageTag });
      continue;
    }
    try {
      const tags = deleteImage(ctx.sql, repo, m.digest);
      if (tags.length) imageIds.push(...tags.map((imageTag) => ({ imageDigest: m.digest, imageTag })));
      else imageIds.push({ imageDigest: m.digest });
    } catch (err) {
      if (!(err instanceof RegistryError) || err.kind !== 'referenced-by-index') throw err;
      failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: 'Requested image is referenced by an image index' });
    }
  }
  return { imageIds, failures };
}

/** How the registry's refusal of a manifest reads through the API (the names ECR Public shares with ECR). */
function fromRegistryError(err: RegistryError, repo: RepoRow): AwsError {
  const digests = (err.detail as { digests?: string[] } | undefined)?.digests ?? [];
  switch (err.kind) {
    case 'unchanged-image': return new AwsError('ImageAlreadyExistsException', err.message);
    case 'immutable-tag': return new AwsError('ImageTagAlreadyExistsException', err.message);
    case 'missing-layers':
      return new AwsError('LayersNotFoundException', `Layers with digests '[${digests.join(', ')}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${repo.account}' do not exist`);
    case 'missing-manifests':
      return new AwsError('ReferencedImagesNotFoundException', `Manifests with digests '[${digests.join(', ')}]' referenced by the manifest list do not exist in the repository with name '${repo.name}'`);
    case 'digest-mismatch': return new AwsError('ImageDigestDoesNotMatchException', err.message);
    default: return invalidParameter(`Invalid parameter at 'imageManifest' failed to satisfy constraint: '${err.message}'`);
  }
}

export function putImage(ctx: RequestContext, input: PutImageRequest): PutImageResponse {
  const repo = registryRepo(requireRepo(ctx, input));
  if (input.imageTag !== undefined && !TAG_RE.test(input.imageTag)) {
    throw invalidParameter(`Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '${TAG_RE.source}''`);
  }
  if (input.imageDigest !== undefined && !isDigest(input.imageDigest)) {
    throw invalidParameter("Invalid parameter at 'imageDigest' failed to satisfy constraint: 'Invalid digest'");
  }
  try {
    const { digest, manifest } = putManifest(ctx.sql, ctx.clock.now(), repo, {
      body: Buffer.from(input.imageManifest ?? '', 'utf8'),
      contentType: input.imageManifestMediaType,
      tag: input.imageTag,
      digest: input.imageDigest,
      unchangedIsError: true,
    });
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
