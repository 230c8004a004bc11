/**
 * ECS services on the in-memory runtime: the scheduler keeps the desired count,
 * rolls deployments, trips the circuit breaker and rolls back. Real containers
 * behind a real load balancer are in test/e2e/ecs-services.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeServiceDeploymentsCommand, DescribeServiceRevisionsCommand,
  DescribeServicesCommand, DescribeTasksCommand, ECSClient, InvalidParameterException, ListServiceDeploymentsCommand, ListServicesCommand, ListTasksCommand,
  ServiceNotFoundException, StopTaskCommand, UpdateServiceCommand, type Service, ListTagsForResourceCommand,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';

const C = 'svc';

describe('ECS services (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  const describeService = async (name: string): Promise<Service> =>
    (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: [name], include: ['TAGS'] }))).services![0];

  async function waitService(name: string, ok: (s: Service) => boolean, what: string, ms = 20_000): Promise<Service> {
    const end = Date.now() + ms;
    let s: Service | undefined;
    while (Date.now() < end) {
      s = await describeService(name);
      if (ok(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...s, events: s?.events?.slice(0, 5) }, null, 1)}`);
  }
  const stable = (s: Service) => s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0].rolloutState === 'COMPLETED';

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    net = await fargateNetwork(berth.endpoint);
    for (const [family, image] of [['web', 'example/web:1'], ['web2', 'example/web:2'], ['broken', 'example/does-not-exist:1']]) {
      await register(berth.ecs, {
        family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{ name: 'web', image, essential: true, portMappings: [{ containerPort: 80 }] }],
      });
    }
  });

  it('CreateService starts desiredCount tasks and reaches a steady state with ECS events', async () => {
    const { service } = await berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: 'web', taskDefinition: 'web', desiredCount: 3, launchType: 'FARGATE', networkConfiguration: net,
      tags: [{ key: 'team', value: 'a' }], propagateTags: 'SERVICE', enableECSManagedTags: true,
    }));
    assert.equal(service?.serviceArn, 'arn:aws:ecs:us-east-1:000000000000:service/svc/web');
    assert.equal(service?.status, 'ACTIVE');
    assert.equal(service?.deployments?.length, 1);
    assert.match(service!.deployments![0].id!, /^ecs-svc\/\d{19}$/);
    assert.equal(service?.deploymentConfiguration?.maximumPercent, 200);
    assert.equal(service?.deploymentConfiguration?.minimumHealthyPercent, 100);
    const s = await waitService('web', stable, 'steady');
    assert.equal(s.runningCount, 3);
    const messages = s.events!.map((e) => e.message);
    assert.ok(messages.some((m) => /^\(service web\) has started 3 tasks: (\(task [0-9a-f]{32}\) ?){3}\.$/.test(m!)), messages.join('\n'));
    assert.ok(messages.includes('(service web) has reached a steady state.'));
    const tasks = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
    assert.equal(tasks.taskArns?.length, 3);
    const tags = await berth.ecs.send(new ListTagsForResourceCommand({ resourceArn: tasks.taskArns![0] }));
    assert.deepEqual(tags.tags?.map((t) => t.key).sort(), ['aws:ecs:clusterName', 'aws:ecs:serviceName', 'team']);
  });

  it('a stopped task is replaced to keep runningCount at desiredCount', async () => {
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: taskArns![0] }));
    const s = await waitService('web', (x) => x.runningCount === 3 && x.events!.some((e) => e.message!.includes('has started 1 tasks')), 'replacement');
    assert.equal(s.runningCount, 3);
    const now = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
    assert.ok(!now.taskArns!.includes(taskArns![0]));
  });

  it('UpdateService desiredCount scales in and out without a new deployment', async () => {
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', desiredCount: 5 }));
    let s = await waitService('web', (x) => x.runningCount === 5, 'scale out');
    assert.equal(s.deployments?.length, 1);
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', desiredCount: 2 }));
    s = await waitService('web', (x) => x.runningCount === 2 && x.pendingCount === 0, 'scale in');
    assert.ok(s.events!.some((e) => /has stopped 3 running tasks/.test(e.message!)));
  });

  it('UpdateService with a new task definition rolls a new deployment and retires the old one', async () => {
    const { service } = await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'web2' }));
    assert.equal(service?.deployments?.length, 2);
    assert.equal(service?.deployments?.[0].status, 'PRIMARY');
    assert.equal(service?.deployments?.[0].rolloutState, 'IN_PROGRESS');
    assert.equal(service?.deployments?.[1].status, 'ACTIVE');
    const s = await waitService('web', (x) => stable(x) && x.taskDefinition!.endsWith('web2:1'), 'rolled out');
    assert.equal(s.deployments![0].taskDefinition, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web2:1');
    assert.ok(s.events!.some((e) => /\(deployment ecs-svc\/\d+\) deployment completed\./.test(e.message!)));
    const deps = await berth.ecs.send(new ListServiceDeploymentsCommand({ cluster: C, service: 'web' }));
    assert.equal(deps.serviceDeployments?.length, 2);
    assert.equal(deps.serviceDeployments?.[0].status, 'SUCCESSFUL');
    const full = await berth.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deps.serviceDeployments![0].serviceDeploymentArn!] }));
    const rev = await berth.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [full.serviceDeployments![0].targetServiceRevision!.arn!] }));
    assert.equal(rev.serviceRevisions?.[0].taskDefinition, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web2:1');
  });

  it('the deployment circuit breaker fails a broken deployment and rolls back to the last good one', async () => {
    await berth.ecs.send(new UpdateServiceCommand({
      cluster: C, service: 'web', taskDefinition: 'broken',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }));
    const s = await waitService('web', (x) => stable(x) && x.taskDefinition!.endsWith('web2:1'), 'rolled back', 40_000);
    const messages = s.events!.map((e) => e.message!);
    assert.ok(messages.some((m) => /deployment failed: tasks failed to start\./.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /rolling back to deployment ecs-svc\//.test(m)));
    const deps = await berth.ecs.send(new ListServiceDeploymentsCommand({ cluster: C, service: 'web' }));
    assert.ok(deps.serviceDeployments!.some((d) => d.status === 'ROLLBACK_SUCCESSFUL'));
  });

  it('services are listed, described with failures, and validated', async () => {
    const list = await berth.ecs.send(new ListServicesCommand({ cluster: C }));
    assert.deepEqual(list.serviceArns, ['arn:aws:ecs:us-east-1:000000000000:service/svc/web']);
    const d = await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web', 'ghost'] }));
    assert.equal(d.failures?.[0].reason, 'MISSING');
    await assert.rejects(berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'web', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net })),
      (e: unknown) => e instanceof InvalidParameterException && e.message === 'Creation of service was not idempotent.');
    await assert.rejects(berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'x', taskDefinition: 'web', desiredCount: 1, launchType: 'FARGATE' })),
      InvalidParameterException);
    await assert.rejects(berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'ghost', desiredCount: 1 })), ServiceNotFoundException);
  });

  it('DeleteService refuses a scaled-up service, and with force drains it to INACTIVE', async () => {
    await assert.rejects(berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'web' })), (e: unknown) =>
      e instanceof InvalidParameterException && /scaled above 0/.test(e.message));
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }));
    assert.ok(taskArns!.length > 0);
    const { service } = await berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'web', force: true }));
    assert.equal(service?.status, 'DRAINING');
    const s = await waitService('web', (x) => x.status === 'INACTIVE', 'INACTIVE');
    assert.equal(s.runningCount, 0);
    // INACTIVE comes once the tasks have stopped, not when they are told to.
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns }));
    assert.deepEqual(tasks!.map((t) => t.lastStatus), taskArns!.map(() => 'STOPPED'));
    const list = await berth.ecs.send(new ListServicesCommand({ cluster: C }));
    assert.deepEqual(list.serviceArns, []);
  });
});
