import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instancesFor } from './scaling.js';

const base = { current: 1, peak: 0, maxConcurrency: 10, minSize: 1, maxSize: 4, sinceChangeMs: 0, minuteMs: 1000 };

describe('App Runner scaling by concurrency', () => {
  it('scales out at once to what the peak needs, within MaxSize', () => {
    assert.equal(instancesFor({ ...base, peak: 10 }), 1);
    assert.equal(instancesFor({ ...base, peak: 11 }), 2);
    assert.equal(instancesFor({ ...base, peak: 35 }), 4);
    assert.equal(instancesFor({ ...base, peak: 1000 }), 4);
  });

  it('scales in one instance at a time, only after a quiet metric minute, never below MinSize', () => {
    assert.equal(instancesFor({ ...base, current: 4, peak: 0, sinceChangeMs: 500 }), 4);
    assert.equal(instancesFor({ ...base, current: 4, peak: 0, sinceChangeMs: 1000 }), 3);
    assert.equal(instancesFor({ ...base, current: 1, peak: 0, sinceChangeMs: 5000 }), 1);
    assert.equal(instancesFor({ ...base, current: 3, peak: 25, sinceChangeMs: 5000 }), 3);
    assert.equal(instancesFor({ ...base, minSize: 2, current: 1, peak: 0 }), 2);
  });
});
