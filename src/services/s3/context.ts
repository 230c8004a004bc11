/**
 * What an S3 operation gets beyond the common request context: the object
 * files, and hooks that run once the call's transaction has committed (unlink
 * the bodies it replaced) or rolled back (unlink the bodies it put in place),
 * so the files on disk never disagree with a committed row.
 */
import type { RequestContext } from '../provider.js';
import type { ChecksumAlgorithm } from './checksums.js';
import type { ObjectFiles } from './files.js';

export interface S3Context extends RequestContext {
  files: ObjectFiles;
  afterCommit(fn: () => void): void;
  onRollback(fn: () => void): void;
}

/** A request body the front door has received into a staging file, with its digests. */
export interface ReceivedBody {
  staged: string;
  size: number;
  /** Hex MD5 (the ETag). */
  md5: string;
  /** The flexible checksum the client sent (already verified), or none. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/** What GetObject hands the front door to stream: a committed body and the byte range to send. */
export interface BodyRef {
  file: string;
  start: number;
  /** Inclusive; start > end for an empty body. */
  end: number;
}

export const isReceivedBody = (v: unknown): v is ReceivedBody =>
  !!v && typeof v === 'object' && typeof (v as ReceivedBody).staged === 'string';
