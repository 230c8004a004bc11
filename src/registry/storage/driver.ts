/**
 * Where blob bytes live. Deliberately small (distribution's StorageDriver is
 * the model): committed blobs addressed by digest, and upload files that grow
 * by appends and become a blob by one atomic commit. A driver knows nothing of
 * what a digest means: the caller hashes the bytes and verifies the digest
 * before it calls commitUpload, so a blob is never visible unverified.
 *
 * Contracts every driver keeps (storage-driver conformance in
 * filesystem.test.ts):
 *  - read/stat/list see only committed blobs, never an upload in progress;
 *  - commitUpload is atomic: afterwards the blob is whole, before it is absent;
 *    committing a digest that already exists drops the upload and keeps the blob;
 *  - truncateUpload undoes a failed append, so an upload is always a prefix of
 *    what the client sent;
 *  - purgeUploads forgets every upload (called at start-up: uploads never
 *    outlive the process that received them, so a crash leaves no debris).
 */
import type { Readable, Writable } from 'node:stream';

/** Inclusive byte range, as in HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

export class BlobNotFoundError extends Error {
  constructor(readonly digest: string, readonly driver: string) {
    super(`${driver}: blob ${digest} not found`);
  }
}

export class UploadNotFoundError extends Error {
  constructor(readonly id: string, readonly driver: string) {
    super(`${driver}: upload ${id} not found`);
  }
}

/** A committed blob, open for one copy. */
export interface OpenBlob {
  readonly size: number;
  /**
   * Writes the bytes (all, or the inclusive range) to `dest`, honouring its
   * backpressure, and resolves once `dest` has taken the last one (`dest` is
   * not ended); rejects if `dest` closes first. Closes the blob either way.
   */
  copyTo(dest: Writable, range?: ByteRange): Promise<void>;
  /** Closes the blob without copying. */
  close(): Promise<void>;
}

export interface StorageDriver {
  readonly name: string;
  /** Size of a committed blob, undefined if absent. */
  stat(digest: string): Promise<number | undefined>;
  /** The blob's bytes (all, or the inclusive range). BlobNotFoundError if absent. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  /**
   * Optional fast path for serving: the blob opened for one copy to a
   * writable (BlobNotFoundError if absent, before anything is sent). Unlike
   * `read`, the copy goes through a few reused buffers, so a pull allocates
   * nothing per chunk and costs no garbage collection.
   */
  open?(digest: string): Promise<OpenBlob>;
  /** Removes a committed blob; absent is not an error. */
  delete(digest: string): Promise<void>;
  /** Every committed blob's digest. */
  list(): AsyncIterable<string>;

  createUpload(id: string): Promise<void>;
  /** Bytes received so far, undefined if there is no such upload. */
  uploadSize(id: string): Promise<number | undefined>;
  /** The upload's bytes so far (to hash them in an algorithm not computed while they streamed in). */
  readUpload(id: string): Promise<Readable>;
  /** A stream that appends to the upload; `offset` must be its current size. */
  uploadWriter(id: string, offset: number): Writable;
  truncateUpload(id: string, size: number): Promise<void>;
  commitUpload(id: string, digest: string): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  purgeUploads(): Promise<void>;

  /**
   * Synchronous operations, for the ECR layer-part API (AWS API providers run
   * synchronously inside one SQLite transaction) and for garbage collection
   * (a blob's last check and its deletion must happen in one tick). Optional:
   * without them the layer-part API answers UNSUPPORTED and GC does not run.
   */
  readonly sync?: SyncOperations;
}

export interface SyncOperations {
  createUpload(id: string): void;
  appendUpload(id: string, offset: number, bytes: Uint8Array): void;
  commitUpload(id: string, digest: string): void;
  deleteUpload(id: string): void;
  deleteBlob(digest: string): void;
}
