/**
 * Tasks run images pushed to Berth's ECR, named either by the repositoryUri or
 * as on AWS (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>), pulled
 * with Berth's own credentials: the engine itself is never logged in.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const configDir = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
function docker(args: string[], input = ''): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: configDir } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
    child.stdin.end(input);
  });
}

describe('ECS tasks with images from Berth\'s ECR', () => {
  let uri: string;
  const pushed: string[] = [];

  after(async () => {
    for (const tag of pushed) await docker(['rmi', '-f', tag]);
  });
  const berth = useBerth({ clients: { ecs: ECSClient, ecr: ECRClient } });
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'img' }));
    const { repository } = await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    uri = repository!.repositoryUri!;
    const auth = await berth.ecr.send(new GetAuthorizationTokenCommand({}));
    const [user, pass] = Buffer.from(auth.authorizationData![0].authorizationToken!, 'base64').toString().split(':');
    const login = await docker(['login', '--username', user, '--password-stdin', auth.authorizationData![0].proxyEndpoint!], pass);
    assert.equal(login.code, 0, login.out);
    assert.equal((await docker(['tag', ensureBusyboxImage(), `${uri}:1`])).code, 0);
    const push = await docker(['push', `${uri}:1`]);
    assert.equal(push.code, 0, push.out);
    pushed.push(`${uri}:1`);
    // The engine must not have the image locally, nor be logged in: Berth pulls with its own token.
    await docker(['rmi', `${uri}:1`]);
    await docker(['logout', auth.authorizationData![0].proxyEndpoint!]);
  });
  after(async () => {
    rmSync(configDir, { recursive: true, force: true });
  });

  async function runImage(family: string, image: string) {
    await register(berth.ecs, {
      family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      // Fargate pulls from ECR as the execution role, which ECS therefore requires.
      executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      containerDefinitions: [{ name: 'app', image, essential: true, command: ['sleep', '600'], stopTimeout: 1 }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: 'img', taskDefinition: family, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint) }));
    return out.tasks![0].taskArn!;
  }

  it('a task definition naming the repositoryUri runs the pushed image', async () => {
    const arn = await runImage('by-uri', `${uri}:1`);
    const t = await waitForTask(berth.ecs, 'img', arn, (x) => isRunning(x) || isStopped(x), 'RUNNING');
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    assert.match(t.containers![0].imageDigest ?? '', /^sha256:/);
    await berth.ecs.send(new StopTaskCommand({ cluster: 'img', task: arn }));
  });

  it('a task definition written for AWS (<account>.dkr.ecr.<region>.amazonaws.com) runs it too', async () => {
    const arn = await runImage('aws-style', '000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app:1');
    const t = await waitForTask(berth.ecs, 'img', arn, (x) => isRunning(x) || isStopped(x), 'RUNNING');
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    await berth.ecs.send(new StopTaskCommand({ cluster: 'img', task: arn }));
  });

  it("containers[].imageDigest is the manifest digest ECR's describe-images shows, not the engine's local image id", async () => {
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: '1' }] }));
    const digest = imageDetails![0].imageDigest!;
    const arn = await runImage('digest', `${uri}:1`);
    const t = await waitForTask(berth.ecs, 'img', arn, (x) => isRunning(x) || isStopped(x), 'RUNNING');
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    assert.equal(t.containers![0].imageDigest, digest);
    await berth.ecs.send(new StopTaskCommand({ cluster: 'img', task: arn }));
    const stopped = await waitForTask(berth.ecs, 'img', arn, isStopped, 'STOPPED');
    assert.equal(stopped.containers![0].imageDigest, digest);
    const described = (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'img', tasks: [arn] }))).tasks![0];
    assert.equal(described.containers![0].imageDigest, digest);
  });

  it('a tag that was never pushed stops the task with CannotPullContainerError', async () => {
    const arn = await runImage('missing-tag', `${uri}:nope`);
    const t = await waitForTask(berth.ecs, 'img', arn, isStopped, 'STOPPED');
    assert.equal(t.stopCode, 'TaskFailedToStart');
    assert.match(t.stoppedReason ?? '', /^CannotPullContainerError/);
  });
});
