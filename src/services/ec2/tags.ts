/**
 * EC2 tags: CreateTags, DeleteTags, DescribeTags, and the TagSpecifications of
 * Create* operations. Tags belong to a resource id; Describe* shows them as the
 * resource's Tags (omitted when there are none, as EC2 does).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions
 */
import type {
  CreateTagsRequest,
  DeleteTagsRequest,
  DescribeTagsRequest,
  DescribeTagsResult,
  ResourceType,
  Tag,
  TagSpecification,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { invalidParameterValue, notFound } from './errors.js';
import { compileFilters, type FilterFields } from './filters.js';
import { kindOfId, type ResourceKind } from './ids.js';
import { paginate } from './pagination.js';
import { allTagRows, countTags, getTags, hasTag, kindOfStored, putTag, removeTag, type Scope, type TagRow } from './store.js';

export const MAX_TAGS = 50;

/** Resource prefixes of EC2 resources Berth does not have: tagging them finds nothing. */
const FOREIGN_NOT_FOUND: Record<string, (id: string) => AwsError> = {
  ami: (id) => new AwsError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`),
  vol: (id) => new AwsError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`),
  snap: (id) => new AwsError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`),
};

export function validateTags(tags: Tag[] | undefined): Tag[] {
  const out = new Map<string, string>();
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    if (!key) throw new AwsError('InvalidTagKey.Malformed', 'Tag key cannot be empty');
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
    if (key.length > 127) throw invalidParameterValue('Tag key exceeds the maximum length of 127 characters');
    const value = t.Value ?? '';
    if (value.length > 255) throw invalidParameterValue('Tag value exceeds the maximum length of 255 characters');
    out.set(key, value);
  }
  return [...out].map(([Key, Value]) => ({ Key, Value }));
}

/** The tags a Create* request's TagSpecifications give a new resource of `kind`. */
export function tagsFromSpecs(specs: TagSpecification[] | undefined, kind: ResourceKind): Tag[] {
  const seen = new Set<string>();
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    const type = spec.ResourceType ?? '';
    if (type !== kind) throw invalidParameterValue(`'${type}' is not a valid taggable resource type for this operation.`);
    if (seen.has(type)) throw invalidParameterValue('The same resource type may not be specified more than once in tag specifications');
    seen.add(type);
    if (!spec.Tags?.length) throw invalidParameterValue('Tag specification must have at least one tag');
    tags.push(...(spec.Tags ?? []));
  }
  return validateTags(tags);
}

export function applyTags(s: Scope, id: string, kind: ResourceKind, tags: Tag[]): void {
  const added = tags.filter((t) => !hasTag(s, id, t.Key!)).length;
  if (countTags(s, id) + added > MAX_TAGS) {
    throw new AwsError('TagLimitExceeded', 'The maximum number of Tags for a resource has been reached.');
  }
  for (const t of tags) putTag(s, id, kind, t.Key!, t.Value ?? '');
}

/** A describe document with its Tags (omitted when the resource has none). */
export function withTags<T extends object>(s: Scope, id: string, doc: T): T & { Tags?: Tag[] } {
  const tags = getTags(s, id);
  return tags.length ? { ...doc, Tags: tags } : doc;
}

/** The kind of an existing resource named by id, or the error EC2 gives for it. */
function requireTaggable(s: Scope, id: string): ResourceKind {
  const stored = kindOfStored(s, id);
  if (stored) return stored;
  const kind = kindOfId(id);
  if (kind) throw notFound(kind, id);
  const foreign = FOREIGN_NOT_FOUND[id.slice(0, id.indexOf('-'))];
  if (foreign && id.indexOf('-') > 0) throw foreign(id);
  throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
}

export function createTags(s: Scope, input: CreateTagsRequest): Record<string, never> {
  const tags = validateTags(input.Tags);
  const targets = (input.Resources ?? []).map((id) => [id, requireTaggable(s, id)] as const);
  for (const [id, kind] of targets) applyTags(s, id, kind, tags);
  return {};
}

export function deleteTags(s: Scope, input: DeleteTagsRequest): Record<string, never> {
  const ids = input.Resources ?? [];
  for (const id of ids) requireTaggable(s, id);
  for (const t of input.Tags ?? []) {
    if (t.Key?.toLowerCase().startsWith('aws:')) throw invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
  }
  for (const id of ids) {
    // No Tags: delete every tag. A tag with a Value deletes only when the value matches.
    const tags = input.Tags?.length ? input.Tags : getTags(s, id);
    for (const t of tags) if (t.Key) removeTag(s, id, t.Key, t.Value);
  }
  return {};
}

const TAG_FIELDS: FilterFields<TagRow> = {
  key: (r) => r.key,
  value: (r) => r.value,
  'resource-id': (r) => r.resource_id,
  'resource-type': (r) => r.resource_type,
};

export function describeTags(s: Scope, input: DescribeTagsRequest): DescribeTagsResult {
  const match = compileFilters(input.Filters, TAG_FIELDS, (r) => getTags(s, r.resource_id));
  const rows = allTagRows(s).filter(match).sort((a, b) => a.seq - b.seq);
  const { page, NextToken } = paginate(rows, (r) => r.seq, input);
  return {
    Tags: page.map((r) => ({ Key: r.key, Value: r.value, ResourceId: r.resource_id, ResourceType: r.resource_type as ResourceType })),
    NextToken,
  };
}
