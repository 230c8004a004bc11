import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitByStrategy } from './capacity-strategy.js';

const tally = (providers: string[]) => Object.fromEntries([...new Set(providers)].map((p) => [p, providers.filter((x) => x === p).length]));

describe('a capacity provider strategy splits tasks as ECS distributes them', () => {
  it('runs the base first, then shares the rest by weight', () => {
    // ECS's example: base 1 on A, then A:B = 1:4.
    const s = [{ capacityProvider: 'A', base: 1, weight: 1 }, { capacityProvider: 'B', weight: 4 }];
    assert.equal(splitByStrategy(s, 1)[0], 'A');
    assert.deepEqual(tally(splitByStrategy(s, 11)), { A: 3, B: 8 });
    assert.deepEqual(tally(splitByStrategy(s, 6)), { A: 2, B: 4 });
  });

  it('continues a split from the tasks already running (a service scaling out)', () => {
    const s = [{ capacityProvider: 'A', base: 1, weight: 1 }, { capacityProvider: 'B', weight: 4 }];
    const more = splitByStrategy(s, 5, new Map([['A', 3], ['B', 8]]));
    assert.deepEqual(tally(more), { A: 1, B: 4 });
    // A base not yet met is met first, whatever the weights.
    assert.deepEqual(splitByStrategy([{ capacityProvider: 'A', weight: 1 }, { capacityProvider: 'B', base: 3, weight: 0 }], 4, new Map([['B', 1]])), ['B', 'B', 'A', 'A']);
  });

  it('gives a weight-0 provider only its base, and equal weights alternate starting with the first listed', () => {
    assert.deepEqual(splitByStrategy([{ capacityProvider: 'A', base: 2, weight: 0 }, { capacityProvider: 'B', weight: 1 }], 5), ['A', 'A', 'B', 'B', 'B']);
    assert.deepEqual(splitByStrategy([{ capacityProvider: 'A', weight: 1 }, { capacityProvider: 'B', weight: 1 }], 3), ['A', 'B', 'A']);
    // A lone provider takes everything, weight or not.
    assert.deepEqual(splitByStrategy([{ capacityProvider: 'A' }], 2), ['A', 'A']);
  });
});
