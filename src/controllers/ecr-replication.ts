/**
 * ECR private image replication, converged: an image pushed to a repository
 * the registry's replication rules select has a status row IN_PROGRESS per
 * destination (key account|region|repo|digest); this controller copies it
 * into each destination region and account of this Berth and records
 * COMPLETE or FAILED (services/ecr/store/replication.ts). A push answers at once; the
 * change feed wakes the controller, and a restarted Berth finds the rows
 * still IN_PROGRESS and copies them then.
 *
 * It also drives replication backfills (key `backfill:<id>`,
^ * services/ecr/store/replication-backfill.ts): one bounded batch of copies per pass,
 * requeued until the backfill ends.
 */
import type { ChangeFeed } from '../state/change-feed.js';
import { advanceBackfill, getBackfill, parseBackfillKey, parseReplicationKey, pendingReplicationKeys, replicatePending } from '../services/ecr/store/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EcrReplicationDeps extends StateDeps {
  /** Where a copy announces what it made: a repository with a creation template's lifecycle policy, a scan on push. */
  changes: ChangeFeed;
}

/** Copies still IN_PROGRESS are looked for this often (a restart finds those it left). */
const RESYNC_MS = 30_000;

export class EcrReplication implements Controller {
  readonly name = 'ecr-replication';
  /** Copies are metadata writes (blobs are shared): cheap, but each is its own transaction. */
  readonly concurrency = 2;

  readonly watches: Watches = {
    changes: [{ kind: 'ecr.replication' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? pendingReplicationKeys(this.d.sql) : []) }],
  };

  constructor(private readonly d: EcrReplicationDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const backfill = parseBackfillKey(key);
    if (backfill !== undefined) return this.backfill(backfill);
    const parsed = parseReplicationKey(key);
    const { db, sql, clock, log } = this.d;
    if (!parsed || !db.open) return;
    const { ref, digest } = parsed;
    const outcomes = db.transaction(() => replicatePending(sql, clock.now(), ref, digest))();
    for (const o of outcomes) {
      const fields = {
        repository: ref.name, account: ref.account, region: ref.region, digest,
        destinationRegistryId: o.destination.registryId, destinationRegion: o.destination.region,
      };
      if (o.lifecyclePolicyKey) this.d.changes.publish('ecr.lifecycle-policy', o.lifecyclePolicyKey);
      for (const k of o.scanKeys ?? []) this.d.changes.publish('ecr.image-scan', k);
      if (o.status === 'COMPLETE') log.info('ecr image replicated', fields);
      else log.warn('ecr image replication failed', { ...fields, failureCode: o.failureCode });
    }
  }

  private backfill(id: string): ReconcileResult | void {
    const { db, sql, clock, log } = this.d;
    if (!db.open) return;
    const pass = db.transaction(() => advanceBackfill(sql, clock.now(), id))();
    for (const k of pass.lifecyclePolicyKeys) this.d.changes.publish('ecr.lifecycle-policy', k);
    for (const k of pass.scanKeys) this.d.changes.publish('ecr.image-scan', k);
    const failed = pass.copied.filter((c) => c.failureCode);
    if (pass.copied.length) log.info('ecr replication backfill pass', { backfill: id, copied: pass.copied.length, failed: failed.length });
    if (pass.more) return { requeueAfterMs: 0 };
    const b = getBackfill(sql, id);
    if (b && pass.copied.length) log.info('ecr replication backfill ended', { backfill: id, status: b.status });
  }
}
