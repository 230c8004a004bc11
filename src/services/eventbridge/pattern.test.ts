/**
 * Event patterns, operator by operator, on the examples of EventBridge's content-filtering guide
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html): each row is a pattern,
 * an event (detail fields, or a whole event), and whether it matches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../protocol/errors.js';
import { compilePattern, matches } from './pattern.js';

const EVENT = {
  version: '0', id: 'e1', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', account: '123456789012',
  time: '2017-10-02T18:43:48Z', region: 'us-west-1', resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const withDetail = (detail: object) => ({ ...EVENT, detail });

type Row = [what: string, pattern: object, event: object, expected: boolean];

const ROWS: Row[] = [
  // exact values, arrays as OR, nested fields
  ['exact string', { source: ['aws.ec2'] }, EVENT, true],
  ['exact string differs', { source: ['aws.s3'] }, EVENT, false],
  ['array is OR', { detail: { state: ['running', 'terminated'] } }, EVENT, true],
  ['fields are AND', { source: ['aws.ec2'], detail: { state: ['running'] } }, EVENT, false],
  ['exact number equals numerically', { detail: { n: [5] } }, withDetail({ n: 5.0 }), true],
  ['a number does not match its string', { detail: { n: [5] } }, withDetail({ n: '5' }), false],
  ['null matches null', { detail: { x: [null] } }, withDetail({ x: null }), true],
  ['null does not match a missing field', { detail: { x: [null] } }, withDetail({}), false],
  ['empty string', { detail: { x: [''] } }, withDetail({ x: '' }), true],
  ['boolean', { detail: { ok: [true] } }, withDetail({ ok: true }), true],
  ['event array: one element matches', { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, EVENT, true],
  ['array of objects in the event', { detail: { items: { kind: ['b'] } } }, withDetail({ items: [{ kind: 'a' }, { kind: 'b' }] }), true],
  ['nested field on an absent object', { detail: { a: { b: ['x'] } } }, withDetail({}), false],
  // prefix / suffix (and with equals-ignore-case)
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, EVENT, true],
  ['prefix misses', { time: [{ prefix: '2017-10-03' }] }, EVENT, false],
  ['prefix ignoring case', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'eventbridge' }), true],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.png' }), true],
  ['suffix misses', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.jpg' }), false],
  ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'IMAGE.PNG' }), true],
  ['prefix does not match a number', { detail: { n: [{ prefix: '1' }] } }, withDetail({ n: 12 }), false],
  // anything-but
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'running' }), true],
  ['anything-but a string: that string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'initializing' }), false],
  ['anything-but a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 456 }), true],
  ['anything-but a number: that number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 123 }), false],
  ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, withDetail({ state: 'overloaded' }), false],
  ['anything-but a list: another', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, withDetail({ state: 'running' }), true],
  ['anything-but a numbers list', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, withDetail({ 'x-limit': 200 }), false],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, withDetail({ state: 'initializing' }), false],
  ['anything-but prefix: another', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, withDetail({ state: 'running' }), true],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, withDetail({ FileName: 'notes.txt' }), false],
  ['anything-but suffix: another', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, withDetail({ FileName: 'a.png' }), true],
  ['anything-but ignoring case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, withDetail({ state: 'STOPPED' }), false],
  ['anything-but wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, withDetail({ FilePath: '/usr/lib/x' }), false],
  ['anything-but wildcard: another', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, withDetail({ FilePath: '/usr/bin/x' }), true],
  ['anything-but needs the field', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({}), false],
  // numeric
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, withDetail({ 'c-count': 5 }), true],
  ['numeric range: outside', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, withDetail({ 'c-count': 0 }), false],
  ['numeric less than', { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, withDetail({ 'd-count': 9.99 }), true],
  ['numeric equals', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, withDetail({ 'x-limit': 301.8 }), true],
  ['numeric does not match a string', { detail: { n: [{ numeric: ['>', 0] }] } }, withDetail({ n: '5' }), false],
  // exists
  ['exists true', { detail: { state: [{ exists: true }] } }, EVENT, true],
  ['exists true: missing', { detail: { 'c-count': [{ exists: true }] } }, EVENT, false],
  ['exists false: missing', { detail: { 'c-count': [{ exists: false }] } }, EVENT, true],
  ['exists false: present', { detail: { state: [{ exists: false }] } }, EVENT, false],
  ['exists true does not match an object', { detail: { o: [{ exists: true }] } }, withDetail({ o: { a: 1 } }), false],
  // equals-ignore-case
  ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, EVENT, true],
  ['equals-ignore-case: another', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, EVENT, false],
  // wildcard
  ['wildcard', { detail: { eventSourceArn: [{ wildcard: 'arn:aws:s3:::bucket/*.png' }] } }, withDetail({ eventSourceArn: 'arn:aws:s3:::bucket/a/b.png' }), true],
  ['wildcard misses', { detail: { eventSourceArn: [{ wildcard: 'arn:aws:s3:::bucket/*.png' }] } }, withDetail({ eventSourceArn: 'arn:aws:s3:::other/a.png' }), false],
  ['wildcard escaped star', { detail: { v: [{ wildcard: 'a\\*b' }] } }, withDetail({ v: 'a*b' }), true],
  ['wildcard escaped star: not a wildcard', { detail: { v: [{ wildcard: 'a\\*b' }] } }, withDetail({ v: 'axxb' }), false],
  // cidr
  ['cidr v4', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, withDetail({ 'source-ip': '10.0.0.255' }), true],
  ['cidr v4: outside', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, withDetail({ 'source-ip': '10.0.1.0' }), false],
  ['cidr v6', { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } }, withDetail({ 'source-ip': '2001:db8:0:1::7' }), true],
  ['cidr v6: outside', { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } }, withDetail({ 'source-ip': '2001:db9::1' }), false],
  // $or
  ['$or: one branch', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, withDetail({ 'd-count': 3 }), true],
  ['$or: no branch', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, withDetail({ 'd-count': 30 }), false],
  ['$or at the top with other fields', { source: ['aws.ec2'], $or: [{ 'detail-type': ['x'] }, { detail: { state: ['terminated'] } }] }, EVENT, true],
];

describe('event patterns match as EventBridge documents', () => {
  for (const [what, pattern, event, expected] of ROWS) {
    it(`${what}: ${expected ? 'matches' : 'does not match'}`, () => {
      assert.equal(matches(compilePattern(JSON.stringify(pattern)), event), expected);
    });
  }
});

/** Patterns EventBridge refuses, and the reason it gives. */
const INVALID: [what: string, pattern: string, reason: RegExp][] = [
  ['not JSON', '{"source": [', /Event pattern is not valid/],
  ['not an object', '["aws.ec2"]', /Filter is not an object/],
  ['a bare value', '{"source": "aws.ec2"}', /"source" must be an object or an array/],
  ['an empty array', '{"source": []}', /Empty arrays are not allowed/],
  ['an empty object', '{"detail": {}}', /Empty objects are not allowed/],
  ['an unknown operator', '{"source": [{"regex": "a.*"}]}', /Unrecognized match type regex/],
  ['two operators in one object', '{"source": [{"prefix": "a", "suffix": "b"}]}', /Only one key allowed in match expression/],
  ['prefix of a number', '{"source": [{"prefix": 1}]}', /prefix match pattern must be a string/],
  ['exists of a string', '{"source": [{"exists": "yes"}]}', /exists match pattern must be either true or false/],
  ['numeric not an array', '{"n": [{"numeric": 5}]}', /Value of numeric must be an array/],
  ['numeric with a bad operator', '{"n": [{"numeric": ["!=", 5]}]}', /Unrecognized numeric range operator: !=/],
  ['numeric range upside down', '{"n": [{"numeric": [">", 10, "<", 5]}]}', /Bottom must be less than top/],
  ['anything-but of mixed types', '{"s": [{"anything-but": ["a", 1]}]}', /mixed type is not supported/],
  ['anything-but of an unknown operator', '{"s": [{"anything-but": {"numeric": [">", 1]}}]}', /Unsupported anything-but pattern: numeric/],
  ['a malformed cidr', '{"ip": [{"cidr": "10.0.0/33"}]}', /Malformed CIDR/],
  ['$or with one branch', '{"$or": [{"a": ["b"]}]}', /at least 2 Objects in \$or/],
];

describe('invalid event patterns are refused with InvalidEventPatternException', () => {
  for (const [what, pattern, reason] of INVALID) {
    it(what, () => {
      assert.throws(() => compilePattern(pattern), (err: unknown) => {
        assert.ok(err instanceof AwsError);
        assert.equal(err.code, 'InvalidEventPatternException');
        assert.match(err.message, /^Event pattern is not valid\. Reason: /);
        assert.match(err.message, reason);
        return true;
      });
    });
  }
});
