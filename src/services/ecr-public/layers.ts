/**
 * The layer API: BatchCheckLayerAvailability and the three-step upload (InitiateLayerUpload, UploadLayerPart,
 * CompleteLayerUpload). It writes to the registry's blob store and upload sessions, as ECR's does, so a layer
 * uploaded here is pushable by manifest (PutImage, or a docker push to the public registry).
 */
import type {
  BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse, CompleteLayerUploadRequest, CompleteLayerUploadResponse,
  InitiateLayerUploadRequest, InitiateLayerUploadResponse, Layer, LayerFailure, UploadLayerPartRequest, UploadLayerPartResponse,
} from '@aws-sdk/client-ecr-public';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { RegistryError } from '../../registry/errors.js';
import { repoBlobSize, type RepoRow } from '../ecr/store/index.js';
import type { RequestContext } from '../provider.js';
import { registryOf, requireRepo } from './common.js';
import { invalidParameter, uploadNotFound } from './errors.js';
import { registryRepo } from './store.js';

/** The part size InitiateLayerUpload recommends (ECR Public's quota: parts of 5 to 10 MiB). */
const PART_SIZE = 10 * 1024 * 1024;
const LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export function batchCheckLayerAvailability(ctx: RequestContext, input: BatchCheckLayerAvailabilityRequest): BatchCheckLayerAvailabilityResponse {
  const repo = registryRepo(requireRepo(ctx, input));
  const layers: Layer[] = [];
  const failures: LayerFailure[] = [];
  for (const layerDigest of input.layerDigests ?? []) {
    if (!isDigest(layerDigest)) {
      failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
      continue;
    }
    const size = repoBlobSize(ctx.sql, repo, layerDigest);
    if (size === undefined) failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: 'Could not find the requested layer' });
    else layers.push({ layerDigest, layerAvailability: 'AVAILABLE', layerSize: size, mediaType: LAYER_MEDIA_TYPE });
  }
  return { layers, failures };
}

export function initiateLayerUpload(ctx: RequestContext, input: InitiateLayerUploadRequest): InitiateLayerUploadResponse {
  const repo = registryRepo(requireRepo(ctx, input));
  const session = registryOf(ctx).blobs.startUploadSync(repo);
  return { uploadId: session.id, partSize: PART_SIZE };
}

function session(ctx: RequestContext, repo: RepoRow, uploadId: string | undefined) {
  const s = uploadId ? registryOf(ctx).blobs.findUpload(uploadId) : undefined;
  if (!s || s.repo.account !== repo.account || s.repo.region !== repo.region || s.repo.name !== repo.name) {
    throw uploadNotFound(uploadId ?? '', repo.name, repo.account);
  }
  return s;
}

export function uploadLayerPart(ctx: RequestContext, input: UploadLayerPartRequest): UploadLayerPartResponse {
  const repo = registryRepo(requireRepo(ctx, input));
  const s = session(ctx, repo, input.uploadId);
  const bytes = input.layerPartBlob ?? new Uint8Array();
  const first = input.partFirstByte ?? -1;
  const last = input.partLastByte ?? -1;
  if (first !== s.size || last < first || last - first + 1 !== bytes.length) {
    throw new AwsError('InvalidLayerPartException', `The layer part with range ${first}-${last} is not valid: the upload has ${s.size} bytes and the part has ${bytes.length}.`, {
      fields: { registryId: repo.account, repositoryName: repo.name, uploadId: s.id, lastValidByteReceived: s.size - 1 },
    });
  }
  registryOf(ctx).blobs.appendSync(s, bytes);
  return { registryId: repo.account, repositoryName: repo.name, uploadId: s.id, lastByteReceived: s.size - 1 };
}

export function completeLayerUpload(ctx: RequestContext, input: CompleteLayerUploadRequest): CompleteLayerUploadResponse {
  const repo = registryRepo(requireRepo(ctx, input));
  const s = session(ctx, repo, input.uploadId);
  const digest = (input.layerDigests ?? []).find((d) => d.startsWith('sha256:'));
  if (!digest || !isDigest(digest)) throw invalidParameter("Invalid parameter at 'layerDigests' failed to satisfy constraint: 'must contain a sha256 digest'");
  if (s.size === 0) throw new AwsError('EmptyUploadException', `The upload with id '${s.id}' does not contain any layer parts.`);
  const blobs = registryOf(ctx).blobs;
  if (repoBlobSize(ctx.sql, repo, digest) !== undefined) {
    blobs.cancelSync(s);
    throw new AwsError('LayerAlreadyExistsException', `The layer with digest '${digest}' already exists in the repository with name '${repo.name}' in registry with id '${repo.account}'`);
  }
  try {
    blobs.finishSync(s, digest);
  } catch (err) {
    if (err instanceof RegistryError && err.kind === 'digest-mismatch') {
      throw new AwsError('InvalidLayerException', `The layer digest '${digest}' does not match the uploaded content.`);
    }
    throw err;
  }
  return { registryId: repo.account, repositoryName: repo.name, uploadId: s.id, layerDigest: digest };
}
