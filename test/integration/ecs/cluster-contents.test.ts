/**
 * What a cluster holds, as ECS reports and guards it (fake runtime):
 * DescribeClusters' live counts and statistics, which members `include`
 * gates, and DeleteCluster refusing while services, tasks or container
 * instances remain.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteClusterCommand, DeleteServiceCommand, DeregisterContainerInstanceCommand,
  DescribeClustersCommand, ECSClient, RegisterContainerInstanceCommand, RunTaskCommand, StopTaskCommand, UpdateServiceCommand,
  type Cluster,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

describe('ECS cluster contents (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  before(async () => {
    net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'fg', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true }],
    });
    await register(berth.ecs, {
      family: 'ec2', networkMode: 'bridge',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true, memory: 64 }],
    });
  });

  const describeCluster = async (name: string, include?: ('STATISTICS' | 'TAGS' | 'SETTINGS')[]) =>
    (await berth.ecs.send(new DescribeClustersCommand({ clusters: [name], include }))).clusters![0];
  async function waitCluster(name: string, ok: (c: Cluster) => boolean, what: string) {
    const end = Date.now() + 20_000;
    let c = await describeCluster(name, ['STATISTICS']);
    while (!ok(c)) {
      if (Date.now() > end) throw new Error(`timed out: ${what}: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 100));
      c = await describeCluster(name, ['STATISTICS']);
    }
    return c;
  }
  const stat = (c: Cluster, name: string) => c.statistics?.find((s) => s.name === name)?.value;

  it('DescribeClusters counts running tasks, active services and registered instances, split by launch type in statistics', async () => {
    const C = 'counted';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await berth.ecs.send(new RegisterContainerInstanceCommand({ cluster: C, instanceIdentityDocument: JSON.stringify({ availabilityZone: 'us-east-1a' }) }));
    const fargate = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'fg', launchType: 'FARGATE', count: 2, networkConfiguration: net }));
    const ec2 = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'ec2', launchType: 'EC2' }));
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'idle', taskDefinition: 'fg', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: net }));
    for (const t of [...fargate.tasks!, ...ec2.tasks!]) await waitForTask(berth.ecs, C, t.taskArn!, isRunning, 'RUNNING');

    const c = await describeCluster(C, ['STATISTICS']);
    assert.equal(c.runningTasksCount, 3);
    assert.equal(c.pendingTasksCount, 0);
    assert.equal(c.activeServicesCount, 1);
    assert.equal(c.registeredContainerInstancesCount, 1);
    assert.equal(stat(c, 'runningFargateTasksCount'), '2');
    assert.equal(stat(c, 'runningEC2TasksCount'), '1');
    assert.equal(stat(c, 'activeFargateServiceCount'), '1');
    assert.equal(stat(c, 'activeEC2ServiceCount'), '0');
    assert.deepEqual(c.statistics!.map((s) => s.name), [
      'runningEC2TasksCount', 'runningFargateTasksCount', 'pendingEC2TasksCount', 'pendingFargateTasksCount',
      'runningExternalTasksCount', 'pendingExternalTasksCount', 'activeEC2ServiceCount', 'activeFargateServiceCount',
      'drainingEC2ServiceCount', 'drainingFargateServiceCount', 'activeExternalServiceCount', 'drainingExternalServiceCount',
    ]);

    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: ec2.tasks![0].taskArn }));
    const after = await waitCluster(C, (x) => x.runningTasksCount === 2, 'two running after a stop');
    assert.equal(stat(after, 'runningEC2TasksCount'), '0');
  });

  it('DescribeClusters without include sends statistics, tags and settings as empty lists, as ECS does', async () => {
    const C = 'gated';
    await berth.ecs.send(new CreateClusterCommand({
      clusterName: C, tags: [{ key: 'team', value: 'web' }], settings: [{ name: 'containerInsights', value: 'enabled' }],
      configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
    }));
    const bare = await describeCluster(C);
    assert.deepEqual(bare.tags, []);
    assert.deepEqual(bare.settings, []);
    assert.deepEqual(bare.statistics, []);
    assert.equal(bare.configuration, undefined);
    assert.equal(bare.attachments, undefined);
    const full = (await berth.ecs.send(new DescribeClustersCommand({ clusters: [C], include: ['TAGS', 'SETTINGS', 'CONFIGURATIONS'] }))).clusters![0];
    assert.deepEqual(full.tags, [{ key: 'team', value: 'web' }]);
    assert.deepEqual(full.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    assert.deepEqual(full.configuration, { executeCommandConfiguration: { logging: 'DEFAULT' } });
  });

  it('DeleteCluster refuses while a service is ACTIVE, then while its tasks run, then while instances are registered', async () => {
    const C = 'guarded';
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    const { containerInstance } = await berth.ecs.send(new RegisterContainerInstanceCommand({ cluster: C }));
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'fg', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net }));
    await waitCluster(C, (c) => c.runningTasksCount === 1, 'the service task running');

    await rejectsNamed(berth.ecs.send(new DeleteClusterCommand({ cluster: C })), 'ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', desiredCount: 0 }));
    await berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'web' }));
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: net }));
    await rejectsNamed(berth.ecs.send(new DeleteClusterCommand({ cluster: C })), 'ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: tasks![0].taskArn }));
    await waitForTask(berth.ecs, C, tasks![0].taskArn!, isStopped, 'STOPPED');
    await waitCluster(C, (c) => c.runningTasksCount === 0 && c.pendingTasksCount === 0, 'no tasks left');

    await rejectsNamed(berth.ecs.send(new DeleteClusterCommand({ cluster: C })), 'ClusterContainsContainerInstancesException',
      'The Cluster cannot be deleted while Container Instances are active or draining.');
    assert.equal((await describeCluster(C)).status, 'ACTIVE');
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: C, containerInstance: containerInstance!.containerInstanceArn }));
    // The service's last task may still be stopping: ECS refuses until it has.
    const end = Date.now() + 20_000;
    for (;;) {
      try {
        const { cluster } = await berth.ecs.send(new DeleteClusterCommand({ cluster: C }));
        assert.equal(cluster?.status, 'INACTIVE');
        break;
      } catch (err) {
        if ((err as Error).name !== 'ClusterContainsTasksException' || Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
});
