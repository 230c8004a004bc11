/**
 * DescribeClusters' task counts come from ecs_cluster_task_counts, kept as tasks are inserted and change
 * lastStatus: after any sequence of inserts, transitions and prunes they equal a count of the task rows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Task } from '@aws-sdk/client-ecs';
import { openDb, Statements } from '../../../state/db.js';
import { clusterCounts, clusterStatistics } from './cluster-counts.js';
import { insertTask, loadTaskByArn, pruneStoppedTasks, saveTask } from './tasks.js';

const SCOPE = { account: '000000000000', region: 'us-east-1' };
const arn = (cluster: string, i: number) => `arn:aws:ecs:us-east-1:${SCOPE.account}:task/${cluster}/${i.toString(16).padStart(32, '0')}`;

describe('cluster task counts', () => {
  it('follow inserts, lastStatus changes and prunes, per cluster and launch type, as a count of the rows would', () => {
    const db = openDb(':memory:');
    const sql = new Statements(db);
    const scope = { ...SCOPE, sql };
    const statuses = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
    const launchTypes = ['EC2', 'FARGATE', undefined] as const;
    let n = 0;
    // Tasks in two clusters walk through the states, some stopping at each.
    for (const cluster of ['a', 'b']) {
      for (let i = 0; i < 40; i++, n++) {
        const task: Task = {
          taskArn: arn(cluster, n), lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', launchType: launchTypes[n % 3],
          taskDefinitionArn: `arn:aws:ecs:us-east-1:${SCOPE.account}:task-definition/f:1`,
        };
        insertTask(sql, SCOPE, cluster, task, {});
        for (const status of statuses.slice(1, 1 + (n % statuses.length))) {
          const t = loadTaskByArn(sql, task.taskArn!)!.task;
          saveTask(sql, { ...t, lastStatus: status, ...(status === 'STOPPED' ? { stoppedAt: new Date(0) } : {}) });
        }
      }
    }
    const counted = (cluster: string) => {
      const rows = sql.get(`SELECT last_status AS s, launch_type AS l, COUNT(*) AS n FROM ecs_tasks WHERE cluster = ? GROUP BY 1, 2`).all(cluster) as { s: string; l: string | null; n: number }[];
      const sum = (ok: (r: { s: string; l: string | null }) => boolean) => rows.filter(ok).reduce((x, r) => x + r.n, 0);
      return {
        running: sum((r) => r.s === 'RUNNING'),
        pending: sum((r) => ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(r.s)),
        runningFargate: sum((r) => r.s === 'RUNNING' && r.l === 'FARGATE'),
      };
    };
    const check = () => {
      for (const cluster of ['a', 'b']) {
        const c = clusterCounts(scope, cluster);
        const want = counted(cluster);
        assert.equal(c.runningTasksCount, want.running);
        assert.equal(c.pendingTasksCount, want.pending);
        const stat = clusterStatistics(scope, cluster).find((s) => s.name === 'runningFargateTasksCount')!;
        assert.equal(Number(stat.value), want.runningFargate);
      }
    };
    check();
    assert.ok(clusterCounts(scope, 'a').runningTasksCount > 0 && clusterCounts(scope, 'a').pendingTasksCount > 0);
    // Stopped tasks are pruned: nothing they were counted in moves.
    assert.ok(pruneStoppedTasks(sql, Date.now()).tasks > 0);
    check();
    db.close();
  });
});
