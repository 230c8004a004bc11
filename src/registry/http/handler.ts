/**
 * The /v2/ request pipeline: match the route, read the repository from the
 * path (see names.ts for the URI scheme), authenticate as ECR does (Basic
 * AWS:<token>), authorize (own account, a repository policy granting another
 * account, or anonymous pull when enabled), then run the route. Registry
 * errors become the spec's `{"errors":[…]}` bodies; anything else is a bug,
 * logged and answered 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { arn, iamArn } from '../../shared/arns.js';
import { requestId as newRequestId } from '../../shared/ids.js';
import { checkPresigned, readCredential, type Credential, type TokenPrincipal } from '../auth.js';
import { createOnPush as createFromTemplate, getRepo, registryPolicyFor, repositoryGrants, type RepoRow } from '../../services/ecr/store/index.js';
import { RegistryError, repositoryNotFound } from '../errors.js';
import type { Registry } from '../index.js';
import { parseRegistryName, type RepoRef } from '../names.js';
import { BlobNotFoundError } from '../storage/driver.js';
import { deleteBlob, getBlob } from './blob-routes.js';
import { catalogRoute, referrersRoute, tagsRoute } from './listing-routes.js';
import { deleteManifest, getManifest, putManifest } from './manifest-routes.js';
import { sendError, sendJson } from './respond.js';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './upload-routes.js';

export interface RouteContext {
  reg: Registry;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  head: boolean;
  repo: RepoRow;
  /** The repository's name as the client spelled it in the URL (for Location headers). */
  wire: string;
  /** The authenticated account (undefined when anonymous or pre-signed). */
  caller?: string;
  /** The route's path parameter (tag, digest or upload id). */
  param: string;
}

type RouteFn = (ctx: RouteContext) => Promise<void> | void;

export interface Route {
  re: RegExp;
  /**
   * `through`: a pull of a missing repository may go to a pull through cache rule's upstream.
   * `create`: a push to a missing repository creates it where a CREATE_ON_PUSH creation template covers it.
   */
  methods: Partial<Record<string, { fn: RouteFn; action: string; pull?: boolean; through?: boolean; create?: boolean }>>;
}

// Order matters: blobs/uploads must win over blobs/<digest>. Names are greedy, so the last marker wins.
// The public registry (public-handler.ts) serves the same routes.
export const ROUTES: Route[] = [
  {
    re: /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    methods: {
      GET: { fn: getManifest, action: 'ecr:BatchGetImage', pull: true, through: true },
      HEAD: { fn: getManifest, action: 'ecr:BatchGetImage', pull: true, through: true },
      PUT: { fn: putManifest, action: 'ecr:PutImage', create: true },
      DELETE: { fn: deleteManifest, action: 'ecr:BatchDeleteImage' },
    },
  },
  {
    re: /^\/v2\/(.+)\/blobs\/uploads\/?()$/,
    methods: { POST: { fn: startUpload, action: 'ecr:InitiateLayerUpload', create: true } },
  },
  {
    re: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    methods: {
      GET: { fn: uploadStatus, action: 'ecr:UploadLayerPart' },
      PATCH: { fn: patchUpload, action: 'ecr:UploadLayerPart' },
      PUT: { fn: putUpload, action: 'ecr:CompleteLayerUpload' },
      DELETE: { fn: cancelUpload, action: 'ecr:UploadLayerPart' },
    },
  },
  {
    re: /^\/v2\/(.+)\/blobs\/([^/]+)$/,
    methods: {
      GET: { fn: getBlob, action: 'ecr:GetDownloadUrlForLayer', pull: true, through: true },
      HEAD: { fn: getBlob, action: 'ecr:GetDownloadUrlForLayer', pull: true, through: true },
      DELETE: { fn: deleteBlob, action: 'ecr:BatchDeleteImage' },
    },
  },
  { re: /^\/v2\/(.+)\/tags\/list()$/, methods: { GET: { fn: tagsRoute, action: 'ecr:ListImages', pull: true } } },
  {
    re: /^\/v2\/(.+)\/referrers\/([^/]+)$/,
    methods: { GET: { fn: referrersRoute, action: 'ecr:BatchGetImage', pull: true } },
  },
];

const UNSCOPED_HINT =
  "Berth's registry names repositories <account>/<region>/<repository-name>: push and pull the repositoryUri that CreateRepository and DescribeRepositories return";

export function registryHandler(reg: Registry) {
  return guarded(reg, route);
}

/** A registry surface's request loop: run it, answering a RegistryError in the spec's body and anything else 500. */
export function guarded(reg: Registry, run: (reg: Registry, req: IncomingMessage, res: ServerResponse, head: boolean) => Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    try {
      await run(reg, req, res, head);
    } catch (err) {
      // The client went away mid-request (a cut-off push): nothing to answer, and not a bug.
      if ((req.destroyed && !req.complete) || (res.destroyed && !res.writableFinished)) {
        res.destroy();
        return;
      }
      const known = err instanceof RegistryError ? err
        : err instanceof BlobNotFoundError ? new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest: err.digest } })
        : undefined;
      if (!known) {
        const id = newRequestId();
        reg.log.error('registry request failed', { requestId: id, method: req.method, url: req.url, error: (err as Error)?.stack ?? String(err) });
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (known) sendError(res, known, {}, head);
      else sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: 'Berth encountered an internal error' }] }, {}, head);
    }
  };
}

function challenge(reg: Registry): Record<string, string> {
  // ECR's challenge names its endpoint as the realm.
  return { 'www-authenticate': `Basic realm="${reg.endpoint()}/",service="ecr.amazonaws.com"` };
}

const unauthorized = (reg: Registry, message?: string) =>
  new RegistryError('UNAUTHORIZED', message ?? 'Not Authorized', { headers: challenge(reg) });

async function route(reg: Registry, req: IncomingMessage, res: ServerResponse, head: boolean) {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  const method = req.method ?? 'GET';
  const now = reg.clock.now();
  const cred = readCredential(reg.secret, req.headers.authorization, now);

  if (path === '/v2' || path === '/v2/') {
    // Always challenge an anonymous ping, even with anonymous pulls on: docker learns the auth scheme here.
    if (cred.kind === 'account') return sendJson(res, 200, {}, {}, head);
    throw unauthorized(reg, cred.kind === 'expired' ? 'Your authorization token has expired. Reauthenticate and try again.' : undefined);
  }
  if (path === '/v2/_catalog') {
    if (method !== 'GET') throw new RegistryError('UNSUPPORTED', undefined, { status: 405 });
    return catalogRoute(reg, res, query, requireAccount(reg, cred));
  }

  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (!m) continue;
    const op = r.methods[method];
    if (!op) throw new RegistryError('UNSUPPORTED', `${method} is not supported on this endpoint`, { status: 405 });
    const name = parseRegistryName(m[1], req.headers.host);
    if (!name.ok) {
      if (name.reason === 'unscoped') throw new RegistryError('NAME_UNKNOWN', `${UNSCOPED_HINT}.`, { detail: { name: m[1] } });
      throw new RegistryError('NAME_INVALID', `invalid repository name '${m[1]}'`, { detail: { name: m[1] } });
    }
    const presigned = op.pull && method !== 'DELETE' && checkPresigned(reg.secret, path, query, now);
    const caller = cred.kind === 'account' ? cred.account : undefined;
    const repo = (presigned ? getRepo(reg.sql, name.repo) : authorize(reg, req, cred, name.repo, op.action, !!op.pull))
      ?? (op.through ? pullThroughRepository(reg, req, cred, name.repo) : undefined)
      ?? (op.create && caller === name.repo.account ? createOnPush(reg, name.repo) : undefined);
    if (!repo) throw repositoryNotFound(name.repo.account, name.repo.name);
    return op.fn({ reg, req, res, query, head, repo, wire: m[1], caller, param: m[2] });
  }
  throw new RegistryError('NAME_UNKNOWN', `no registry endpoint ${method} ${path}`, { status: 404 });
}

/** A push to a missing repository: created (and announced) when a CREATE_ON_PUSH template covers it. */
function createOnPush(reg: Registry, ref: RepoRef): RepoRow | undefined {
  const created = reg.db.transaction(() => createFromTemplate(reg.sql, ref, reg.clock.now()))();
  if (created?.lifecyclePolicyKey) reg.changes?.publish('ecr.lifecycle-policy', created.lifecyclePolicyKey);
  return created?.repo;
}

function requireAccount(reg: Registry, cred: Credential): string {
  if (cred.kind === 'account') return cred.account;
  if (cred.kind === 'expired') throw new RegistryError('DENIED', 'Your authorization token has expired. Reauthenticate and try again.');
  throw unauthorized(reg);
}

/** With --enforce-iam: IAM's refusal of `action` on the repository for the token's principal, or undefined. */
function iamDenial(reg: Registry, req: IncomingMessage, cred: { account: string; principal?: TokenPrincipal }, ref: RepoRef, action: string, policy: string | null) {
  const resource = arn('ecr', ref.region, ref.account, `repository/${ref.name}`);
  const { account, principal } = cred;
  const caller = { account, principalArn: principal?.principalArn ?? iamArn.root(account), accessKeyId: principal?.accessKeyId ?? '', roleArn: principal?.roleArn };
  const ip = req.socket?.remoteAddress;
  return reg.authorize!(caller, action, resource, policy, ip?.startsWith('::ffff:') ? ip.slice(7) : ip);
}

/**
 * A pull of a repository a pull through cache rule would create. With --enforce-iam the caller must also be allowed
 * ecr:CreateRepository and ecr:BatchImportUpstreamImage (its identity policies, or the registry policy), as ECR asks.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html
 */
function pullThroughRepository(reg: Registry, req: IncomingMessage, cred: Credential, ref: RepoRef): RepoRow | undefined {
  const repo = reg.pullThrough?.repository(ref);
  if (!repo || !reg.authorize || cred.kind !== 'account') return repo;
  for (const action of ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage']) {
    const denied = iamDenial(reg, req, cred, ref, action, null);
    if (denied) throw new RegistryError('DENIED', denied);
  }
  return repo;
}

/** The repository, if the caller may perform `action` on it; NAME_UNKNOWN only for callers who may know. */
function authorize(reg: Registry, req: IncomingMessage, cred: Credential, ref: RepoRef, action: string, pull: boolean): RepoRow | undefined {
  if (cred.kind !== 'account') {
    if (pull && reg.config.registryAnonymousPull && cred.kind === 'none') return getRepo(reg.sql, ref);
    requireAccount(reg, cred);
  }
  const account = (cred as { account: string }).account;
  if (reg.authorize) {
    // --enforce-iam: IAM decides, as the principal that asked for the token (a token without one is the account's root).
    const repo = getRepo(reg.sql, ref);
    const denied = iamDenial(reg, req, cred as { account: string; principal?: TokenPrincipal }, ref, action, repo?.policy ?? null);
    if (denied) throw new RegistryError('DENIED', denied);
    return repo;
  }
  const repo = getRepo(reg.sql, ref);
  if (account === ref.account) return repo;
  if (repo && repositoryGrants(repo.policy, registryPolicyFor({ sql: reg.sql, ...ref }, action), account, action)) return repo;
  const resource = arn('ecr', ref.region, ref.account, `repository/${ref.name}`);
  throw new RegistryError('DENIED', `User: arn:aws:iam::${account}:root is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action`);
}
