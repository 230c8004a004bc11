import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planRollout, type TaskView } from './service-rollout.js';

const task = (arn: string, deploymentId: string, state: 'pending' | 'running' | 'healthy', extra: Partial<TaskView> = {}): TaskView => ({
  arn, deploymentId, running: state !== 'pending', healthy: state === 'healthy', startedAtMs: Number(arn.replace(/\D/g, '')) || 0, ...extra,
});
const base = { maximumPercent: 200, minimumHealthyPercent: 100, primaryId: 'new', canLaunch: true };

describe('rolling update decisions', () => {
  it('a new service launches its desired count', () => {
    assert.deepEqual(planRollout({ ...base, desiredCount: 3, tasks: [] }), { start: 3, stop: [] });
  });

  it('with 200/100 a deployment starts a full new set before stopping any healthy old task', () => {
    const old = [task('o1', 'old', 'healthy'), task('o2', 'old', 'healthy')];
    const p = planRollout({ ...base, desiredCount: 2, tasks: old });
    assert.equal(p.start, 2);
    assert.deepEqual(p.stop, []);
  });

  it('old tasks stop only as new ones become healthy, keeping minimumHealthyPercent', () => {
    const tasks = [task('o1', 'old', 'healthy'), task('o2', 'old', 'healthy'), task('n3', 'new', 'healthy'), task('n4', 'new', 'running')];
    const p = planRollout({ ...base, desiredCount: 2, tasks });
    assert.equal(p.start, 0);
    assert.deepEqual(p.stop.map((s) => s.arn), ['o1']);
    assert.match(p.stop[0].reason, /^Scaling activity initiated by \(deployment old\)$/);
  });

  it('with maximumPercent 100 and minimumHealthyPercent 50, half the old tasks stop first to make room', () => {
    const tasks = [task('o1', 'old', 'healthy'), task('o2', 'old', 'healthy'), task('o3', 'old', 'healthy'), task('o4', 'old', 'healthy')];
    const p = planRollout({ ...base, maximumPercent: 100, minimumHealthyPercent: 50, desiredCount: 4, tasks });
    assert.equal(p.stop.length, 2);
    assert.equal(p.start, 0, 'the stopped tasks still count until they are gone');
    const after = planRollout({ ...base, maximumPercent: 100, minimumHealthyPercent: 50, desiredCount: 4, tasks: tasks.slice(2) });
    assert.equal(after.start, 2);
  });

  it('unhealthy old tasks and tasks failing health checks are stopped regardless of the minimum', () => {
    const tasks = [task('o1', 'old', 'pending'), task('n2', 'new', 'running', { failingHealth: 'container' })];
    const p = planRollout({ ...base, desiredCount: 1, tasks });
    assert.deepEqual(p.stop.map((s) => [s.arn, s.reason]), [
      ['n2', 'Task failed container health checks.'],
      ['o1', 'Scaling activity initiated by (deployment old)'],
    ]);
  });

  it('scaling in stops pending tasks before running ones, newest first', () => {
    const tasks = [task('n1', 'new', 'healthy'), task('n2', 'new', 'healthy'), task('n3', 'new', 'pending')];
    const p = planRollout({ ...base, desiredCount: 1, tasks });
    assert.deepEqual(p.stop.map((s) => s.arn), ['n3', 'n2']);
  });

  it('launches nothing while throttled or after the circuit breaker trips', () => {
    assert.equal(planRollout({ ...base, desiredCount: 3, tasks: [], canLaunch: false }).start, 0);
  });
});
