/**
 * ECR lifecycle policies, converged: each repository with a policy (key
 * account|region|repo) has it applied when it is put and then every
 * LIFECYCLE_INTERVAL_MS; each preview in progress is computed. Both evaluate
 * through services/ecr/store/lifecycle.ts (one transaction each), so a preview lists
 * exactly what a run at the same moment deletes. Deleted images leave their
 * blobs to registry GC, as BatchDeleteImage does.
 */
import {
  applyLifecyclePolicy, completePreview, dueInMs, getPolicy, getRepo, LIFECYCLE_INTERVAL_MS, parseRepoKey, policyKeys, previewKeysInProgress,
} from '../services/ecr/store/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export type EcrLifecycleDeps = StateDeps;

/** Policies and previews are looked for this often, whatever the feed said. */
const RESYNC_MS = 30_000;

/** Applies a repository's lifecycle policy when it is due. */
export class EcrLifecycle implements Controller {
  readonly name = 'ecr-lifecycle';

  readonly watches: Watches = {
    changes: [{ kind: 'ecr.lifecycle-policy' }],
    // A policy not yet due requeues itself for when it is; enqueuing it early is cheap.
    resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? policyKeys(this.d.sql) : []) }],
  };

  constructor(private readonly d: EcrLifecycleDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const ref = parseRepoKey(key);
    if (!ref || !this.d.db.open) return;
    const { db, sql, clock, log } = this.d;
    const outcome = db.transaction(() => {
      const policy = getPolicy(sql, ref);
      if (!policy || !getRepo(sql, ref)) return undefined;
      const wait = dueInMs(policy, clock.now());
      if (wait > 0) return { wait };
      return { expired: applyLifecyclePolicy(sql, ref, clock.now()) };
    })();
    if (!outcome) return;
    if ('wait' in outcome) return { requeueAfterMs: outcome.wait };
    if (outcome.expired.length) {
      log.info('ecr lifecycle policy expired images', {
        repository: ref.name, account: ref.account, region: ref.region,
        images: outcome.expired.map((e) => ({ digest: e.digest, tags: e.tags, rulePriority: e.rulePriority })),
      });
    }
    return { requeueAfterMs: LIFECYCLE_INTERVAL_MS };
  }
}

/** Computes lifecycle policy previews that are in progress. */
export class EcrLifecyclePreview implements Controller {
  readonly name = 'ecr-lifecycle-preview';

  readonly watches: Watches = {
    changes: [{ kind: 'ecr.lifecycle-preview' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? previewKeysInProgress(this.d.sql) : []) }],
  };

  constructor(private readonly d: EcrLifecycleDeps) {}

  async reconcile(key: string): Promise<void> {
    const ref = parseRepoKey(key);
    if (!ref || !this.d.db.open) return;
    const { db, sql, clock } = this.d;
    db.transaction(() => completePreview(sql, ref, clock.now()))();
  }
}
