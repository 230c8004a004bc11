/** Small pieces the pages share: state badges, times, loading and error states. */
import type { ComponentChildren } from 'preact';
import type { ViewState } from './live';

const TONE: Record<string, string> = {
  RUNNING: 'ok', ACTIVE: 'ok', COMPLETED: 'ok', HEALTHY: 'ok', PRIMARY: 'ok', up: 'ok',
  PENDING: 'wait', PROVISIONING: 'wait', ACTIVATING: 'wait', IN_PROGRESS: 'wait', DRAINING: 'wait', UNKNOWN: 'wait',
  DEACTIVATING: 'wait', STOPPING: 'wait', DEPROVISIONING: 'wait',
  STOPPED: 'off', INACTIVE: 'off',
  FAILED: 'bad', UNHEALTHY: 'bad', down: 'bad',
};

export function Badge({ value }: { value: string | null | undefined }) {
  if (!value) return <span class="muted">—</span>;
  return <span class={`badge ${TONE[value] ?? 'neutral'}`}>{value}</span>;
}

export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">—</span>;
  const d = new Date(iso);
  return <time dateTime={iso} title={iso}>{d.toLocaleString()}</time>;
}

/** Renders a view's data, or its loading, missing and error states. */
export function Loaded<T>({ state, what, children }: { state: ViewState<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (state.notFound) return <p role="alert">{what} not found (it may have been deleted).</p>;
  if (!state.data) return state.error ? <p role="alert">Could not load {what}: {state.error}</p> : <p class="muted" aria-busy="true">Loading {what}…</p>;
  return <>{children(state.data)}</>;
}
