/**
 * Berth on Podman: DOCKER_HOST points at a private `podman system service`
 * (Podman's Docker-compatible socket) and ECS tasks run there, awsvpc and
 * bridge alike, seen through the SDK and curl as on Docker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { clientConfig, REPO_ROOT } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { podmanUnavailable, startPodman, type TestPodman } from '../helpers/podman.js';

const run = promisify(execFile);
const CLUSTER = 'on-podman';
const skip = podmanUnavailable();

async function body(url: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const text = await fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => '');
    if (text) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

describe('ECS tasks on Podman (DOCKER_HOST=unix://…podman.sock)', { skip: skip ?? false }, () => {
  let podman: TestPodman;
  let image: string;
  const savedDockerHost = process.env.DOCKER_HOST;
  const onPodman = async (taskArn: string) => (await podman.podman('ps', '-a', '--filter', `label=berth.task-arn=${taskArn}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);

  before(async () => {
    image = ensureBusyboxImage();
    podman = await startPodman({ image });
    process.env.DOCKER_HOST = podman.url;
  });
  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', CLUSTER, '--endpoint', berth.endpoint], { cwd: REPO_ROOT });
  });
  after(async () => {
    if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = savedDockerHost;
    await podman?.stop();
  });

  it('a Fargate (awsvpc) task runs on Podman: its containers share the pause container\'s namespace and its port answers on 127.0.0.1', async () => {
    await register(berth.ecs, {
      family: 'pod-web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [
        { name: 'web', image, essential: true, command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 },
        // Reaches the web container on localhost: only true if both share the task's namespace.
        { name: 'probe', image, essential: false, command: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O /dev/null http://127.0.0.1:8080/ && exit 0; sleep 0.3; done; exit 1'] },
      ],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'pod-web', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.ecs) }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const arn = out.tasks![0].taskArn!;
    const t = await waitForTask(berth.ecs, CLUSTER, arn, (x) => isStopped(x) || (isRunning(x) && x.containers?.find((c) => c.name === 'probe')?.lastStatus === 'STOPPED'), 'RUNNING with probe done', 60_000);
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    assert.equal(t.containers!.find((c) => c.name === 'probe')!.exitCode, 0, 'the sidecar reached the web container on localhost');
    const binding = t.containers!.find((c) => c.name === 'web')!.networkBindings![0];
    assert.equal(binding.bindIP, '127.0.0.1');
    assert.match(await body(`http://127.0.0.1:${binding.hostPort}/`), /berth/);
    const names = await onPodman(arn);
    assert.equal(names.length, 3, `web, probe and the pause container are Podman's: ${names}`);
    // (The docker CLI would follow this process's DOCKER_HOST to Podman: give it the machine's own.)
    const dockerEnv = { ...process.env, DOCKER_HOST: savedDockerHost ?? '' };
    assert.equal(execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.task-arn=${arn}`], { encoding: 'utf8', env: dockerEnv }).trim(), '', 'and not Docker\'s');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
    await waitForTask(berth.ecs, CLUSTER, arn, isStopped, 'STOPPED');
    assert.deepEqual(await onPodman(arn), []);
  });

  it('a bridge task on an EC2 instance publishes its host port, turns HEALTHY by its health check, and stops', async () => {
    await register(berth.ecs, {
      family: 'pod-bridge', networkMode: 'bridge', requiresCompatibilities: ['EC2'],
      containerDefinitions: [{
        name: 'web', image, essential: true, memory: 64, stopTimeout: 1,
        command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }],
        healthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'], interval: 5, timeout: 2, retries: 2 },
      }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'pod-bridge', launchType: 'EC2' }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const arn = out.tasks![0].taskArn!;
    const t = await waitForTask(berth.ecs, CLUSTER, arn, (x) => isStopped(x) || (isRunning(x) && x.healthStatus === 'HEALTHY'), 'RUNNING and HEALTHY', 60_000);
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    assert.equal(t.containers![0].healthStatus, 'HEALTHY');
    const binding = t.containers![0].networkBindings![0];
    assert.equal(binding.containerPort, 80);
    assert.ok(binding.hostPort! > 0);
    assert.match(await body(`http://127.0.0.1:${binding.hostPort}/`), /berth/);
    assert.equal((await onPodman(arn)).length, 1);
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
    const stopped = await waitForTask(berth.ecs, CLUSTER, arn, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.deepEqual(await onPodman(arn), []);
  });

  it('a task whose image is in Berth\'s ECR (an http registry on 127.0.0.1) is pulled into Podman with Berth\'s token', async () => {
    const ecr = new ECRClient(clientConfig(berth.endpoint));
    // The machine's Docker pushes (DOCKER_HOST in this process is Podman's).
    const { ok, docker } = dockerCli();
    const withDocker = (args: string[], input?: string) => {
      const saved = process.env.DOCKER_HOST;
      if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = savedDockerHost;
      try {
        return ok(args, input);
      } finally {
        process.env.DOCKER_HOST = saved;
      }
    };
    let tag = '';
    try {
      const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'pod/app' }));
      tag = `${repository!.repositoryUri!}:1`;
      const auth = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
      const [user, pass] = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':');
      await withDocker(['login', '--username', user, '--password-stdin', auth.proxyEndpoint!], pass);
      await withDocker(['tag', image, tag]);
      await withDocker(['push', tag]);
      await register(berth.ecs, {
        family: 'pod-ecr', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{ name: 'app', image: tag, essential: true, command: ['sleep', '300'], stopTimeout: 1 }],
      });
      const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'pod-ecr', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.ecs) }));
      const arn = out.tasks![0].taskArn!;
      const t = await waitForTask(berth.ecs, CLUSTER, arn, (x) => isRunning(x) || isStopped(x), 'RUNNING', 60_000);
      assert.equal(t.lastStatus, 'RUNNING', `${t.stoppedReason} ${t.containers?.[0].reason}`);
      assert.match(t.containers![0].imageDigest ?? '', /^sha256:/);
      assert.match(await podman.podman('images', '--format', '{{.Repository}}:{{.Tag}}'), new RegExp(tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
      await waitForTask(berth.ecs, CLUSTER, arn, isStopped, 'STOPPED');
    } finally {
      if (tag) {
        const saved = process.env.DOCKER_HOST;
        process.env.DOCKER_HOST = savedDockerHost ?? '';
        await docker(['rmi', '-f', tag]);
        process.env.DOCKER_HOST = saved;
      }
      ecr.destroy();
    }
  });
});
