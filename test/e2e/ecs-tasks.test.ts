/**
 * ECS tasks on a real Docker engine: what a user sees through the SDK and curl.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'e2e';

function enginePs(taskArn: string): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `label=berth.task-arn=${taskArn}`, '--format', '{{.Names}}'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('ECS tasks on Docker (Fargate launch type)', () => {
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  let image: string;

  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    image = ensureBusyboxImage();
    net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  async function run(family: string, def: object) {
    await register(berth.ecs, {
      family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', ...def,
    } as never);
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, launchType: 'FARGATE', networkConfiguration: net }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    return out.tasks![0];
  }

  it('an awsvpc task runs its containers in one network namespace and its port answers on 127.0.0.1', async () => {
    const task = await run('web', {
      containerDefinitions: [
        { name: 'web', image, essential: true, command: ['httpd', '-f', '-p', '8080', '-h', '/etc'], portMappings: [{ containerPort: 8080 }], stopTimeout: 2 },
        // Reaches the web container on localhost: only true if both share the task's namespace.
        { name: 'probe', image, essential: false, command: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O /dev/null http://127.0.0.1:8080/hostname && exit 0; sleep 0.3; done; exit 1'] },
      ],
    });
    assert.equal(task.lastStatus, 'PROVISIONING');
    assert.equal(task.desiredStatus, 'RUNNING');
    const running = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, (t) => isRunning(t) && t.containers?.find((c) => c.name === 'probe')?.lastStatus === 'STOPPED', 'RUNNING with probe done');
    const probe = running.containers!.find((c) => c.name === 'probe')!;
    assert.equal(probe.exitCode, 0, 'the sidecar reached the web container on localhost');
    const web = running.containers!.find((c) => c.name === 'web')!;
    const binding = web.networkBindings?.[0];
    assert.equal(binding?.containerPort, 8080);
    assert.equal(binding?.bindIP, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${binding!.hostPort}/hostname`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
    const eni = running.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    assert.equal(eni?.status, 'ATTACHED');
    assert.match(eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.ok(running.startedAt && running.pullStartedAt && running.pullStoppedAt);
    // The ENI is a real EC2 network interface in the task's subnet, with an address from its CIDR.
    const eniId = eni!.details!.find((d) => d.name === 'networkInterfaceId')!.value!;
    const subnetId = eni!.details!.find((d) => d.name === 'subnetId')!.value!;
    const ec2 = new EC2Client(clientConfig(berth.endpoint));
    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    assert.equal(NetworkInterfaces?.[0].Status, 'in-use');
    assert.equal(NetworkInterfaces?.[0].PrivateIpAddress, eni!.details!.find((d) => d.name === 'privateIPv4Address')!.value);
    assert.equal(running.availabilityZone, Subnets![0].AvailabilityZone);
    const [a, b] = Subnets![0].CidrBlock!.split('/')[0].split('.');
    assert.ok(NetworkInterfaces![0].PrivateIpAddress!.startsWith(`${a}.${b}.`));
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn, reason: 'test done' }));
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.stoppedReason, 'test done');
    assert.equal(stopped.desiredStatus, 'STOPPED');
    const t = (d: unknown) => new Date(d as string).getTime();
    assert.ok(t(stopped.stoppingAt) <= t(stopped.executionStoppedAt) && t(stopped.executionStoppedAt) <= t(stopped.stoppedAt));
    assert.deepEqual(enginePs(task.taskArn!), [], 'its containers are gone from the engine');
    await assert.rejects(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })), /InvalidNetworkInterfaceID.NotFound/);
    ec2.destroy();
  });

  it('the task metadata endpoint v4 answers inside the task with the task, the container and real stats', async () => {
    // The container saves what the endpoint says and serves it back on its port.
    const script = [
      'mkdir -p /www',
      'wget -q -O /www/self.json "$ECS_CONTAINER_METADATA_URI_V4"',
      'wget -q -O /www/task.json "$ECS_CONTAINER_METADATA_URI_V4/task"',
      'wget -q -O /www/stats.json "$ECS_CONTAINER_METADATA_URI_V4/stats"',
      'echo "$AWS_REGION $AWS_EXECUTION_ENV" > /www/env.txt',
      'exec httpd -f -p 8080 -h /www',
    ].join('; ');
    const task = await run('meta', {
      containerDefinitions: [{ name: 'app', image, essential: true, command: ['sh', '-c', script], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 }],
    });
    const running = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isRunning, 'RUNNING');
    const port = running.containers![0].networkBindings![0].hostPort;
    const get = async (file: string) => {
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/${file}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        if (res?.status === 200) return res.text();
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${file} not served`);
    };
    const self = JSON.parse(await get('self.json'));
    assert.equal(self.Name, 'app');
    assert.equal(self.DockerId, running.containers![0].runtimeId);
    assert.equal(self.Labels['com.amazonaws.ecs.task-arn'], task.taskArn);
    const meta = JSON.parse(await get('task.json'));
    assert.equal(meta.TaskARN, task.taskArn);
    assert.equal(meta.Family, 'meta');
    assert.equal(meta.LaunchType, 'FARGATE');
    assert.equal(meta.Containers.length, 1);
    const ip = running.attachments![0].details!.find((d) => d.name === 'privateIPv4Address')!.value;
    assert.deepEqual(meta.Containers[0].Networks[0].IPv4Addresses, [ip]);
    const stats = JSON.parse(await get('stats.json'));
    assert.ok(stats.memory_stats.usage > 0, 'real memory usage');
    assert.equal((await get('env.txt')).trim(), 'us-east-1 AWS_ECS_FARGATE');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });

  it('container settings reach the process: overrides, environment, working directory, read-only root, tmpfs, ulimits, labels', async () => {
    const script = [
      'echo "$GREETING|$FROM_DEF|$(pwd)|$(ulimit -n)" > /www/out.txt',
      '(touch /probe 2>/dev/null && echo rw || echo ro) >> /www/out.txt',
      'exec httpd -f -p 8080 -h /www',
    ].join('; ');
    await register(berth.ecs, {
      family: 'settings', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{
        name: 'app', image, essential: true, command: ['sleep', '1'], stopTimeout: 1, workingDirectory: '/var',
        environment: [{ name: 'FROM_DEF', value: 'def' }, { name: 'GREETING', value: 'from-def' }],
        readonlyRootFilesystem: true, linuxParameters: { tmpfs: [{ containerPath: '/www', size: 16 }], initProcessEnabled: true },
        ulimits: [{ name: 'nofile', softLimit: 4321, hardLimit: 4321 }], dockerLabels: { team: 'web' },
        portMappings: [{ containerPort: 8080 }],
      }],
    } as never);
    const out = await berth.ecs.send(new RunTaskCommand({
      cluster: CLUSTER, taskDefinition: 'settings', launchType: 'FARGATE', networkConfiguration: net,
      overrides: { containerOverrides: [{ name: 'app', command: ['sh', '-c', script], environment: [{ name: 'GREETING', value: 'hello' }] }] },
    }));
    const running = await waitForTask(berth.ecs, CLUSTER, out.tasks![0].taskArn!, isRunning, 'RUNNING');
    const port = running.containers![0].networkBindings![0].hostPort;
    let text = '';
    for (let i = 0; i < 50 && !text; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/out.txt`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      if (res?.status === 200) text = await res.text();
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(text, 'hello|def|/var|4321\nro\n');
    const labels = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .Config.Labels}}', running.containers![0].runtimeId!], { encoding: 'utf8' }));
    assert.equal(labels.team, 'web');
    assert.equal(labels['berth.task-arn'], running.taskArn);
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: running.taskArn }));
  });

  it('an essential container that exits stops the task with EssentialContainerExited', async () => {
    const task = await run('exits', {
      containerDefinitions: [
        { name: 'main', image, essential: true, command: ['sh', '-c', 'sleep 1; exit 7'] },
        { name: 'sidecar', image, essential: true, command: ['sleep', '600'], stopTimeout: 1 },
      ],
    });
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.stoppedReason, 'Essential container in task exited');
    assert.equal(stopped.containers!.find((c) => c.name === 'main')!.exitCode, 7);
    assert.equal(stopped.containers!.find((c) => c.name === 'sidecar')!.lastStatus, 'STOPPED');
  });

  it('a non-essential container that exits leaves the task running', async () => {
    const task = await run('nonessential', {
      containerDefinitions: [
        { name: 'main', image, essential: true, command: ['sleep', '600'], stopTimeout: 1 },
        { name: 'init', image, essential: false, command: ['sh', '-c', 'exit 4'] },
      ],
    });
    const t = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, (x) => isRunning(x) && x.containers?.find((c) => c.name === 'init')?.exitCode === 4, 'init exited');
    assert.equal(t.lastStatus, 'RUNNING');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });

  it('dependsOn HEALTHY holds the app back until its dependency passes its health check', async () => {
    const task = await run('deps', {
      containerDefinitions: [
        {
          name: 'db', image, essential: true, command: ['sh', '-c', 'sleep 2; touch /tmp/ready; sleep 600'], stopTimeout: 1,
          healthCheck: { command: ['CMD-SHELL', 'test -f /tmp/ready'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
        },
        { name: 'app', image, essential: true, command: ['sleep', '600'], stopTimeout: 1, dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] },
      ],
    });
    const early = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, (t) => t.containers?.find((c) => c.name === 'db')?.lastStatus === 'RUNNING', 'db running');
    assert.equal(early.containers!.find((c) => c.name === 'app')!.lastStatus, 'PENDING', 'app waits while db is not yet healthy');
    assert.notEqual(early.lastStatus, 'RUNNING');
    const running = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isRunning, 'RUNNING');
    assert.equal(running.containers!.find((c) => c.name === 'db')!.healthStatus, 'HEALTHY');
    assert.equal(running.containers!.find((c) => c.name === 'app')!.lastStatus, 'RUNNING');
    assert.equal(running.healthStatus, 'HEALTHY');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });

  it('dependsOn SUCCESS fails the task when the dependency exits non-zero', async () => {
    const task = await run('migrate', {
      containerDefinitions: [
        { name: 'migrate', image, essential: false, command: ['sh', '-c', 'exit 2'] },
        { name: 'app', image, essential: true, command: ['sleep', '600'], dependsOn: [{ containerName: 'migrate', condition: 'SUCCESS' }] },
      ],
    });
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', /SUCCESS/);
    assert.equal(stopped.containers!.find((c) => c.name === 'app')!.runtimeId, undefined, 'app never started');
  });

  it('an image that cannot be pulled stops the task with CannotPullContainerError', async () => {
    const task = await run('nopull', { containerDefinitions: [{ name: 'x', image: '127.0.0.1:1/berth/missing:1', essential: true }] });
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', /^CannotPullContainerError/);
    assert.match(stopped.containers![0].reason ?? '', /^CannotPullContainerError/);
  });

  it('a container over its hard memory limit is OOM-killed: exit code 137 and OutOfMemoryError', async () => {
    const task = await run('oom', {
      containerDefinitions: [{
        name: 'hog', image, essential: true, memory: 16,
        command: ['sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done'],
      }],
    });
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED', 60_000);
    const hog = stopped.containers![0];
    assert.equal(hog.exitCode, 137);
    assert.match(hog.reason ?? '', /^OutOfMemoryError/);
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
  });

  it('a failing container health check makes the container and the task UNHEALTHY', async () => {
    const task = await run('sick', {
      containerDefinitions: [{
        name: 'app', image, essential: true, command: ['sleep', '600'], stopTimeout: 1,
        healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 },
      }],
    });
    const sick = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, (t) => t.healthStatus === 'UNHEALTHY', 'UNHEALTHY');
    assert.equal(sick.containers![0].healthStatus, 'UNHEALTHY');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });
});

describe('ECS tasks on Docker (bridge network mode)', () => {
  let image: string;

  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    image = ensureBusyboxImage();
    await berth.ecs.send(new CreateClusterCommand({
      clusterName: CLUSTER, capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    }));
  });

  it('bridge tasks publish dynamic host ports on 127.0.0.1 and report them in networkBindings', async () => {
    // Bridge mode is an EC2 launch-type feature; without instances RunTask reports the ECS failure.
    await register(berth.ecs, {
      family: 'bridge', networkMode: 'bridge', memory: '128',
      containerDefinitions: [{ name: 'web', image, essential: true, command: ['httpd', '-f', '-p', '80', '-h', '/etc'], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'bridge', launchType: 'EC2' }));
    assert.equal(out.tasks?.length, 0);
    assert.equal(out.failures?.[0].reason, 'No Container Instances were found in your cluster.');
  });
});
