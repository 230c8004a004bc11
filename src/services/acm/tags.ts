/**
 * Certificate tags: AddTagsToCertificate, RemoveTagsFromCertificate,
 * ListTagsForCertificate, and the Tags of ImportCertificate and
 * RequestCertificate. ACM tags may have no value; Berth's tag rows store an
 * absent value as "" and list it without one.
 */
import type {
  AddTagsToCertificateRequest, ListTagsForCertificateRequest, ListTagsForCertificateResponse, RemoveTagsFromCertificateRequest, Tag,
} from '@aws-sdk/client-acm';
import type { RequestContext } from '../provider.js';
import { countTags, getTags, putTags, removeTags } from '../../state/tags.js';
import { requireCertificate } from './certificates.js';
import { constraint, invalidTag, tooManyTags } from './errors.js';

const MAX_TAGS = 50;
const KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function checkTags(tags: Tag[] | undefined, path = 'tags'): void {
  (tags ?? []).forEach((t, i) => {
    const key = t.Key ?? '';
    if (key.length < 1 || key.length > 128) throw constraint(key, `${path}.${i + 1}.member.key`, 'Member must have length between 1 and 128');
    if (!KEY_PATTERN.test(key)) throw constraint(key, `${path}.${i + 1}.member.key`, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*');
    if ((t.Value ?? '').length > 256) throw constraint(t.Value, `${path}.${i + 1}.member.value`, 'Member must have length less than or equal to 256');
    // Keys in the aws: namespace belong to AWS.
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag(`Tag key "${key}" is not allowed: the "aws:" prefix is reserved for AWS use.`);
  });
}

export function applyTags(ctx: RequestContext, arn: string, tags: Tag[] | undefined): void {
  if (!tags?.length) return;
  const existing = new Set(getTags(ctx, arn).map((t) => t.key));
  const fresh = new Set(tags.map((t) => t.Key!).filter((k) => !existing.has(k)));
  if (countTags(ctx, arn) + fresh.size > MAX_TAGS) throw tooManyTags(`The certificate ${arn} can have at most ${MAX_TAGS} tags.`);
  putTags(ctx, arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
}

export function addTagsToCertificate(ctx: RequestContext, input: AddTagsToCertificateRequest): Record<string, never> {
  const c = requireCertificate(ctx, input.CertificateArn!);
  if (!input.Tags?.length) throw constraint('[]', 'tags', 'Member must have length greater than or equal to 1');
  checkTags(input.Tags);
  applyTags(ctx, c.arn, input.Tags);
  return {};
}

export function removeTagsFromCertificate(ctx: RequestContext, input: RemoveTagsFromCertificateRequest): Record<string, never> {
  const c = requireCertificate(ctx, input.CertificateArn!);
  checkTags(input.Tags);
  const current = new Map(getTags(ctx, c.arn).map((t) => [t.key, t.value]));
  // A tag given with a value is removed only when the value matches.
  const keys = (input.Tags ?? []).filter((t) => t.Value === undefined || current.get(t.Key!) === t.Value).map((t) => t.Key!);
  removeTags(ctx, c.arn, keys);
  return {};
}

export function listTagsForCertificate(ctx: RequestContext, input: ListTagsForCertificateRequest): ListTagsForCertificateResponse {
  const c = requireCertificate(ctx, input.CertificateArn!);
  return { Tags: getTags(ctx, c.arn).map((t) => (t.value === '' ? { Key: t.key } : { Key: t.key, Value: t.value })) };
}
