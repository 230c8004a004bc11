/**
 * The retention pass (pruneState, run every minute by startControllers) deletes
 * stopped tasks past ECS's hour and expired RunTask tokens, and hands the pages
 * they held back to the file system: state.db shrinks to near its live size.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@aws-sdk/client-ecs';
import { ManualClock } from '../shared/clock.js';
import { openDb, Statements } from '../state/db.js';
import { insertTask, recordRunTask, saveTask, takeEcsEvents } from '../services/ecs/index.js';
import { pruneState } from './index.js';

const HOUR = 60 * 60 * 1000;

describe('the retention pass', () => {
  it('deletes stopped tasks past their hour with their client tokens, other tokens after 24 hours, and the file shrinks to near its size before them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-retention-'));
    const file = join(dir, 'state.db');
    const db = openDb(file);
    try {
      const sql = new Statements(db);
      const clock = new ManualClock();
      const scope = { sql, account: '000000000000', region: 'us-east-1' };
      db.pragma('wal_checkpoint(TRUNCATE)');
      const empty = statSync(file).size;
      const padding = 'x'.repeat(3000); // a task document is a few KiB
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) {
          const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/c/${i.toString(16).padStart(32, '0')}`;
          const task: Task = {
            taskArn, clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c', desiredStatus: 'RUNNING', lastStatus: 'PROVISIONING',
            taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/app:1', group: padding,
          };
          insertTask(sql, scope, 'c', task, {});
          saveTask(sql, { ...task, desiredStatus: 'STOPPED', lastStatus: 'STOPPED', stoppedAt: new Date(clock.now()) });
          recordRunTask(scope, `token-${i}`, [taskArn], clock.now());
        }
        const running: Task = { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/running', desiredStatus: 'RUNNING', lastStatus: 'RUNNING' };
        insertTask(sql, scope, 'c', running, {});
        recordRunTask(scope, 'token-running', [running.taskArn!], clock.now());
        // Each change also put an ECS event in the outbox, which EventBridge's controller drains in a running Berth.
        for (let t = takeEcsEvents(sql, 1000); t.events.length; t = takeEcsEvents(sql, 1000)) t.done();
      })();
      await pruneState({ db, sql, clock }); // hands back the drained outbox's pages: what follows is the tasks' own
      db.pragma('wal_checkpoint(TRUNCATE)');
      const full = statSync(file).size;
      assert.ok(full > empty + 6_000_000, `${full} bytes with 2,000 tasks`);

      clock.advance(HOUR - 1);
      assert.deepEqual(await pruneState({ db, sql, clock }), { tasks: 0, tokens: 0, pages: 0 });
      clock.advance(2);
      const pruned = await pruneState({ db, sql, clock });
      assert.deepEqual({ tasks: pruned.tasks, tokens: pruned.tokens }, { tasks: 2000, tokens: 2000 }, 'tokens whose tasks are all gone go with them');
      assert.ok(pruned.pages > 1000);
      clock.advance(23 * HOUR - 2);
      assert.equal((await pruneState({ db, sql, clock })).tokens, 0, "a live task's token lasts 24 hours");
      clock.advance(2);
      assert.equal((await pruneState({ db, sql, clock })).tokens, 1);

      // The pass ends with a passive checkpoint: the shrink reaches the file without anything else running.
      const after = statSync(file).size;
      assert.equal(db.pragma('freelist_count', { simple: true }), 0);
      assert.ok(after <= empty * 1.1 + 64 * 1024, `${after} bytes after pruning, ${empty} before the tasks, ${full} with them`);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
