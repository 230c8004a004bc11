/**
 * Blob uploads and reads on top of a storage driver. Bytes stream from the
 * socket through a hash into the upload file (memory stays flat): sha256, or
 * the algorithm the client named when it started the upload (the spec's
 * `digest-algorithm`, or the digest of a single-POST upload). A final digest
 * of another algorithm costs one re-read of the upload file;
 * finishing an upload checks the digest, commits the file by one atomic
 * rename and only then records the blob in SQLite, so no reader ever sees a
 * partial or unverified blob.
 *
 * Upload sessions (the running hash and size) live in memory: an upload does
 * not survive the process that received it, and start-up purges upload files
 * (see StorageDriver.purgeUploads). Clients restart an interrupted push.
 */
import { randomUUID, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../shared/clock.js';
import type { Db, Statements } from '../state/db.js';
import { algorithmOf, CANONICAL, digestOf, newHash, type DigestAlgorithm } from './digest.js';
import { RegistryError } from './errors.js';
import { linkBlob, recordBlob, repoBlobSize } from '../services/ecr/store/index.js';
import type { RepoRef } from './names.js';
import { BlobNotFoundError, type ByteRange, type OpenBlob, type StorageDriver } from './storage/driver.js';

export interface UploadSession {
  id: string;
  repo: RepoRef;
  /** Bytes received and hashed so far. */
  size: number;
  /** What `hash` computes. */
  algorithm: DigestAlgorithm;
  hash: Hash;
  startedAt: number;
  /** A chunk is being received: chunks of one upload are sequential. */
  busy: boolean;
}

const sameRepo = (a: RepoRef, b: RepoRef) => a.account === b.account && a.region === b.region && a.name === b.name;

export class BlobStore {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly committing = new Set<string>();

  constructor(
    readonly driver: StorageDriver,
    private readonly db: Db,
    private readonly sql: Statements,
    private readonly clock: Clock,
  ) {}

  /** Forgets uploads a previous process left behind (it cannot have finished them). */
  async purgeStaleUploads(): Promise<void> {
    await this.driver.purgeUploads();
  }

  async startUpload(repo: RepoRef, algorithm: DigestAlgorithm = CANONICAL): Promise<UploadSession> {
    const session = this.newSession(repo, algorithm);
    await this.driver.createUpload(session.id);
    this.sessions.set(session.id, session);
    return session;
  }

  private newSession(repo: RepoRef, algorithm: DigestAlgorithm = CANONICAL): UploadSession {
    return { id: randomUUID(), repo, size: 0, algorithm, hash: newHash(algorithm), startedAt: this.clock.now(), busy: false };
  }

  /** The session, if it exists and belongs to this repository. */
  upload(id: string, repo: RepoRef): UploadSession {
    const s = this.sessions.get(id);
    if (!s || !sameRepo(s.repo, repo)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', undefined, { detail: { uuid: id } });
    return s;
  }

  /**
   * Appends a chunk, all or nothing: if the stream fails midway (client gone,
   * disk full) the file is cut back and the hash restored, so the upload stays
   * a clean prefix the client can continue from its last acknowledged Range.
   */
  async append(session: UploadSession, source: Readable): Promise<void> {
    if (session.busy) throw new RegistryError('BLOB_UPLOAD_INVALID', 'another chunk of this upload is in progress');
    session.busy = true;
    const before = { size: session.size, hash: session.hash.copy() };
    let received = 0;
    try {
      // A synchronous transform: an async generator here costs a promise per 64 KiB chunk.
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          session.hash.update(chunk);
          received += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(source, hashing, this.driver.uploadWriter(session.id, session.size));
      session.size += received;
    } catch (err) {
      session.hash = before.hash;
      session.size = before.size;
      await this.driver.truncateUpload(session.id, before.size).catch(() => undefined);
      throw err;
    } finally {
      session.busy = false;
    }
  }

  /** Verifies the digest and makes the blob visible in the session's repository; returns its size. */
  async finish(session: UploadSession, digest: string): Promise<number> {
    if (session.busy) throw new RegistryError('BLOB_UPLOAD_INVALID', 'a chunk of this upload is in progress');
    const algorithm = algorithmOf(digest);
    const actual = algorithm === session.algorithm ? digestOf(session.hash.copy(), algorithm) : await this.rehash(session, algorithm);
    if (actual !== digest) {
      await this.cancel(session);
      throw new RegistryError('DIGEST_INVALID', `digest ${digest} does not match the uploaded content (${actual})`, { detail: { digest } });
    }
    this.sessions.delete(session.id);
    // Between the commit and the record the blob has a file but no row: GC must not take it.
    this.committing.add(digest);
    try {
      await this.driver.commitUpload(session.id, digest);
      this.record(session.repo, digest, session.size);
    } finally {
      this.committing.delete(digest);
    }
    return session.size;
  }

  /** The upload's digest in an algorithm it was not hashed with while streaming: one read of the file. */
  private async rehash(session: UploadSession, algorithm: DigestAlgorithm): Promise<string> {
    session.busy = true;
    try {
      const hash = newHash(algorithm);
      await pipeline(await this.driver.readUpload(session.id), async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) hash.update(chunk);
      });
      return digestOf(hash, algorithm);
    } finally {
      session.busy = false;
    }
  }

  /** Digests whose upload is being committed right now (GC leaves them alone). */
  isCommitting(digest: string): boolean {
    return this.committing.has(digest);
  }

  async cancel(session: UploadSession): Promise<void> {
    this.sessions.delete(session.id);
    await this.driver.deleteUpload(session.id);
  }

  private record(repo: RepoRef, digest: string, size: number) {
    this.db.transaction(() => {
      recordBlob(this.sql, digest, size, this.clock.now());
      linkBlob(this.sql, repo, digest, this.clock.now());
    })();
  }

  /** Cross-repository mount: the target repository may serve a blob the source already has. */
  mount(from: RepoRef, to: RepoRef, digest: string): number | undefined {
    const size = repoBlobSize(this.sql, from, digest);
    if (size !== undefined) linkBlob(this.sql, to, digest, this.clock.now());
    return size;
  }

  read(digest: string, range?: ByteRange): Promise<Readable> {
    return this.driver.read(digest, range);
  }

  /** The blob, open for one copy to a client (the driver's fast path, else its read stream). */
  async open(digest: string): Promise<OpenBlob> {
    if (this.driver.open) return this.driver.open(digest);
    const size = await this.driver.stat(digest);
    if (size === undefined) throw new BlobNotFoundError(digest, this.driver.name);
    return {
      size,
      close: async () => undefined,
      copyTo: async (dest, range) => pipeline(await this.driver.read(digest, range), dest, { end: false }),
    };
  }

  // --- the ECR layer-part API (synchronous: it runs inside an AWS API transaction) ---

  private syncDriver() {
    const sync = this.driver.sync;
    if (!sync) throw new RegistryError('UNSUPPORTED', `the ${this.driver.name} storage driver cannot take layer parts through the ECR API`);
    return sync;
  }

  startUploadSync(repo: RepoRef): UploadSession {
    const session = this.newSession(repo);
    this.syncDriver().createUpload(session.id);
    this.sessions.set(session.id, session);
    return session;
  }

  /** Looks an upload up by id alone (the ECR API names the repository separately). */
  findUpload(id: string): UploadSession | undefined {
    return this.sessions.get(id);
  }

  appendSync(session: UploadSession, bytes: Uint8Array): void {
    if (session.busy) throw new RegistryError('BLOB_UPLOAD_INVALID', 'another chunk of this upload is in progress');
    this.syncDriver().appendUpload(session.id, session.size, bytes);
    session.hash.update(bytes);
    session.size += bytes.length;
  }

  cancelSync(session: UploadSession): void {
    this.sessions.delete(session.id);
    this.syncDriver().deleteUpload(session.id);
  }

  /** Like finish, for the ECR API; the caller's transaction records the blob. */
  finishSync(session: UploadSession, digest: string): number {
    // The ECR API takes sha256 layers only (layers.ts), which is what its sessions hash.
    const actual = digestOf(session.hash.copy(), session.algorithm);
    if (actual !== digest) {
      this.cancelSync(session);
      throw new RegistryError('DIGEST_INVALID', `digest ${digest} does not match the uploaded content (${actual})`, { kind: 'digest-mismatch' });
    }
    this.sessions.delete(session.id);
    this.syncDriver().commitUpload(session.id, digest);
    recordBlob(this.sql, digest, session.size, this.clock.now());
    linkBlob(this.sql, session.repo, digest, this.clock.now());
    return session.size;
  }
}
