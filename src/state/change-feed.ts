/**
 * The change feed: after a transaction commits, the keys of the resources it
 * changed are published here; controllers subscribe and enqueue those keys.
 * It is only a hint to react quickly: controllers also resync from the
 * database on start and on a timer, so nothing is lost if a hint is.
 */
export type ChangeKind = 'ecs.task' | 'ecs.service' | 'ecs.cluster' | 'elbv2' | 'efs'
  // ECR: a lifecycle policy was put (key: account|region|repo), a preview started (same key), a scan requested (…|digest).
  | 'ecr.lifecycle-policy' | 'ecr.lifecycle-preview' | 'ecr.image-scan'
  // ECR: a pushed image has replications to run (key: account|region|repo|digest).
  | 'ecr.replication';

export type ChangeListener = (kind: ChangeKind, key: string) => void;

export class ChangeFeed {
  private listeners = new Set<ChangeListener>();

  subscribe(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(kind: ChangeKind, key: string) {
    for (const fn of this.listeners) fn(kind, key);
  }
}
