/**
 * SQS: every account and region's queues with their approximate counts (visible, in flight, delayed), type, dead-letter
 * queue and settings; a queue's page adds the queues that redrive into it, its redrive allow policy and its other
 * attributes. Live: sends, receives and deletes publish changes; messages coming due are read again when they do.
 */
import type { QueueSummary, QueuesView, QueueView } from '../../views';
import { useRefreshAt, useView } from '../live';
import { Badge, bytes, duration, Loaded, Time } from '../parts';
import { href, Link } from '../router';

const queueLink = (account: string, region: string, name: string) => href('queues', account, region, name);

function Counts({ q }: { q: QueueSummary }) {
  return (
    <dl class="counts" aria-label={`Messages in ${q.name}`}>
      <div><dt>Available</dt><dd data-testid="count-visible">{q.messages.visible}</dd></div>
      <div><dt>In flight</dt><dd data-testid="count-in-flight">{q.messages.inFlight}</dd></div>
      <div><dt>Delayed</dt><dd data-testid="count-delayed">{q.messages.delayed}</dd></div>
      <div><dt>Oldest</dt><dd>{q.oldestAgeSeconds === null ? <span class="muted">—</span> : duration(q.oldestAgeSeconds)}</dd></div>
    </dl>
  );
}

export function QueuesPage() {
  const state = useView<QueuesView>('/_berth/api/queues');
  useRefreshAt(state.data?.nextChangeAt);
  return (
    <Loaded state={state} what="the queues">
      {(v) => (
        <>
          <h1>Queues</h1>
          {v.scopes.length === 0 && (
            <p class="muted" data-testid="no-queues">No queues yet. Create one with <code>aws sqs create-queue --queue-name jobs</code>.</p>
          )}
          {v.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Queues in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              <table aria-label={`Queues ${s.account} ${s.region}`}>
                <thead>
                  <tr><th scope="col">Queue</th><th scope="col">Type</th><th scope="col">Available</th><th scope="col">In flight</th>
                    <th scope="col">Delayed</th><th scope="col">Dead-letter queue</th><th scope="col">Visibility timeout</th>
                    <th scope="col">Retention</th></tr>
                </thead>
                <tbody>
                  {s.queues.map((q) => (
                    <tr key={q.arn} data-testid={`queue-${q.name}`}>
                      <th scope="row"><Link to={queueLink(s.account, s.region, q.name)}>{q.name}</Link></th>
                      <td><Badge value={q.type === 'fifo' ? 'FIFO' : 'STANDARD'} /></td>
                      <td data-testid="visible">{q.messages.visible}</td>
                      <td data-testid="in-flight">{q.messages.inFlight}</td>
                      <td data-testid="delayed">{q.messages.delayed}</td>
                      <td>{q.deadLetter
                        ? <><Link to={queueLink(s.account, s.region, q.deadLetter.name)}>{q.deadLetter.name}</Link> <span class="muted small">after {q.deadLetter.maxReceiveCount} receives</span></>
                        : <span class="muted">—</span>}</td>
                      <td>{duration(q.visibilityTimeoutSeconds)}</td>
                      <td>{duration(q.retentionSeconds)}</td>
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

export function QueuePage({ account, region, name }: { account: string; region: string; name: string }) {
  const state = useView<QueueView>(`/_berth/api/queues/${encodeURIComponent(account)}/${encodeURIComponent(region)}/${encodeURIComponent(name)}`);
  useRefreshAt(state.data?.nextChangeAt);
  return (
    <Loaded state={state} what={`queue ${name}`}>
      {(v) => {
        const q = v.queue;
        return (
          <>
            <h1>{q.name} <Badge value={q.type === 'fifo' ? 'FIFO' : 'STANDARD'} /></h1>
            <Counts q={q} />
            <dl class="facts">
              <dt>URL</dt><dd><code>{q.url}</code></dd>
              <dt>ARN</dt><dd><code>{q.arn}</code></dd>
              <dt>Visibility timeout</dt><dd>{duration(q.visibilityTimeoutSeconds)}</dd>
              <dt>Retention</dt><dd>{duration(q.retentionSeconds)}</dd>
              <dt>Delivery delay</dt><dd>{duration(q.delaySeconds)}</dd>
              <dt>Receive wait</dt><dd>{duration(q.receiveWaitSeconds)}</dd>
              <dt>Maximum message size</dt><dd>{bytes(q.maxMessageBytes)}</dd>
              <dt>Created</dt><dd><Time iso={q.createdAt} /></dd>
              <dt>Last modified</dt><dd><Time iso={q.modifiedAt} /></dd>
            </dl>
            <h2>Dead-letter queue</h2>
            {q.deadLetter
              ? <p data-testid="dead-letter">Messages received more than {q.deadLetter.maxReceiveCount} times move to{' '}
                <Link to={queueLink(v.account, v.region, q.deadLetter.name)}>{q.deadLetter.name}</Link>.</p>
              : <p class="muted" data-testid="dead-letter">No redrive policy: messages stay until deleted or past retention.</p>}
            <h2>Source queues</h2>
            <p class="muted small">Redrive allow policy: {v.redriveAllow.permission}{v.redriveAllow.sourceQueues.length ? ` (${v.redriveAllow.sourceQueues.join(', ')})` : ''}</p>
            {v.sources.length === 0 ? <p class="muted" data-testid="no-sources">No queue uses this one as its dead-letter queue.</p> : (
              <table aria-label={`Source queues of ${q.name}`}>
                <thead><tr><th scope="col">Queue</th><th scope="col">Max receives</th></tr></thead>
                <tbody>
                  {v.sources.map((s) => (
                    <tr key={s.name}><th scope="row"><Link to={queueLink(v.account, v.region, s.name)}>{s.name}</Link></th><td>{s.maxReceiveCount}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
            {v.attributes.length > 0 && (
              <table aria-label={`Other attributes of ${q.name}`}>
                <caption>Other attributes</caption>
                <thead><tr><th scope="col">Attribute</th><th scope="col">Value</th></tr></thead>
                <tbody>
                  {v.attributes.map((a) => <tr key={a.name}><th scope="row">{a.name}</th><td><code>{a.value}</code></td></tr>)}
                </tbody>
              </table>
            )}
          </>
        );
      }}
    </Loaded>
  );
}
