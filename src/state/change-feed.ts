/**
 * The change feed: after a transaction commits, the keys of the resources it
 * changed are published here; controllers subscribe and enqueue those keys.
 * It is only a hint to react quickly: controllers also resync from the
 * database on start and on a timer, so nothing is lost if a hint is.
 */
import type { ChangeKind } from '../services/index.js';

/** A change's kind: declared by the service that publishes it (its descriptor's `changeKinds`). */
export type { ChangeKind };

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
