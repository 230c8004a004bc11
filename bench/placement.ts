/**
 * Placement benchmark: tasks placed per second on virtual container instances,
 * through the ECS API (RunTask, EC2 launch type) on the in-memory runtime, and
 * for the placement function alone; and the CPU time of one RunTask's placement
 * (candidates read from the store, then placed) on 10 instances already holding
 * 10, 1,000 and 10,000 running tasks, which should not grow with them (issue 15).
 * No peer: moto does not place tasks.
 *
 *   npx tsx bench/placement.ts [--instances 100] [--tasks 1000]
 */
import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startApp } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { createLogger } from '../src/shared/logger.js';
import { place, type Candidate } from '../src/services/ecs/placement.js';
import { placementCandidates } from '../src/services/ecs/container-instances.js';
import { insertInstance, insertTask, saveTask } from '../src/services/ecs/store/index.js';
import { openDb, Statements } from '../src/state/db.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const args = process.argv.slice(2);
const flag = (n: string, d: number) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
const INSTANCES = flag('instances', 100);
const TASKS = flag('tasks', 1000);

async function viaApi(strategy: 'binpack' | 'spread') {
  const app = await startApp(resolveConfig({ port: 0, ephemeral: true, runtime: 'fake', logLevel: 'error' }), { log: createLogger('silent') });
  const ecs = new ECSClient({ endpoint: app.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
    for (let i = 0; i < INSTANCES; i++) {
      await ecs.send(new RegisterContainerInstanceCommand({
        cluster: 'bench', instanceIdentityDocument: JSON.stringify({ availabilityZone: `us-east-1${'abc'[i % 3]}` }),
        totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 8192 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 16384 }],
      }));
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'b', containerDefinitions: [{ name: 'x', image: 'example/x:1', memory: 128, cpu: 64 }] }));
    const t0 = performance.now();
    let placed = 0;
    const deadline = Date.now() + 120_000;
    while (placed < TASKS && Date.now() < deadline) {
      const out = await ecs.send(new RunTaskCommand({
        cluster: 'bench', taskDefinition: 'b', launchType: 'EC2', count: Math.min(10, TASKS - placed),
        placementStrategy: strategy === 'binpack' ? [{ type: 'binpack', field: 'memory' }] : [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }],
      }));
      placed += out.tasks?.length ?? 0;
      if (!out.tasks?.length) break;
    }
    const s = (performance.now() - t0) / 1000;
    return { placed, perSecond: placed / s };
  } finally {
    ecs.destroy();
    await app.stop();
  }
}

function pure(strategy: 'binpack' | 'spread') {
  const candidates: Candidate[] = Array.from({ length: INSTANCES }, (_, i) => ({
    arn: `ci-${i}`, cpu: 8192, memory: 16384, tcpPorts: new Set(), udpPorts: new Set(),
    attributes: new Map([['ecs.availability-zone', `us-east-1${'abc'[i % 3]}`]]), query: { attributes: {} }, groups: new Map(),
  }));
  const t0 = performance.now();
  const r = place(candidates, {
    demand: { cpu: 64, memory: 128, tcpPorts: [], udpPorts: [] }, requiredAttributes: [], constraints: [], count: TASKS, group: 'g',
    strategies: strategy === 'binpack' ? [{ type: 'binpack', field: 'memory' }] : [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }],
  });
  return { placed: r.placements.length, perSecond: r.placements.length / ((performance.now() - t0) / 1000) };
}

/** CPU milliseconds of one placement (placementCandidates + place) on 10 instances holding `running` tasks. */
function fromStore(running: number): number {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const scope = { sql, account: '000000000000', region: 'us-east-1' };
  const ci = (i: number) => `arn:aws:ecs:us-east-1:000000000000:container-instance/bench/${String(i).padStart(32, '0')}`;
  db.transaction(() => {
    for (let i = 0; i < 10; i++) {
      insertInstance(scope, 'bench', String(i).padStart(32, '0'), {
        containerInstanceArn: ci(i), ec2InstanceId: `i-${i}`, status: 'ACTIVE',
        registeredResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1e6 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 1e7 }],
        attributes: [{ name: 'ecs.availability-zone', value: `us-east-1${'abc'[i % 3]}` }],
      });
    }
    for (let k = 0; k < running; k++) {
      const task = {
        taskArn: `arn:aws:ecs:us-east-1:000000000000:task/bench/${String(k).padStart(32, '0')}`, containerInstanceArn: ci(k % 10),
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/b:1', lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING',
        group: k % 2 ? 'family:b' : `service:s${k % 1000}`, containers: [{ name: 'x', image: 'example/x:1', cpu: '64', memory: '128' }],
      };
      insertTask(sql, scope, 'bench', task, {});
      saveTask(sql, { ...task, lastStatus: 'RUNNING' });
    }
  })();
  const once = () => place(placementCandidates(scope, 'bench', { group: 'family:b', all: false }, 'EC2'), {
    demand: { cpu: 64, memory: 128, tcpPorts: [], udpPorts: [] }, requiredAttributes: [], constraints: [], strategies: [], count: 1, group: 'family:b',
  });
  for (let i = 0; i < 5; i++) once();
  const c0 = process.cpuUsage();
  for (let i = 0; i < 100; i++) once();
  const c = process.cpuUsage(c0);
  db.close();
  return (c.user + c.system) / 1000 / 100;
}

console.log(`one RunTask's placement on 10 instances, CPU ms: ${[10, 1_000, 10_000].map((n) => `${n} tasks ${fromStore(n).toFixed(2)}`).join(' · ')}`);
console.log(`placement: ${TASKS} tasks on ${INSTANCES} virtual instances`);
for (const strategy of ['binpack', 'spread'] as const) {
  const p = pure(strategy);
  const a = await viaApi(strategy);
  console.log(`${strategy.padEnd(8)} placement function ${p.perSecond.toFixed(0).padStart(8)} tasks/s (${p.placed})   RunTask API ${a.perSecond.toFixed(0).padStart(6)} tasks/s (${a.placed})`);
}
