/**
 * A table of tasks (a service's, or a cluster's standalone ones), each linking to its page. Long tables are
 * virtualised: the rows live in a scrolling box of fixed-height rows, and only those in view (plus a margin) are in
 * the DOM, with spacer rows standing for the rest, so 1,000 tasks scroll as smoothly as 20. The table still says how
 * many rows it has (`aria-rowcount`) and each rendered row its index (`aria-rowindex`).
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { TaskSummary } from '../../views';
import { Badge, Time } from '../parts';
import { href, Link } from '../router';

/** Above this many rows the table is virtualised. */
const VIRTUAL_FROM = 60;
/** Every row's height in px (style.css `.virtual tbody tr`). */
const ROW_PX = 34;
const VIEW_PX = 600;
const OVERSCAN = 10;

function Row({ t, account, region, cluster, index }: { t: TaskSummary; account: string; region: string; cluster: string; index: number }) {
  return (
    <tr data-testid="task-row" aria-rowindex={index + 2}>
      <th scope="row"><Link to={href('clusters', account, region, cluster, 'tasks', t.id)}><code>{t.id.slice(0, 12)}</code></Link></th>
      <td><Badge value={t.lastStatus} /></td>
      <td>{t.desiredStatus}</td>
      <td><Badge value={t.healthStatus} /></td>
      <td>{t.taskDefinition}</td>
      <td>{t.ports.length === 0 ? <span class="muted">—</span> : t.ports.map((p) => (
        <span key={`${p.container}:${p.containerPort}`} class="port">
          {p.url ? <a href={p.url} target="_blank" rel="noreferrer">{p.hostPort}</a> : p.hostPort ?? '—'}→{p.containerPort}/{p.protocol}
        </span>
      ))}</td>
      <td><Time iso={t.startedAt} /></td>
      <td>{t.stoppedReason ?? <span class="muted">—</span>}</td>
    </tr>
  );
}

export function TasksTable({ tasks, account, region, cluster, label }: { tasks: TaskSummary[]; account: string; region: string; cluster: string; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const virtual = tasks.length > VIRTUAL_FROM;
  useLayoutEffect(() => {
    const el = box.current;
    if (!virtual || !el) return;
    // One state update per animation frame however fast the wheel turns.
    let frame = 0;
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(() => { frame = 0; setTop(el.scrollTop); });
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => { el.removeEventListener('scroll', onScroll); cancelAnimationFrame(frame); };
  }, [virtual]);
  if (tasks.length === 0) return <p class="muted">No tasks.</p>;
  const first = virtual ? Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN) : 0;
  const last = virtual ? Math.min(tasks.length, Math.ceil((top + VIEW_PX) / ROW_PX) + OVERSCAN) : tasks.length;
  const table = (
    <table aria-label={label} aria-rowcount={tasks.length + 1} class={virtual ? 'virtual' : undefined}>
      <thead>
        <tr aria-rowindex={1}>
          <th scope="col">Task</th><th scope="col">Last status</th><th scope="col">Desired</th><th scope="col">Health</th>
          <th scope="col">Definition</th><th scope="col">Ports</th><th scope="col">Started</th><th scope="col">Stopped reason</th>
        </tr>
      </thead>
      <tbody>
        {first > 0 && <tr aria-hidden="true" style={{ height: `${first * ROW_PX}px` }} />}
        {tasks.slice(first, last).map((t, i) => <Row key={t.arn} t={t} index={first + i} account={account} region={region} cluster={cluster} />)}
        {last < tasks.length && <tr aria-hidden="true" style={{ height: `${(tasks.length - last) * ROW_PX}px` }} />}
      </tbody>
    </table>
  );
  return virtual
    ? <div ref={box} class="virtual-box" style={{ maxHeight: `${VIEW_PX}px` }} tabIndex={0} role="region" aria-label={`${label} (${tasks.length}, scrollable)`} data-testid="tasks-scroll">{table}</div>
    : table;
}
