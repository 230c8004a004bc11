/**
 * Application Auto Scaling survives a crash: targets, policies and scheduled actions are in SQLite, and a scheduled
 * action put before a SIGKILL still fires after the restart (`berth up --metrics-period 1s`, fake runtime).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, PutScalingPolicyCommand, PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CreateClusterCommand, CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { berthsOnOneDataDir, clientConfig } from '../../helpers/berth.js';
import { describeService, fargateNetwork, register } from '../../helpers/ecs.js';

const TARGET = { ServiceNamespace: 'ecs' as const, ResourceId: 'service/durable/web', ScalableDimension: 'ecs:service:DesiredCount' as const };

describe('Application Auto Scaling across a SIGKILL', () => {
  const berths = berthsOnOneDataDir('aas-restart', ['--metrics-period', '1s']);
  const start = async () => {
    const b = await berths.start();
    return { b, aas: new ApplicationAutoScalingClient(clientConfig(b.endpoint)), ecs: new ECSClient(clientConfig(b.endpoint)) };
  };

  it('targets and policies are there after restart, and a scheduled action put before it fires', async () => {
    const first = await start();
    await first.ecs.send(new CreateClusterCommand({ clusterName: 'durable' }));
    const net = await fargateNetwork(first.b.endpoint);
    await register(first.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true }],
    });
    await first.ecs.send(new CreateServiceCommand({ cluster: 'durable', serviceName: 'web', taskDefinition: 'web', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net }));
    await first.aas.send(new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 1, MaxCapacity: 5 }));
    const { PolicyARN } = await first.aas.send(new PutScalingPolicyCommand({ ...TARGET, PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } }));
    // Eight metric minutes from now: eight real seconds, most of them after the kill.
    const at = new Date(Date.now() + 8 * 60_000).toISOString().slice(0, 19);
    await first.aas.send(new PutScheduledActionCommand({ ...TARGET, ScheduledActionName: 'raise', Schedule: `at(${at})`, ScalableTargetAction: { MinCapacity: 2 } }));
    first.aas.destroy();
    first.ecs.destroy();
    await first.b.kill9();

    const second = await start();
    const [t] = (await second.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }))).ScalableTargets!;
    assert.deepEqual([t.ResourceId, t.MinCapacity, t.MaxCapacity], [TARGET.ResourceId, 1, 5]);
    const [p] = (await second.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' }))).ScalingPolicies!;
    assert.equal(p.PolicyARN, PolicyARN);
    const deadline = Date.now() + 20_000;
    while ((await describeService(second.ecs, 'durable', 'web')).desiredCount !== 2) {
      if (Date.now() > deadline) assert.fail('the scheduled action did not fire after the restart');
      await sleep(200);
    }
    const [raised] = (await second.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }))).ScalableTargets!;
    assert.equal(raised.MinCapacity, 2);
    second.aas.destroy();
    second.ecs.destroy();
  });
});
