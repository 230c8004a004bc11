import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerState, LogLine, RuntimeDriver } from '../runtime/driver.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { openDb, Statements } from '../state/db.js';
import { insertTask } from '../services/ecs/index.js';
import { findGroup, findStream, insertGroup } from '../services/logs/store.js';
import { LABELS } from './container-spec.js';
import { LogShipper } from './log-shipper.js';

const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef';
const DEF_ARN = 'arn:aws:ecs:us-east-1:000000000000:task-definition/fam:1';
const SCOPE = { account: '000000000000', region: 'us-east-1' };

/** A driver with one exited container whose log the test appends to; `since` is inclusive, as Docker's is. */
function stubDriver(lines: LogLine[]): RuntimeDriver {
  const container: ContainerState = {
    id: 'c1', name: 'x', image: 'i', labels: { [LABELS.taskArn]: TASK_ARN, [LABELS.containerName]: 'main', [LABELS.instance]: 'i1' },
    status: 'exited', oomKilled: false, ports: [],
  };
  return {
    listContainers: async () => [container],
    inspectContainer: async () => container,
    logs: async (_id: string, o: { since?: Date; onLine: (l: LogLine) => void }) => {
      for (const l of lines) if (!o.since || l.timestamp >= o.since) o.onLine(l);
    },
  } as unknown as RuntimeDriver;
}

function setup(lines: LogLine[], prefix: string | null = 'app') {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const def: TaskDefinition = {
    taskDefinitionArn: DEF_ARN, family: 'fam', revision: 1,
    containerDefinitions: [{
      name: 'main', image: 'i',
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/g', 'awslogs-region': 'us-east-1', ...(prefix ? { 'awslogs-stream-prefix': prefix } : {}) } },
    }],
  };
  sql.get('INSERT INTO ecs_task_definitions (account, region, family, revision, status, doc, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(SCOPE.account, SCOPE.region, 'fam', 1, 'ACTIVE', JSON.stringify(def), 0);
  const task: Task = { taskArn: TASK_ARN, taskDefinitionArn: DEF_ARN, lastStatus: 'STOPPING', desiredStatus: 'STOPPED' };
  insertTask(sql, SCOPE, 'c', task, {});
  const shipper = () => new LogShipper({ db, sql, clock: systemClock, log: createLogger('silent'), driver: stubDriver(lines), instanceId: 'i1' });
  const events = (stream = `app/main/0123456789abcdef0123456789abcdef`) => {
    const g = findGroup(sql, SCOPE, '/g')!;
    const s = findStream(sql, g.id, stream);
    return s ? (sql.get('SELECT message FROM logs_events WHERE stream_id = ? ORDER BY ts, seq').pluck().all(s.id) as string[]) : [];
  };
  return { db, sql, task, def, shipper, events };
}

const at = (ms: number, message: string, stream: 'stdout' | 'stderr' = 'stdout'): LogLine => ({ timestamp: new Date(ms), message, stream });

describe('log-shipper (awslogs)', () => {
  it('prepare fails with ResourceInitializationError when the group is missing and awslogs-create-group is not "true"', () => {
    const { shipper, task, def, sql } = setup([]);
    assert.match(shipper().prepare(task, def) ?? '', /^ResourceInitializationError: failed to validate logger args: .*The specified log group does not exist/);
    def.containerDefinitions![0].logConfiguration!.options!['awslogs-create-group'] = 'true';
    assert.equal(shipper().prepare(task, def), undefined);
    const g = findGroup(sql, SCOPE, '/g');
    assert.ok(g, 'the group was created');
    assert.ok(findStream(sql, g.id, 'app/main/0123456789abcdef0123456789abcdef'), 'and the stream, as the driver does at container creation');
  });

  it('a second shipper (a restarted Berth) ships only the lines the first did not, even within one millisecond', async () => {
    const lines = [at(1000, 'a'), at(1000, 'b', 'stderr')];
    const { shipper, sql, events } = setup(lines);
    insertGroup(sql, SCOPE, { name: '/g', now: 0 });
    await shipper().drain(TASK_ARN);
    assert.deepEqual(events(), ['a', 'b']);
    lines.push(at(1000, 'c'), at(1001, 'd'), at(1001, ''), at(1002, 'e'));
    await shipper().drain(TASK_ARN);
    assert.deepEqual(events(), ['a', 'b', 'c', 'd', 'e'], 'empty lines are not events, as with the awslogs driver');
    await shipper().drain(TASK_ARN);
    assert.deepEqual(events(), ['a', 'b', 'c', 'd', 'e'], 'nothing twice');
  });

  it('lines longer than an event may be are split into several events', async () => {
    const long = 'é'.repeat(200_000);
    const { shipper, sql, events } = setup([at(1000, long)]);
    insertGroup(sql, SCOPE, { name: '/g', now: 0 });
    await shipper().drain(TASK_ARN);
    const got = events();
    assert.equal(got.length, 2);
    assert.equal(got.join(''), long);
    assert.ok(got.every((m) => Buffer.byteLength(m) <= 262_144 - 26));
  });

  it('without awslogs-stream-prefix the stream is named after the container id', async () => {
    const { shipper, sql, events } = setup([at(1000, 'x')], null);
    insertGroup(sql, SCOPE, { name: '/g', now: 0 });
    await shipper().drain(TASK_ARN);
    assert.deepEqual(events('c1'), ['x']);
  });
});
