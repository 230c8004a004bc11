/**
 * A task's log tail: each awslogs container's newest lines from Berth's CloudWatch Logs, with a search. Log writes
 * publish no change (a busy container would flood the event stream), so while the task runs and "Follow" is on the
 * section reads its tail every 2 s (one request at a time); a stopped task's tail is read once.
 */
import { useEffect, useState } from 'preact/hooks';
import type { TaskLogsView } from '../../views';

const FOLLOW_MS = 2_000;

export function TaskLogs({ url, running }: { url: string; running: boolean }) {
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const [view, setView] = useState<TaskLogsView | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const res = await fetch(`${url}/logs?search=${encodeURIComponent(search)}`, { headers: { accept: 'application/json' } });
        if (!alive) return;
        if (!res.ok) setError(`${res.status} ${res.statusText}`);
        else {
          setView((await res.json()) as TaskLogsView);
          setError(undefined);
        }
      } catch (err) {
        if (alive) setError(String(err));
      }
      if (alive && running && follow) timer = setTimeout(load, FOLLOW_MS);
    };
    // A search typed quickly is read once it pauses.
    timer = setTimeout(load, search ? 250 : 0);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [url, search, running, follow]);
  return (
    <section aria-labelledby="logs-h">
      <h2 id="logs-h">Logs</h2>
      <div class="actions">
        <label class="filter">Search <input type="search" value={search} data-testid="log-search"
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)} /></label>
        {running && <label><input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> Follow</label>}
      </div>
      {error && <p role="alert">Could not load the logs: {error}</p>}
      {!view ? <p class="muted" aria-busy="true">Loading the logs…</p> : view.containers.map((c) => (
        <div key={c.name} class="log" data-testid={`logs-${c.name}`}>
          <h3>{c.name} {c.stream && <span class="muted small">{c.group} › {c.stream}</span>}</h3>
          {c.note && <p class="muted small">{c.note}</p>}
          {c.lines.length > 0 ? (
            <pre aria-label={`Log of ${c.name}`}>{c.lines.map((l) => `${l.at.slice(11, 23)}  ${l.message}\n`).join('')}</pre>
          ) : !c.note && <p class="muted small">{view.search ? 'No line contains that.' : 'No lines yet.'}</p>}
        </div>
      ))}
    </section>
  );
}
