/** Small pieces the pages share: state badges, times, loading and error states. */
import type { ComponentChildren } from 'preact';
import type { ViewState } from './live';

const TONE: Record<string, string> = {
  RUNNING: 'ok', ACTIVE: 'ok', COMPLETED: 'ok', HEALTHY: 'ok', PRIMARY: 'ok', up: 'ok',
  COMPLETE: 'ok', INITIAL: 'wait', UNUSED: 'off', UNAVAILABLE: 'bad', ARCHIVED: 'off',
  PENDING: 'wait', PROVISIONING: 'wait', ACTIVATING: 'wait', IN_PROGRESS: 'wait', DRAINING: 'wait', UNKNOWN: 'wait',
  DEACTIVATING: 'wait', STOPPING: 'wait', DEPROVISIONING: 'wait',
  STOPPED: 'off', INACTIVE: 'off', ENABLED: 'ok', DISABLED: 'off',
  FAILED: 'bad', UNHEALTHY: 'bad', down: 'bad',
  OPERATION_IN_PROGRESS: 'wait', ROLLBACK_IN_PROGRESS: 'wait', SUCCEEDED: 'ok', ROLLBACK_SUCCEEDED: 'wait', PAUSED: 'off', DELETED: 'off',
  CREATE_FAILED: 'bad', DELETE_FAILED: 'bad', ROLLBACK_FAILED: 'bad',
  CREATING: 'wait', UPDATING: 'wait', DELETING: 'wait', DEGRADED: 'bad',
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

/** A byte count as people read it (binary units, as docker prints image sizes). */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** A shell command to copy, labelled. */
export function Command({ label, text }: { label: string; text: string }) {
  return (
    <div class="command">
      <span class="muted small">{label}</span>
      <pre><code>{text}</code></pre>
    </div>
  );
}

/** Seconds as people read a setting (SQS's 345600 s retention is 4 d). */
export function duration(s: number): string {
  const units: [number, string][] = [[86_400, 'd'], [3_600, 'h'], [60, 'min']];
  for (const [size, unit] of units) if (s >= size && s % size === 0) return `${s / size} ${unit}`;
  return `${s} s`;
}
