import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetInput, transform } from './input.js';
import type { BusEvent } from './types.js';

const EVENT: BusEvent = {
  version: '0', id: 'e-1', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', account: '123456789012',
  time: '2026-12-07T10:00:00Z', region: 'us-east-1', resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'],
  detail: { 'instance-id': 'i-1', state: 'running', n: 7, tags: { a: 'b' }, quote: 'say "hi"' },
};
const CTX = { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/r', ruleName: 'r', ingestionTime: '2026-12-07T10:00:01.000Z' };
const PATHS = { instance: '$.detail.instance-id', state: '$.detail.state', n: '$.detail.n', tags: '$.detail.tags', quote: '$.detail.quote', missing: '$.detail.nope' };

describe('target input', () => {
  it('by default the whole event; Input as given; InputPath the part it selects', () => {
    assert.deepEqual(JSON.parse(targetInput({}, EVENT, CTX)), EVENT);
    assert.equal(targetInput({ Input: '{"x": 1}' }, EVENT, CTX), '{"x": 1}');
    assert.equal(targetInput({ InputPath: '$.detail.tags' }, EVENT, CTX), '{"a":"b"}');
    assert.equal(targetInput({ InputPath: '$.resources[0]' }, EVENT, CTX), '"arn:aws:ec2:us-east-1:123456789012:instance/i-1"');
  });

  it('a JSON template: values as JSON outside strings, as text inside them (escaped)', () => {
    const out = transform('{"instance": <instance>, "n": <n>, "tags": <tags>, "line": "<instance> is <state> (<n>) <quote>", "none": <missing>}', PATHS, EVENT, CTX);
    assert.deepEqual(JSON.parse(out), { instance: 'i-1', n: 7, tags: { a: 'b' }, line: 'i-1 is running (7) say "hi"', none: null });
  });

  it('a string template stays a string; reserved variables; unknown <words> stay as written', () => {
    assert.equal(transform('"<instance> is in state <state>"', PATHS, EVENT, CTX), '"i-1 is in state running"');
    assert.equal(transform('"<aws.events.rule-name> <aws.events.rule-arn> <other>"', {}, EVENT, CTX), `"r ${CTX.ruleArn} <other>"`);
    assert.deepEqual(JSON.parse(transform('{"e": <aws.events.event>}', {}, EVENT, CTX)).e, EVENT);
    assert.equal(transform('<instance> is <state>', PATHS, EVENT, CTX), '"i-1" is "running"');
  });
});
