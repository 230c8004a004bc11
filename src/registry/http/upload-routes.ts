/**
 * Blob uploads: POST starts one (or mounts from another repository, or takes
 * the whole blob with ?digest=), PATCH appends a chunk, PUT ?digest= appends
 * an optional last chunk and commits, GET reports progress, DELETE cancels.
 * Locations are relative (the spec allows it; docker and skopeo resolve them),
 * so they are right whatever Host the client used.
 */
import type { UploadSession } from '../blobs.js';
import { algorithmOf, CANONICAL, isAlgorithm, requireDigest, type DigestAlgorithm } from '../digest.js';
import { RegistryError } from '../errors.js';
import { blobMountingEnabled, getRepo, registryPolicyFor, repositoryGrants } from '../../services/ecr/store/index.js';
import { parseRegistryName } from '../names.js';
import type { RouteContext } from './handler.js';
import { send } from './respond.js';

function uploadHeaders(ctx: RouteContext, s: UploadSession): Record<string, string> {
  return {
    location: `/v2/${ctx.wire}/blobs/uploads/${s.id}`,
    // The spec's Range is inclusive: "0-0" is also what an empty upload reports.
    range: `0-${Math.max(0, s.size - 1)}`,
    'docker-upload-uuid': s.id,
  };
}

function created(ctx: RouteContext, digest: string) {
  send(ctx.res, 201, { location: `/v2/${ctx.wire}/blobs/${digest}`, 'docker-content-digest': digest });
}

/**
 * The repository a mount may take the blob from, as ECR's blob mounting
 * allows it: only with the registry's BLOB_MOUNTING setting ENABLED (off by
 * default), only within one registry (same account and region), between
 * repositories with identical encryption settings. Anything else is
 * undefined: the client gets an ordinary upload, as the distribution spec says.
 */
function mountSource(ctx: RouteContext, from: string) {
  const { sql } = ctx.reg;
  if (!blobMountingEnabled({ sql, account: ctx.repo.account, region: ctx.repo.region })) return undefined;
  const parsed = parseRegistryName(from, ctx.req.headers.host);
  if (!parsed.ok || parsed.repo.account !== ctx.repo.account || parsed.repo.region !== ctx.repo.region) return undefined;
  const repo = getRepo(sql, parsed.repo);
  // A pusher from another account (a policy lets it push here) must also be allowed to read the source.
  const action = 'ecr:GetDownloadUrlForLayer';
  if (!repo || !ctx.caller || (repo.account !== ctx.caller && !repositoryGrants(repo.policy, registryPolicyFor({ sql, ...parsed.repo }, action), ctx.caller, action))) return undefined;
  const a = repo.settings.encryptionConfiguration;
  const b = ctx.repo.settings.encryptionConfiguration;
  return a.encryptionType === b.encryptionType && (a.kmsKey ?? '') === (b.kmsKey ?? '') ? repo : undefined;
}

/**
 * The algorithm an upload hashes while its bytes stream in: the spec's
 * `digest-algorithm` hint (for chunks sent before the client names the
 * digest), else sha256. An algorithm Berth cannot store is refused up front.
 */
function uploadAlgorithm(ctx: RouteContext, mounting?: string): DigestAlgorithm {
  const hint = ctx.query.get('digest-algorithm');
  // A mount that fell back to an upload: the client is about to send that blob.
  if (hint === null) return mounting ? algorithmOf(mounting) : CANONICAL;
  if (isAlgorithm(hint)) return hint;
  throw new RegistryError('DIGEST_INVALID', `unsupported digest algorithm: ${hint}`, { detail: { 'digest-algorithm': hint } });
}

export async function startUpload(ctx: RouteContext): Promise<void> {
  const mount = ctx.query.get('mount');
  const from = ctx.query.get('from');
  let mounting: string | undefined;
  if (mount !== null && from !== null) {
    const digest = mounting = requireDigest(mount);
    const source = mountSource(ctx, from);
    const size = source ? ctx.reg.db.transaction(() => ctx.reg.blobs.mount(source, ctx.repo, digest))() : undefined;
    if (size !== undefined) return created(ctx, digest);
    // Not mountable: the spec says to start an ordinary upload instead.
  }
  const monolithic = ctx.query.get('digest');
  if (monolithic !== null) {
    const digest = requireDigest(monolithic);
    // Single POST: the digest is known before the bytes, so they are hashed in its algorithm.
    const session = await ctx.reg.blobs.startUpload(ctx.repo, algorithmOf(digest));
    await ctx.reg.blobs.append(session, ctx.req);
    await ctx.reg.blobs.finish(session, digest);
    return created(ctx, digest);
  }
  const session = await ctx.reg.blobs.startUpload(ctx.repo, uploadAlgorithm(ctx, mounting));
  send(ctx.res, 202, uploadHeaders(ctx, session));
}

/** Content-Range of a chunk: "<start>-<end>" (OCI), also tolerating "bytes <start>-<end>/<total>". */
function checkContentRange(ctx: RouteContext, s: UploadSession) {
  const header = ctx.req.headers['content-range'];
  if (!header) return;
  const m = /^(?:bytes\s+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  const length = ctx.req.headers['content-length'];
  const ok = m && Number(m[1]) === s.size && Number(m[2]) >= Number(m[1]) &&
    (length === undefined || Number(length) === Number(m[2]) - Number(m[1]) + 1);
  if (!ok) {
    throw new RegistryError('RANGE_INVALID', `chunk ${header} does not continue the upload at byte ${s.size}`, {
      headers: uploadHeaders(ctx, s),
    });
  }
}

export async function patchUpload(ctx: RouteContext): Promise<void> {
  const s = ctx.reg.blobs.upload(ctx.param, ctx.repo);
  checkContentRange(ctx, s);
  await ctx.reg.blobs.append(s, ctx.req);
  send(ctx.res, 202, uploadHeaders(ctx, s));
}

export async function putUpload(ctx: RouteContext): Promise<void> {
  const s = ctx.reg.blobs.upload(ctx.param, ctx.repo);
  const digest = requireDigest(ctx.query.get('digest'));
  checkContentRange(ctx, s);
  await ctx.reg.blobs.append(s, ctx.req);
  await ctx.reg.blobs.finish(s, digest);
  created(ctx, digest);
}

export function uploadStatus(ctx: RouteContext): void {
  const s = ctx.reg.blobs.upload(ctx.param, ctx.repo);
  send(ctx.res, 204, uploadHeaders(ctx, s));
}

export async function cancelUpload(ctx: RouteContext): Promise<void> {
  const s = ctx.reg.blobs.upload(ctx.param, ctx.repo);
  await ctx.reg.blobs.cancel(s);
  send(ctx.res, 204, {});
}
