/**
 * ECS tagging rules (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html):
 * at most 50 tags per resource, keys 1-128 and values 0-256 characters, and the
 * aws: prefix reserved.
 */
import type { Tag } from '@aws-sdk/client-ecs';
import type { TagPair } from '../../state/tags.js';
import { invalidParameter } from './errors.js';

export const MAX_TAGS = 50;

export function validateNewTags(tags: Tag[] | undefined, existingCount = 0) {
  if (!tags) return;
  for (const t of tags) {
    const key = t.key ?? '';
    if (key.length < 1 || key.length > 128) throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    if ((t.value ?? '').length > 256) throw invalidParameter('Tag values must be at most 256 characters.');
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameter('Tag keys may not begin with the reserved prefix aws:.');
  }
  if (new Set(tags.map((t) => t.key)).size + existingCount > MAX_TAGS) {
    throw invalidParameter(`The maximum number of tags per resource is ${MAX_TAGS}.`);
  }
}

export const toEcsTags = (pairs: TagPair[]): Tag[] => pairs.map((p) => ({ key: p.key, value: p.value }));
