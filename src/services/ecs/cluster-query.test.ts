import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, type QueryCandidate } from './cluster-query.js';

const a: QueryCandidate = { attributes: { 'ecs.availability-zone': 'us-east-1a', 'ecs.instance-type': 't3.medium', stack: 'prod' }, ec2InstanceType: 't3.medium', taskGroups: ['service:web'], runningTasksCount: 2 };
const b: QueryCandidate = { attributes: { 'ecs.availability-zone': 'us-east-1b', 'ecs.instance-type': 'c5.large' }, ec2InstanceType: 'c5.large', taskGroups: [], runningTasksCount: 0 };
const match = (q: string) => [a, b].map((c) => parseQuery(q)(c));

describe('cluster query language', () => {
  it('compares attributes with ==, !=, wildcards and in', () => {
    assert.deepEqual(match('attribute:ecs.availability-zone == us-east-1a'), [true, false]);
    assert.deepEqual(match('attribute:ecs.availability-zone != us-east-1a'), [false, true]);
    assert.deepEqual(match('ec2InstanceType == t3.*'), [true, false]);
    assert.deepEqual(match('attribute:ecs.availability-zone in [us-east-1a, us-east-1b]'), [true, true]);
    assert.deepEqual(match('attribute:ecs.instance-type not_in [c5.large]'), [true, false]);
  });

  it('supports exists, regex matches, numbers and task groups', () => {
    assert.deepEqual(match('attribute:stack exists'), [true, false]);
    assert.deepEqual(match('attribute:stack !exists'), [false, true]);
    assert.deepEqual(match('ec2InstanceType =~ ^c5'), [false, true]);
    assert.deepEqual(match('runningTasksCount > 1'), [true, false]);
    assert.deepEqual(match('task:group == service:web'), [true, false]);
    assert.deepEqual(match('not(task:group == service:web)'), [false, true]);
  });

  it('combines with and/or/not and parentheses', () => {
    assert.deepEqual(match('attribute:stack == prod and ec2InstanceType == t3.medium'), [true, false]);
    assert.deepEqual(match('attribute:stack == prod || ec2InstanceType == c5.large'), [true, true]);
    assert.deepEqual(match('(attribute:ecs.availability-zone == us-east-1b or attribute:stack exists) and not ec2InstanceType == c5.large'), [true, false]);
  });

  it('rejects malformed expressions with InvalidParameterException', () => {
    assert.throws(() => parseQuery('attribute:x =='), /InvalidParameterException|Invalid expression/);
    assert.throws(() => parseQuery('nosuchsubject == 1'), /Invalid subject/);
    assert.throws(() => parseQuery('(attribute:x exists'), /missing \)/);
  });
});
