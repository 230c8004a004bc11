/**
 * Where an image lives, and how its name is spelled on the wire.
 *
 * The URI scheme (why): ECR's `<account>.dkr.ecr.<region>.amazonaws.com/<repo>`
 * puts the account and region in the host. A stock docker engine only talks
 * plain HTTP to hosts that resolve into 127.0.0.0/8 (or `localhost`), and
 * `*.localhost` names do not resolve on most machines (glibc and Go's resolver
 * do not special-case them; tested: docker 20.10 here fails with "no such
 * host"). So Berth keeps the host as Berth's own endpoint and moves account
 * and region into the first two path segments:
 *
 *     repositoryUri  127.0.0.1:4566/<account>/<region>/<repository-name>
 *     proxyEndpoint  http://127.0.0.1:4566
 *
 * This needs no daemon or DNS configuration, is unambiguous across accounts and
 * regions, and keeps the ECR repository name intact as the path's tail. A
 * request whose Host is `<account>.dkr.ecr.<region>.<anything>` (e.g. mapped in
 * /etc/hosts) is also understood, with the repository name as the whole path.
 */
export interface RepoRef {
  account: string;
  region: string;
  /** The ECR repository name (e.g. team/web). */
  name: string;
}

/** ECR's repository name rule (CreateRepository's pattern), 2–256 characters. */
export const REPOSITORY_NAME_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const isRepositoryName = (name: string) => name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_RE.test(name);

/** OCI tag grammar. */
export const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const ACCOUNT_RE = /^\d{12}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ECR_HOST_RE = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\./;

export type NameParse = { ok: true; repo: RepoRef } | { ok: false; reason: 'invalid' | 'unscoped' };

/** The repository a /v2/<name>/… path names, given the request's Host header. */
export function parseRegistryName(name: string, host: string | undefined): NameParse {
  const byHost = host ? ECR_HOST_RE.exec(host) : null;
  if (byHost) {
    return isRepositoryName(name) ? { ok: true, repo: { account: byHost[1], region: byHost[2], name } } : { ok: false, reason: 'invalid' };
  }
  const parts = name.split('/');
  const repo = parts.slice(2).join('/');
  if (parts.length >= 3 && ACCOUNT_RE.test(parts[0]) && REGION_RE.test(parts[1])) {
    return isRepositoryName(repo) ? { ok: true, repo: { account: parts[0], region: parts[1], name: repo } } : { ok: false, reason: 'invalid' };
  }
  // A well-formed name without the <account>/<region>/ prefix: a user who typed the ECR name alone.
  return { ok: false, reason: isRepositoryName(name) ? 'unscoped' : 'invalid' };
}

/** host:port of an endpoint URL (http://127.0.0.1:4566 → 127.0.0.1:4566). */
export const registryHost = (endpoint: string) => new URL(endpoint).host;

/** The name of a repository as clients spell it on this registry (no host). */
export const wireName = (repo: RepoRef) => `${repo.account}/${repo.region}/${repo.name}`;

export const repositoryUri = (endpoint: string, repo: RepoRef) => `${registryHost(endpoint)}/${wireName(repo)}`;

/** What `docker login` is given: Berth's endpoint (docker keeps one credential per host). */
export const proxyEndpoint = (endpoint: string) => endpoint.replace(/\/+$/, '');

const ECR_IMAGE_RE = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/**
 * An image reference as Berth's registry can serve it: a real ECR reference
 * (`<acct>.dkr.ecr.<region>.amazonaws.com/web:1`, as task definitions carry)
 * becomes `<host>/<acct>/<region>/web:1`; anything else is returned unchanged.
 */
export function localImageReference(endpoint: string, image: string): string {
  const m = ECR_IMAGE_RE.exec(image);
  return m ? `${registryHost(endpoint)}/${m[1]}/${m[2]}/${m[3]}` : image;
}
