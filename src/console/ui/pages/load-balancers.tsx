/** Load balancers: listeners with the address to open and their rules in priority order; target groups with each target's health, live. */
import type { LoadBalancersView, TargetGroupView } from '../../views';
import { Chart } from '../chart';
import { useView } from '../live';
import { Badge, Loaded } from '../parts';

function TargetGroup({ tg }: { tg: TargetGroupView }) {
  return (
    <section aria-label={`Target group ${tg.name}`} data-testid={`tg-${tg.name}`}>
      <h3>{tg.name} <span class="muted small">{tg.targetType} · {tg.protocol ?? ''}{tg.port ? `:${tg.port}` : ''}
        {tg.healthCheckPath ? ` · checks ${tg.healthCheckPath}` : ''} · {tg.loadBalancers.length ? `used by ${tg.loadBalancers.join(', ')}` : 'not used'}</span></h3>
      {tg.targets.length === 0 ? <p class="muted">No targets registered.</p> : (
        <table aria-label={`Targets of ${tg.name}`}>
          <thead><tr><th scope="col">Target</th><th scope="col">Port</th><th scope="col">Health</th><th scope="col">Reason</th></tr></thead>
          <tbody>
            {tg.targets.map((t) => (
              <tr key={`${t.id}:${t.port}`} data-testid="target-row">
                <th scope="row"><code>{t.id}</code></th><td>{t.port ?? '—'}</td>
                <td><Badge value={t.state.toUpperCase()} /></td>
                <td>{t.reason ? <><code>{t.reason}</code> {t.description}</> : <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function LoadBalancersPage() {
  const state = useView<LoadBalancersView>('/_berth/api/load-balancers');
  return (
    <Loaded state={state} what="the load balancers">
      {(v) => (
        <>
          <h1>Load balancers</h1>
          {v.scopes.length === 0 && <p class="muted" data-testid="no-load-balancers">No load balancers or target groups yet.</p>}
          {v.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Load balancers in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              {s.loadBalancers.map((lb) => (
                <article key={lb.arn} aria-label={`Load balancer ${lb.name}`} data-testid={`lb-${lb.name}`} class="card">
                  <h3>{lb.name} <Badge value={lb.state.toUpperCase()} /> <span class="muted small">{lb.type} · {lb.scheme} · {lb.dnsName}</span></h3>
                  <div class="charts"><Chart title={lb.requests.metric} points={lb.requests.points} from={lb.requests.from} to={lb.requests.to} /></div>
                  {lb.listeners.length === 0 ? <p class="muted">No listeners.</p> : lb.listeners.map((l) => (
                    <div key={l.arn}>
                      <h4>{l.protocol}:{l.port} {l.address
                        ? (l.address.includes('://') ? <a href={l.address} target="_blank" rel="noreferrer">{l.address}</a> : <code>{l.address}</code>)
                        : <span class="muted small">port not bound</span>}</h4>
                      <table aria-label={`Rules of ${lb.name} ${l.protocol}:${l.port}`}>
                        <thead><tr><th scope="col">Priority</th><th scope="col">If</th><th scope="col">Then</th></tr></thead>
                        <tbody>
                          {l.rules.map((r) => (
                            <tr key={r.priority}>
                              <th scope="row">{r.priority}</th>
                              <td>{r.conditions.length ? r.conditions.join('; ') : <span class="muted">any request</span>}</td>
                              <td>{r.actions.join('; ')}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ))}
                </article>
              ))}
              <h2 class="sub">Target groups</h2>
              {s.targetGroups.length === 0 ? <p class="muted">No target groups.</p> : s.targetGroups.map((tg) => <TargetGroup key={tg.arn} tg={tg} />)}
            </section>
          ))}
        </>
      )}
    </Loaded>
  );
}
