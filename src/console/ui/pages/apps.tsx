/**
 * Apps: App Runner services (status, URL, image or source, the operation in progress) and ECS Express services (status,
 * URL, image, current deployment and the ECS service's deployments), each linked to the ECS service it runs as; an App
 * Runner service's page lists its operations. Live: App Runner's API and controller and ECS's scheduler publish changes.
 */
import type { AppOperationView, AppRunnerServiceSummary, AppRunnerServiceView, AppsView, DeploymentView, EcsServiceRef } from '../../views';
import { useView } from '../live';
import { Badge, Loaded, Time } from '../parts';
import { href, Link } from '../router';

function EcsLink({ account, region, ecs }: { account: string; region: string; ecs: EcsServiceRef | null }) {
  if (!ecs) return <span class="muted">—</span>;
  return <Link to={href('clusters', account, region, ecs.cluster, 'services', ecs.name)}>{ecs.cluster}/{ecs.name}</Link>;
}

function Source({ s }: { s: AppRunnerServiceSummary['source'] }) {
  return s.kind === 'image'
    ? <code>{s.image}</code>
    : <span><code>{s.repository}</code>{s.branch && <span class="muted small"> branch {s.branch}</span>}</span>;
}

function Operation({ op }: { op: AppOperationView | null }) {
  if (!op) return <span class="muted">—</span>;
  return <span>{op.type} <Badge value={op.status} /></span>;
}

function Deployments({ list, label }: { list: DeploymentView[]; label: string }) {
  if (list.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="plain" aria-label={label}>
      {list.map((d) => (
        <li key={d.id}><Badge value={d.status} /> <Badge value={d.rolloutState} /> <span class="small">{d.taskDefinition} · {d.runningCount}/{d.desiredCount} running</span></li>
      ))}
    </ul>
  );
}

export function AppsPage() {
  const state = useView<AppsView>('/_berth/api/apps');
  return (
    <Loaded state={state} what="the apps">
      {(v) => (
        <>
          <h1>Apps</h1>
          {v.scopes.length === 0 && (
            <p class="muted" data-testid="no-apps">No App Runner or ECS Express services yet. Create one with <code>aws apprunner create-service</code> or{' '}
              <code>aws ecs create-express-gateway-service</code>.</p>
          )}
          {v.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Apps in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              <table aria-label={`App Runner services ${s.account} ${s.region}`}>
                <caption>App Runner services</caption>
                <thead>
                  <tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">URL</th><th scope="col">Source</th>
                    <th scope="col">Operation in progress</th><th scope="col">ECS service</th></tr>
                </thead>
                <tbody>
                  {s.appRunner.length === 0 && <tr><td colSpan={6} class="muted">None.</td></tr>}
                  {s.appRunner.map((a) => (
                    <tr key={a.arn} data-testid={`apprunner-${a.name}`}>
                      <th scope="row"><Link to={href('apps', s.account, s.region, a.name)}>{a.name}</Link></th>
                      <td><Badge value={a.status} /></td>
                      <td><a href={a.url} target="_blank" rel="noreferrer">{a.serviceUrl}</a></td>
                      <td><Source s={a.source} /></td>
                      <td data-testid="operation"><Operation op={a.operation} /></td>
                      <td><EcsLink account={s.account} region={s.region} ecs={a.ecsService} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table aria-label={`Express services ${s.account} ${s.region}`}>
                <caption>ECS Express services</caption>
                <thead>
                  <tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">URL</th><th scope="col">Image</th>
                    <th scope="col">Deployments</th><th scope="col">App Runner</th></tr>
                </thead>
                <tbody>
                  {s.express.length === 0 && <tr><td colSpan={6} class="muted">None.</td></tr>}
                  {s.express.map((e) => (
                    <tr key={e.arn} data-testid={`express-${e.name}`}>
                      <th scope="row"><EcsLink account={s.account} region={s.region} ecs={{ cluster: e.cluster, name: e.name }} /></th>
                      <td><Badge value={e.status} /></td>
                      <td>{e.url ? <a href={e.url} target="_blank" rel="noreferrer">{e.endpoint}</a> : <span class="muted">—</span>}</td>
                      <td>{e.image ? <code>{e.image}</code> : <span class="muted">—</span>}</td>
                      <td><Deployments list={e.deployments} label={`Deployments of ${e.name}`} /></td>
                      <td>{e.appRunner ? <Link to={href('apps', s.account, s.region, e.appRunner.name)}>{e.appRunner.name}</Link> : <span class="muted">—</span>}</td>
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

export function AppRunnerServicePage({ account, region, name }: { account: string; region: string; name: string }) {
  const state = useView<AppRunnerServiceView>(`/_berth/api/apps/${[account, region, name].map(encodeURIComponent).join('/')}`);
  return (
    <Loaded state={state} what={`App Runner service ${name}`}>
      {(v) => {
        const s = v.service;
        return (
          <>
            <h1>{s.name} <Badge value={s.status} /> <span class="muted small">App Runner service</span></h1>
            {v.failure && <p class="error" role="alert">{v.failure}</p>}
            <dl class="facts">
              <dt>URL</dt><dd><a href={s.url} target="_blank" rel="noreferrer">{s.serviceUrl}</a> <span class="muted small">(on Berth's port)</span></dd>
              <dt>Source</dt><dd><Source s={s.source} />{v.autoDeployments ? <span class="muted small"> · automatic deployments</span> : ''}</dd>
              <dt>Deployed digest</dt><dd>{v.deployedDigest ? <code>{v.deployedDigest}</code> : <span class="muted">—</span>}</dd>
              <dt>Instance</dt><dd>{v.cpu ?? '—'} CPU units · {v.memory ?? '—'} MiB · port {v.port ?? '—'}</dd>
              <dt>Runs as</dt><dd><EcsLink account={v.account} region={v.region} ecs={s.ecsService} /></dd>
              <dt>ARN</dt><dd><code>{s.arn}</code></dd>
              <dt>Created</dt><dd><Time iso={s.createdAt} /></dd>
            </dl>
            <table aria-label="Operations">
              <caption>Operations</caption>
              <thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Id</th></tr></thead>
              <tbody>
                {v.operations.map((o) => (
                  <tr key={o.id} data-testid="operation-row">
                    <th scope="row">{o.type}</th><td><Badge value={o.status} /></td><td><Time iso={o.startedAt} /></td><td><Time iso={o.endedAt} /></td>
                    <td><code class="small">{o.id}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        );
      }}
    </Loaded>
  );
}
