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

  it('an old task that never ran is stopped at once; a task failing health checks waits for its replacement', () => {
    const tasks = [task('o1', 'old', 'pending'), task('n2', 'new', 'running', { failingHealth: 'container' })];
    const p = planRollout({ ...base, desiredCount: 1, tasks });
    assert.deepEqual(p.stop.map((s) => [s.arn, s.reason]), [['o1', 'Scaling activity initiated by (deployment old)']]);
  });

  it('a task failing ELB health checks is replaced by starting a task first, and stopped once the replacement is healthy', () => {
    const failing = task('n1', 'new', 'running', { failingHealth: 'elb' });
    const first = planRollout({ ...base, desiredCount: 2, tasks: [failing, task('n2', 'new', 'healthy')] });
    assert.equal(first.start, 1, 'a replacement starts while the unhealthy task still runs');
    assert.deepEqual(first.stop, []);
    const starting = planRollout({ ...base, desiredCount: 2, tasks: [failing, task('n2', 'new', 'healthy'), task('n3', 'new', 'running')] });
    assert.deepEqual(starting, { start: 0, stop: [] }, 'nothing stops while the replacement is not yet healthy');
    const replaced = planRollout({ ...base, desiredCount: 2, tasks: [failing, task('n2', 'new', 'healthy'), task('n3', 'new', 'healthy')] });
    assert.deepEqual(replaced.stop.map((s) => [s.arn, s.reason]), [['n1', 'Task failed ELB health checks.']]);
    assert.equal(replaced.start, 0);
  });

  it('when every task fails its health checks at once (false failures on a loaded machine), none stops before replacements are healthy', () => {
    const tasks = [task('n1', 'new', 'running', { failingHealth: 'elb' }), task('n2', 'new', 'running', { failingHealth: 'elb' })];
    const p = planRollout({ ...base, desiredCount: 2, tasks });
    assert.deepEqual(p, { start: 2, stop: [] });
    const half = planRollout({ ...base, desiredCount: 2, tasks: [...tasks, task('n3', 'new', 'healthy'), task('n4', 'new', 'running')] });
    assert.deepEqual(half.stop.map((s) => s.arn), ['n1'], 'one unhealthy task stops per healthy replacement');
    assert.equal(half.start, 0);
  });

  it('a rollout whose old tasks are all running but not healthy stops them only as new tasks become healthy', () => {
    const old = [task('o1', 'old', 'running'), task('o2', 'old', 'running')];
    const p = planRollout({ ...base, desiredCount: 2, tasks: old });
    assert.deepEqual(p, { start: 2, stop: [] });
    const one = planRollout({ ...base, desiredCount: 2, tasks: [...old, task('n3', 'new', 'healthy'), task('n4', 'new', 'running')] });
    assert.deepEqual(one.stop.map((s) => s.arn), ['o1']);
    const both = planRollout({ ...base, desiredCount: 2, tasks: [...old, task('n3', 'new', 'healthy'), task('n4', 'new', 'healthy')] });
    assert.deepEqual(both.stop.map((s) => s.arn), ['o1', 'o2']);
  });

  it('when maximumPercent leaves no room for a replacement, unhealthy tasks stop one by one', () => {
    const tasks = [task('n1', 'new', 'running', { failingHealth: 'elb' }), task('n2', 'new', 'running', { failingHealth: 'elb' })];
    const p = planRollout({ ...base, maximumPercent: 100, minimumHealthyPercent: 50, desiredCount: 2, tasks });
    assert.deepEqual(p.stop.map((s) => s.arn), ['n1']);
    assert.equal(p.start, 0);
    const next = planRollout({ ...base, maximumPercent: 100, minimumHealthyPercent: 50, desiredCount: 2, tasks: [{ ...tasks[0], draining: true }, tasks[1]] });
    assert.deepEqual(next, { start: 0, stop: [] }, 'the next waits until the first is gone');
  });

  it('never leaves no healthy task while some were healthy (every mix of states, minimumHealthyPercent above 0)', () => {
    const states: ('pending' | 'running' | 'healthy' | 'failing')[] = ['pending', 'running', 'healthy', 'failing'];
    for (const [maximumPercent, minimumHealthyPercent] of [[200, 100], [200, 50], [150, 50], [100, 50], [100, 1]]) {
      for (let desired = 1; desired <= 3; desired++) {
        for (let mask = 0; mask < 4 ** 4; mask++) {
          const tasks = [0, 1, 2, 3].map((i) => {
            const st = states[Math.floor(mask / 4 ** i) % 4];
            const dep = i % 2 ? 'old' : 'new';
            return st === 'failing' ? task(`t${i}`, dep, 'running', { failingHealth: 'elb' }) : task(`t${i}`, dep, st);
          });
          const p = planRollout({ ...base, maximumPercent, minimumHealthyPercent, desiredCount: desired, tasks });
          const healthyBefore = tasks.filter((t) => t.healthy).length;
          const healthyAfter = tasks.filter((t) => t.healthy && !p.stop.some((s) => s.arn === t.arn)).length;
          const servingBefore = tasks.filter((t) => t.running).length;
          const servingAfter = tasks.filter((t) => t.running && !p.stop.some((s) => s.arn === t.arn)).length;
          const ctx = JSON.stringify({ maximumPercent, minimumHealthyPercent, desired, tasks: tasks.map((t) => `${t.arn}:${t.deploymentId}:${t.healthy ? 'healthy' : t.failingHealth ? 'failing' : t.running ? 'running' : 'pending'}`), stop: p.stop });
          if (healthyBefore > 0) assert.ok(healthyAfter > 0, `no healthy task left: ${ctx}`);
          if (servingBefore > 0 && healthyBefore === 0) assert.ok(servingAfter > 0, `every running task stopped before any replacement was healthy: ${ctx}`);
        }
      }
    }
  });

  it('scaling in stops pending tasks before running ones, newest first', () => {
    const tasks = [task('n1', 'new', 'healthy'), task('n2', 'new', 'healthy'), task('n3', 'new', 'pending')];
    const p = planRollout({ ...base, desiredCount: 1, tasks });
    assert.deepEqual(p.stop.map((s) => s.arn), ['n3', 'n2']);
  });

  it('launches nothing while throttled or after the circuit breaker trips', () => {
    assert.equal(planRollout({ ...base, desiredCount: 3, tasks: [], canLaunch: false }).start, 0);
  });

  it('scale-in protection: protected tasks are never chosen for a lower desired count or by a deployment; failing health still replaces them', () => {
    const guarded = { protectedFromScaleIn: true };
    const tasks = [task('n1', 'new', 'healthy'), task('n2', 'new', 'healthy', guarded), task('n3', 'new', 'healthy', guarded)];
    assert.deepEqual(planRollout({ ...base, desiredCount: 1, tasks }).stop.map((s) => s.arn), ['n1'], 'only the unprotected one');
    assert.deepEqual(planRollout({ ...base, desiredCount: 1, tasks: tasks.slice(1) }), { start: 0, stop: [] }, 'more than desired while protected');
    const rolling = [task('o1', 'old', 'healthy', guarded), task('o2', 'old', 'healthy'), task('n3', 'new', 'healthy'), task('n4', 'new', 'healthy')];
    assert.deepEqual(planRollout({ ...base, desiredCount: 2, tasks: rolling }).stop.map((s) => s.arn), ['o2'], 'the old deployment keeps its protected task');
    const failing = [task('n1', 'new', 'healthy', { ...guarded, failingHealth: 'container' }), task('n2', 'new', 'healthy')];
    const p = planRollout({ ...base, desiredCount: 1, tasks: [...failing, task('n3', 'new', 'healthy')] });
    assert.deepEqual(p.stop.map((s) => [s.arn, s.reason]), [['n3', 'Scaling activity initiated by (deployment new)'], ['n1', 'Task failed container health checks.']]);
  });
});
