/**
 * ECS services on a real Docker engine, driven as users do: the AWS CLI,
 * `aws ecs wait services-stable`, and containers that die.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CreateClusterCommand, DescribeServicesCommand, ECSClient, ListTasksCommand, DescribeTasksCommand, type Service } from '@aws-sdk/client-ecs';
import { useBerth } from '../helpers/use-berth.js';
import { aws } from '../helpers/cli.js';
import { fargateNetwork, register } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const C = 'svc-e2e';

describe('ECS services on Docker', () => {
  let image: string;
  let subnets: string[];

  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    image = ensureBusyboxImage();
    subnets = (await fargateNetwork(berth.endpoint)).awsvpcConfiguration.subnets;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image, essential: true, command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 }],
    });
    await register(berth.ecs, {
      family: 'broken', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image, essential: true, command: ['sh', '-c', 'exit 1'], portMappings: [{ containerPort: 8080 }] }],
    });
  });

  const describe1 = async (): Promise<Service> => (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web'] }))).services![0];

  it('a service created with the AWS CLI reaches services-stable with three tasks that answer', async () => {
    const created = await aws('v2', berth.endpoint, [
      'ecs', 'create-service', '--cluster', C, '--service-name', 'web', '--task-definition', 'web', '--desired-count', '3',
      '--launch-type', 'FARGATE', '--network-configuration', `awsvpcConfiguration={subnets=[${subnets.join(',')}],assignPublicIp=ENABLED}`,
      '--deployment-configuration', 'deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const wait = await aws('v2', berth.endpoint, ['ecs', 'wait', 'services-stable', '--cluster', C, '--services', 'web']);
    assert.equal(wait.code, 0, wait.stderr);
    const s = await describe1();
    assert.equal(s.runningCount, 3);
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns }));
    for (const t of tasks!) {
      const res = await fetch(`http://127.0.0.1:${t.containers![0].networkBindings![0].hostPort}/`, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /berth/);
    }
  });

  it('a task whose container is killed is replaced, and the service is stable again', async () => {
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [taskArns![0]] }));
    execFileSync('docker', ['kill', tasks![0].containers![0].runtimeId!]);
    const end = Date.now() + 30_000;
    let replaced = false;
    while (Date.now() < end && !replaced) {
      const now = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
      replaced = !now.taskArns!.includes(taskArns![0]) && now.taskArns!.length === 3;
      if (!replaced) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(replaced, 'the killed task was replaced');
    const wait = await aws('v1', berth.endpoint, ['ecs', 'wait', 'services-stable', '--cluster', C, '--services', 'web']);
    assert.equal(wait.code, 0, wait.stderr);
    const dead = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [taskArns![0]] }));
    assert.equal(dead.tasks![0].stopCode, 'EssentialContainerExited');
  });

  it('a broken deployment trips the circuit breaker and rolls back to the working task definition', async () => {
    const upd = await aws('v2', berth.endpoint, ['ecs', 'update-service', '--cluster', C, '--service', 'web', '--task-definition', 'broken']);
    assert.equal(upd.code, 0, upd.stderr);
    const end = Date.now() + 90_000;
    let s = await describe1();
    while (Date.now() < end) {
      s = await describe1();
      if (s.taskDefinition!.endsWith('/web:1') && s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED' && s.runningCount === 3) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const messages = s.events!.map((e) => e.message!);
    assert.ok(messages.some((m) => m.includes('deployment failed: tasks failed to start.')), messages.slice(0, 10).join('\n'));
    assert.equal(s.taskDefinition, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1');
    assert.equal(s.runningCount, 3);
  });

  it('scaling to zero and deleting the service stops every task', async () => {
    await aws('v2', berth.endpoint, ['ecs', 'update-service', '--cluster', C, '--service', 'web', '--desired-count', '0']);
    const del = await aws('v2', berth.endpoint, ['ecs', 'delete-service', '--cluster', C, '--service', 'web']);
    assert.equal(del.code, 0, del.stderr);
    const wait = await aws('v2', berth.endpoint, ['ecs', 'wait', 'services-inactive', '--cluster', C, '--services', 'web']);
    assert.equal(wait.code, 0, wait.stderr);
    const left = execFileSync('docker', ['ps', '-q', '--filter', `label=berth.cluster=${C}`], { encoding: 'utf8' }).trim();
    assert.equal(left, '');
  });
});
