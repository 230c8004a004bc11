import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tag } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { compileFilters, globToRegExp, type FilterFields } from './filters.js';

interface Item { id: string; cidr: string; isDefault: boolean; cidrs: string[]; tags: Tag[] }

const FIELDS: FilterFields<Item> = {
  'vpc-id': (i) => i.id,
  'cidr': (i) => i.cidr,
  'is-default': (i) => i.isDefault,
  'cidr-block-association.cidr-block': (i) => i.cidrs,
};

const items: Item[] = [
  { id: 'vpc-0aaa', cidr: '10.0.0.0/16', isDefault: false, cidrs: ['10.0.0.0/16', '10.1.0.0/16'], tags: [{ Key: 'Name', Value: 'prod-web' }, { Key: 'team', Value: 'a' }] },
  { id: 'vpc-0bbb', cidr: '172.31.0.0/16', isDefault: true, cidrs: ['172.31.0.0/16'], tags: [] },
  { id: 'vpc-0ccc', cidr: '10.2.0.0/16', isDefault: false, cidrs: ['10.2.0.0/16'], tags: [{ Key: 'Name', Value: 'staging*' }] },
];

const ids = (filters: Parameters<typeof compileFilters>[0]) => items.filter(compileFilters(filters, FIELDS, (i) => i.tags)).map((i) => i.id);

describe('EC2 filter matching', () => {
  it('no filters match everything', () => {
    assert.deepEqual(ids(undefined), ['vpc-0aaa', 'vpc-0bbb', 'vpc-0ccc']);
  });

  it('values of one filter are ORed and filters are ANDed', () => {
    assert.deepEqual(ids([{ Name: 'vpc-id', Values: ['vpc-0aaa', 'vpc-0bbb'] }]), ['vpc-0aaa', 'vpc-0bbb']);
    assert.deepEqual(ids([{ Name: 'vpc-id', Values: ['vpc-0aaa', 'vpc-0bbb'] }, { Name: 'is-default', Values: ['false'] }]), ['vpc-0aaa']);
  });

  it('booleans compare as the strings true and false', () => {
    assert.deepEqual(ids([{ Name: 'is-default', Values: ['true'] }]), ['vpc-0bbb']);
  });

  it('a multi-valued field matches when any of its values does', () => {
    assert.deepEqual(ids([{ Name: 'cidr-block-association.cidr-block', Values: ['10.1.0.0/16'] }]), ['vpc-0aaa']);
  });

  it('* matches any run of characters and ? exactly one', () => {
    assert.deepEqual(ids([{ Name: 'cidr', Values: ['10.*'] }]), ['vpc-0aaa', 'vpc-0ccc']);
    assert.deepEqual(ids([{ Name: 'vpc-id', Values: ['vpc-0?bb'] }]), ['vpc-0bbb']);
    assert.deepEqual(ids([{ Name: 'vpc-id', Values: ['vpc-0?b'] }]), []);
  });

  it('a backslash escapes a wildcard', () => {
    assert.deepEqual(ids([{ Name: 'tag:Name', Values: ['staging\\*'] }]), ['vpc-0ccc']);
    assert.equal(globToRegExp('a\\*b').test('axxb'), false);
    assert.equal(globToRegExp('a.b').test('axb'), false);
  });

  it('matching is case-sensitive', () => {
    assert.deepEqual(ids([{ Name: 'tag:Name', Values: ['PROD-WEB'] }]), []);
  });

  it('tag:<key>, tag-key and tag-value read the resource tags', () => {
    assert.deepEqual(ids([{ Name: 'tag:Name', Values: ['prod-*'] }]), ['vpc-0aaa']);
    assert.deepEqual(ids([{ Name: 'tag-key', Values: ['team'] }]), ['vpc-0aaa']);
    assert.deepEqual(ids([{ Name: 'tag-value', Values: ['a'] }]), ['vpc-0aaa']);
    assert.deepEqual(ids([{ Name: 'tag:missing', Values: ['*'] }]), []);
  });

  it('a filter with no values does not constrain', () => {
    assert.deepEqual(ids([{ Name: 'vpc-id', Values: [] }]), ['vpc-0aaa', 'vpc-0bbb', 'vpc-0ccc']);
  });

  it('an unknown filter name is InvalidParameterValue', () => {
    assert.throws(() => compileFilters([{ Name: 'colour', Values: ['x'] }], FIELDS), (e: AwsError) =>
      e.code === 'InvalidParameterValue' && e.message === "The filter 'colour' is invalid");
  });
});
