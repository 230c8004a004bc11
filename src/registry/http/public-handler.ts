/**
 * Berth's public registry (ECR Public's `public.ecr.aws`), on a port of its own: `<host>:<port>/<alias>/<name>`.
 *
 * Why its own port: docker asks a registry how to authenticate once per host (GET /v2/), and decides from that one
 * answer. The private registry answers with ECR's Basic challenge, with which docker refuses to pull without
 * credentials ("no basic auth credentials"). public.ecr.aws answers with a Bearer challenge and a token service
 * that hands anonymous callers a pull token, and that is what this surface does:
 *
 *   GET /v2/                      401 + `WWW-Authenticate: Bearer realm="<this>/token/",service="public.ecr.aws",scope="aws"`
 *                                 (200 with a token)
 *   GET /token/?scope=…           anonymous: a pull token; Basic AWS:<`aws ecr-public get-login-password`>: a token
 *                                 that may also push to the caller's own repositories
 *   /v2/<alias>/<name>/…          the private registry's own routes (http/handler.ts ROUTES) over the repository's
 *                                 images in ECR Public's namespace (services/ecr-public/store.ts)
 *   GET /logo/<alias>/<name>      a repository's catalog logo (logoUrl)
 *
 * Pulls are anyone's; pushes and deletes are the owning account's (with --enforce-iam: as IAM decides for the
 * `ecr-public:` action on the repository's ARN). An anonymous push is 401 UNAUTHORIZED with an insufficient_scope
 * challenge (docker prints "denied: requested access to the resource is denied"); another account's, 403 DENIED.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { iamArn } from '../../shared/arns.js';
import { issueToken, publicTokenSecret, readCredential, TOKEN_TTL_MS, type Credential } from '../auth.js';
import { getPublicRepo, publicRegistryByAlias, publicRepoLogo, registryRepo } from '../../services/ecr-public/store.js';
import { RegistryError } from '../errors.js';
import type { Registry } from '../index.js';
import { isRepositoryName } from '../names.js';
import { guarded, ROUTES } from './handler.js';
import { send, sendJson } from './respond.js';

/** The service name public.ecr.aws puts in its challenge (docker sends it back to the token service). */
const SERVICE = 'public.ecr.aws';

export function publicRegistryHandler(reg: Registry) {
  return guarded(reg, route);
}

/** Bearer tokens are signed under a key of their own: a login token is not a bearer token, nor the reverse. */
const bearerSecret = (reg: Registry) => createHmac('sha256', publicTokenSecret(reg.secret)).update('bearer').digest();

function challenge(reg: Registry, scope = 'aws', error?: string): Record<string, string> {
  const realm = `${reg.publicEndpoint()}/token/`;
  return { 'www-authenticate': `Bearer realm="${realm}",service="${SERVICE}",scope="${scope}"${error ? `,error="${error}"` : ''}` };
}

/**
 * Who a request is: a bearer token from /token/ (an account, or '' for anonymous), or the login token itself sent as
 * Basic (curl, clients that skip the token dance).
 */
function callerOf(reg: Registry, header: string | undefined, now: number): Credential {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (bearer) return readCredential(bearerSecret(reg), `Basic ${bearer[1]}`, now);
  return readCredential(publicTokenSecret(reg.secret), header, now);
}

async function route(reg: Registry, req: IncomingMessage, res: ServerResponse, head: boolean): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  const method = req.method ?? 'GET';
  const now = reg.clock.now();

  if (path === '/token' || path === '/token/') return token(reg, req, res, now);
  if (path.startsWith('/logo/')) return logo(reg, res, path.slice('/logo/'.length), head);

  const cred = callerOf(reg, req.headers.authorization, now);
  if (path === '/v2' || path === '/v2/') {
    if (cred.kind === 'account') return sendJson(res, 200, {}, {}, head);
    throw new RegistryError('UNAUTHORIZED', cred.kind === 'expired' ? 'Your authorization token has expired. Reauthenticate and try again.' : undefined, {
      headers: challenge(reg),
    });
  }
  if (path === '/v2/_catalog') throw new RegistryError('UNSUPPORTED', 'the public registry has no catalog; browse repositories with DescribeRepositories', { status: 404 });

  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (!m) continue;
    const op = r.methods[method];
    if (!op) throw new RegistryError('UNSUPPORTED', `${method} is not supported on this endpoint`, { status: 405 });
    const wire = m[1];
    const slash = wire.indexOf('/');
    const alias = slash > 0 ? wire.slice(0, slash) : '';
    const name = wire.slice(slash + 1);
    if (!alias || !isRepositoryName(name)) throw new RegistryError('NAME_INVALID', `invalid repository name '${wire}': public images are <alias>/<repository-name>`, { detail: { name: wire } });
    const registry = publicRegistryByAlias(reg.sql, alias);
    const account = cred.kind === 'account' && cred.account ? cred.account : undefined;
    if (!op.pull) authorizePush(reg, req, cred, registry?.account, name, op.action, wire);
    const repo = registry && getPublicRepo(reg.sql, registry.account, name);
    if (!repo) throw new RegistryError('NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with alias '${alias}'`, { detail: { name: wire } });
    return op.fn({ reg, req, res, query, head, repo: registryRepo(repo), wire, caller: account, param: m[2] });
  }
  throw new RegistryError('NAME_UNKNOWN', `no registry endpoint ${method} ${path}`, { status: 404 });
}

/** A push or delete: the owning account's (IAM's call with --enforce-iam); anonymous callers are asked to log in. */
function authorizePush(reg: Registry, req: IncomingMessage, cred: Credential, owner: string | undefined, name: string, action: string, wire: string) {
  if (cred.kind !== 'account' || !cred.account) {
    if (cred.kind === 'expired') throw new RegistryError('DENIED', 'Your authorization token has expired. Reauthenticate and try again.');
    throw new RegistryError('UNAUTHORIZED', 'authentication required', { headers: challenge(reg, `repository:${wire}:pull,push`, 'insufficient_scope') });
  }
  const publicAction = action.replace(/^ecr:/, 'ecr-public:');
  const resource = `arn:aws:ecr-public::${owner ?? cred.account}:repository/${name}`;
  if (reg.authorize) {
    const p = cred.principal;
    const ip = req.socket?.remoteAddress;
    const repo = owner ? getPublicRepo(reg.sql, owner, name) : undefined;
    const denied = reg.authorize(
      { account: cred.account, principalArn: p?.principalArn ?? iamArn.root(cred.account), accessKeyId: p?.accessKeyId ?? '', roleArn: p?.roleArn },
      publicAction, resource, repo?.policy ?? null, ip?.startsWith('::ffff:') ? ip.slice(7) : ip,
    );
    if (denied) throw new RegistryError('DENIED', denied);
  }
  if (owner !== undefined && owner !== cred.account) {
    throw new RegistryError('DENIED', `User: arn:aws:iam::${cred.account}:root is not authorized to perform: ${publicAction} on resource: ${resource}`);
  }
}

/**
 * The token service docker asks after the challenge: `{"token": …}` as distribution's token auth spells it. Without
 * credentials the token only pulls (as public.ecr.aws: anyone may pull); with Basic AWS:<login token> it carries the
 * caller's account. Bad credentials are refused here, which is how `docker login` learns they are wrong.
 */
function token(reg: Registry, req: IncomingMessage, res: ServerResponse, now: number): void {
  const cred = req.headers.authorization ? readCredential(publicTokenSecret(reg.secret), req.headers.authorization, now) : { kind: 'none' as const };
  if (cred.kind === 'invalid') throw new RegistryError('UNAUTHORIZED', 'Your authorization token is invalid.', { headers: challenge(reg) });
  if (cred.kind === 'expired') throw new RegistryError('UNAUTHORIZED', 'Your authorization token has expired. Reauthenticate and try again.', { headers: challenge(reg) });
  const account = cred.kind === 'account' ? cred.account : '';
  const issued = issueToken(bearerSecret(reg), account, now, cred.kind === 'account' ? cred.principal : undefined);
  const expiresIn = Math.floor(TOKEN_TTL_MS / 1000);
  sendJson(res, 200, { token: issued.authorizationToken, access_token: issued.authorizationToken, expires_in: expiresIn, issued_at: new Date(now).toISOString() });
}

function logo(reg: Registry, res: ServerResponse, rest: string, head: boolean): void {
  const slash = rest.indexOf('/');
  const registry = slash > 0 ? publicRegistryByAlias(reg.sql, rest.slice(0, slash)) : undefined;
  const bytes = registry && publicRepoLogo(reg.sql, registry.account, rest.slice(slash + 1));
  if (!bytes) throw new RegistryError('NAME_UNKNOWN', 'no logo here', { status: 404 });
  const png = bytes[0] === 0x89;
  send(res, 200, { 'content-type': png ? 'image/png' : 'image/jpeg' }, bytes, head);
}
