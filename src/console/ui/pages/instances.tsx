/** Capacity: each cluster's container instances (registered vs remaining CPU and memory as bars) and the Auto Scaling groups. */
import type { ContainerInstanceView, InstancesView } from '../../views';
import { act, ActionButton } from '../actions';
import { useView } from '../live';
import { Badge, Loaded } from '../parts';

/** How much of a resource the instance's tasks hold, as a bar with its numbers. */
function Use({ label, unit, r }: { label: string; unit: string; r: ContainerInstanceView['cpu'] }) {
  const used = r.registered - r.remaining;
  return (
    <span class="use">
      <meter min={0} max={r.registered || 1} value={used} aria-label={`${label} used`} />
      <span class="small">{used} / {r.registered} {unit} used, {r.remaining} left</span>
    </span>
  );
}

export function InstancesPage() {
  const state = useView<InstancesView>('/_berth/api/instances');
  return (
    <Loaded state={state} what="the instances">
      {(v) => (
        <>
          <h1>Instances</h1>
          {v.scopes.every((s) => s.clusters.length === 0 && s.groups.length === 0) && (
            <p class="muted" data-testid="no-instances">No container instances or Auto Scaling groups (Fargate tasks need none).</p>
          )}
          {v.scopes.filter((s) => s.clusters.length || s.groups.length).map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Instances in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              {s.clusters.map((c) => (
                <table key={c.name} aria-label={`Container instances of ${c.name}`}>
                  <caption>Cluster {c.name}</caption>
                  <thead><tr><th scope="col">Instance</th><th scope="col">Status</th><th scope="col">CPU</th><th scope="col">Memory</th>
                    <th scope="col">Running</th><th scope="col">Pending</th><th scope="col">Action</th></tr></thead>
                  <tbody>
                    {c.instances.map((i) => (
                      <tr key={i.arn} data-testid={`instance-${i.ec2InstanceId ?? i.id}`}>
                        <th scope="row"><code>{i.ec2InstanceId ?? i.id}</code>{i.instanceType && <div class="muted small">{i.instanceType}</div>}</th>
                        <td><Badge value={i.status} />{!i.agentConnected && <div class="small">agent disconnected</div>}</td>
                        <td><Use label="CPU" unit="units" r={i.cpu} /></td>
                        <td><Use label="Memory" unit="MiB" r={i.memory} /></td>
                        <td>{i.runningTasks}</td><td>{i.pendingTasks}</td>
                        <td>{(i.status === 'ACTIVE' || i.status === 'DRAINING') && (
                          <ActionButton key={i.status} label={i.status === 'ACTIVE' ? 'Drain' : 'Activate'} testId={`instance-action-${i.ec2InstanceId ?? i.id}`}
                            confirm={i.status === 'ACTIVE' ? 'Drain: move its tasks?' : undefined}
                            run={() => act('ecs/UpdateContainerInstancesState', s, { cluster: c.name, containerInstances: [i.arn], status: i.status === 'ACTIVE' ? 'DRAINING' : 'ACTIVE' })} />
                        )}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ))}
              {s.groups.map((g) => (
                <section key={g.name} aria-label={`Auto Scaling group ${g.name}`} data-testid={`asg-${g.name}`}>
                  <h3>Auto Scaling group {g.name} {g.status && <Badge value={g.status} />}</h3>
                  <dl class="counts">
                    <div><dt>Min</dt><dd>{g.minSize}</dd></div>
                    <div><dt>Desired</dt><dd data-testid="asg-desired">{g.desiredCapacity}</dd></div>
                    <div><dt>Max</dt><dd>{g.maxSize}</dd></div>
                    <div><dt>In service</dt><dd>{g.instances.filter((i) => i.lifecycleState === 'InService').length}</dd></div>
                  </dl>
                  {g.instances.length > 0 && (
                    <table aria-label={`Instances of ${g.name}`}>
                      <thead><tr><th scope="col">Instance</th><th scope="col">Lifecycle</th><th scope="col">Health</th><th scope="col">Zone</th><th scope="col">Type</th></tr></thead>
                      <tbody>
                        {g.instances.map((i) => (
                          <tr key={i.id}>
                            <th scope="row"><code>{i.id}</code>{i.protectedFromScaleIn && <span class="muted small"> protected</span>}</th>
                            <td>{i.lifecycleState}</td><td>{i.health}</td><td>{i.zone ?? '—'}</td><td>{i.instanceType ?? '—'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </section>
              ))}
            </section>
          ))}
        </>
      )}
    </Loaded>
  );
}
