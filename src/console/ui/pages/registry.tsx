/** The registry: every account and region's ECR repositories, with the `docker login` for Berth's registry. */
import type { RegistryView } from '../../views';
import { useView } from '../live';
import { Command, Loaded, Time } from '../parts';
import { href, Link } from '../router';

export function RegistryPage() {
  const state = useView<RegistryView>('/_berth/api/registry');
  return (
    <Loaded state={state} what="the registry">
      {(v) => (
        <>
          <h1>Registry</h1>
          {v.scopes.length === 0 && (
            <p class="muted" data-testid="no-repositories">
              No repositories yet. Create one with <code>aws --endpoint-url {v.endpoint} ecr create-repository --repository-name web</code>.
            </p>
          )}
          {v.scopes.map((s) => (
            <section key={`${s.account}/${s.region}`} aria-label={`Repositories in ${s.account} ${s.region}`}>
              <h2>{s.region} <span class="muted">account {s.account}</span></h2>
              <Command label="Log docker in" text={s.login} />
              <table aria-label={`Repositories ${s.account} ${s.region}`}>
                <thead>
                  <tr><th scope="col">Repository</th><th scope="col">URI</th><th scope="col">Images</th><th scope="col">Tags</th>
                    <th scope="col">Scan on push</th><th scope="col">Created</th></tr>
                </thead>
                <tbody>
                  {s.repositories.map((r) => (
                    <tr key={r.arn} data-testid={`repository-${r.name}`}>
                      <th scope="row"><Link to={href('registry', s.account, s.region, r.name)}>{r.name}</Link></th>
                      <td><code>{r.uri}</code></td>
                      <td>{r.images}</td>
                      <td>{r.tagMutability.toLowerCase()}</td>
                      <td>{r.scanOnPush ? 'yes' : 'no'}</td>
                      <td><Time iso={r.createdAt} /></td>
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
