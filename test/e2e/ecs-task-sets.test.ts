/**
 * Blue/green with task sets on real Docker, as an external deployment controller drives it: an EXTERNAL
 * service behind an ALB, a blue task set (v1, 100%) in the listener's target group and a green one (v2, 0%)
 * in a second target group; green is scaled up, the listener moved to its target group, green made primary
 * and blue deleted. Requests through the load balancer reach v1, then only v2.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, CreateTaskSetCommand, DeleteTaskSetCommand, DescribeTasksCommand, ECSClient, ListTasksCommand,
  UpdateServicePrimaryTaskSetCommand, UpdateTaskSetCommand, type Service, type TaskSet,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, registerHttpdVersions, waitForService } from '../helpers/ecs.js';
import { createAlb, defaultSubnets } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const C = 'tasksets';
const HEALTH = { HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 };

describe('blue/green with ECS task sets behind an Application Load Balancer', () => {
  const berth = useBerth({ clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let url: string;
  let listenerArn: string;
  let blueTg: string;
  let greenTg: string;
  let blue: TaskSet;
  let green: TaskSet;
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  const waitFor = (ok: (s: Service) => boolean, what: string, ms = 90_000) => waitForService(berth.ecs, C, 'web', ok, what, ms);
  const setOf = (s: Service, ts: TaskSet) => s.taskSets?.find((t) => t.id === ts.id);
  const healthyTargets = async (tg: string) =>
    ((await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).filter((h) => h.TargetHealth?.State === 'healthy');
  /** The versions `n` requests through the load balancer answered with (every one must be a 200). */
  async function versions(n: number): Promise<string[]> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.text()).trim();
      assert.equal(res.status, 200, body);
      seen.add(body);
    }
    return [...seen].sort();
  }

  before(async () => {
    const image = ensureBusyboxImage();
    const alb = await createAlb(berth, { name: 'blue', type: 'application', healthCheck: HEALTH, deregistrationDelaySeconds: 1 });
    url = `http://127.0.0.1:${alb.port}/`;
    listenerArn = alb.listener.ListenerArn!;
    blueTg = alb.tgArn;
    const { vpcId } = await defaultSubnets(berth.endpoint);
    greenTg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'green', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip', ...HEALTH }))).TargetGroups![0].TargetGroupArn!;
    await berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: greenTg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }));
    // A target group serves an ECS service once a load balancer uses it: the green one joins through a weight-0 forward.
    await berth.elb.send(new ModifyListenerCommand({
      ListenerArn: listenerArn,
      DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blueTg, Weight: 1 }, { TargetGroupArn: greenTg, Weight: 0 }] } }],
    }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await registerHttpdVersions(berth.ecs, 'web', image, (version) => version);
    net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', desiredCount: 2, deploymentController: { type: 'EXTERNAL' }, healthCheckGracePeriodSeconds: 30 }));
  });

  it('the blue task set (100%) runs two v1 tasks registered in its target group, and the green one (0%) none', async () => {
    const taskSet = (taskDefinition: string, tg: string, value: number) => new CreateTaskSetCommand({
      cluster: C, service: 'web', taskDefinition, launchType: 'FARGATE', networkConfiguration: net, scale: { value, unit: 'PERCENT' },
      loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
    });
    blue = (await berth.ecs.send(taskSet('web-v1', blueTg, 100))).taskSet!;
    green = (await berth.ecs.send(taskSet('web-v2', greenTg, 0))).taskSet!;
    await berth.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: C, service: 'web', primaryTaskSet: blue.id }));
    const s = await waitFor((x) => setOf(x, blue)?.stabilityStatus === 'STEADY_STATE' && setOf(x, green)?.stabilityStatus === 'STEADY_STATE', 'blue steady');
    assert.equal(setOf(s, blue)!.runningCount, 2);
    assert.equal(setOf(s, green)!.runningCount, 0);
    assert.equal((await healthyTargets(blueTg)).length, 2);
    assert.equal((await healthyTargets(greenTg)).length, 0);
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: blue.id }));
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns }));
    assert.ok(tasks!.every((t) => t.startedBy === blue.id && t.lastStatus === 'RUNNING'));
    assert.deepEqual(await versions(10), ['v1']);
  });

  it('green scaled to 100% and made primary behind the listener serves v2, and blue, deleted, leaves its target group', async () => {
    await berth.ecs.send(new UpdateTaskSetCommand({ cluster: C, service: 'web', taskSet: green.id, scale: { value: 100, unit: 'PERCENT' } }));
    await waitFor((x) => setOf(x, green)?.runningCount === 2 && setOf(x, green)?.stabilityStatus === 'STEADY_STATE', 'green steady');
    assert.equal((await healthyTargets(greenTg)).length, 2);
    // Both versions run; the listener still sends everything to blue.
    assert.deepEqual(await versions(6), ['v1']);
    await berth.elb.send(new ModifyListenerCommand({
      ListenerArn: listenerArn,
      DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blueTg, Weight: 0 }, { TargetGroupArn: greenTg, Weight: 1 }] } }],
    }));
    assert.deepEqual(await versions(10), ['v2']);
    await berth.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: C, service: 'web', primaryTaskSet: green.taskSetArn }));
    await berth.ecs.send(new DeleteTaskSetCommand({ cluster: C, service: 'web', taskSet: blue.id, force: true }));
    const s = await waitFor((x) => x.taskSets?.length === 1 && x.runningCount === 2, 'blue drained and gone');
    assert.equal(s.taskSets![0].id, green.id);
    assert.equal(s.taskSets![0].status, 'PRIMARY');
    assert.match(s.taskDefinition!, /web-v2:1$/);
    const blueTargets = (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: blueTg }))).TargetHealthDescriptions ?? [];
    assert.deepEqual(blueTargets, []);
    assert.deepEqual(await versions(10), ['v2']);
  });
});
