/** A task: its state, why it stopped, its containers and the ports it published. */
import type { TaskView } from '../../views';
import { act, ActionButton } from '../actions';
import { useView } from '../live';
import { Badge, Loaded, Time } from '../parts';
import { href, Link } from '../router';
import { TaskLogs } from './task-logs';

export function TaskPage({ account, region, cluster, task }: { account: string; region: string; cluster: string; task: string }) {
  const url = `/_berth/api/clusters/${[account, region, cluster].map(encodeURIComponent).join('/')}/tasks/${encodeURIComponent(task)}`;
  const state = useView<TaskView>(url);
  return (
    <Loaded state={state} what={`task ${task}`}>
      {(v) => (
        <>
          <h1>Task <code>{v.task.id}</code> <Badge value={v.task.lastStatus} /></h1>
          {v.task.lastStatus !== 'STOPPED' && (
            <section aria-label="Task actions" class="actions">
              <ActionButton label="Stop task" confirm="Stop this task?" testId="stop-task" done="Stopping."
                run={() => act('ecs/StopTask', { account, region }, { cluster, task: v.task.id, reason: 'Stopped from the Berth console' })} />
            </section>
          )}
          <dl class="facts">
            <dt>Desired status</dt><dd>{v.task.desiredStatus}</dd>
            <dt>Health</dt><dd><Badge value={v.task.healthStatus} /></dd>
            <dt>Task definition</dt><dd>{v.task.taskDefinition}</dd>
            <dt>Group</dt>
            <dd>{v.group?.startsWith('service:')
              ? <Link to={href('clusters', account, region, cluster, 'services', v.group.slice('service:'.length))}>{v.group}</Link>
              : v.group ?? '—'}</dd>
            <dt>CPU / memory</dt><dd>{v.cpu ?? '—'} / {v.memory ?? '—'}</dd>
            <dt>Started</dt><dd><Time iso={v.task.startedAt} /></dd>
            <dt>Stopped</dt><dd><Time iso={v.task.stoppedAt} /></dd>
            <dt>Stopped reason</dt><dd>{v.task.stopCode ? <><Badge value={v.task.stopCode} /> </> : null}{v.task.stoppedReason ?? '—'}</dd>
          </dl>
          <section aria-labelledby="containers-h">
            <h2 id="containers-h">Containers</h2>
            <table aria-label="Containers">
              <thead><tr><th scope="col">Name</th><th scope="col">Image</th><th scope="col">Status</th><th scope="col">Health</th><th scope="col">Exit code</th><th scope="col">Reason</th></tr></thead>
              <tbody>
                {v.containers.map((c) => (
                  <tr key={c.name}>
                    <th scope="row">{c.name}</th><td><code>{c.image ?? '—'}</code></td><td><Badge value={c.lastStatus} /></td>
                    <td><Badge value={c.healthStatus} /></td><td>{c.exitCode ?? '—'}</td><td>{c.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {v.containers.some((c) => c.environment.length || c.secrets.length) && (
            <section aria-labelledby="env-h">
              <h2 id="env-h">Environment</h2>
              {v.containers.filter((c) => c.environment.length || c.secrets.length).map((c) => (
                <dl key={c.name} class="facts" aria-label={`Environment of ${c.name}`}>
                  <dt><strong>{c.name}</strong></dt><dd />
                  {c.environment.map((e) => <><dt key={e.name}><code>{e.name}</code></dt><dd><code>{e.value}</code></dd></>)}
                  {c.secrets.map((s) => <><dt key={s.name}><code>{s.name}</code></dt><dd class="muted">secret from <code>{s.valueFrom}</code></dd></>)}
                </dl>
              ))}
            </section>
          )}
          <section aria-labelledby="ports-h">
            <h2 id="ports-h">Ports</h2>
            {v.task.ports.length === 0 ? <p class="muted">No published ports.</p> : (
              <ul>
                {v.task.ports.map((p) => (
                  <li key={`${p.container}:${p.containerPort}`}>
                    {p.container}: {p.containerPort}/{p.protocol} → {p.url ? <a href={p.url} target="_blank" rel="noreferrer">{p.url}</a> : p.hostPort ?? 'not published'}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <TaskLogs url={url} running={v.task.lastStatus !== 'STOPPED'} />
        </>
      )}
    </Loaded>
  );
}
