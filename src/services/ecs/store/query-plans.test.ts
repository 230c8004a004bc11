/**
 * Every list and count query of ECS's store runs from an index: SQLite's plan
 * for each (EXPLAIN QUERY PLAN, on the schema the migrations make) neither sorts
 * through a temporary B-tree nor scans a whole table. The queries are the ones
 * the store's functions really prepare (captured from its Statements), so a
 * rewritten query is checked as it is.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements, type Db } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import {
  clusterCounts, clusterDeleteBlocker, clusterStatistics, listAttributeRows, listClusterRows, listFamilies,
  listInstanceRows, serviceDeploymentsOf, listServiceRows, listServiceRowsByNamespace, listTaskDefinitionRows,
  listTaskRows, loadInstances, idempotentRunTask, runningServiceTaskPage, pruneIdempotencyTokens, pruneStoppedTasks, addEvent, serviceEvents,
} from './index.js';

/** Statements that remember each SQL text they prepare. */
class Recording extends Statements {
  readonly seen: string[] = [];
  override get(sql: string) {
    if (!this.seen.includes(sql)) this.seen.push(sql);
    return super.get(sql);
  }
}

/**
 * Plans allowed a temporary B-tree, each with why it stays small: the rows it sorts were found by an index
 * and are bounded by one cluster's or one service's rows.
 */
const BOUNDED: { sql: RegExp; why: string }[] = [
  { sql: /FROM ecs_services WHERE account = \? AND region = \? AND cluster = \? AND status IN \('ACTIVE', 'DRAINING'\) GROUP BY 1, 2/, why: "one cluster's live services (seeked by ecs_services_list) grouped by a launch type computed from the document" },
];

/**
 * The plan's lines that sort or read a whole table (SQLite's wording: "USE TEMP B-TREE FOR …", "SCAN <table>" without
 * an index); json_each over one row's document is a virtual table, not a table scan.
 */
function costlyLines(db: Db, sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).map(() => null);
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
  return plan.map((p) => p.detail).filter((d) => /TEMP B-TREE/.test(d) || (/^SCAN /.test(d) && !/USING (COVERING )?INDEX/.test(d) && !/VIRTUAL TABLE|json_each/.test(d)));
}

function plansOf(run: (scope: Scope, sql: Recording) => void): { sql: string; costly: string[] }[] {
  const db = openDb(':memory:');
  try {
    const sql = new Recording(db);
    run({ sql, account: '000000000000', region: 'us-east-1' }, sql);
    return sql.seen.map((q) => ({ sql: q.replace(/\s+/g, ' '), costly: costlyLines(db, q) }))
      .map((p) => (BOUNDED.some((b) => b.sql.test(p.sql)) ? { ...p, costly: p.costly.filter((d) => !/TEMP B-TREE/.test(d)) } : p));
  } finally {
    db.close();
  }
}

const assertIndexed = (plans: { sql: string; costly: string[] }[]) => {
  assert.ok(plans.length > 0);
  assert.deepEqual(plans.filter((p) => p.costly.length), []);
};

describe('ECS store query plans', () => {
  it('ListTasks, with each filter and for each desired status, reads an index in creation order', () => {
    assertIndexed(plansOf((scope) => {
      const base = { cluster: 'c', afterSeq: 0, limit: 100 };
      for (const desiredStatus of ['RUNNING', 'PENDING', 'STOPPED'] as const) {
        listTaskRows(scope, { ...base, desiredStatus });
        listTaskRows(scope, { ...base, desiredStatus, family: 'f' });
        listTaskRows(scope, { ...base, desiredStatus, startedBy: 's' });
        listTaskRows(scope, { ...base, desiredStatus, serviceName: 'svc' });
        listTaskRows(scope, { ...base, desiredStatus, launchType: 'FARGATE' });
        listTaskRows(scope, { ...base, desiredStatus, containerInstance: 'i' });
      }
      // The utilization metrics' page of a cluster's running service tasks (controllers/ecs-metrics.ts).
      runningServiceTaskPage(scope, 'c', 0, 100);
    }));
  });

  it("the metrics pass's page of running service tasks reads its index alone (no task row, whose columns past the document cost its overflow pages)", () => {
    const db = openDb(':memory:');
    try {
      const sql = new Recording(db);
      runningServiceTaskPage({ sql, account: '000000000000', region: 'us-east-1' }, 'c', 0, 100);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql.seen[0]}`).all(...(sql.seen[0].match(/\?/g) ?? []).map(() => null)) as { detail: string }[];
      assert.match(plan.map((p) => p.detail).join(' | '), /USING COVERING INDEX ecs_tasks_running_service/);
    } finally {
      db.close();
    }
  });

  it('ListServices (with its filters), services by namespace, ListClusters and container instances read an index in creation order', () => {
    assertIndexed(plansOf((scope) => {
      listServiceRows(scope, { cluster: 'c', afterSeq: 0, limit: 10 });
      listServiceRows(scope, { cluster: 'c', afterSeq: 0, limit: 10, launchType: 'FARGATE' });
      listServiceRows(scope, { cluster: 'c', afterSeq: 0, limit: 10, schedulingStrategy: 'REPLICA' });
      listServiceRowsByNamespace(scope, 'ns', 0, 10);
      listClusterRows(scope, 0, 100);
      loadInstances(scope, 'c');
      listInstanceRows(scope, 'c', 0);
      serviceDeploymentsOf(scope.sql, 'arn:aws:ecs:us-east-1:000000000000:service/c/s');
    }));
  });

  it("a service's events are appended, trimmed and read newest first from an index", () => {
    assertIndexed(plansOf((scope) => {
      addEvent(scope.sql, { serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/s', serviceName: 's' }, 'has reached a steady state.', 0);
      serviceEvents(scope.sql, 'arn:aws:ecs:us-east-1:000000000000:service/c/s');
    }));
  });

  it('task definitions, families and attributes are listed from an index in their order', () => {
    assertIndexed(plansOf((scope) => {
      for (const desc of [false, true]) {
        listTaskDefinitionRows(scope, { status: 'ACTIVE', desc, after: '', afterFamily: '', afterRevision: 0, limit: 100 });
        listTaskDefinitionRows(scope, { status: 'ACTIVE', family: 'f', desc, after: '', afterFamily: '', afterRevision: 0, limit: 100 });
      }
      for (const status of ['ACTIVE', 'INACTIVE', 'ALL'] as const) listFamilies(scope, status, 'f', '', 100);
      listAttributeRows(scope, 'c', { targetType: 'container-instance', afterTarget: '', afterName: '', limit: 100 });
    }));
  });

  it("a cluster's counts, what blocks its deletion, RunTask's idempotency and the retention job's deletes use indexes", () => {
    assertIndexed(plansOf((scope, sql) => {
      clusterCounts(scope, 'c');
      clusterStatistics(scope, 'c');
      clusterDeleteBlocker(scope, 'c');
      idempotentRunTask(scope, 'token', 0);
      pruneIdempotencyTokens(sql, 0);
      pruneStoppedTasks(sql, 0);
    }));
  });
});
