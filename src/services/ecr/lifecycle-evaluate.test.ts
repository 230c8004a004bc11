import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateLifecyclePolicy, LifecyclePolicyError, parseLifecyclePolicy, ruleSelects, type LifecycleImage, type LifecycleRule,
} from './lifecycle-evaluate.js';

const DAY = 24 * 3600 * 1000;
const NOW = Date.UTC(2026, 0, 31);

const rule = (rulePriority: number, selection: Partial<LifecycleRule['selection']>): Record<string, unknown> => ({
  rulePriority, selection: { countType: 'imageCountMoreThan', countNumber: 1, ...selection }, action: { type: 'expire' },
});
const policy = (...rules: Record<string, unknown>[]) => parseLifecyclePolicy(JSON.stringify({ rules }));
const image = (digest: string, tags: string[], daysAgo: number): LifecycleImage => ({ digest, tags, pushedAt: NOW - daysAgo * DAY });
const expiredDigests = (p: ReturnType<typeof policy>, images: LifecycleImage[]) => evaluateLifecyclePolicy(p, images, NOW).map((e) => e.digest);

function rejects(text: string | object, detail: string | RegExp) {
  assert.throws(() => parseLifecyclePolicy(typeof text === 'string' ? text : JSON.stringify(text)), (err: Error) => {
    assert.ok(err instanceof LifecyclePolicyError, String(err));
    if (typeof detail === 'string') assert.equal(err.message, detail);
    else assert.match(err.message, detail);
    return true;
  });
}

describe('lifecycle policy validation', () => {
  it('accepts the documented template shapes and sorts rules by priority', () => {
    const p = policy(
      rule(5, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }),
      rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'] }),
      rule(2, { tagStatus: 'untagged' }),
    );
    assert.deepEqual(p.rules.map((r) => r.rulePriority), [1, 2, 5]);
  });

  it('refuses text that is not a JSON object', () => {
    rejects('not json', 'Could not map policyString into LifecyclePolicy.');
    rejects('[1]', 'Could not map policyString into LifecyclePolicy.');
  });

  it('words schema errors as the JSON schema validator does', () => {
    rejects({}, 'object has missing required properties (["rules"])');
    rejects({ rules: [] }, 'array is too short: must have at least 1 elements but instance has 0 elements');
    rejects({ rules: [{ rulePriority: 1 }] }, 'object has missing required properties (["action","selection"])');
    rejects({ rules: [{ ...rule(1, { tagStatus: 'any' }), extra: 1 }] }, 'object instance has properties which are not allowed by the schema: (["extra"])');
    rejects({ rules: [rule(1, { tagStatus: 'everything' as never })] },
      'instance value ("everything") not found in enum (possible values: ["tagged","untagged","any"])');
    rejects({ rules: [rule(0, { tagStatus: 'any' })] }, 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
    rejects({ rules: [rule(1, { tagStatus: 'any', countNumber: '3' as never })] },
      'instance type (string) does not match any allowed primitive type (allowed: ["integer"])');
    rejects({ rules: [{ ...rule(1, { tagStatus: 'any' }), action: { type: 'delete' } }] },
      'instance value ("delete") not found in enum (possible values: ["expire"])');
  });

  it('enforces the documented property rules', () => {
    rejects({ rules: [rule(1, { tagStatus: 'tagged' })] }, /tagPrefixList or tagPatternList must be specified/);
    rejects({ rules: [rule(1, { tagStatus: 'untagged', tagPrefixList: ['v'] })] }, /can only be used when tagStatus is tagged/);
    rejects({ rules: [rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], tagPatternList: ['v*'] })] }, /cannot both be specified/);
    rejects({ rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['a*b*c*d*e*'] })] }, /at most 4 wildcards/);
    policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'] }));
    rejects({ rules: [rule(1, { tagStatus: 'any', countType: 'sinceImagePushed' })] }, /countUnit must be specified/);
    rejects({ rules: [rule(1, { tagStatus: 'any', countUnit: 'days' })] }, /countUnit can only be specified when countType is sinceImagePushed/);
    rejects({ rules: [rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'hours' as never })] },
      'instance value ("hours") not found in enum (possible values: ["days"])');
  });

  it('requires unique priorities and the any rule last', () => {
    rejects({ rules: [rule(1, { tagStatus: 'untagged' }), rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'] })] }, /must be unique/);
    rejects({ rules: [rule(1, { tagStatus: 'any' }), rule(2, { tagStatus: 'untagged' })] }, /tagStatus any must have the highest rulePriority/);
  });
});

describe('lifecycle rule selection', () => {
  const tagged = (sel: Partial<LifecycleRule['selection']>) => parseLifecyclePolicy(JSON.stringify({ rules: [rule(1, { tagStatus: 'tagged', ...sel })] })).rules[0];

  it('a prefix or pattern list selects an image only if every entry matches one of its tags', () => {
    const prefixes = tagged({ tagPrefixList: ['prod', 'beta'] });
    assert.equal(ruleSelects(prefixes, ['prod-1', 'beta-1']), true);
    assert.equal(ruleSelects(prefixes, ['prod-1']), false);
    const patterns = tagged({ tagPatternList: ['v*-rc*', 'release'] });
    assert.equal(ruleSelects(patterns, ['v1.2-rc3', 'release']), true);
    assert.equal(ruleSelects(patterns, ['v1.2-rc3', 'release-2']), false);
    assert.equal(ruleSelects(patterns, []), false);
  });

  it('a pattern without a wildcard matches the whole tag only; * matches any run of characters', () => {
    const exact = tagged({ tagPatternList: ['latest'] });
    assert.equal(ruleSelects(exact, ['latest']), true);
    assert.equal(ruleSelects(exact, ['latest-2']), false);
    const star = tagged({ tagPatternList: ['*prod*'] });
    assert.equal(ruleSelects(star, ['prod']), true);
    assert.equal(ruleSelects(star, ['x.prod.y']), true);
    assert.equal(ruleSelects(tagged({ tagPatternList: ['a.b'] }), ['aXb']), false);
  });
});

describe('lifecycle policy evaluation', () => {
  it('imageCountMoreThan keeps the newest N and expires the rest, oldest first', () => {
    const p = policy(rule(1, { tagStatus: 'untagged', countNumber: 2 }));
    const imgs = [image('a', [], 5), image('b', [], 1), image('c', [], 3), image('d', [], 9), image('t', ['v1'], 20)];
    assert.deepEqual(expiredDigests(p, imgs), ['d', 'a']);
  });

  it('images pushed in the same millisecond keep push order (the later is newer)', () => {
    const p = policy(rule(1, { tagStatus: 'untagged', countNumber: 1 }));
    assert.deepEqual(expiredDigests(p, [image('first', [], 1), image('second', [], 1)]), ['first']);
  });

  it('sinceImagePushed expires images pushed more than N days ago', () => {
    const p = policy(rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }));
    assert.deepEqual(expiredDigests(p, [image('old', ['a'], 15), image('edge', [], 14), image('new', [], 1)]), ['old']);
  });

  it('docs example A: an image a higher-priority rule selects is not expired by a lower one', () => {
    const p = policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'] }), rule(2, { tagStatus: 'tagged', tagPatternList: ['beta*'] }));
    const imgs = [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)];
    const out = evaluateLifecyclePolicy(p, imgs, NOW);
    assert.deepEqual(out.map((e) => [e.digest, e.rulePriority]), [['A', 1]]);
  });

  it('docs example B: an image is expired by one rule only, the one of highest priority', () => {
    const p = policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'] }), rule(2, { tagStatus: 'tagged', tagPatternList: ['beta*'] }));
    const imgs = [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3', 'prod-3'], 8)];
    assert.deepEqual(evaluateLifecyclePolicy(p, imgs, NOW).map((e) => [e.digest, e.rulePriority]), [['A', 1], ['B', 1]]);
  });

  it('an any rule counts images earlier rules matched but only expires the others', () => {
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['release'], countNumber: 10 }),
      rule(2, { tagStatus: 'any', countNumber: 2 }),
    );
    const imgs = [image('r1', ['release-1'], 9), image('x', ['dev'], 8), image('u', [], 7), image('r2', ['release-2'], 1), image('y', ['dev2'], 2)];
    // Newest two overall are r2 and y; of the rest, r1 belongs to rule 1 (kept: fewer than 10 releases).
    assert.deepEqual(expiredDigests(p, imgs), ['x', 'u']);
  });

  it('an untagged rule never touches tagged images', () => {
    const p = policy(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }));
    assert.deepEqual(expiredDigests(p, [image('t', ['v'], 100), image('u', [], 100)]), ['u']);
  });
});
