/** A table of tasks (a service's, or a cluster's standalone ones), each linking to its page. */
import type { TaskSummary } from '../../views';
import { Badge, Time } from '../parts';
import { href, Link } from '../router';

export function TasksTable({ tasks, account, region, cluster, label }: { tasks: TaskSummary[]; account: string; region: string; cluster: string; label: string }) {
  if (tasks.length === 0) return <p class="muted">No tasks.</p>;
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Task</th><th scope="col">Last status</th><th scope="col">Desired</th><th scope="col">Health</th>
          <th scope="col">Definition</th><th scope="col">Ports</th><th scope="col">Started</th><th scope="col">Stopped reason</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.arn} data-testid="task-row">
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
        ))}
      </tbody>
    </table>
  );
}
