/**
 * Garbage collection of blobs, safe against pushes in flight:
 *
 *  1. A repository's link to a blob goes when no manifest of that repository
 *     references the blob and the link is older than the grace period. The
 *     grace period protects a push whose layers are up but whose manifest is
 *     not yet: uploading, mounting or reading a blob refreshes its link.
 *  2. A blob no repository links is deleted: row and file in one synchronous
 *     step, skipping digests being committed right now.
 *  3. A file without a row (Berth stopped between commit and record) is
 *     deleted the same way.
 *
 * Berth runs it at start-up and hourly.
 */
import { blobSize, deleteBlobRow, isLinked, unlinkedBlobs, unlinkUnreferenced } from '../services/ecr/store/index.js';
import type { Registry } from './index.js';

export const GC_GRACE_MS = 60 * 60 * 1000;
export const GC_INTERVAL_MS = 60 * 60 * 1000;

export interface GcResult {
  unlinked: number;
  deletedBlobs: number;
  deletedBytes: number;
  orphanFiles: number;
}

export async function collectGarbage(reg: Registry): Promise<GcResult> {
  const result: GcResult = { unlinked: 0, deletedBlobs: 0, deletedBytes: 0, orphanFiles: 0 };
  const sync = reg.blobs.driver.sync;
  if (!sync || !reg.db.open) return result;
  const { db, sql } = reg;

  result.unlinked = db.transaction(() => unlinkUnreferenced(sql, reg.clock.now() - GC_GRACE_MS))();

  for (const digest of unlinkedBlobs(sql)) {
    // Re-checked and deleted in one synchronous step: no upload can commit in between.
    const size = db.transaction(() => {
      if (reg.blobs.isCommitting(digest)) return undefined;
      if (isLinked(sql, digest)) return undefined;
      const bytes = blobSize(sql, digest);
      deleteBlobRow(sql, digest);
      sync.deleteBlob(digest);
      return bytes;
    })();
    if (size !== undefined) {
      result.deletedBlobs++;
      result.deletedBytes += size;
    }
  }

  for await (const digest of reg.blobs.driver.list()) {
    if (!reg.db.open) break;
    if (blobSize(sql, digest) === undefined && !reg.blobs.isCommitting(digest)) {
      sync.deleteBlob(digest);
      result.orphanFiles++;
    }
  }
  return result;
}

/** Runs GC now and then every GC_INTERVAL_MS until the database closes. */
export function scheduleGarbageCollection(reg: Registry): void {
  const run = () => {
    if (!reg.db.open) return clearInterval(timer);
    collectGarbage(reg)
      .then((r) => {
        if (r.deletedBlobs || r.orphanFiles) reg.log.info('registry garbage collected', { ...r });
      })
      .catch((err) => reg.log.warn('registry garbage collection failed', { error: String(err) }));
  };
  const timer = setInterval(run, GC_INTERVAL_MS);
  timer.unref();
  setImmediate(run);
}
