/**
 * ECS's and ECR's events reach the default bus in AWS's shape (fake runtime): "ECS Task State Change" for each status a
 * task moves through, in order, with the task as the detail; "ECS Service Action" (steady state) and "ECS Deployment
 * State Change" for a service; "ECS Container Instance State Change" as an instance registers, drains and deregisters,
 * and as a task placed on it or stopped on it moves its remaining resources; "ECR Image Action" for a push and a delete, and a push that runs a task with its tag.
 * Rules match them like any event; users cannot put `aws.` events themselves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import {
  CreateClusterCommand, CreateServiceCommand, DeregisterContainerInstanceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterContainerInstanceCommand,
  RunTaskCommand, StopTaskCommand, UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { BatchDeleteImageCommand, CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { Registry, makeImage, registryAuth } from '../registry/client.js';
import { boto3, type Boto3 } from '../../helpers/boto3.js';
import { fargateNetwork, register, waitForTask, isRunning } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const ARN = 'arn:aws:sqs:us-east-1:000000000000';

describe('ECS and ECR events on the default bus', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient, ecs: ECSClient, ecr: ECRClient } });
  // EventBridge through boto3 (botocore 1.43), one Python process for the file; the calls read as the CLI's.
  let b: Boto3;
  before(() => { b = boto3(berth.endpoint); });
  after(() => b.close());
  const events = (args: string[]) => b.cli('events', args);
  /** A FIFO queue `<name>.fifo` (events in order) that a rule `<name>` on ECS's container instance events delivers to. */
  const instanceEventsQueue = async (name: string): Promise<string> => {
    const url = (await berth.sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    await events(['put-rule', '--name', name, '--event-pattern', JSON.stringify({ source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'] })]);
    await events(['put-targets', '--rule', name, '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:${name}.fifo`, SqsParameters: { MessageGroupId: 'ci' } }])]);
    return url;
  };
  const receiveUntil = async (url: string, done: (all: Message[]) => boolean): Promise<Message[]> => {
    const out: Message[] = [];
    const end = Date.now() + 15_000;
    while (!done(out) && Date.now() < end) {
      const r = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!r.Messages?.length) continue;
      out.push(...r.Messages);
      await berth.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
    return out;
  };

  it('a task\'s state changes arrive in order with the task as detail; a rule on STOPPED gets the transformed message', async () => {
    const all = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'ecs-all.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const stopped = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'ecs-stopped' }))).QueueUrl!;
    await events(['put-rule', '--name', 'ecs-tasks', '--event-pattern', JSON.stringify({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'] })]);
    await events(['put-targets', '--rule', 'ecs-tasks', '--targets', JSON.stringify([{ Id: 'all', Arn: `${ARN}:ecs-all.fifo`, SqsParameters: { MessageGroupId: 'tasks' } }])]);
    await events(['put-rule', '--name', 'ecs-stopped', '--event-pattern', JSON.stringify({
      source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'], clusterArn: [{ suffix: '/ev' }] },
    })]);
    await events(['put-targets', '--rule', 'ecs-stopped', '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:ecs-stopped`, InputTransformer: {
      InputPathsMap: { task: '$.detail.taskArn', reason: '$.detail.stoppedReason' }, InputTemplate: '"task <task> stopped: <reason>"',
    } }])]);

    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'ev' }));
    const td = await register(berth.ecs, {
      family: 'ev', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'busybox', essential: true }],
    });
    const run = await berth.ecs.send(new RunTaskCommand({ cluster: 'ev', taskDefinition: td, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint) }));
    const taskArn = run.tasks![0].taskArn!;
    await waitForTask(berth.ecs, 'ev', taskArn, isRunning, 'RUNNING');
    await berth.ecs.send(new StopTaskCommand({ cluster: 'ev', task: taskArn, reason: 'done here' }));

    const got = (await receiveUntil(all, (ms) => ms.some((m) => JSON.parse(m.Body!).detail.lastStatus === 'STOPPED'))).map((m) => JSON.parse(m.Body!));
    const ofTask = got.filter((e) => e.resources[0] === taskArn);
    const e = ofTask[0];
    assert.equal(e.source, 'aws.ecs');
    assert.equal(e['detail-type'], 'ECS Task State Change');
    assert.equal(e.account, '000000000000');
    assert.equal(e.detail.taskArn, taskArn);
    assert.equal(e.detail.taskDefinitionArn, td);
    assert.equal(e.detail.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/ev');
    const statuses = ofTask.map((x) => `${x.detail.lastStatus}/${x.detail.desiredStatus}`);
    const order = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
    const ranks = ofTask.map((x) => order.indexOf(x.detail.lastStatus));
    assert.deepEqual([...ranks].sort((a, b) => a - b), ranks, `statuses in order: ${statuses.join(' → ')}`);
    assert.ok(statuses.includes('RUNNING/RUNNING') && statuses.includes('RUNNING/STOPPED') && statuses.at(-1) === 'STOPPED/STOPPED', statuses.join(' → '));
    assert.equal(ofTask.at(-1).detail.stoppedReason, 'done here');

    const [message] = await receiveUntil(stopped, (ms) => ms.length > 0);
    assert.equal(message.Body, `"task ${taskArn} stopped: done here"`);
  });

  it('a service reaching steady state sends ECS Service Action and ECS Deployment State Change', async () => {
    const url = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'ecs-service' }))).QueueUrl!;
    await events(['put-rule', '--name', 'ecs-service', '--event-pattern', JSON.stringify({
      source: ['aws.ecs'], 'detail-type': ['ECS Service Action', 'ECS Deployment State Change'],
    })]);
    await events(['put-targets', '--rule', 'ecs-service', '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:ecs-service` }])]);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'svc' }));
    const td = await register(berth.ecs, {
      family: 'svc', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'busybox', essential: true }],
    });
    const { service } = await berth.ecs.send(new CreateServiceCommand({
      cluster: 'svc', serviceName: 'web', taskDefinition: td, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    const got = (await receiveUntil(url, (ms) => ms.some((m) => JSON.parse(m.Body!).detail.eventName === 'SERVICE_STEADY_STATE')
      && ms.some((m) => JSON.parse(m.Body!).detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED'))).map((m) => JSON.parse(m.Body!));
    const names = got.map((e) => `${e['detail-type']}: ${e.detail.eventName}`);
    assert.ok(names.includes('ECS Deployment State Change: SERVICE_DEPLOYMENT_IN_PROGRESS'), names.join(', '));
    assert.ok(names.includes('ECS Deployment State Change: SERVICE_DEPLOYMENT_COMPLETED'), names.join(', '));
    const steady = got.find((e) => e.detail.eventName === 'SERVICE_STEADY_STATE');
    assert.deepEqual(steady.resources, [service!.serviceArn]);
    assert.equal(steady.detail.eventType, 'INFO');
    assert.equal(steady.detail.clusterArn, service!.clusterArn);
    const completed = got.find((e) => e.detail.eventName === 'SERVICE_DEPLOYMENT_COMPLETED');
    assert.equal(completed.detail.deploymentId, service!.deployments![0].id);
  });

  it('a container instance registering, draining and deregistering sends ECS Container Instance State Change in order', async () => {
    const url = await instanceEventsQueue('ecs-instances');
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'hosts' }));
    const { containerInstance: ci } = await berth.ecs.send(new RegisterContainerInstanceCommand({
      cluster: 'hosts', instanceIdentityDocument: JSON.stringify({ instanceId: 'i-0123456789abcdef0', availabilityZone: 'us-east-1b' }),
    }));
    const arn = ci!.containerInstanceArn!;
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'hosts', containerInstances: [arn], status: 'DRAINING' }));
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'hosts', containerInstance: arn }));

    const got = (await receiveUntil(url, (ms) => ms.some((m) => JSON.parse(m.Body!).detail.status === 'INACTIVE'))).map((m) => JSON.parse(m.Body!));
    assert.deepEqual(got.map((e) => `${e.detail.status}/${e.detail.agentConnected}`), ['ACTIVE/true', 'DRAINING/true', 'INACTIVE/false']);
    const [registered, draining] = got;
    assert.equal(registered.source, 'aws.ecs');
    assert.equal(registered['detail-type'], 'ECS Container Instance State Change');
    assert.deepEqual(registered.resources, [arn]);
    assert.deepEqual(Object.keys(registered.detail).sort(), [
      'agentConnected', 'attributes', 'clusterArn', 'containerInstanceArn', 'ec2InstanceId', 'registeredResources', 'remainingResources',
      'status', 'updatedAt', 'version', 'versionInfo',
    ]);
    assert.equal(registered.detail.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/hosts');
    assert.equal(registered.detail.ec2InstanceId, 'i-0123456789abcdef0');
    assert.deepEqual(registered.detail.registeredResources, ci!.registeredResources);
    assert.deepEqual(registered.detail.remainingResources, ci!.remainingResources);
    assert.ok(registered.detail.attributes.some((a: { name: string; value?: string }) => a.name === 'ecs.availability-zone' && a.value === 'us-east-1b'));
    assert.ok(draining.detail.version > registered.detail.version, 'the version moves with the status');
  });

  it('a task placed on an instance and stopped there sends ECS Container Instance State Change with its remaining resources', async () => {
    const url = await instanceEventsQueue('ecs-resources');
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'busy' }));
    const { containerInstance: ci } = await berth.ecs.send(new RegisterContainerInstanceCommand({
      cluster: 'busy', instanceIdentityDocument: JSON.stringify({ instanceId: 'i-0fedcba9876543210', availabilityZone: 'us-east-1a' }),
    }));
    const cpu = (e: { detail: { remainingResources: { name: string; integerValue: number }[] } }) => e.detail.remainingResources.find((r) => r.name === 'CPU')!.integerValue;
    const registered = ci!.remainingResources!.find((r) => r.name === 'CPU')!.integerValue!;
    const td = await register(berth.ecs, {
      family: 'on-host', networkMode: 'bridge', requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'main', image: 'busybox', essential: true, cpu: 256, memory: 128 }],
    });
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: 'busy', taskDefinition: td, launchType: 'EC2' }));
    await waitForTask(berth.ecs, 'busy', tasks![0].taskArn!, isRunning, 'RUNNING');
    await berth.ecs.send(new StopTaskCommand({ cluster: 'busy', task: tasks![0].taskArn }));
    const got = (await receiveUntil(url, (ms) => ms.length >= 3)).map((m) => JSON.parse(m.Body!));
    // Registered; the task's 256 CPU units taken at placement; given back once it stopped.
    assert.deepEqual(got.map(cpu), [registered, registered - 256, registered]);
    assert.ok(got.every((e) => e.detail.status === 'ACTIVE' && e.detail.containerInstanceArn === ci!.containerInstanceArn));
  });

  it('an ECR push and delete send ECR Image Action; a push runs a task with the pushed tag', async () => {
    const url = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'ecr-actions' }))).QueueUrl!;
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'deploy' }));
    const td = await register(berth.ecs, {
      family: 'deploy', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'busybox', essential: true }],
    });
    const net = await fargateNetwork(berth.endpoint);
    await events(['put-rule', '--name', 'ecr-actions', '--event-pattern', JSON.stringify({ source: ['aws.ecr'], 'detail-type': ['ECR Image Action'] })]);
    await events(['put-targets', '--rule', 'ecr-actions', '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:ecr-actions` }])]);
    await events(['put-rule', '--name', 'on-push', '--event-pattern', JSON.stringify({
      source: ['aws.ecr'], detail: { 'action-type': ['PUSH'], 'repository-name': ['app'], 'image-tag': [{ exists: true }] },
    })]);
    await events(['put-targets', '--rule', 'on-push', '--targets', JSON.stringify([{
      Id: 'run', Arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/deploy', RoleArn: 'arn:aws:iam::000000000000:role/events',
      EcsParameters: { TaskDefinitionArn: td, LaunchType: 'FARGATE', NetworkConfiguration: { awsvpcConfiguration: { Subnets: net.awsvpcConfiguration.subnets } } },
      InputTransformer: {
        InputPathsMap: { tag: '$.detail.image-tag' },
        InputTemplate: '{"containerOverrides": [{"name": "main", "environment": [{"name": "IMAGE_TAG", "value": <tag>}]}]}',
      },
    }])]);
    const reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    const image = makeImage();
    assert.equal((await reg.pushImage('000000000000/us-east-1/app', image, 'v7')).status, 201);
    await berth.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v7' }] }));

    const got = (await receiveUntil(url, (ms) => ms.some((m) => JSON.parse(m.Body!).detail['action-type'] === 'DELETE'))).map((m) => JSON.parse(m.Body!));
    const push = got.find((e) => e.detail['action-type'] === 'PUSH');
    assert.equal(push.source, 'aws.ecr');
    assert.deepEqual(push.resources, []);
    assert.deepEqual(push.detail, { result: 'SUCCESS', 'repository-name': 'app', 'image-digest': image.digest, 'action-type': 'PUSH', 'image-tag': 'v7' });
    const del = got.find((e) => e.detail['action-type'] === 'DELETE');
    assert.deepEqual(del.detail, { result: 'SUCCESS', 'repository-name': 'app', 'image-digest': image.digest, 'action-type': 'DELETE', 'image-tag': 'v7' });

    let arns: string[] = [];
    for (const end = Date.now() + 10_000; !arns.length && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      arns = (await berth.ecs.send(new ListTasksCommand({ cluster: 'deploy', startedBy: 'events-rule/on-push' }))).taskArns ?? [];
    }
    assert.equal(arns.length, 1, 'the push ran one task');
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: 'deploy', tasks: arns }));
    assert.deepEqual(tasks![0].overrides?.containerOverrides, [{ name: 'main', environment: [{ name: 'IMAGE_TAG', value: 'v7' }] }]);
  });

  it('PutEvents refuses aws. sources', async () => {
    const r = await events(['put-events', '--entries', JSON.stringify([{ Source: 'aws.ecs', DetailType: 'ECS Task State Change', Detail: '{}' }])]);
    assert.equal(r.FailedEntryCount, 1);
    assert.equal(r.Entries[0].ErrorCode, 'NotAuthorizedForSourceException');
  });
});
