/**
 * The pull-through cache on the registry's pull path. The /v2/ routes
 * consult it (the `PullThrough` hook) only where they would otherwise miss:
 *
 *   - a pull from a repository that does not exist, whose name a pull through
 *     cache rule covers (`<prefix>/<name>`), gets a stand-in repository; the
 *     real one is created (as ECR does, with default settings) by the first
 *     pull that gets something from upstream;
 *   - a manifest GET/HEAD that misses fetches the manifest from the upstream
 *     registry, verifies it, stores it (and the tag) and serves it; a cached
 *     tag is re-checked upstream at most every 24 hours (ECR's rule), and the
 *     cached image is served when the upstream cannot be reached;
 *   - a blob GET that misses streams the blob from upstream to the client
 *     while writing it through the blob store's upload path (digest verified
 *     before it becomes visible; memory stays flat whatever the layer size);
 *   - as ECR caches the whole image on its first pull, a manifest fetched
 *     from upstream also starts a background fetch of the child manifests and
 *     blobs no client asked for (one download per blob: a client asking for
 *     a blob on its way waits for it and is served from the store).
 *
 * Cached content is then served like any pushed image, upstream or not.
 */
import type { ServerResponse } from 'node:http';
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { arn } from '../shared/arns.js';
import { issueToken } from './auth.js';
import { algorithmOf, digestBytes, isDigest, sha256 } from './digest.js';
import { RegistryError } from './errors.js';
import { API_VERSION_HEADER } from './http/respond.js';
import type { Registry } from './index.js';
import {
  classifyUpstream, createRepositoryFor, getManifest, getRepo, insertManifest, markTagChecked, matchRule, recordUpstreamOutcome, repoBlobSize,
  setTag, TAG_RECHECK_MS, tagCheckedAt, type ManifestRef, type ManifestRow, type PullThroughRule, type RepoRow, type RepositorySettings, type RuleMatch,
} from '../services/ecr/store/index.js';
import { accepts, defaultChild, MANIFEST_TYPES, MAX_MANIFEST_BYTES, parseManifest } from './manifest-format.js';
import type { RepoRef } from './names.js';
import { UpstreamError, UpstreamRegistry, type UpstreamCredentials } from './upstream.js';

/** A blob GET or HEAD the pull through cache may serve: the repository, the method and the response to stream to. */
export interface BlobPull {
  repo: RepoRef;
  head: boolean;
  res: ServerResponse;
}

/** The hook the /v2/ routes consult on a miss. */
export interface PullThrough {
  /** A stand-in for a missing repository a rule covers (created for real on the first successful pull). */
  repository(ref: RepoRef): RepoRow | undefined;
  /** The manifest to serve for a GET/HEAD: `cached`, or fetched from upstream on a miss or a stale tag. */
  manifest(repo: RepoRow, reference: string, cached: ManifestRow | undefined, accept: string | undefined): Promise<ManifestRow | undefined>;
  /** Serves a blob GET the repository lacks from upstream (storing it), or once the cache has it; false when no rule covers the repository. */
  blob(pull: BlobPull, digest: string): Promise<boolean>;
}

/** The credentials of a rule's `credentialArn` (a Secrets Manager secret); throws an Error saying why not. */
export type UpstreamCredentialResolver = (rule: PullThroughRule, now: number) => UpstreamCredentials | undefined;

/** What ECR gives a repository it creates for a pull through cache rule (no creation template). */
const DEFAULT_SETTINGS: RepositorySettings = {
  imageTagMutability: 'MUTABLE',
  imageScanningConfiguration: { scanOnPush: false },
  encryptionConfiguration: { encryptionType: 'AES256' },
};

const ACCEPT_ALL = [...MANIFEST_TYPES].join(', ');
const MAX_CLIENTS = 64;

interface Fetched {
  body: Buffer;
  digest: string;
  mediaType: string;
}

export class UpstreamPullThrough implements PullThrough {
  private readonly clients = new Map<string, UpstreamRegistry>();
  /** Blobs (and whole images) being fetched from upstream, by repository and digest. */
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly manifestsInFlight = new Map<string, Promise<ManifestRow | undefined>>();

  constructor(private readonly reg: Registry, private readonly credentials?: UpstreamCredentialResolver) {}

  repository(ref: RepoRef): RepoRow | undefined {
    if (!matchRule(this.reg.sql, ref)) return undefined;
    return { ...ref, arn: repoArn(ref), createdAt: this.reg.clock.now(), settings: DEFAULT_SETTINGS, policy: null, seq: 0 };
  }

  async manifest(repo: RepoRow, reference: string, cached: ManifestRow | undefined, accept: string | undefined): Promise<ManifestRow | undefined> {
    const byDigest = isDigest(reference);
    if (cached && byDigest) return cached;
    const { sql, clock } = this.reg;
    const match = matchRule(sql, repo);
    if (!match) return cached;
    // Only tags that came from upstream are re-checked there (a tag someone pushed here stays theirs).
    if (cached) {
      const checkedAt = tagCheckedAt(sql, repo, reference);
      if (checkedAt === undefined || clock.now() - checkedAt < TAG_RECHECK_MS) return cached;
    }
    // Concurrent pulls of one reference share one upstream fetch.
    const key = inflightKey(repo, `manifest:${reference}`);
    const pending = this.manifestsInFlight.get(key);
    if (pending) return pending;
    const fetching = this.refresh(repo, reference, cached, accept, match).finally(() => this.manifestsInFlight.delete(key));
    this.manifestsInFlight.set(key, fetching);
    return fetching;
  }

  private async refresh(repo: RepoRow, reference: string, cached: ManifestRow | undefined, accept: string | undefined, match: RuleMatch): Promise<ManifestRow | undefined> {
    const { sql, clock } = this.reg;
    try {
      const upstream = this.client(match);
      if (cached) {
        // Re-check a cached tag cheaply: unchanged upstream → keep serving the cache.
        const head = await upstream.client.request('HEAD', upstream.name, `manifests/${reference}`, ACCEPT_ALL);
        await head.body?.cancel().catch(() => undefined);
        if (head.ok && head.headers.get('docker-content-digest') === cached.digest) {
          this.reg.db.transaction(() => {
            markTagChecked(sql, repo, reference, clock.now());
            recordUpstreamOutcome(sql, match.rule, null);
          })();
          return cached;
        }
      }
      const fetched = await this.fetchManifest(upstream, reference);
      let row = this.store(repo, match, reference, fetched);
      this.completeCache(repo, match, row.digest);
      // A client that cannot read indexes is served the default platform's image: fetch that too.
      if (accept && !accepts(accept, row.mediaType) && parseManifest(row.body, row.mediaType).isIndex) {
        const child = defaultChild(row.body);
        if (child && !getManifest(sql, repo, child.digest)) this.store(repo, match, child.digest, await this.fetchManifest(upstream, child.digest));
        row = getManifest(sql, repo, row.digest) ?? row;
      }
      return row;
    } catch (err) {
      const why = describe(err);
      const notFound = err instanceof UpstreamError && err.kind === 'not-found';
      if (!notFound && this.reg.db.open) this.reg.db.transaction(() => recordUpstreamOutcome(sql, match.rule, why))();
      if (cached) {
        this.reg.log.warn('pull through cache: upstream unavailable, serving the cached image', { repository: repo.name, reference, error: why });
        return cached;
      }
      if (notFound) return undefined;
      if (err instanceof RegistryError) throw err;
      throw new RegistryError('MANIFEST_UNKNOWN', `Unable to get the image '${reference}' from the upstream registry ${match.rule.upstreamRegistryUrl}: ${why}`, {
        detail: { reference, upstream: match.rule.upstreamRegistryUrl },
      });
    }
  }

  async blob(pull: BlobPull, digest: string): Promise<boolean> {
    // Pullers GET blobs; a HEAD is a pusher asking whether to upload (upstream's answer would be wrong here).
    if (pull.head) return false;
    const match = matchRule(this.reg.sql, pull.repo);
    if (!match) return false;
    const key = inflightKey(pull.repo, digest);
    const pending = this.inflight.get(key);
    if (pending) {
      // The cache is fetching this layer already: wait for it, then serve it from the store.
      await pending;
      const size = repoBlobSize(this.reg.sql, pull.repo, digest);
      if (size !== undefined) {
        await this.serveStored(pull, digest, size);
        return true;
      }
    }
    // Claimed before the first await, so a background fetch of the same blob waits for this one.
    let release!: () => void;
    this.track(key, new Promise<void>((resolve) => (release = resolve)));
    try {
      let res: Response;
      try {
        const upstream = this.client(match);
        res = await upstream.client.request('GET', upstream.name, `blobs/${digest}`);
      } catch (err) {
        throw blobUnknown(digest, `Unable to get the layer from the upstream registry ${match.rule.upstreamRegistryUrl}: ${describe(err)}`);
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        throw blobUnknown(digest, res.status === 404 ? undefined : `the upstream registry ${match.rule.upstreamRegistryUrl} answered ${res.status}`);
      }
      const length = res.headers.get('content-length');
      const headers: Record<string, string | number> = {
        'content-type': 'application/octet-stream', 'docker-content-digest': digest, etag: `"${digest}"`,
        ...(length !== null && /^\d+$/.test(length) ? { 'content-length': Number(length) } : {}),
      };
      await this.streamAndStore(pull, digest, Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), headers);
      return true;
    } finally {
      release();
    }
  }

  private async serveStored(pull: BlobPull, digest: string, size: number): Promise<void> {
    const blob = await this.reg.blobs.open(digest);
    pull.res.writeHead(200, {
      ...API_VERSION_HEADER, 'content-type': 'application/octet-stream', 'docker-content-digest': digest, etag: `"${digest}"`, 'content-length': size,
    });
    await blob.copyTo(pull.res);
    pull.res.end();
  }

  /** Remembers work in flight for a key until it settles (waiters never see its error: they check the store). */
  private track(key: string, work: Promise<unknown>): void {
    const settled: Promise<void> = work.then(() => undefined, () => undefined).finally(() => {
      if (this.inflight.get(key) === settled) this.inflight.delete(key);
    });
    this.inflight.set(key, settled);
  }

  /**
   * ECR caches the whole image on its first pull: in the background, fetch
   * the child manifests and blobs clients did not ask for (a docker engine
   * that has some layers already never asks for them).
   */
  private completeCache(repo: RepoRef, match: RuleMatch, digest: string): void {
    const key = inflightKey(repo, `image:${digest}`);
    if (this.inflight.has(key)) return;
    const job = async () => {
      const queue = [digest];
      const seen = new Set<string>();
      while (queue.length && this.reg.db.open) {
        const d = queue.shift()!;
        if (seen.has(d)) continue;
        seen.add(d);
        const m = getManifest(this.reg.sql, repo, d) ?? this.store(repo, match, d, await this.fetchManifest(this.client(match), d));
        const parsed = parseManifest(m.body, m.mediaType);
        queue.push(...parsed.manifests.map((c) => c.digest));
        for (const b of parsed.blobs) await this.cacheBlob(repo, match, b.digest);
      }
    };
    this.track(key, job().catch((err) => {
      if (this.reg.db.open) this.reg.log.warn('pull through cache: could not cache the whole image', { repository: repo.name, digest, error: describe(err) });
    }));
  }

  /** Stores one blob from upstream (no client waiting), unless it is here or on its way. */
  private async cacheBlob(repo: RepoRef, match: RuleMatch, digest: string): Promise<void> {
    const key = inflightKey(repo, digest);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    if (repoBlobSize(this.reg.sql, repo, digest) !== undefined) return;
    const { blobs } = this.reg;
    const job = (async () => {
      const upstream = this.client(match);
      const res = await upstream.client.request('GET', upstream.name, `blobs/${digest}`);
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        throw new UpstreamError('failed', `the upstream registry answered ${res.status} for ${digest}`, res.status);
      }
      const session = await blobs.startUpload(repo, algorithmOf(digest));
      try {
        await blobs.append(session, Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>));
        await blobs.finish(session, digest);
      } catch (err) {
        await blobs.cancel(session).catch(() => undefined);
        throw err;
      }
    })();
    this.track(key, job);
    return job;
  }

  /** Sends the upstream bytes to the client and into an upload at once; commits (digest verified) at the end. */
  private async streamAndStore(pull: BlobPull, digest: string, body: Readable, headers: Record<string, string | number>) {
    const { blobs } = this.reg;
    const session = await blobs.startUpload(pull.repo, algorithmOf(digest));
    const tee = new PassThrough();
    tee.on('error', () => undefined); // the upload's own promise reports failures
    const storing = blobs.append(session, tee);
    storing.catch(() => undefined);
    const res = pull.res;
    let clientGone = false;
    res.once('close', () => {
      if (!res.writableFinished) clientGone = true;
    });
    res.writeHead(200, { ...API_VERSION_HEADER, ...headers });
    try {
      for await (const chunk of body) {
        // A client that went away does not stop the caching: the next pull finds the layer here.
        if (!clientGone && !res.write(chunk)) await drained(res);
        if (tee.destroyed) break;
        if (!tee.write(chunk)) await drained(tee);
      }
      tee.end();
      await storing;
      await blobs.finish(session, digest);
    } catch (err) {
      tee.destroy();
      await blobs.cancel(session).catch(() => undefined);
      throw err;
    }
    this.reg.db.transaction(() => this.ensureRepo(pull.repo))();
    res.end();
  }

  /** The cache's repository, created on first success with the matching creation template (else ECR's defaults). */
  private ensureRepo(ref: RepoRef): RepoRow {
    const existing = getRepo(this.reg.sql, ref);
    if (existing) return existing;
    const created = createRepositoryFor(this.reg.sql, ref, this.reg.clock.now(), 'PULL_THROUGH_CACHE', DEFAULT_SETTINGS);
    // Called inside a transaction: the lifecycle controller hears of the template's policy once it commits.
    const key = created.lifecyclePolicyKey;
    if (key) setImmediate(() => this.reg.changes?.publish('ecr.lifecycle-policy', key));
    return created.repo;
  }

  /** The client for a rule's upstream, and the repository's name there. */
  private client(match: RuleMatch): { client: UpstreamRegistry; name: string } {
    const { rule } = match;
    const kind = classifyUpstream(rule.upstreamRegistryUrl);
    if (!kind) throw new UpstreamError('failed', `the upstream registry URL ${rule.upstreamRegistryUrl} is not supported`);
    const now = this.reg.clock.now();
    if (kind.ecr) {
      // An ECR private registry upstream is a registry of this Berth: pull from it as the rule's account.
      const { authorizationToken } = issueToken(this.reg.secret, rule.account, now);
      return {
        client: new UpstreamRegistry({ base: this.reg.endpoint(), authorization: `Basic ${authorizationToken}` }),
        name: `${kind.ecr.account}/${kind.ecr.region}/${match.upstreamName}`,
      };
    }
    let creds: UpstreamCredentials | undefined;
    try {
      creds = rule.credentialArn ? this.credentials?.(rule, now) : undefined;
    } catch (err) {
      throw new UpstreamError('unauthorized', `the credentials in ${rule.credentialArn} cannot be used: ${(err as Error).message}`);
    }
    const key = [rule.account, rule.region, rule.ecrRepositoryPrefix, rule.updatedAt, creds ? sha256(`${creds.username}\n${creds.password}`) : ''].join('|');
    let client = this.clients.get(key);
    if (!client) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
      client = new UpstreamRegistry({ base: kind.base, credentials: creds });
      this.clients.set(key, client);
    }
    return { client, name: match.upstreamName };
  }

  private async fetchManifest(upstream: { client: UpstreamRegistry; name: string }, reference: string): Promise<Fetched> {
    const res = await upstream.client.request('GET', upstream.name, `manifests/${reference}`, ACCEPT_ALL);
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      throw new UpstreamError('not-found', `${reference} was not found upstream`, 404);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new UpstreamError(res.status === 401 || res.status === 403 ? 'unauthorized' : 'failed', `the upstream registry answered ${res.status}`, res.status);
    }
    if (!res.body) throw new UpstreamError('failed', 'the upstream registry sent a manifest without a body');
    const body = await readLimited(res, MAX_MANIFEST_BYTES);
    // A manifest pulled by digest is addressed in that digest's algorithm; by tag, in the canonical one.
    const digest = isDigest(reference) ? digestBytes(body, algorithmOf(reference)) : sha256(body);
    if (isDigest(reference) && digest !== reference) {
      throw new UpstreamError('failed', `the upstream registry returned a manifest whose digest is ${digest}, not ${reference}`);
    }
    const parsed = parseManifest(body, res.headers.get('content-type') ?? undefined);
    return { body, digest, mediaType: parsed.mediaType };
  }

  /** Stores a fetched manifest (its blobs come later, as clients ask) and moves the tag; creates the repository. */
  private store(repo: RepoRef, match: RuleMatch, reference: string, f: Fetched): ManifestRow {
    const { db, sql, clock } = this.reg;
    return db.transaction(() => {
      const now = clock.now();
      const real = this.ensureRepo(repo);
      if (!getManifest(sql, real, f.digest)) {
        const parsed = parseManifest(f.body, f.mediaType);
        const refs: ManifestRef[] = [
          ...parsed.blobs.map((b) => ({ ref: b.digest, kind: 'blob' as const })),
          ...parsed.manifests.map((m) => ({ ref: m.digest, kind: 'manifest' as const })),
        ];
        // An index's size is its largest child's, which may not be cached yet: what is known now.
        const imageSize = parsed.isIndex
          ? Math.max(0, ...parsed.manifests.map((m) => getManifest(sql, real, m.digest)?.imageSize ?? 0))
          : parsed.layerBytes;
        // Written without a push's reference checks: the blobs arrive later, as clients ask for them.
        insertManifest(sql, real, {
          digest: f.digest, mediaType: parsed.mediaType, artifactType: parsed.artifactType ?? null,
          subject: parsed.subject?.digest ?? null, imageSize, body: f.body, pushedAt: now,
        }, refs);
      }
      if (!isDigest(reference)) {
        setTag(sql, real, reference, f.digest, now);
        markTagChecked(sql, real, reference, now);
      }
      recordUpstreamOutcome(sql, match.rule, null);
      return getManifest(sql, real, f.digest)!;
    })();
  }
}

const inflightKey = (ref: RepoRef, what: string) => `${ref.account}|${ref.region}|${ref.name}|${what}`;

const repoArn = (ref: RepoRef) => arn('ecr', ref.region, ref.account, `repository/${ref.name}`);

const blobUnknown = (digest: string, message?: string) => new RegistryError('BLOB_UNKNOWN', message, { detail: { digest } });

function describe(err: unknown): string {
  if (err instanceof UpstreamError || err instanceof RegistryError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/** Resolves when the stream can take more, or is gone. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/** A response body of at most `limit` bytes, else MANIFEST_INVALID (an upstream cannot make Berth buffer more). */
async function readLimited(res: Response, limit: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  const tooBig = () => new RegistryError('MANIFEST_INVALID', `manifest invalid: the upstream manifest is larger than ${limit} bytes`);
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>)) {
    size += chunk.length;
    if (size > limit) throw tooBig();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
