/**
 * App Runner's image source, from Berth's ECR: the ImageIdentifier as clients spell a Berth repository
 * (`127.0.0.1:4566/<account>/<region>/<repo>:<tag>`) or as ECR does (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`),
 * and the digest its tag names now (App Runner deploys that version; a later push to the tag is a new version).
 */
import { digestForTag, getRepo } from '../ecr/store/index.js';
import { parseRegistryName } from '../../registry/names.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest } from './errors.js';
import type { ImageRef } from './store.js';

export function parseImageIdentifier(id: string): ImageRef {
  let ref = id;
  let tag: string | undefined;
  let digest: string | undefined;
  const at = ref.indexOf('@');
  if (at >= 0) {
    digest = ref.slice(at + 1);
    ref = ref.slice(0, at);
  } else {
    const colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      tag = ref.slice(colon + 1);
      ref = ref.slice(0, colon);
    } else tag = 'latest';
  }
  const slash = ref.indexOf('/');
  const parsed = slash > 0 ? parseRegistryName(ref.slice(slash + 1), ref.slice(0, slash)) : undefined;
  if (!parsed?.ok) throw invalidRequest(`ImageIdentifier ${id} does not name an image in Berth's ECR (<host>/<account>/<region>/<repository>:<tag>, or an ECR URI).`);
  return { account: parsed.repo.account, region: parsed.repo.region, repository: parsed.repo.name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The digest the image's tag names now (or the digest it names); undefined when the repository has no such image. */
export function currentDigest(ctx: Pick<RequestContext, 'sql'>, image: ImageRef): string | undefined {
  const repo = { account: image.account, region: image.region, name: image.repository };
  if (!getRepo(ctx.sql, repo)) return undefined;
  if (image.digest) return image.digest;
  return digestForTag(ctx.sql, repo, image.tag!) ?? undefined;
}

/** The image reference a task pulls: the identifier's repository, pinned to a digest. */
export function pinned(identifier: string, digest: string): string {
  const at = identifier.indexOf('@');
  let base = at >= 0 ? identifier.slice(0, at) : identifier;
  const colon = base.lastIndexOf(':');
  if (at < 0 && colon > base.lastIndexOf('/')) base = base.slice(0, colon);
  return `${base}@${digest}`;
}
