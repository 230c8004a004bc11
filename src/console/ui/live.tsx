/**
 * Data for a page, kept live: `useView(url)` fetches the page's JSON, then refetches it whenever Berth's event stream
 * (/_berth/api/events) reports a change. One EventSource for the whole page; at most one fetch in flight per view,
 * and changes that arrive during a fetch cause exactly one more (never a storm).
 */
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let connected = false;
const statusListeners = new Set<(up: boolean) => void>();

function ensureSource() {
  if (source) return;
  source = new EventSource('/_berth/api/events');
  source.addEventListener('change', () => listeners.forEach((fn) => fn()));
  source.onopen = () => {
    connected = true;
    statusListeners.forEach((fn) => fn(true));
    // Whatever changed while the stream was down is read again now.
    listeners.forEach((fn) => fn());
  };
  source.onerror = () => {
    connected = false;
    statusListeners.forEach((fn) => fn(false));
  };
}

/** Every open view reads itself again now, as on a change event (for changes that come with time, not a write). */
export function refresh() {
  listeners.forEach((fn) => fn());
}

/**
 * Refreshes the page's views at `iso` (a view's nextChangeAt: its data moves then without a write to announce it),
 * never sooner than `minMs` from now, so a queue whose messages come due one by one costs one read per `minMs`.
 */
export function useRefreshAt(iso: string | null | undefined, minMs = 1_000) {
  useEffect(() => {
    if (!iso) return;
    const timer = setTimeout(refresh, Math.max(minMs, Date.parse(iso) - Date.now()));
    return () => clearTimeout(timer);
  }, [iso, minMs]);
}

/** Whether the live stream is connected (for the header's indicator). */
export function useLiveStatus(): boolean {
  const [up, setUp] = useState(connected);
  useEffect(() => {
    ensureSource();
    statusListeners.add(setUp);
    return () => void statusListeners.delete(setUp);
  }, []);
  return up;
}

export type ViewState<T> = { data?: T; error?: string; notFound?: boolean };

export function useView<T>(url: string): ViewState<T> {
  const [state, setState] = useState<ViewState<T>>({});
  useEffect(() => {
    let alive = true;
    let inFlight = false;
    let again = false;
    setState({});
    const load = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        if (!alive) return;
        if (res.status === 404) setState({ notFound: true });
        else if (!res.ok) setState((s) => ({ ...s, error: `${res.status} ${res.statusText}` }));
        else setState({ data: (await res.json()) as T });
      } catch (err) {
        if (alive) setState((s) => ({ ...s, error: String(err) }));
      } finally {
        inFlight = false;
        if (again && alive) {
          again = false;
          void load();
        }
      }
    };
    ensureSource();
    listeners.add(load);
    void load();
    return () => {
      alive = false;
      listeners.delete(load);
    };
  }, [url]);
  return state;
}
