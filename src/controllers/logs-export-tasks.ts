/**
 * logs-export-tasks: CloudWatch Logs export tasks, converged. A task recorded
 * PENDING by CreateExportTask (key: task id) is marked RUNNING, its events are
 * read and gzipped per stream, and the objects are written into the S3 bucket
 * in the same transaction that marks it COMPLETED — unless it was cancelled
 * meanwhile (then nothing is written) or its bucket or log group is gone (FAILED).
 * A Berth that stops mid-export finds the task still RUNNING and exports again,
 * overwriting the same keys.
 */
import { exportObjectsOf, findExportTask, setExportTaskStatus, unfinishedExportTaskIds } from '../services/logs/store.js';
import { bucketOwner, ObjectFiles, writeServiceObject } from '../services/s3/index.js';
import type { Controller, StateDeps, Watches } from './runtime.js';

export interface LogsExportTasksDeps extends StateDeps {
  /** Berth's data directory: S3 object bodies live under it. */
  dataDir: string;
}

const RESYNC_MS = 30_000;

export class LogsExportTasks implements Controller {
  readonly name = 'logs-export-tasks';
  /** AWS runs one export per account at a time; one at a time here keeps the disk calm. */
  readonly concurrency = 1;

  readonly watches: Watches = {
    changes: [{ kind: 'logs.export-task' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? unfinishedExportTaskIds(this.d.sql) : []) }],
  };

  private readonly files: ObjectFiles;

  constructor(private readonly d: LogsExportTasksDeps) {
    this.files = new ObjectFiles(d.dataDir);
  }

  async reconcile(id: string): Promise<void> {
    const { db, sql, clock, log } = this.d;
    if (!db.open) return;
    const task = findExportTask(sql, id);
    if (!task || (task.status !== 'PENDING' && task.status !== 'RUNNING')) return;
    if (task.status === 'PENDING') db.transaction(() => setExportTaskStatus(sql, id, 'RUNNING', undefined, clock.now()))();

    const written: { committed(): void; rolledBack(): void }[] = [];
    let outcome: string;
    try {
      outcome = db.transaction(() => {
        const now = findExportTask(sql, id);
        if (!now || now.status !== 'RUNNING') return 'cancelled';
        const objects = exportObjectsOf(sql, now);
        if (!objects) {
          setExportTaskStatus(sql, id, 'FAILED', 'The specified log group does not exist.', clock.now());
          return 'failed';
        }
        const bucket = bucketOwner(sql, now.bucket);
        if (!bucket) {
          setExportTaskStatus(sql, id, 'FAILED', `The destination bucket ${now.bucket} does not exist.`, clock.now());
          return 'failed';
        }
        for (const o of objects) {
          written.push(writeServiceObject(sql, this.files, { bucket: now.bucket, key: o.key, body: o.body, contentType: 'application/octet-stream', now: clock.now() }));
        }
        setExportTaskStatus(sql, id, 'COMPLETED', undefined, clock.now());
        return `${objects.length} objects`;
      })();
    } catch (err) {
      for (const w of written) w.rolledBack();
      throw err;
    }
    for (const w of written) w.committed();
    log.info('logs export task finished', { taskId: id, outcome });
  }
}
