import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInstance, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { ManualClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { ChangeFeed } from '../state/change-feed.js';
import { openDb, Statements } from '../state/db.js';
import { insertInstance, insertService, loadService, loadTaskByArn, saveService, saveTask, serviceEvents, startDeployment } from '../services/ecs/index.js';
import { ServiceScheduler } from './service-scheduler.js';

const SCOPE = { account: '000000000000', region: 'us-east-1' };
const ARN = (r: string) => `arn:aws:ecs:us-east-1:${SCOPE.account}:${r}`;
const SERVICE_ARN = ARN('service/c/web');

/** One cluster "c" with one container instance and a service "web" of `desiredCount` tasks, and the scheduler over it. */
function setup(desiredCount: number) {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const scope = { ...SCOPE, sql };
  const clock = new ManualClock();
  const def: TaskDefinition = {
    taskDefinitionArn: ARN('task-definition/app:1'), family: 'app', revision: 1, networkMode: 'bridge', status: 'ACTIVE',
    compatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'app:1', essential: true, memory: 16 }],
  };
  sql.get('INSERT INTO ecs_task_definitions (account, region, family, revision, status, doc, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(SCOPE.account, SCOPE.region, 'app', 1, 'ACTIVE', JSON.stringify(def), 0);
  const ci: ContainerInstance = {
    containerInstanceArn: ARN('container-instance/c/00000000000000000000000000000001'), ec2InstanceId: 'i-1', status: 'ACTIVE',
    registeredResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 }],
    attributes: [{ name: 'ecs.availability-zone', value: 'us-east-1a' }],
  };
  insertInstance(scope, 'c', '00000000000000000000000000000001', ci);
  const service: Service = {
    serviceArn: SERVICE_ARN, serviceName: 'web', clusterArn: ARN('cluster/c'), status: 'ACTIVE', desiredCount, runningCount: 0, pendingCount: 0,
    launchType: 'EC2', taskDefinition: def.taskDefinitionArn, schedulingStrategy: 'REPLICA', deployments: [],
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
  };
  insertService(scope, 'c', service);
  startDeployment(sql, service, clock.now());
  saveService(sql, service);
  const scheduler = new ServiceScheduler({ db, sql, clock, log: createLogger('silent'), changes: new ChangeFeed() });
  const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number;
  /** Stands in for the task lifecycle: every task the scheduler started is RUNNING. */
  const runAll = () => {
    for (const arn of sql.get("SELECT arn FROM ecs_tasks WHERE last_status = 'PROVISIONING'").pluck().all() as string[]) {
      saveTask(sql, { ...loadTaskByArn(sql, arn)!.task, lastStatus: 'RUNNING' });
    }
  };
  return { db, sql, clock, scheduler, changes, runAll };
}

describe('service-scheduler passes', () => {
  it('a pass over a steady service writes nothing: no row changed, the document and events as they were', async () => {
    const { db, sql, clock, scheduler, changes, runAll } = setup(3);
    await scheduler.reconcile(SERVICE_ARN);
    runAll();
    clock.advance(1_000);
    await scheduler.reconcile(SERVICE_ARN);
    const steady = loadService(sql, SERVICE_ARN)!.service;
    assert.equal(steady.runningCount, 3);
    assert.ok(serviceEvents(sql, SERVICE_ARN).some((e) => /has reached a steady state/.test(e.message!)));

    const before = changes();
    const doc = sql.get('SELECT doc FROM ecs_services WHERE arn = ?').pluck().get(SERVICE_ARN);
    const events = serviceEvents(sql, SERVICE_ARN);
    // Passes as the safety sweep makes them, minutes apart on the service's clock: a steady service asks for no timed look.
    for (let i = 0; i < 5; i++) {
      clock.advance(300_000);
      assert.equal(await scheduler.reconcile(SERVICE_ARN), undefined);
    }
    assert.equal(changes(), before, 'no row written');
    assert.equal(sql.get('SELECT doc FROM ecs_services WHERE arn = ?').pluck().get(SERVICE_ARN), doc);
    assert.deepEqual(serviceEvents(sql, SERVICE_ARN), events);

    // A change is still acted on and recorded: a task stops, the next pass starts a replacement.
    const [first] = sql.get("SELECT arn FROM ecs_tasks WHERE last_status = 'RUNNING'").pluck().all() as string[];
    saveTask(sql, { ...loadTaskByArn(sql, first)!.task, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
    const afterStop = changes();
    await scheduler.reconcile(SERVICE_ARN);
    assert.ok(changes() > afterStop);
    assert.match(serviceEvents(sql, SERVICE_ARN)[0].message!, /^\(service web\) has started 1 tasks: \(task [0-9a-f]{32}\)\.$/);
    db.close();
  });

  it('the sweep passes over a steady service only when its documents changed or a watched change named it', async () => {
    const { db, sql, clock, scheduler, runAll } = setup(2);
    await scheduler.reconcile(SERVICE_ARN);
    runAll();
    clock.advance(1_000);
    await scheduler.reconcile(SERVICE_ARN);
    // A pass is seen by its first read: the service row with its status (the digest reads the documents only).
    let passes = 0;
    const get = sql.get.bind(sql);
    sql.get = ((text: string) => {
      if (text.startsWith('SELECT account, region, cluster, name, arn, status, doc FROM ecs_services WHERE arn = ?')) passes++;
      return get(text);
    }) as typeof sql.get;
    for (let i = 0; i < 3; i++) await scheduler.reconcile(SERVICE_ARN);
    assert.equal(passes, 0, 'the pass that left it steady recorded what it read: unchanged, no pass');
    // A watched change (an instance of its cluster changed) names it: the next pass runs.
    const cluster = scheduler.watches.changes!.find((w) => w.kind === 'ecs.cluster')!;
    assert.deepEqual([...cluster.keys!(ARN('cluster/c'))], [SERVICE_ARN]);
    await scheduler.reconcile(SERVICE_ARN);
    assert.equal(passes, 1);
    await scheduler.reconcile(SERVICE_ARN);
    assert.equal(passes, 1, 'steady again');
    // State that changed without an event (here desiredCount, written straight to the row) shows in the documents.
    saveService(sql, { ...loadService(sql, SERVICE_ARN)!.service, desiredCount: 3 });
    passes = 0;
    await scheduler.reconcile(SERVICE_ARN);
    assert.ok(passes >= 1, 'the pass ran');
    assert.equal(sql.get("SELECT COUNT(*) FROM ecs_tasks WHERE desired_status = 'RUNNING'").pluck().get(), 3);
    db.close();
  });

  it('a restarted scheduler passes over only services not left steady: a steady one is skipped, one whose desired count moved is not', async () => {
    const { db, sql, clock, scheduler, runAll } = setup(2);
    const startKeys = () => [...(scheduler.watches.sweep!.startKeys!() as Iterable<string>)];
    assert.deepEqual(startKeys(), [SERVICE_ARN], 'a new service');
    await scheduler.reconcile(SERVICE_ARN);
    runAll();
    clock.advance(1_000);
    await scheduler.reconcile(SERVICE_ARN);
    assert.deepEqual(startKeys(), [], 'steady');
    // UpdateService committed, then a crash before its pass: the count differs from what runs.
    const row = loadService(sql, SERVICE_ARN)!;
    saveService(sql, { ...row.service, desiredCount: 3 });
    assert.deepEqual(startKeys(), [SERVICE_ARN]);
    db.close();
  });

  it('a target health verdict in a service\'s target group brings that service round (and no other)', () => {
    const { db, sql, scheduler } = setup(1);
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
    const row = loadService(sql, SERVICE_ARN)!;
    saveService(sql, { ...row.service, loadBalancers: [{ targetGroupArn: tg, containerName: 'app', containerPort: 80 }] });
    const watch = scheduler.watches.changes!.find((w) => w.kind === 'elbv2.target-health')!;
    assert.deepEqual([...watch.keys!(tg)], [SERVICE_ARN]);
    assert.deepEqual([...watch.keys!(`${tg}0`)], [], 'a target group whose ARN extends this one names no service');
    assert.deepEqual([...watch.keys!(tg.replace('us-east-1', 'eu-west-1'))], []);
    db.close();
  });

  it('service events are appended newest first and trimmed to the newest 100, as ECS keeps them', async () => {
    const { db, sql, clock, scheduler, runAll } = setup(1);
    // Each stopped task is replaced with a "has started 1 tasks" event: 120 of them.
    for (let i = 0; i < 120; i++) {
      await scheduler.reconcile(SERVICE_ARN);
      runAll();
      const [arn] = sql.get("SELECT arn FROM ecs_tasks WHERE last_status = 'RUNNING'").pluck().all() as string[];
      saveTask(sql, { ...loadTaskByArn(sql, arn)!.task, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
      clock.advance(1_000);
    }
    const events = serviceEvents(sql, SERVICE_ARN);
    assert.equal(events.length, 100);
    assert.equal(sql.get('SELECT COUNT(*) FROM ecs_service_events WHERE service_arn = ?').pluck().get(SERVICE_ARN), 100);
    const times = events.map((e) => Date.parse(String(e.createdAt)));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.ok(events.every((e) => e.id && /^\(service web\) /.test(e.message!)));
    db.close();
  });
});
