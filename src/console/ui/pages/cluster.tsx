/** A cluster: its services with their counts, and the tasks started outside a service. */
import type { ClusterView } from '../../views';
import { useView } from '../live';
import { Badge, Loaded } from '../parts';
import { href, Link } from '../router';
import { TasksTable } from './tasks-table';

export function ClusterPage({ account, region, cluster }: { account: string; region: string; cluster: string }) {
  const state = useView<ClusterView>(`/_berth/api/clusters/${[account, region, cluster].map(encodeURIComponent).join('/')}`);
  return (
    <Loaded state={state} what={`cluster ${cluster}`}>
      {(v) => (
        <>
          <h1>Cluster {v.cluster.name} <Badge value={v.cluster.status} /></h1>
          <p class="muted"><code>{v.cluster.arn}</code></p>
          <section aria-labelledby="services-h">
            <h2 id="services-h">Services</h2>
            {v.services.length === 0 ? <p class="muted">No services.</p> : (
              <table aria-label="Services">
                <thead>
                  <tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Desired</th><th scope="col">Running</th>
                    <th scope="col">Pending</th><th scope="col">Rollout</th><th scope="col">Definition</th><th scope="col">Launch type</th></tr>
                </thead>
                <tbody>
                  {v.services.map((s) => (
                    <tr key={s.arn} data-testid={`service-${s.name}`}>
                      <th scope="row"><Link to={href('clusters', account, region, cluster, 'services', s.name)}>{s.name}</Link></th>
                      <td><Badge value={s.status} /></td>
                      <td>{s.desiredCount}</td><td>{s.runningCount}</td><td>{s.pendingCount}</td>
                      <td><Badge value={s.rolloutState} /></td>
                      <td>{s.taskDefinition}</td><td>{s.launchType ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="standalone-h">
            <h2 id="standalone-h">Standalone tasks</h2>
            <TasksTable tasks={v.standaloneTasks} account={account} region={region} cluster={cluster} label="Standalone tasks" />
          </section>
        </>
      )}
    </Loaded>
  );
}
