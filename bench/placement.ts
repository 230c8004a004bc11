/**
 * Placement benchmark: tasks placed per second on virtual container instances,
 * through the ECS API (RunTask, EC2 launch type) on the in-memory runtime, and
 * for the placement function alone. No peer: moto does not place tasks.
 *
 *   npx tsx bench/placement.ts [--instances 100] [--tasks 1000]
 */
import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startApp } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { createLogger } from '../src/shared/logger.js';
import { place, type Candidate } from '../src/services/ecs/placement.js';

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

console.log(`placement: ${TASKS} tasks on ${INSTANCES} virtual instances`);
for (const strategy of ['binpack', 'spread'] as const) {
  const p = pure(strategy);
  const a = await viaApi(strategy);
  console.log(`${strategy.padEnd(8)} placement function ${p.perSecond.toFixed(0).padStart(8)} tasks/s (${p.placed})   RunTask API ${a.perSecond.toFixed(0).padStart(6)} tasks/s (${a.placed})`);
}
