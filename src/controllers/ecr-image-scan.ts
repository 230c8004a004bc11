/**
 * ECR image scans, converged: a scan recorded IN_PROGRESS (by StartImageScan
 * or scan on push; key account|region|repo|digest) is run by the scanner over
 * the image's layers in the blob store, and its outcome stored, unless the
 * scan was superseded or the image deleted meanwhile. A Berth that stops
 * mid-scan finds the row still IN_PROGRESS and scans again. A stored outcome appends the "ECR Image Scan" event
 * (in the same transaction) and pokes EventBridge's drain of ECR's events.
 */
import type { BlobStore } from '../registry/blobs.js';
import type { ChangeFeed } from '../state/change-feed.js';
import { finishScan, getManifest, getScan, parseScanKey, scanKeysInProgress } from '../services/ecr/store/index.js';
import { scanImage } from '../services/ecr/index.js';
import type { Controller, StateDeps, Watches } from './runtime.js';

export interface EcrImageScanDeps extends StateDeps {
  changes: ChangeFeed;
  /** Where the image's layers are read: the registry's blob store. */
  blobs: Pick<BlobStore, 'read'>;
  /** The directory of OSV files scans match against (BERTH_VULN_DB); without it a scan fails, saying so. */
  vulnerabilityDb?: string;
}

/** Scans in progress are looked for this often (a restart finds those it left). */
const RESYNC_MS = 30_000;

export class EcrImageScan implements Controller {
  readonly name = 'ecr-image-scan';
  /** Scans read whole images: one at a time keeps a push storm from saturating the disk. */
  readonly concurrency = 1;

  /** StartImageScan and scan on push (registry pushes, PutImage, replicated copies) publish ecr.image-scan after commit. */
  readonly watches: Watches = {
    changes: [{ kind: 'ecr.image-scan' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? scanKeysInProgress(this.d.sql) : []) }],
  };

  constructor(private readonly d: EcrImageScanDeps) {}

  async reconcile(key: string): Promise<void> {
    const parsed = parseScanKey(key);
    const { db, sql, clock, log } = this.d;
    if (!parsed || !db.open) return;
    const { ref, digest } = parsed;
    const scan = getScan(sql, ref, digest);
    const manifest = getManifest(sql, ref, digest);
    if (!scan || scan.status !== 'IN_PROGRESS' || !manifest) return;
    const outcome = await scanImage({
      manifest: manifest.body,
      mediaType: manifest.mediaType,
      read: (d) => this.d.blobs.read(d),
      vulnerabilityDb: this.d.vulnerabilityDb,
    });
    if (!db.open) return;
    const stored = db.transaction(() => finishScan(sql, ref, digest, scan.startedAt, outcome, clock.now()))();
    if (stored) {
      this.d.changes.publish('ecr.image-action', `${ref.account}|${ref.region}`);
      log.info('ecr image scanned', {
        repository: ref.name, digest, status: outcome.status, findings: outcome.findings.length,
        ...(outcome.status === 'COMPLETE' ? {} : { description: outcome.description }),
      });
    }
  }
}
