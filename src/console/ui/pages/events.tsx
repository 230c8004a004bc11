/** Events: every service's events, newest first, filterable; and the EventBridge deliveries waiting for their targets. */
import { useState } from 'preact/hooks';
import type { EventsView } from '../../views';
import { useView } from '../live';
import { Loaded, Time } from '../parts';
import { href, Link } from '../router';

export function EventsPage() {
  const state = useView<EventsView>('/_berth/api/feed');
  const [filter, setFilter] = useState('');
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = (text: string) => words.every((w) => text.toLowerCase().includes(w));
  return (
    <Loaded state={state} what="the events">
      {(v) => {
        const events = v.serviceEvents.filter((e) => shown(`${e.cluster} ${e.service} ${e.message}`));
        return (
          <>
            <h1>Events</h1>
            <label class="filter">Filter <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)}
              placeholder="cluster, service or words in the message" aria-label="Filter events" /></label>
            <section aria-labelledby="service-events-h">
              <h2 id="service-events-h">Service events <span class="muted small">({events.length} of the newest {v.serviceEvents.length})</span></h2>
              {events.length === 0 ? <p class="muted" data-testid="no-events">No service events{words.length ? ' match' : ' yet'}.</p> : (
                <table aria-label="Service events">
                  <thead><tr><th scope="col">Time</th><th scope="col">Service</th><th scope="col">Message</th></tr></thead>
                  <tbody>
                    {events.map((e) => (
                      <tr key={e.id} data-testid="event-row">
                        <td><Time iso={e.createdAt} /></td>
                        <td><Link to={href('clusters', e.account, e.region, e.cluster, 'services', e.service)}>{e.cluster}/{e.service}</Link></td>
                        <td>{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="deliveries-h">
              <h2 id="deliveries-h">EventBridge deliveries waiting</h2>
              {v.deliveries.length === 0 ? <p class="muted">None: every matched event has reached its target (delivered events are not kept).</p> : (
                <table aria-label="Waiting deliveries">
                  <thead><tr><th scope="col">Event</th><th scope="col">Rule</th><th scope="col">Target</th><th scope="col">Attempts</th><th scope="col">Next try</th></tr></thead>
                  <tbody>
                    {v.deliveries.map((d, i) => (
                      <tr key={i}>
                        <td>{d.source} · {d.detailType}</td><td>{d.rule}</td><td>{d.target}</td><td>{d.attempts}</td><td><Time iso={d.dueAt} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        );
      }}
    </Loaded>
  );
}
