/**
 * The console's JSON for the SQS, EventBridge, App Runner / ECS Express and EKS pages next to what those services' own
 * APIs answer, over a Berth on the fake runtime: no second source of truth.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import {
  CreateEventBusCommand, EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { AppRunnerClient, CreateServiceCommand, DescribeServiceCommand, ListOperationsCommand } from '@aws-sdk/client-apprunner';
import { CreateExpressGatewayServiceCommand, DescribeExpressGatewayServiceCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand as CreateEksClusterCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import type { AppRunnerServiceView, AppsView, EksClusterView, EksView, EventBusesView, EventBusView, QueuesView, QueueView } from '../../../src/console/views.js';
import { useBerth } from '../../helpers/use-berth.js';

async function view<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

describe('the console API for SQS, EventBridge, App Runner, ECS Express and EKS (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient, events: EventBridgeClient, ar: AppRunnerClient, ecs: ECSClient, eks: EKSClient, ec2: EC2Client } });

  it("the queues view answers GetQueueAttributes' counts, settings and redrive policy; a queue's view its sources", async () => {
    const dlq = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'dead.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const dlqArn = (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const url = (await berth.sqs.send(new CreateQueueCommand({
      QueueName: 'work.fifo',
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true', MessageRetentionPeriod: '3600', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
    }))).QueueUrl!;
    for (const body of ['a', 'b', 'c']) await berth.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: body }));
    await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const attrs = (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;

    const { body: list } = await view<QueuesView>(`${berth.endpoint}/_berth/api/queues`);
    assert.deepEqual(list.scopes.map((s) => [s.account, s.region, s.queues.map((q) => q.name)]), [['000000000000', 'us-east-1', ['dead.fifo', 'work.fifo']]]);
    const q = list.scopes[0].queues[1];
    assert.equal(q.arn, attrs.QueueArn);
    assert.equal(q.url, url);
    assert.equal(q.type, 'fifo');
    assert.deepEqual(q.messages, {
      visible: Number(attrs.ApproximateNumberOfMessages), inFlight: Number(attrs.ApproximateNumberOfMessagesNotVisible), delayed: Number(attrs.ApproximateNumberOfMessagesDelayed),
    });
    assert.deepEqual(q.messages, { visible: 2, inFlight: 1, delayed: 0 });
    assert.equal(q.visibilityTimeoutSeconds, Number(attrs.VisibilityTimeout));
    assert.equal(q.retentionSeconds, 3600);
    assert.deepEqual(q.deadLetter, { name: 'dead.fifo', arn: dlqArn, maxReceiveCount: 5 });
    assert.equal(Math.floor(Date.parse(q.createdAt) / 1000), Number(attrs.CreatedTimestamp));
    // The one in flight comes due after the visibility timeout: the page reads the counts again then.
    assert.ok(list.nextChangeAt && Date.parse(list.nextChangeAt) > Date.now());

    const { body: one } = await view<QueueView>(`${berth.endpoint}/_berth/api/queues/000000000000/us-east-1/work.fifo`);
    assert.deepEqual(one.queue, q);
    assert.ok(one.attributes.some((a) => a.name === 'ContentBasedDeduplication' && a.value === 'true'));
    const { body: dead } = await view<QueueView>(`${berth.endpoint}/_berth/api/queues/000000000000/us-east-1/dead.fifo`);
    assert.deepEqual(dead.sources, [{ name: 'work.fifo', maxReceiveCount: 5 }]);
    assert.deepEqual(dead.redriveAllow, { permission: 'allowAll', sourceQueues: [] });
    assert.equal(dead.nextChangeAt, null);
    assert.equal((await view(`${berth.endpoint}/_berth/api/queues/000000000000/us-east-1/nope`)).status, 404);
  });

  it('the event bus views answer ListEventBuses, ListRules and ListTargetsByRule', async () => {
    await berth.events.send(new CreateEventBusCommand({ Name: 'audit', Description: 'who did what' }));
    await berth.events.send(new PutRuleCommand({ Name: 'all', EventBusName: 'audit', EventPattern: '{"source":[{"prefix":"app."}]}', State: 'DISABLED' }));
    await berth.events.send(new PutTargetsCommand({
      Rule: 'all', EventBusName: 'audit', Targets: [
        { Id: 'a', Arn: 'arn:aws:sqs:us-east-1:000000000000:dead.fifo', SqsParameters: { MessageGroupId: 'g' }, Input: '{"fixed":true}' },
        { Id: 'b', Arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/none', RoleArn: 'arn:aws:iam::000000000000:role/r', EcsParameters: { TaskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/t:1' }, InputPath: '$.detail' },
      ],
    }));
    const { body: list } = await view<EventBusesView>(`${berth.endpoint}/_berth/api/event-buses`);
    const audit = list.scopes[0].buses.find((b) => b.name === 'audit')!;
    assert.deepEqual({ ...audit, createdAt: undefined }, {
      name: 'audit', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/audit', description: 'who did what', createdAt: undefined, rules: 1, waiting: 0,
    });
    const { body: bus } = await view<EventBusView>(`${berth.endpoint}/_berth/api/event-buses/000000000000/us-east-1/audit`);
    const sdkRule = (await berth.events.send(new ListRulesCommand({ EventBusName: 'audit' }))).Rules![0];
    assert.deepEqual([bus.rules[0].name, bus.rules[0].arn, bus.rules[0].state, bus.rules[0].pattern, bus.rules[0].schedule],
      [sdkRule.Name, sdkRule.Arn, sdkRule.State, sdkRule.EventPattern, null]);
    const sdkTargets = (await berth.events.send(new ListTargetsByRuleCommand({ Rule: 'all', EventBusName: 'audit' }))).Targets!;
    assert.deepEqual(bus.rules[0].targets.map((t) => [t.id, t.arn]), sdkTargets.map((t) => [t.Id, t.Arn]));
    assert.deepEqual(bus.rules[0].targets.map((t) => [t.kind, t.input, t.waiting]), [['sqs', 'constant', null], ['ecs', 'input path', null]]);
    assert.equal((await view(`${berth.endpoint}/_berth/api/event-buses/000000000000/us-east-1/nope`)).status, 404);
  });

  it("the apps view answers DescribeService, ListOperations, DescribeExpressGatewayService and the ECS service's deployments", async () => {
    const { service: created } = await berth.ecs.send(new CreateExpressGatewayServiceCommand({
      serviceName: 'api', executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices', primaryContainer: { image: 'example/api:1' },
    }));
    // An image that is not in Berth's ECR: the creation fails (App Runner's image pull failure), its operation FAILED.
    const failed = (await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'gone', SourceConfiguration: { ImageRepository: { ImageIdentifier: `${new URL(berth.endpoint).host}/000000000000/us-east-1/none:v1`, ImageRepositoryType: 'ECR' } },
    }))).Service!;
    let status = failed.Status;
    for (let i = 0; i < 100 && status === 'OPERATION_IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: failed.ServiceArn }))).Service!.Status;
    }
    const { body: apps } = await view<AppsView>(`${berth.endpoint}/_berth/api/apps`);
    const scope = apps.scopes[0];
    const express = (await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: created!.serviceArn }))).service!;
    const ecs = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'default', services: [created!.serviceArn!] }))).services![0];
    const e = scope.express.find((x) => x.arn === created!.serviceArn)!;
    assert.deepEqual([e.name, e.cluster, e.status, e.image, e.currentDeployment, e.appRunner], ['api', 'default', express.status!.statusCode, 'example/api:1', express.currentDeployment ?? null, null]);
    assert.equal(e.endpoint, express.activeConfigurations![0].ingressPaths![0].endpoint);
    assert.equal(e.url, `http://${e.endpoint}:${new URL(berth.endpoint).port}/`);
    assert.deepEqual(e.deployments.map((d) => [d.id, d.status]), ecs.deployments!.map((d) => [d.id, d.status]));

    const a = scope.appRunner.find((x) => x.name === 'gone')!;
    const sdk = (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: failed.ServiceArn }))).Service!;
    assert.deepEqual([a.arn, a.id, a.status, a.serviceUrl, a.operation], [sdk.ServiceArn, sdk.ServiceId, sdk.Status, sdk.ServiceUrl, null]);
    assert.equal(a.status, 'CREATE_FAILED');
    assert.deepEqual(a.source, { kind: 'image', image: sdk.SourceConfiguration!.ImageRepository!.ImageIdentifier });
    const { body: one } = await view<AppRunnerServiceView>(`${berth.endpoint}/_berth/api/apps/000000000000/us-east-1/gone`);
    const ops = (await berth.ar.send(new ListOperationsCommand({ ServiceArn: failed.ServiceArn }))).OperationSummaryList!;
    assert.deepEqual(one.operations.map((o) => [o.id, o.type, o.status, o.endedAt]), ops.map((o) => [o.Id, o.Type, o.Status, o.EndedAt!.toISOString()]));
    assert.deepEqual([one.cpu, one.memory, one.port], [sdk.InstanceConfiguration!.Cpu, sdk.InstanceConfiguration!.Memory, '8080']);
    assert.ok(one.failure);
    assert.equal((await view(`${berth.endpoint}/_berth/api/apps/000000000000/us-east-1/nope`)).status, 404);
  });

  it('the EKS views answer DescribeCluster and DescribeNodegroup, with the pods counted by phase', async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const subnetIds = Subnets!.slice(0, 2).map((x) => x.SubnetId!);
    await berth.eks.send(new CreateEksClusterCommand({ name: 'kube', roleArn: 'arn:aws:iam::000000000000:role/eks', resourcesVpcConfig: { subnetIds } }));
    let cluster = (await berth.eks.send(new DescribeClusterCommand({ name: 'kube' }))).cluster!;
    for (let i = 0; i < 300 && cluster.status !== 'ACTIVE'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      cluster = (await berth.eks.send(new DescribeClusterCommand({ name: 'kube' }))).cluster!;
    }
    await berth.eks.send(new CreateNodegroupCommand({
      clusterName: 'kube', nodegroupName: 'ng', nodeRole: 'arn:aws:iam::000000000000:role/node', subnets: subnetIds, scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 },
    }));
    const { body: list } = await view<EksView>(`${berth.endpoint}/_berth/api/eks`);
    const c = list.scopes[0].clusters.find((x) => x.name === 'kube')!;
    assert.deepEqual([c.arn, c.status, c.version, c.platformVersion, c.endpoint, c.createdAt, c.nodegroups, c.fargateProfiles],
      [cluster.arn, 'ACTIVE', cluster.version, cluster.platformVersion, cluster.endpoint, cluster.createdAt!.toISOString(), 1, 0]);
    assert.equal(typeof c.pods, 'object');
    const { body: one } = await view<EksClusterView>(`${berth.endpoint}/_berth/api/eks/000000000000/us-east-1/kube`);
    const ng = (await berth.eks.send(new DescribeNodegroupCommand({ clusterName: 'kube', nodegroupName: 'ng' }))).nodegroup!;
    assert.deepEqual(one.nodegroups.map((n) => [n.name, n.arn, n.desired, n.min, n.max, n.instanceTypes, n.capacityType]),
      [[ng.nodegroupName, ng.nodegroupArn, 0, 0, 2, ng.instanceTypes, ng.capacityType]]);
    assert.equal(one.roleArn, cluster.roleArn);
    assert.equal((await view(`${berth.endpoint}/_berth/api/eks/000000000000/us-east-1/nope`)).status, 404);
  });
});
