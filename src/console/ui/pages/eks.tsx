/**
 * EKS: every account and region's clusters (status, version, endpoint, node groups, Fargate profiles, pods by phase);
 * a cluster's page lists its node groups (desired/min/max, status) and Fargate profiles. Live: EKS's API and
 * controllers publish cluster, node group, profile and Kubernetes object changes.
 */
import type { EksClusterView, EksView } from '../../views';
import { useView } from '../live';
import { Badge, Loaded, Time } from '../parts';
import { href, Link } from '../router';

const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];

function PodCells({ pods }: { pods: Record<string, number> }) {
  return <>{PHASES.map((p) => <td key={p} data-testid={`pods-${p}`} class={pods[p] ? '' : 'muted'}>{pods[p] ?? 0}</td>)}</>;
}

export function EksPage() {
  const state = useView<EksView>('/_berth/api/eks');
  return (
    <Loaded state={state} what="the EKS clusters">
      {(v) => (
        <>
          <h1>EKS clusters</h1>
          {v.scopes.length === 0 && <p class="muted" data-testid="no-eks">No EKS clusters yet. Create one with <code>aws eks create-cluster</code>.</p>}
          {v.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`EKS clusters in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              <table aria-label={`EKS clusters ${s.account} ${s.region}`}>
                <thead>
                  <tr><th scope="col">Cluster</th><th scope="col">Status</th><th scope="col">Version</th><th scope="col">Endpoint</th>
                    <th scope="col">Node groups</th><th scope="col">Fargate profiles</th>
                    {PHASES.map((p) => <th scope="col" key={p}>{p.toLowerCase()} pods</th>)}</tr>
                </thead>
                <tbody>
                  {s.clusters.map((c) => (
                    <tr key={c.arn} data-testid={`eks-${c.name}`}>
                      <th scope="row"><Link to={href('eks', s.account, s.region, c.name)}>{c.name}</Link></th>
                      <td><Badge value={c.status} /></td>
                      <td>{c.version ?? '—'}</td>
                      <td>{c.endpoint ? <code>{c.endpoint}</code> : <span class="muted">—</span>}</td>
                      <td>{c.nodegroups}</td>
                      <td>{c.fargateProfiles}</td>
                      <PodCells pods={c.pods} />
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

export function EksClusterPage({ account, region, name }: { account: string; region: string; name: string }) {
  const state = useView<EksClusterView>(`/_berth/api/eks/${[account, region, name].map(encodeURIComponent).join('/')}`);
  return (
    <Loaded state={state} what={`EKS cluster ${name}`}>
      {(v) => {
        const c = v.cluster;
        return (
          <>
            <h1>{c.name} <Badge value={c.status} /> <span class="muted small">EKS cluster</span></h1>
            <dl class="facts">
              <dt>Kubernetes version</dt><dd>{c.version ?? '—'} <span class="muted small">{c.platformVersion ?? ''}</span></dd>
              <dt>API endpoint</dt><dd>{c.endpoint ? <code>{c.endpoint}</code> : <span class="muted">not yet</span>}</dd>
              <dt>kubeconfig</dt><dd><code>aws eks update-kubeconfig --name {c.name} --region {v.region}</code></dd>
              <dt>Role</dt><dd>{v.roleArn ? <code>{v.roleArn}</code> : '—'}</dd>
              <dt>ARN</dt><dd><code>{c.arn}</code></dd>
              <dt>Created</dt><dd><Time iso={c.createdAt} /></dd>
            </dl>
            <table aria-label="Pods by phase">
              <caption>Pods</caption>
              <thead><tr>{PHASES.map((p) => <th scope="col" key={p}>{p}</th>)}</tr></thead>
              <tbody><tr data-testid="pod-phases"><PodCells pods={c.pods} /></tr></tbody>
            </table>
            <table aria-label="Node groups">
              <caption>Node groups</caption>
              <thead>
                <tr><th scope="col">Node group</th><th scope="col">Status</th><th scope="col">Desired</th><th scope="col">Min</th><th scope="col">Max</th>
                  <th scope="col">Instance types</th><th scope="col">Capacity</th><th scope="col">Version</th><th scope="col">Health</th></tr>
              </thead>
              <tbody>
                {v.nodegroups.length === 0 && <tr><td colSpan={9} class="muted">None.</td></tr>}
                {v.nodegroups.map((n) => (
                  <tr key={n.arn} data-testid={`nodegroup-${n.name}`}>
                    <th scope="row">{n.name}</th><td><Badge value={n.status} /></td>
                    <td data-testid="desired">{n.desired}</td><td>{n.min}</td><td>{n.max}</td>
                    <td>{n.instanceTypes.join(', ') || '—'}</td><td>{n.capacityType ?? '—'}</td><td>{n.version ?? '—'}</td>
                    <td>{n.health.length ? n.health.join('; ') : <span class="muted">no issues</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table aria-label="Fargate profiles">
              <caption>Fargate profiles</caption>
              <thead><tr><th scope="col">Profile</th><th scope="col">Status</th><th scope="col">Selectors</th><th scope="col">Subnets</th></tr></thead>
              <tbody>
                {v.fargateProfiles.length === 0 && <tr><td colSpan={4} class="muted">None.</td></tr>}
                {v.fargateProfiles.map((p) => (
                  <tr key={p.arn} data-testid={`fargate-${p.name}`}>
                    <th scope="row">{p.name}</th><td><Badge value={p.status} /></td><td>{p.selectors.join('; ')}</td><td>{p.subnets}</td>
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
