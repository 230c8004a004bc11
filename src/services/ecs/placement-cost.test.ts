/**
 * Placement costs what the candidate instances cost, not what their tasks do (issue 15): the queries behind
 * placementCandidates (and so RunTask, StartTask, the service scheduler and DescribeContainerInstances) read one
 * usage row, the task groups asked for and the host ports held on each instance's engine, through indexes; they never
 * read a task's document nor scan the tasks table, and they return as many rows with 2,000 tasks placed as with 20.
 * What they read is kept right as tasks move through their states (instance-usage.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInstance, Task } from '@aws-sdk/client-ecs';
import { openDb, Statements, type Db } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import { placementCandidates } from './container-instances.js';
import { insertInstance, insertTask, instanceGroups, instanceUsage, loadTaskByArn, saveTask } from './store/index.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const instanceArn = (i: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/c/${String(i).padStart(32, '0')}`;

/** Statements that remember each SQL text they prepare and count the rows their reads return. */
class Counting extends Statements {
  readonly seen = new Set<string>();
  rows = 0;
  override get(sql: string) {
    this.seen.add(sql);
    const stmt = super.get(sql);
    const counter = this;
    const counted = new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'all') return (...args: unknown[]) => { const r = (value as Function).apply(target, args) as unknown[]; counter.rows += r.length; return r; };
        if (prop === 'get') return (...args: unknown[]) => { const r = (value as Function).apply(target, args); counter.rows += r === undefined ? 0 : 1; return r; };
        // pluck()/raw() answer the statement itself: keep counting through it.
        if (prop === 'pluck' || prop === 'raw') return (...args: unknown[]) => { (value as Function).apply(target, args); return counted; };
        return typeof value === 'function' ? (value as Function).bind(target) : value;
      },
    });
    return counted;
  }
}

function instance(i: number): ContainerInstance {
  return {
    containerInstanceArn: instanceArn(i), ec2InstanceId: `i-${i}`, status: 'ACTIVE', agentConnected: true,
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 1_000_000 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 1_000_000 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] }, { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ],
    attributes: [{ name: 'ecs.availability-zone', value: `${REGION}${'abc'[i % 3]}` }],
  };
}

function task(n: number, ci: number, group: string, hostPort?: number): Task & { berthHostPorts?: { tcp: number[]; udp: number[] } } {
  return {
    taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/c/${String(n).padStart(32, '0')}`,
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app:1`,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/c`, containerInstanceArn: instanceArn(ci),
    lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', group, launchType: 'EC2',
    containers: [{ name: 'app', cpu: '2', memory: '16' }],
    ...(hostPort ? { berthHostPorts: { tcp: [hostPort], udp: [] } } : {}),
  };
}

/** A cluster of `instances` instances holding `tasks` running tasks (a tenth of them in group "service:web", one with a host port). */
function cluster(instances: number, tasks: number): { db: Db; scope: Scope; sql: Counting } {
  const db = openDb(':memory:');
  const sql = new Counting(db);
  const scope: Scope = { sql, account: ACCOUNT, region: REGION };
  db.transaction(() => {
    for (let i = 0; i < instances; i++) insertInstance(scope, 'c', String(i).padStart(32, '0'), instance(i));
    for (let n = 0; n < tasks; n++) {
      const t = task(n, n % instances, Math.floor(n / instances) % 10 ? 'family:app' : 'service:web', n === 0 ? 8080 : undefined);
      insertTask(sql, scope, 'c', t, {});
      saveTask(sql, { ...t, lastStatus: 'RUNNING' });
    }
  })();
  return { db, scope, sql };
}

/** Plan lines that read a whole table or sort (json_each over one document is a virtual table, not a scan). */
function costlyLines(db: Db, sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).map(() => null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail)
    .filter((d) => /TEMP B-TREE/.test(d) || (/^SCAN /.test(d) && !/USING (COVERING )?INDEX/.test(d) && !/VIRTUAL TABLE|json_each/.test(d)));
}

describe('placement reads indexes, not tasks', () => {
  it('placementCandidates reads no task document and scans no table, with or without every task group', () => {
    const { db, scope, sql } = cluster(10, 200);
    try {
      sql.seen.clear();
      placementCandidates(scope, 'c', { group: 'family:app', all: false }, 'EC2');
      placementCandidates(scope, 'c', { group: 'family:app', all: true }, 'EC2');
      assert.ok(sql.seen.size > 0);
      for (const q of sql.seen) {
        assert.doesNotMatch(q, /\bdoc\b[^]*FROM ecs_tasks|FROM ecs_tasks[^]*\bdoc\b/, `reads task documents: ${q}`);
        assert.deepEqual(costlyLines(db, q), [], q.replace(/\s+/g, ' '));
      }
    } finally {
      db.close();
    }
  });

  it('the rows placement reads do not grow with the tasks placed: 20 and 2,000 tasks on 10 instances', () => {
    const rowsFor = (tasks: number) => {
      const { db, scope, sql } = cluster(10, tasks);
      try {
        sql.rows = 0;
        const candidates = placementCandidates(scope, 'c', { group: 'family:app', all: false }, 'EC2');
        return { rows: sql.rows, candidates };
      } finally {
        db.close();
      }
    };
    const small = rowsFor(20);
    const big = rowsFor(2000);
    assert.equal(big.rows, small.rows);
    // And what they read is right: each instance holds 200 tasks of 2 CPU and 16 MiB, 180 of them in family:app.
    const c = big.candidates[3];
    assert.equal(c.cpu, 1_000_000 - 400);
    assert.equal(c.memory, 1_000_000 - 3200);
    assert.equal(c.groups.get('family:app'), 180);
    assert.ok(big.candidates.every((x) => x.enginePorts?.tcp.has(8080)), 'the host port of the task on instance 0 is taken on the whole engine');
    assert.ok(big.candidates[0].tcpPorts.has(8080) && !c.tcpPorts.has(8080));
  });

  it('usage follows a task from PROVISIONING through RUNNING to STOPPED, and leaves nothing behind', () => {
    const { db, sql, scope } = cluster(1, 0);
    try {
      const t = task(1, 0, 'service:web', 80);
      insertTask(sql, scope, 'c', t, {});
      assert.deepEqual(instanceUsage(sql, instanceArn(0)), { cpu: 2, memory: 16, running: 0, pending: 1 });
      for (const [status, want] of [
        ['PENDING', { cpu: 2, memory: 16, running: 0, pending: 1 }],
        ['RUNNING', { cpu: 2, memory: 16, running: 1, pending: 0 }],
        ['DEACTIVATING', { cpu: 2, memory: 16, running: 0, pending: 1 }],
        ['STOPPED', { cpu: 0, memory: 0, running: 0, pending: 0 }],
      ] as const) {
        saveTask(sql, { ...loadTaskByArn(sql, t.taskArn!)!.task, lastStatus: status });
        assert.deepEqual(instanceUsage(sql, instanceArn(0)), want, status);
      }
      assert.equal(instanceGroups(sql, instanceArn(0)).size, 0);
      assert.equal(db.prepare('SELECT COUNT(*) FROM ecs_instance_usage').pluck().get(), 0);
      const [candidate] = placementCandidates(scope, 'c', { group: 'service:web', all: true });
      assert.ok(!candidate.tcpPorts.has(80) && !candidate.enginePorts?.tcp.has(80), 'a STOPPED task frees its host port');
    } finally {
      db.close();
    }
  });
});
