/** The overview: Berth itself, its engine, and every account and region's clusters with their counts. */
import type { Overview } from '../../views';
import { useView } from '../live';
import { Badge, Loaded } from '../parts';
import { href, Link } from '../router';

const STATES = ['RUNNING', 'PENDING', 'PROVISIONING', 'ACTIVATING', 'DEACTIVATING', 'STOPPING', 'STOPPED'];

export function OverviewPage() {
  const state = useView<Overview>('/_berth/api/overview');
  return (
    <Loaded state={state} what="the overview">
      {(o) => (
        <>
          <h1>Overview</h1>
          <section aria-labelledby="berth-h">
            <h2 id="berth-h" class="sr-only">Berth</h2>
            <dl class="facts">
              <dt>Version</dt><dd>{o.berth.version}</dd>
              <dt>Endpoint</dt><dd><code>{o.berth.endpoint}</code></dd>
              <dt>Data dir</dt><dd><code>{o.berth.dataDir ?? 'ephemeral (in memory)'}</code></dd>
              <dt>Engine</dt><dd><Badge value={o.engine.status} /> {o.engine.name}{o.engine.error ? ` — ${o.engine.error}` : ''}</dd>
              <dt>AWS CLI</dt><dd><code>aws --endpoint-url {o.berth.endpoint} ecs list-clusters</code></dd>
            </dl>
          </section>
          {o.scopes.length === 0 && <p class="muted" data-testid="no-clusters">No clusters yet. Create one with <code>aws --endpoint-url {o.berth.endpoint} ecs create-cluster --cluster-name demo</code>.</p>}
          {o.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Clusters in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              <table>
                <thead>
                  <tr><th scope="col">Cluster</th><th scope="col">Services</th>{STATES.map((st) => <th scope="col" key={st}>{st.toLowerCase()}</th>)}</tr>
                </thead>
                <tbody>
                  {s.clusters.map((c) => (
                    <tr key={c.arn} data-testid={`cluster-${c.name}`}>
                      <th scope="row"><Link to={href('clusters', s.account, s.region, c.name)}>{c.name}</Link></th>
                      <td>{c.activeServices}</td>
                      {STATES.map((st) => <td key={st} class={c.tasks[st] ? '' : 'muted'}>{c.tasks[st] ?? 0}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </>
      )}
    </Loaded>
  );
}
