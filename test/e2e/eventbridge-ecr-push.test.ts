/**
 * Issue 18, proof 4, on real Docker: a `docker push` to Berth's ECR puts an `ECR Image Action` event (PUSH, SUCCESS)
 * on the default bus; a rule on it runs a task through its ECS target, the InputTransformer turning the event's tag
 * and digest into the container's environment overrides. The task runs the pushed image (by digest) and its container
 * sees the tag the event carried. A push to another repository runs nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { rmSync } from 'node:fs';
import { dockerCli } from '../helpers/docker-cli.js';
import { fargateNetwork, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { useBerth } from '../helpers/use-berth.js';

const C = 'deploys';

describe('a push to ECR runs a task with the pushed tag through an EventBridge rule (real Docker)', () => {
  const berth = useBerth({ clients: { ecs: ECSClient, ecr: ECRClient, events: EventBridgeClient } });
  const cli = dockerCli();
  const tagged: string[] = [];
  let app: string;
  let other: string;

  before(async () => {
    app = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }))).repository!.repositoryUri!;
    other = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/other' }))).repository!.repositoryUri!;
    const auth = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const [user, pass] = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':');
    await cli.ok(['login', '--username', user, '--password-stdin', auth.proxyEndpoint!], pass);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    const td = await register(berth.ecs, {
      family: 'deploy', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      containerDefinitions: [{
        name: 'app', image: `${app}:release`, essential: true,
        // Exits 0 only when the event's tag and digest reached the container.
        command: ['sh', '-c', 'echo "deploying $IMAGE_TAG $IMAGE_DIGEST"; test "$IMAGE_TAG" = release && test -n "$IMAGE_DIGEST"'],
      }],
    });
    const net = await fargateNetwork(berth.endpoint);
    await berth.events.send(new PutRuleCommand({
      Name: 'deploy-on-push',
      EventPattern: JSON.stringify({
        source: ['aws.ecr'], 'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['team/app'], 'image-tag': [{ exists: true }] },
      }),
    }));
    const put = await berth.events.send(new PutTargetsCommand({
      Rule: 'deploy-on-push',
      Targets: [{
        Id: 'run', Arn: `arn:aws:ecs:us-east-1:000000000000:cluster/${C}`, RoleArn: 'arn:aws:iam::000000000000:role/ecsEventsRole',
        EcsParameters: { TaskDefinitionArn: td, LaunchType: 'FARGATE', NetworkConfiguration: { awsvpcConfiguration: { Subnets: net.awsvpcConfiguration.subnets, AssignPublicIp: 'ENABLED' } } },
        InputTransformer: {
          InputPathsMap: { tag: '$.detail.image-tag', digest: '$.detail.image-digest' },
          InputTemplate: '{"containerOverrides": [{"name": "app", "environment": [{"name": "IMAGE_TAG", "value": <tag>}, {"name": "IMAGE_DIGEST", "value": <digest>}]}]}',
        },
      }],
    }));
    assert.equal(put.FailedEntryCount, 0, JSON.stringify(put.FailedEntries));
  });

  after(async () => {
    for (const t of tagged) await cli.docker(['rmi', t]);
    rmSync(cli.configDir, { recursive: true, force: true });
  });

  it('docker push of team/app:release runs the deploy task with IMAGE_TAG=release on the pushed image; a push to team/other runs nothing', { timeout: 90_000 }, async () => {
    const busybox = ensureBusyboxImage();
    for (const ref of [`${other}:release`, `${app}:release`]) {
      await cli.ok(['tag', busybox, ref]);
      tagged.push(ref);
      await cli.ok(['push', ref]);
    }
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'release' }] }));
    const digest = imageDetails![0].imageDigest!;

    let arns: string[] = [];
    for (const end = Date.now() + 20_000; !arns.length && Date.now() < end; await sleep(200)) {
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        arns.push(...((await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: 'events-rule/deploy-on-push', desiredStatus }))).taskArns ?? []));
      }
    }
    assert.equal(arns.length, 1, 'the push ran one task');
    const task = await waitForTask(berth.ecs, C, arns[0], isStopped, 'STOPPED', 60_000);
    assert.deepEqual(task.overrides?.containerOverrides, [{ name: 'app', environment: [{ name: 'IMAGE_TAG', value: 'release' }, { name: 'IMAGE_DIGEST', value: digest }] }]);
    assert.equal(task.containers![0].imageDigest, digest, 'the task ran the pushed image');
    assert.equal(task.containers![0].exitCode, 0, `the container saw the tag and digest: ${task.stoppedReason}`);
    // A moment later still only the one task: the push to team/other matched nothing.
    await sleep(1000);
    assert.deepEqual((await berth.ecs.send(new ListTasksCommand({ cluster: C, desiredStatus: 'STOPPED' }))).taskArns, arns);
  });
});
