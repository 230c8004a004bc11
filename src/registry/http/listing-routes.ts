/** Tag lists (n/last pagination with a Link header), the catalog, and the OCI 1.1 referrers API. */
import type { ServerResponse } from 'node:http';
import { lookupDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import type { Registry } from '../index.js';
import { MEDIA, type Descriptor } from '../manifest-format.js';
import { catalog, listTags, referrers } from '../../services/ecr/store/index.js';
import { wireName } from '../names.js';
import type { RouteContext } from './handler.js';
import { sendJson } from './respond.js';

/** The spec's `n`: a non-negative integer, or absent (everything). */
function pageSize(query: URLSearchParams): number | undefined {
  const n = query.get('n');
  if (n === null || n === '') return undefined;
  if (!/^\d+$/.test(n)) throw new RegistryError('UNSUPPORTED', `invalid n '${n}'`, { status: 400 });
  return Number(n);
}

const nextLink = (path: string, n: number, last: string) =>
  `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;

export function tagsRoute(ctx: RouteContext): void {
  const n = pageSize(ctx.query);
  const last = ctx.query.get('last') ?? '';
  const limit = n ?? Number.MAX_SAFE_INTEGER;
  const tags = n === 0 ? [] : listTags(ctx.reg.sql, ctx.repo, last, Math.min(limit, 100_000) + 1);
  const page = tags.slice(0, limit);
  const headers: Record<string, string> = {};
  if (n !== undefined && tags.length > limit) headers.link = nextLink(`/v2/${ctx.wire}/tags/list`, n, page[page.length - 1]);
  sendJson(ctx.res, 200, { name: ctx.wire, tags: page }, headers);
}

/** The caller's own repositories, as wire names, in lexical order. */
export function catalogRoute(reg: Registry, res: ServerResponse, query: URLSearchParams, account: string): void {
  const n = pageSize(query);
  const last = query.get('last') ?? '';
  const names = catalog(reg.sql, account).map(wireName).sort().filter((name) => name > last);
  const page = n === undefined ? names : names.slice(0, n);
  const headers: Record<string, string> = {};
  if (n !== undefined && n > 0 && names.length > n) headers.link = nextLink('/v2/_catalog', n, page[page.length - 1]);
  sendJson(res, 200, { repositories: page }, headers);
}

export function referrersRoute(ctx: RouteContext): void {
  // A subject of an algorithm Berth does not store has no referrers: an empty index, as for any unknown subject.
  const subject = lookupDigest(ctx.param);
  const wanted = ctx.query.get('artifactType');
  const manifests: Descriptor[] = [];
  for (const m of subject ? referrers(ctx.reg.sql, ctx.repo, subject) : []) {
    const artifactType = m.artifactType ?? undefined;
    if (wanted && artifactType !== wanted) continue;
    const doc = JSON.parse(m.body.toString('utf8')) as { annotations?: Record<string, string> };
    manifests.push({
      mediaType: m.mediaType, digest: m.digest, size: m.body.length,
      ...(artifactType ? { artifactType } : {}),
      ...(doc.annotations ? { annotations: doc.annotations } : {}),
    });
  }
  const headers: Record<string, string> = { 'content-type': MEDIA.ociIndex };
  if (wanted) headers['oci-filters-applied'] = 'artifactType';
  sendJson(ctx.res, 200, { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }, headers);
}
