/**
 * A service of bridge-mode tasks on EC2 container instances behind an `instance` target group (fake runtime): ECS
 * registers each task as its EC2 instance and the dynamic host port bound to the container port, as AWS does, and
 * deregisters it when the task goes. (awsvpc tasks register their IP: services-alb tests.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeSubnetsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, ListTasksCommand, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { register } from '../../helpers/ecs.js';
import { eventually, freePort } from '../../helpers/elbv2.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('ECS registers bridge-mode service tasks as instance targets (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client, ecs: ECSClient, elb: ElasticLoadBalancingV2Client, ssm: SSMClient } });

  it('each task is its EC2 instance and its host port in the target group, deregistered when the service scales to 0', async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'br' }));
    const run = await berth.ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=br >> /etc/ecs/ecs.config').toString('base64'),
    }));
    const instanceId = run.Instances![0].InstanceId!;
    await eventually(async () => ((await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'br' }))).containerInstanceArns ?? []).length === 1, 10_000);

    const tg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'br', Protocol: 'HTTP', Port: 80, TargetType: 'instance', VpcId: run.Instances![0].VpcId }))).TargetGroups![0];
    const subnets = (await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!.map((x) => x.SubnetId!);
    const lb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'br', Subnets: subnets }))).LoadBalancers![0];
    await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: await freePort(), DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }));
    await register(berth.ecs, {
      family: 'br', networkMode: 'bridge', requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 8080, hostPort: 0 }] }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: 'br', serviceName: 'web', taskDefinition: 'br', desiredCount: 2, launchType: 'EC2',
      loadBalancers: [{ targetGroupArn: tg.TargetGroupArn, containerName: 'web', containerPort: 8080 }],
    }));

    const targets = async () => ((await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining').map((d) => `${d.Target!.Id}:${d.Target!.Port}`).sort();
    const registered = await eventually(async () => { const t = await targets(); return t.length === 2 && t; }, 15_000);
    const arns = (await berth.ecs.send(new ListTasksCommand({ cluster: 'br', serviceName: 'web' }))).taskArns!;
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: 'br', tasks: arns }));
    const bound = tasks!.map((t) => `${instanceId}:${t.containers![0].networkBindings!.find((b) => b.containerPort === 8080)!.hostPort}`).sort();
    assert.deepEqual(registered, bound);
    assert.ok(bound.every((b) => Number(b.split(':')[1]) !== 8080 && Number(b.split(':')[1]) > 0), `dynamic host ports: ${bound}`);

    await berth.ecs.send(new UpdateServiceCommand({ cluster: 'br', service: 'web', desiredCount: 0 }));
    await eventually(async () => (await targets()).length === 0, 15_000);
  });
});
