/**
 * RunTask's client token answers with the first call's tasks for ECS's 24 hours,
 * then starts new ones, whether or not the retention job has pruned it yet.
 * Operations called directly on a manual clock (the window is a day).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providerContext } from '../../../test/helpers/provider-context.js';
import { pruneState } from '../../controllers/index.js';
import { createCluster } from './clusters.js';
import { registerContainerInstance } from './container-instances.js';
import { registerTaskDefinition } from './task-definitions.js';
import { RUN_TASK_TOKEN_TTL_MS } from './store/index.js';
import { runTask } from './tasks.js';

function setUp() {
  const ctx = providerContext();
  createCluster(ctx, { clusterName: 'c' });
  registerContainerInstance(ctx, { cluster: 'c' });
  registerTaskDefinition(ctx, {
    family: 'app', requiresCompatibilities: ['EC2'],
    containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true, cpu: 1, memory: 8 }],
  });
  const run = () => runTask(ctx, { cluster: 'c', taskDefinition: 'app', launchType: 'EC2', clientToken: 'token-1' }).tasks!.map((t) => t.taskArn);
  const tokens = () => ctx.db.prepare('SELECT COUNT(*) FROM ecs_idempotency').pluck().get();
  return { ctx, run, tokens };
}

describe('RunTask client tokens', () => {
  it('answer with the same tasks within 24 hours, and start a new task once the token expired (before the prune)', () => {
    const { ctx, run } = setUp();
    const first = run();
    assert.equal(first.length, 1);
    ctx.clock.advance(RUN_TASK_TOKEN_TTL_MS - 1000);
    assert.deepEqual(run(), first);
    ctx.clock.advance(1000);
    const second = run();
    assert.equal(second.length, 1);
    assert.notDeepEqual(second, first);
    assert.deepEqual(run(), second, 'the reused token now answers with the new task');
  });

  it('are deleted by the retention pass once expired, and a reuse after that starts a new task', async () => {
    const { ctx, run, tokens } = setUp();
    const first = run();
    ctx.clock.advance(RUN_TASK_TOKEN_TTL_MS - 1000);
    assert.equal((await pruneState(ctx)).tokens, 0);
    assert.equal(tokens(), 1);
    ctx.clock.advance(1000);
    assert.equal((await pruneState(ctx)).tokens, 1);
    assert.equal(tokens(), 0);
    const second = run();
    assert.notDeepEqual(second, first);
    assert.equal(tokens(), 1);
  });
});
