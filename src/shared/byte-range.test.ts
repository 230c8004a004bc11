import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { byteRange } from './byte-range.js';

describe('byte ranges', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the body', () => {
    assert.deepEqual(byteRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(byteRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(byteRange('bytes=90-500', 100), { start: 90, end: 99 });
    assert.deepEqual(byteRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(byteRange('bytes=-500', 100), { start: 0, end: 99 });
  });

  it('ignores what is not one valid range, and refuses ranges that start past the end', () => {
    for (const h of ['bytes=', 'bytes=-', 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3']) assert.equal(byteRange(h, 100), 'ignore', h);
    for (const h of ['bytes=100-', 'bytes=-0']) assert.equal(byteRange(h, 100), 'unsatisfiable', h);
    assert.equal(byteRange('bytes=-5', 0), 'unsatisfiable');
  });
});
