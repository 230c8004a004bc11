/** A repository: its newest images with tags, digests, sizes, push and pull times, scan findings, and the commands. */
import type { RepositoryView } from '../../views';
import { act, ActionButton } from '../actions';
import { useView } from '../live';
import { Badge, bytes, Command, Loaded, Time } from '../parts';

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

function Findings({ scan }: { scan: RepositoryView['images'][number]['scan'] }) {
  if (!scan) return <span class="muted">not scanned</span>;
  const counts = SEVERITIES.filter((s) => scan.findings[s]);
  return (
    <>
      <Badge value={scan.status} />{' '}
      {counts.length === 0 ? <span class="muted">no findings</span>
        : counts.map((s) => <span key={s} class={`sev ${s.toLowerCase()}`}>{s.toLowerCase()} {scan.findings[s]}</span>)}
    </>
  );
}

export function RepositoryPage({ account, region, name }: { account: string; region: string; name: string }) {
  const state = useView<RepositoryView>(`/_berth/api/registry/${[account, region, name].map(encodeURIComponent).join('/')}`);
  return (
    <Loaded state={state} what={`repository ${name}`}>
      {(v) => (
        <>
          <h1>Repository {v.repository.name}</h1>
          <p class="muted"><code>{v.repository.arn}</code></p>
          <Command label="Log docker in" text={v.login} />
          <Command label="Push an image" text={v.push} />
          <section aria-labelledby="images-h">
            <h2 id="images-h">Images <span class="muted small">({v.repository.images}{v.repository.images > v.images.length ? `, newest ${v.images.length} shown` : ''})</span></h2>
            {v.images.length === 0 ? <p class="muted" data-testid="no-images">No images yet.</p> : (
              <table aria-label="Images">
                <thead>
                  <tr><th scope="col">Tags</th><th scope="col">Digest</th><th scope="col">Size</th><th scope="col">Pushed</th>
                    <th scope="col">Last pulled</th><th scope="col">Scan</th><th scope="col">Pull</th><th scope="col">Action</th></tr>
                </thead>
                <tbody>
                  {v.images.map((i) => (
                    <tr key={i.digest} data-testid="image-row">
                      <th scope="row">{i.tags.length ? i.tags.map((t) => <span key={t} class="tag">{t}</span>) : <span class="muted">untagged</span>}
                        {i.status !== 'ACTIVE' && <> <Badge value={i.status} /></>}</th>
                      <td><code title={i.digest}>{i.digest.slice(0, 19)}…</code></td>
                      <td>{bytes(i.sizeBytes)}</td>
                      <td><Time iso={i.pushedAt} /></td>
                      <td><Time iso={i.lastPulledAt} /></td>
                      <td><Findings scan={i.scan} /></td>
                      <td><code class="small">{i.pull}</code></td>
                      <td><ActionButton label="Delete" confirm="Delete this image?" testId="delete-image" done="Deleted."
                        run={() => act('ecr/BatchDeleteImage', { account, region }, { repositoryName: name, imageIds: [{ imageDigest: i.digest }] })} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </Loaded>
  );
}
