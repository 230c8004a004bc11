/**
 * Object bodies on disk, under <dataDir>/s3:
 *
 *     s3/
 *       objects/<first two hex>/<id>   committed bodies (objects and uploaded parts), immutable;
 *                                      a row in s3_objects or s3_upload_parts names each
 *       uploads/<random>               bodies being received
 *
 * A body is received into uploads/ and committed by one rename(2) (same
 * filesystem: atomic, never a copy); a replaced or deleted body is unlinked
 * only after the transaction that dropped its row has committed. A body is
 * never written in place, so a reader that opened one keeps reading it whole
 * even if the object is replaced meanwhile, and CopyObject is a hard link.
 * Snapshots carry objects/ (state/snapshot.ts).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const S3_DIR = 's3';
/** The tree snapshots carry and a reset empties, relative to the data dir. */
export const S3_OBJECTS_DIR = join(S3_DIR, 'objects');

const ID_RE = /^[0-9a-f]{32}$/;

export class ObjectFiles {
  readonly objectsDir: string;
  readonly uploadsDir: string;

  /** Only paths: nothing is touched on disk until a body is written. */
  constructor(dataDir: string) {
    this.objectsDir = join(dataDir, S3_OBJECTS_DIR);
    this.uploadsDir = join(dataDir, S3_DIR, 'uploads');
  }

  /** Bodies half-received when Berth last stopped are garbage (called once, by the owning Berth). */
  purgeUploads(): void {
    rmSync(this.uploadsDir, { recursive: true, force: true });
    mkdirSync(this.uploadsDir, { recursive: true });
  }

  static newId(): string {
    return randomBytes(16).toString('hex');
  }

  /** Where a committed body lives; ids are only ever ones Berth made (no traversal). */
  path(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`invalid object file id ${id}`);
    return join(this.objectsDir, id.slice(0, 2), id);
  }

  /** A fresh path to receive a body into. */
  stagingPath(): string {
    mkdirSync(this.uploadsDir, { recursive: true });
    return join(this.uploadsDir, randomBytes(12).toString('hex'));
  }

  /** Moves a received body into place under a new id. */
  commit(staged: string, id: string): void {
    const to = this.path(id);
    mkdirSync(join(to, '..'), { recursive: true });
    renameSync(staged, to);
  }

  /** A second name for a committed body (CopyObject). */
  link(fromId: string, toId: string): void {
    const to = this.path(toId);
    mkdirSync(join(to, '..'), { recursive: true });
    linkSync(this.path(fromId), to);
  }

  remove(id: string): void {
    rmSync(this.path(id), { force: true });
  }

  removeStaged(path: string): void {
    rmSync(path, { force: true });
  }

  /** Opens a committed body for reading now, so a later unlink cannot take it away. */
  open(id: string): number {
    return openSync(this.path(id), 'r');
  }
}
