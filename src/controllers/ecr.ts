/**
 * The ECR controllers (lifecycle policies, lifecycle previews, image scans,
 * replication)
 * on the shared reconcile runtime: registered, fed by the change feed and by
 * the registry's scan-on-push hook, and resynced from the database.
 */
import type { ChangeFeed } from '../state/change-feed.js';
import { onScanQueued, pendingReplicationKeys, policyKeys, previewKeysInProgress, scanKeysInProgress } from '../services/ecr/store/index.js';
import { EcrImageScan, type EcrImageScanDeps } from './ecr-image-scan.js';
import { EcrLifecycle, EcrLifecyclePreview, type EcrLifecycleDeps } from './ecr-lifecycle.js';
import { EcrReplication } from './ecr-replication.js';
import type { ControllerRuntime } from './runtime.js';

export interface EcrControllers {
  /** Enqueues every policy, preview in progress and scan in progress. */
  resync(): void;
  stop(): void;
}

export function startEcrControllers(runtime: ControllerRuntime, d: EcrLifecycleDeps & EcrImageScanDeps & { changes: ChangeFeed }): EcrControllers {
  const lifecycle = new EcrLifecycle(d);
  const previews = new EcrLifecyclePreview(d);
  const scans = new EcrImageScan(d);
  runtime.register(lifecycle);
  runtime.register(previews);
  runtime.register(scans);
  const replication = new EcrReplication(d);
  runtime.register(replication);

  const unsubscribe = d.changes.subscribe((kind, key) => {
    if (kind === 'ecr.lifecycle-policy') runtime.enqueue(lifecycle.name, key);
    if (kind === 'ecr.lifecycle-preview') runtime.enqueue(previews.name, key);
    if (kind === 'ecr.image-scan') runtime.enqueue(scans.name, key);
    if (kind === 'ecr.replication') runtime.enqueue(replication.name, key);
  });
  const unhook = onScanQueued(d.db, (key) => runtime.enqueue(scans.name, key));

  // A policy not yet due requeues itself for when it is; enqueuing it early is cheap.
  const resync = () => {
    if (!d.db.open) return;
    for (const key of policyKeys(d.sql)) runtime.enqueue(lifecycle.name, key);
    for (const key of previewKeysInProgress(d.sql)) runtime.enqueue(previews.name, key);
    for (const key of scanKeysInProgress(d.sql)) runtime.enqueue(scans.name, key);
    for (const key of pendingReplicationKeys(d.sql)) runtime.enqueue(replication.name, key);
  };
  return {
    resync,
    stop() {
      unsubscribe();
      unhook();
    },
  };
}
