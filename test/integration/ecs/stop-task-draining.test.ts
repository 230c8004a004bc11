/**
 * StopTask on a service's task behind a load balancer (fake runtime, for states and timing): as on ECS the task
 * leaves its target groups first and is DEACTIVATING, its containers still running, for the target group's
 * deregistration delay; only then does it go on to STOPPED
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../../helpers/use-berth.js';
import { createWebService, register } from '../../helpers/ecs.js';
import { createAlb, eventually } from '../../helpers/elbv2.js';

const C = 'stop-drain';
const DELAY_S = 2;

describe('StopTask on a service task behind a load balancer (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let tgArn: string;

  const describeTask = async (arn: string): Promise<Task> =>
    (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [arn] }))).tasks![0];

  before(async () => {
    ({ tgArn } = await createAlb(berth, { name: 'stop-drain', type: 'application', deregistrationDelaySeconds: DELAY_S }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await register(berth.ecs, {
      family: 'stop-drain', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, portMappings: [{ containerPort: 8080 }] }],
    });
    await createWebService(berth, { cluster: C, taskDefinition: 'stop-drain', desiredCount: 1, targetGroupArn: tgArn, healthCheckGracePeriodSeconds: 300 });
  });

  it('the task is deregistered and DEACTIVATING for the deregistration delay, its containers running, then STOPPED', async () => {
    const registered = await eventually(async () => {
      const [arn] = (await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }))).taskArns ?? [];
      const health = (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? [];
      return arn && health.length === 1 && (await describeTask(arn)).lastStatus === 'RUNNING' ? { arn, target: health[0].Target! } : undefined;
    }, 20_000, 100);

    const stoppedAt = Date.now();
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: registered.arn, reason: 'maintenance' }));
    const deactivating = await eventually(async () => {
      const t = await describeTask(registered.arn);
      return t.lastStatus === 'DEACTIVATING' ? t : t.lastStatus === 'STOPPED' ? assert.fail('stopped without draining') : undefined;
    }, 10_000, 50);
    assert.equal(deactivating.desiredStatus, 'STOPPED');
    assert.equal(deactivating.stopCode, 'UserInitiated');
    assert.equal(deactivating.stoppedReason, 'maintenance');
    assert.equal(deactivating.containers?.[0].lastStatus, 'RUNNING', 'its container runs while connections drain');
    const health = (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [registered.target] }))).TargetHealthDescriptions!;
    assert.equal(health[0].TargetHealth?.State, 'draining');

    const stopped = await eventually(async () => {
      const t = await describeTask(registered.arn);
      return t.lastStatus === 'STOPPED' ? t : undefined;
    }, 20_000, 100);
    assert.ok(Date.now() - stoppedAt >= DELAY_S * 1000, `stopped after ${Date.now() - stoppedAt} ms, within the ${DELAY_S} s deregistration delay`);
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.stoppedReason, 'maintenance');
    // The service says it drained the task, once, as for its own drains.
    const events = (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web'] }))).services![0].events!.map((e) => e.message!);
    assert.deepEqual(events.filter((m) => /has begun draining connections/.test(m)), ['(service web) has begun draining connections on 1 tasks.']);
  });
});
