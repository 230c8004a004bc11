/**
 * The sweep over the unfinished tasks that the task controllers (task-lifecycle, log-shipper) share as their
 * safety net: at start what each controller's startKeys names, then a page per tick in creation order (the
 * cursor is a task's sequence number), so each comes round about once per TASK_SWEEP_MS and a tick never
 * reads the whole table.
 */
import { unfinishedTaskCount, unfinishedTaskPage } from '../services/ecs/index.js';
import type { Statements } from '../state/db.js';
import type { Sweep } from './runtime.js';

/**
 * About how often the sweep brings each unfinished task round (events come first; this catches what they missed).
 * Its cost is what an idle Berth spends: at 10,000 tasks, 5 minutes is ~33 quiet passes a second per controller.
 */
export const TASK_SWEEP_MS = 300_000;

/** `sql` is asked for on each page (a controller declares its watches before its dependencies are set). */
export function unfinishedTaskSweep(sql: () => Statements): Sweep {
  return {
    sweepMs: TASK_SWEEP_MS,
    page: (after, limit) => {
      const rows = unfinishedTaskPage(sql(), after === undefined ? 0 : Number(after), limit);
      return { keys: rows.map((r) => r.arn), next: rows.length ? String(rows[rows.length - 1].seq) : undefined };
    },
    size: () => unfinishedTaskCount(sql()),
  };
}
