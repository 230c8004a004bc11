/** A service: its counts, deployments, tasks and recent events. */
import type { ServiceView } from '../../views';
import { act, ActionButton, NumberAction } from '../actions';
import { Chart } from '../chart';
import { useView } from '../live';
import { Badge, Loaded, Time } from '../parts';
import { TasksTable } from './tasks-table';

export function ServicePage({ account, region, cluster, service }: { account: string; region: string; cluster: string; service: string }) {
  const url = `/_berth/api/clusters/${[account, region, cluster].map(encodeURIComponent).join('/')}/services/${encodeURIComponent(service)}`;
  const state = useView<ServiceView>(url);
  return (
    <Loaded state={state} what={`service ${service}`}>
      {(v) => (
        <>
          <h1>Service {v.service.name} <Badge value={v.service.status} /></h1>
          <dl class="counts" aria-label="Task counts">
            <div><dt>Desired</dt><dd data-testid="desired">{v.service.desiredCount}</dd></div>
            <div><dt>Running</dt><dd data-testid="running">{v.service.runningCount}</dd></div>
            <div><dt>Pending</dt><dd data-testid="pending">{v.service.pendingCount}</dd></div>
          </dl>
          {v.service.status === 'ACTIVE' && (
            <section aria-label="Service actions" class="actions">
              <NumberAction label="Desired tasks" initial={v.service.desiredCount} min={0} max={10000} testId="scale"
                run={(n) => act('ecs/UpdateService', { account, region }, { cluster, service, desiredCount: n })} />
              <ActionButton label="Force new deployment" testId="force-deployment" done="A new deployment started."
                run={() => act('ecs/UpdateService', { account, region }, { cluster, service, forceNewDeployment: true })} />
            </section>
          )}
          <section aria-labelledby="metrics-h">
            <h2 id="metrics-h">Utilization</h2>
            <div class="charts">
              <Chart title="CPU" points={v.metrics.cpu} from={v.metrics.from} to={v.metrics.to} marks={v.metrics.marks} percent />
              <Chart title="Memory" points={v.metrics.memory} from={v.metrics.from} to={v.metrics.to} marks={v.metrics.marks} percent />
            </div>
          </section>
          <section aria-labelledby="deployments-h">
            <h2 id="deployments-h">Deployments</h2>
            <table aria-label="Deployments">
              <thead>
                <tr><th scope="col">Status</th><th scope="col">Rollout</th><th scope="col">Definition</th><th scope="col">Desired</th>
                  <th scope="col">Running</th><th scope="col">Pending</th><th scope="col">Failed</th><th scope="col">Created</th></tr>
              </thead>
              <tbody>
                {v.deployments.map((d) => (
                  <tr key={d.id}>
                    <td><Badge value={d.status} /></td>
                    <td><Badge value={d.rolloutState} />{d.rolloutStateReason && <div class="muted small">{d.rolloutStateReason}</div>}</td>
                    <td>{d.taskDefinition}</td><td>{d.desiredCount}</td><td>{d.runningCount}</td><td>{d.pendingCount}</td>
                    <td>{d.failedTasks}</td><td><Time iso={d.createdAt} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="tasks-h">
            <h2 id="tasks-h">Tasks</h2>
            <TasksTable tasks={v.tasks} account={account} region={region} cluster={cluster} label="Tasks" />
          </section>
          <section aria-labelledby="events-h">
            <h2 id="events-h">Events</h2>
            {v.events.length === 0 ? <p class="muted">No events yet.</p> : (
              <ol class="events">
                {v.events.map((e) => <li key={e.id}><Time iso={e.createdAt} /> {e.message}</li>)}
              </ol>
            )}
          </section>
        </>
      )}
    </Loaded>
  );
}
