/**
 * log-shipper: the `awslogs` log driver. For every container of a task whose
 * container definition says `logConfiguration.logDriver: awslogs`, it follows
 * the container's stdout/stderr (in order, interleaved as the engine recorded
 * them) and writes each line as a CloudWatch Logs event into
 * `awslogs-group`, stream `<awslogs-stream-prefix>/<container-name>/<task-id>`.
 *
 * Exactly once across restarts: events and the container's cursor (timestamp of
 * the last shipped line and how many lines carried that timestamp) are written in
 * one transaction; a restarted Berth resumes with `since` = that timestamp and
 * skips the lines it already shipped.
 *
 * Reconciled per task (key = task ARN) like task-lifecycle; the lifecycle calls
 * `prepare` before creating containers (the group must exist, as for ECS's
 * agent) and awaits `drain` before removing them, so the last lines are never lost.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
 */
import type { ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerState, LogLine, RuntimeDriver } from '../runtime/driver.js';
import { parseArn, taskIdOf } from '../shared/arns.js';
import { engineForTask, findTaskDefinitionByArn, loadTaskByArn, taskDefinitionOfTask, unfinishedTaskDefinitions } from '../services/ecs/index.js';
import { appendEvents, ensureStream, findGroup, insertGroup, purgeAllExpired, type NewEvent, type Scope } from '../services/logs/store.js';
import { engineLabel, LABELS } from './container-spec.js';
import type { Controller, StateDeps, Watches } from './runtime.js';
import { unfinishedTaskSweep } from './task-sweep.js';

export interface LogShipperDeps extends StateDeps {
  driver: RuntimeDriver;
  instanceId: string;
  /** Real seconds per CloudWatch minute: metric filters' datapoints are recorded on CloudWatch's clock. */
  metricsPeriod?: number;
}

interface Target {
  scope: Scope;
  group: string;
  /** Undefined when there is no awslogs-stream-prefix: the stream is then named after the container id. */
  stream?: string;
  createGroup: boolean;
}

interface Cursor {
  last_ts: number;
  count_at_ts: number;
}

interface Follower {
  taskArn: string;
  abort: AbortController;
  done: Promise<void>;
}

/** The awslogs driver splits longer lines: 256 KiB minus the 26 bytes CloudWatch counts per event. */
const MAX_EVENT_BYTES = 262_144 - 26;
const FLUSH_EVERY = 2_000;
const DRAIN_WAIT_MS = 5_000;
const RETRY_MAX_MS = 5_000;

/** ECS's agent wording for a missing group without awslogs-create-group. */
const MISSING_GROUP_REASON =
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ' +
  'ResourceNotFoundException: The specified log group does not exist. : exit status 1';

const isUp = (c: ContainerState | undefined) => !!c && (c.status === 'running' || c.status === 'paused' || c.status === 'restarting');
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((ok) => {
    const t = setTimeout(ok, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); ok(); }, { once: true });
  });

/** Where a container's awslogs configuration sends its lines (undefined: not awslogs). */
export function awslogsTarget(task: Task, cd: ContainerDefinition): Target | undefined {
  const lc = cd.logConfiguration;
  if (lc?.logDriver !== 'awslogs') return undefined;
  const opts = lc.options ?? {};
  const arn = parseArn(task.taskArn!);
  if (!arn || !opts['awslogs-group']) return undefined;
  const prefix = opts['awslogs-stream-prefix'];
  return {
    scope: { account: arn.account, region: opts['awslogs-region'] || arn.region },
    group: opts['awslogs-group'],
    stream: prefix ? `${prefix}/${cd.name}/${taskIdOf(task.taskArn!)}` : undefined,
    createGroup: opts['awslogs-create-group'] === 'true',
  };
}

/** Splits a line into events of at most MAX_EVENT_BYTES without cutting a UTF-8 character. */
function splitMessage(message: string): string[] {
  const buf = Buffer.from(message, 'utf8');
  if (buf.length <= MAX_EVENT_BYTES) return [message];
  const out: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + MAX_EVENT_BYTES, buf.length);
    while (end < buf.length && (buf[end] & 0xc0) === 0x80) end--;
    out.push(buf.subarray(start, end).toString('utf8'));
    start = end;
  }
  return out;
}

export class LogShipper implements Controller {
  readonly name = 'log-shipper';
  readonly concurrency = 8;

  readonly watches: Watches = {
    changes: [{ kind: 'ecs.task' }],
    // A container that started has output to follow; one that died has its last lines to ship.
    engineEvents: (e) => {
      const arn = e.labels[LABELS.taskArn];
      return arn && (e.action === 'start' || e.action === 'die') ? [arn] : [];
    },
    // The safety net: each unfinished task about once per TASK_SWEEP_MS (5 min), a page at a time; at start, those with awslogs
    // containers (a restarted Berth follows their output again; the others have nothing to ship).
    sweep: { ...unfinishedTaskSweep(() => this.d.sql), startKeys: () => this.tasksWithAwslogs() },
  };
  private readonly followers = new Map<string, Follower>();
  /** Task definitions by ARN: whether any container logs to awslogs (shipsLogs). */
  private readonly awslogsDefinitions = new Map<string, boolean>();
  /** Per container: the read in progress (reads of one container never overlap). */
  private readonly busy = new Map<string, Promise<void>>();
  /** Per task: containers whose output is fully shipped (exited, then caught up). */
  private readonly finished = new Map<string, Set<string>>();
  private stopped = false;

  constructor(private readonly d: LogShipperDeps) {}

  /** The unfinished tasks whose task definition sends a container's output to awslogs. */
  private *tasksWithAwslogs(): Iterable<string> {
    for (const { arn, taskDefinitionArn } of unfinishedTaskDefinitions(this.d.sql)) {
      if (taskDefinitionArn && this.shipsLogs(taskDefinitionArn)) yield arn;
    }
  }

  /**
   * Whether a task definition sends a container's output to awslogs; each read once (a revision's container
   * definitions never change). One not found is not remembered: the pass goes on to read the task.
   */
  private shipsLogs(taskDefinitionArn: string): boolean {
    let yes = this.awslogsDefinitions.get(taskDefinitionArn);
    if (yes === undefined) {
      const def = findTaskDefinitionByArn(this.d.sql, taskDefinitionArn);
      if (!def) return true;
      yes = !!def.containerDefinitions?.some((cd) => cd.logConfiguration?.logDriver === 'awslogs');
      this.awslogsDefinitions.set(taskDefinitionArn, yes);
    }
    return yes;
  }

  /**
   * Called by task-lifecycle before it creates a task's containers: creates the
   * log group when `awslogs-create-group` is "true", and returns ECS's
   * ResourceInitializationError when the group does not exist otherwise.
   */
  prepare(task: Task, def: TaskDefinition): string | undefined {
    const targets = (def.containerDefinitions ?? []).map((cd) => awslogsTarget(task, cd)).filter((t): t is Target => !!t);
    if (!targets.length) return undefined;
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      for (const t of targets) {
        let group = findGroup(this.d.sql, t.scope, t.group);
        if (!group) {
          if (!t.createGroup) return MISSING_GROUP_REASON;
          group = insertGroup(this.d.sql, t.scope, { name: t.group, now });
        }
        // The driver creates the stream when the container is created.
        if (t.stream) ensureStream(this.d.sql, group.id, t.stream, now);
      }
      return undefined;
    })();
  }

  async reconcile(taskArn: string): Promise<void> {
    // Most tasks have nothing to ship: told so by their definition, before their document is read.
    const brief = taskDefinitionOfTask(this.d.sql, taskArn);
    if (brief && brief.lastStatus !== 'STOPPED' && brief.taskDefinitionArn && !this.shipsLogs(brief.taskDefinitionArn)) return;
    const row = loadTaskByArn(this.d.sql, taskArn);
    if (!row || row.task.lastStatus === 'STOPPED') {
      this.forget(taskArn);
      return;
    }
    for (const { container, target } of await this.shippable(row.task)) {
      if (isUp(container)) this.follow(taskArn, container, target);
      else if (container.status === 'exited' || container.status === 'dead') await this.catchUp(taskArn, container.id, target);
    }
  }

  /**
   * Called by task-lifecycle once the task's containers are stopped and before
   * they are removed: waits for the followers to read to the end, then reads
   * whatever a follower may have missed.
   */
  async drain(taskArn: string): Promise<void> {
    try {
      const row = loadTaskByArn(this.d.sql, taskArn);
      if (!row) return;
      const mine = [...this.followers.entries()].filter(([, f]) => f.taskArn === taskArn);
      await Promise.all(mine.map(async ([, f]) => {
        const timer = setTimeout(() => f.abort.abort(), DRAIN_WAIT_MS);
        await f.done;
        clearTimeout(timer);
      }));
      for (const { container, target } of await this.shippable(row.task)) {
        this.followers.get(container.id)?.abort.abort();
        await this.followers.get(container.id)?.done;
        await this.catchUp(taskArn, container.id, target);
      }
    } catch (err) {
      this.d.log.warn('draining task logs failed', { taskArn, error: (err as Error).message });
    }
  }

  /** Periodic work: retention, and cursors of tasks that are STOPPED or gone. */
  housekeeping(now: number) {
    this.d.db.transaction(() => {
      purgeAllExpired(this.d.sql, now);
      this.d.sql
        .get("DELETE FROM logs_shipper_cursors WHERE task_arn NOT IN (SELECT arn FROM ecs_tasks WHERE last_status != 'STOPPED')")
        .run();
    })();
    for (const arn of this.finished.keys()) {
      const t = loadTaskByArn(this.d.sql, arn);
      if (!t || t.task.lastStatus === 'STOPPED') this.finished.delete(arn);
    }
  }

  async stop() {
    this.stopped = true;
    for (const f of this.followers.values()) f.abort.abort();
    await Promise.all([...this.followers.values()].map((f) => f.done));
    await Promise.all([...this.busy.values()]);
  }

  private forget(taskArn: string) {
    for (const f of this.followers.values()) if (f.taskArn === taskArn) f.abort.abort();
    this.finished.delete(taskArn);
  }

  /** The task's engine containers that log through awslogs, with their targets. */
  private async shippable(task: Task): Promise<{ container: ContainerState; target: Target }[]> {
    const def = findTaskDefinitionByArn(this.d.sql, task.taskDefinitionArn!);
    const targets = new Map<string, Target>();
    for (const cd of def?.containerDefinitions ?? []) {
      const t = awslogsTarget(task, cd);
      if (t) targets.set(cd.name!, t);
    }
    if (!targets.size) return [];
    const observed = await this.d.driver.listContainers({
      [LABELS.taskArn]: task.taskArn!, [LABELS.instance]: this.d.instanceId, ...engineLabel(engineForTask(this.d.sql, task.taskArn)),
    });
    return observed
      .filter((c) => targets.has(c.labels[LABELS.containerName]))
      .map((c) => {
        const t = targets.get(c.labels[LABELS.containerName])!;
        return { container: c, target: { ...t, stream: t.stream ?? c.id } };
      });
  }

  /** Runs fn once every earlier read of the container has finished. */
  private exclusive(containerId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.busy.get(containerId) ?? Promise.resolve();
    const next = prev.then(fn, fn).finally(() => {
      if (this.busy.get(containerId) === next) this.busy.delete(containerId);
    });
    this.busy.set(containerId, next);
    return next;
  }

  private follow(taskArn: string, c: ContainerState, target: Target) {
    if (this.stopped || this.followers.has(c.id)) return;
    const abort = new AbortController();
    const done = this.exclusive(c.id, async () => {
      let backoff = 250;
      while (!abort.signal.aborted && !this.stopped) {
        try {
          await this.read(taskArn, c.id, target, { follow: true, signal: abort.signal });
        } catch (err) {
          if (abort.signal.aborted) break;
          this.d.log.warn('following container logs failed', { container: c.id, error: (err as Error).message });
        }
        if (abort.signal.aborted) break;
        // The stream ends when the container stops; a running container means the stream dropped (or the driver does not follow).
        const state = await this.d.driver.inspectContainer(c.id).catch(() => undefined);
        if (!isUp(state)) break;
        await sleep(backoff, abort.signal);
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    }).finally(() => {
      if (this.followers.get(c.id)?.done === done) this.followers.delete(c.id);
    });
    this.followers.set(c.id, { taskArn, abort, done });
  }

  private async catchUp(taskArn: string, containerId: string, target: Target) {
    const done = this.finished.get(taskArn);
    if (done?.has(containerId)) return;
    await this.exclusive(containerId, () => this.read(taskArn, containerId, target, { follow: false }));
    if (!this.finished.has(taskArn)) this.finished.set(taskArn, new Set());
    this.finished.get(taskArn)!.add(containerId);
  }

  /** One pass over the container's log from its cursor; ships lines in order and advances the cursor with them. */
  private async read(taskArn: string, containerId: string, target: Target, opts: { follow: boolean; signal?: AbortSignal }) {
    const saved = this.d.sql.get('SELECT last_ts, count_at_ts FROM logs_shipper_cursors WHERE container_id = ?').get(containerId) as Cursor | undefined;
    const cursor: Cursor = saved ?? { last_ts: -1, count_at_ts: 0 };
    let resuming = !!saved;
    let skip = cursor.count_at_ts;
    let pending: NewEvent[] = [];
    let scheduled: NodeJS.Immediate | undefined;

    const flush = () => {
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      const batch = pending;
      pending = [];
      try {
        this.write(taskArn, containerId, target, batch, cursor);
      } catch (err) {
        this.d.log.error('awslogs: writing log events failed', { container: containerId, error: (err as Error).message });
      }
    };
    const onLine = (line: LogLine) => {
      const ts = line.timestamp.getTime();
      if (resuming) {
        // `since` is inclusive and millisecond-precise: skip what the last run shipped.
        if (ts < cursor.last_ts) return;
        if (ts === cursor.last_ts && skip > 0) { skip--; return; }
        resuming = false;
      }
      if (ts > cursor.last_ts) { cursor.last_ts = ts; cursor.count_at_ts = 1; } else if (ts === cursor.last_ts) cursor.count_at_ts++;
      // The awslogs driver sends no event for an empty line.
      if (line.message.length) for (const part of splitMessage(line.message)) pending.push({ timestamp: ts, message: part });
      if (pending.length >= FLUSH_EVERY) flush();
      else scheduled ??= setImmediate(flush);
    };
    try {
      await this.d.driver.logs(containerId, {
        since: saved ? new Date(cursor.last_ts) : undefined, follow: opts.follow, onLine, signal: opts.signal,
      });
    } finally {
      flush();
    }
  }

  /** Events and the cursor, in one transaction (exactly once across restarts). */
  private write(taskArn: string, containerId: string, target: Target, events: NewEvent[], cursor: Cursor) {
    const now = this.d.clock.now();
    this.d.db.transaction(() => {
      if (events.length) {
        let group = findGroup(this.d.sql, target.scope, target.group);
        if (!group && target.createGroup) group = insertGroup(this.d.sql, target.scope, { name: target.group, now });
        if (group) appendEvents(this.d.sql, group, ensureStream(this.d.sql, group.id, target.stream!, now), events, now, this.d.metricsPeriod);
        else this.d.log.warn('awslogs: log group was deleted; dropping lines', { group: target.group, container: containerId });
      }
      if (cursor.last_ts >= 0) {
        this.d.sql
          .get(`INSERT INTO logs_shipper_cursors (container_id, task_arn, last_ts, count_at_ts) VALUES (?, ?, ?, ?)
                ON CONFLICT (container_id) DO UPDATE SET last_ts = excluded.last_ts, count_at_ts = excluded.count_at_ts`)
          .run(containerId, taskArn, cursor.last_ts, cursor.count_at_ts);
      }
    })();
  }
}
