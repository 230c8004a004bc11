import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowOffset } from './firing.js';

describe('flexible time windows (firing.ts)', () => {
  it('each fire lands at a point within the window, the same for a schedule and time, spread across the window', () => {
    const arn = 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/flex';
    const window = 15 * 60_000;
    const offsets = Array.from({ length: 40 }, (_, i) => windowOffset(arn, 1_800_000_000_000 + i * 60_000, window));
    for (const o of offsets) assert.ok(o >= 0 && o < window, String(o));
    assert.equal(windowOffset(arn, 1_800_000_000_000, window), offsets[0], 'a restart finds the same point');
    assert.ok(new Set(offsets).size > 30, 'spread, not all at one point');
    assert.ok(Math.min(...offsets) < window / 4 && Math.max(...offsets) > (3 * window) / 4, 'across the window');
    assert.equal(windowOffset(arn, 1_800_000_000_000, 0), 0, 'OFF fires on time');
  });
});
