/**
 * EventBridge: every account and region's event buses; a bus's page lists its rules (event pattern or schedule, state)
 * and each rule's targets (ARN linked to its console page, what input they get, retry policy, dead-letter queue) with
 * the deliveries still waiting for them. Live: rules, targets, buses and deliveries publish changes.
 */
import type { EventBusesView, EventBusView, EventRuleView, EventTargetView } from '../../views';
import { useView } from '../live';
import { Badge, duration, Loaded, Time } from '../parts';
import { href, Link } from '../router';

/** The console page of what a target's ARN names, if it has one. */
function targetHref(t: EventTargetView): string | null {
  const [, , , region, account, ...rest] = t.arn.split(':');
  const resource = rest.join(':');
  if (t.kind === 'sqs') return href('queues', account, region, resource);
  if (t.kind === 'ecs') return href('clusters', account, region, resource.slice('cluster/'.length));
  if (t.kind === 'event-bus') return href('event-buses', account, region, resource.slice('event-bus/'.length));
  return null;
}

function Target({ t }: { t: EventTargetView }) {
  const to = targetHref(t);
  return (
    <tr data-testid={`target-${t.id}`}>
      <th scope="row">{t.id}</th>
      <td>{to ? <Link to={to}><code>{t.arn}</code></Link> : <code>{t.arn}</code>}</td>
      <td>{t.input}{t.inputTransformer && <pre class="small" data-testid="input-template"><code>{t.inputTransformer.template}</code></pre>}</td>
      <td>{t.retryPolicy
        ? <span class="small">{t.retryPolicy.maximumRetryAttempts ?? 185} tries, {duration(t.retryPolicy.maximumEventAgeSeconds ?? 86_400)}</span>
        : <span class="muted small">default</span>}</td>
      <td>{t.deadLetterArn ? <code class="small">{t.deadLetterArn.split(':').at(-1)}</code> : <span class="muted">—</span>}</td>
      <td data-testid="waiting">{t.waiting
        ? <>{t.waiting.count} waiting{t.waiting.attempts ? `, ${t.waiting.attempts} failed tries` : ''} <span class="muted small">next <Time iso={t.waiting.nextAt} /></span></>
        : <span class="muted">none</span>}</td>
    </tr>
  );
}

function Rule({ r }: { r: EventRuleView }) {
  return (
    <article class="card" aria-label={`Rule ${r.name}`} data-testid={`rule-${r.name}`}>
      <h3>{r.name} <Badge value={r.state} /> {r.description && <span class="muted small">{r.description}</span>}</h3>
      {r.schedule
        ? <p>Schedule <code data-testid="schedule">{r.schedule}</code></p>
        : <pre class="small" data-testid="pattern"><code>{r.pattern ? JSON.stringify(JSON.parse(r.pattern), null, 2) : ''}</code></pre>}
      {r.targets.length === 0 ? <p class="muted">No targets: matched events go nowhere.</p> : (
        <table aria-label={`Targets of ${r.name}`}>
          <thead>
            <tr><th scope="col">Id</th><th scope="col">Target</th><th scope="col">Input</th><th scope="col">Retries</th>
              <th scope="col">Dead-letter queue</th><th scope="col">Deliveries</th></tr>
          </thead>
          <tbody>{r.targets.map((t) => <Target key={t.id} t={t} />)}</tbody>
        </table>
      )}
    </article>
  );
}

export function EventBusesPage() {
  const state = useView<EventBusesView>('/_berth/api/event-buses');
  return (
    <Loaded state={state} what="the event buses">
      {(v) => (
        <>
          <h1>Event buses</h1>
          {v.scopes.length === 0 && (
            <p class="muted" data-testid="no-buses">No event buses yet. Each account and region has a <code>default</code> bus once EventBridge is first used, e.g. <code>aws events put-rule</code>.</p>
          )}
          {v.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Event buses in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              <table aria-label={`Event buses ${s.account} ${s.region}`}>
                <thead><tr><th scope="col">Bus</th><th scope="col">Rules</th><th scope="col">Deliveries waiting</th><th scope="col">Description</th><th scope="col">Created</th></tr></thead>
                <tbody>
                  {s.buses.map((b) => (
                    <tr key={b.arn} data-testid={`bus-${b.name}`}>
                      <th scope="row"><Link to={href('event-buses', s.account, s.region, b.name)}>{b.name}</Link></th>
                      <td data-testid="rules">{b.rules}</td>
                      <td>{b.waiting}</td>
                      <td>{b.description ?? <span class="muted">—</span>}</td>
                      <td><Time iso={b.createdAt} /></td>
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

export function EventBusPage({ account, region, name }: { account: string; region: string; name: string }) {
  const state = useView<EventBusView>(`/_berth/api/event-buses/${encodeURIComponent(account)}/${encodeURIComponent(region)}/${encodeURIComponent(name)}`);
  return (
    <Loaded state={state} what={`event bus ${name}`}>
      {(v) => (
        <>
          <h1>{v.bus.name} <span class="muted small">event bus</span></h1>
          <dl class="facts">
            <dt>ARN</dt><dd><code>{v.bus.arn}</code></dd>
            {v.bus.description && <><dt>Description</dt><dd>{v.bus.description}</dd></>}
            <dt>Dead-letter queue</dt><dd>{v.deadLetterArn ? <code>{v.deadLetterArn}</code> : <span class="muted">—</span>}</dd>
            <dt>Created</dt><dd><Time iso={v.bus.createdAt} /></dd>
          </dl>
          <h2>Rules</h2>
          {v.rules.length === 0 ? <p class="muted" data-testid="no-rules">No rules on this bus.</p> : v.rules.map((r) => <Rule key={r.arn} r={r} />)}
        </>
      )}
    </Loaded>
  );
}
