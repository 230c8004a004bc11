/**
 * External container instances on a second Docker engine (the ECS Anywhere
 * model): the test starts another dockerd with its own socket, data root and
 * bridge, listening on a unix socket and on tcp://127.0.0.1, plus a private
 * sshd whose key runs `docker system dial-stdio` against it. It registers the
 * engine with `berth instances add --engine` as unix://, tcp:// and ssh://
 * (one cluster each) and runs EXTERNAL tasks there; an EC2 instance tagged
 * `berth.engine` with its socket runs its (EC2 launch type) tasks there too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient, ListContainerInstancesCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { fetchWhenUp, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { freePort, sshdUnavailable, startSshd, type TestSshd } from '../helpers/sshd.js';

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'berth-engine2-'));
const sock = join(dir, 'docker.sock');
const BRIDGE = `bx${process.pid % 100000}`;
const engine2 = (...args: string[]) => execFileSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8' }).trim();

describe('an external container instance on a second Docker engine', { skip: root ? false : 'needs root to start a second dockerd' }, () => {
  let dockerd: ChildProcess | undefined;
  let sshd: TestSshd | undefined;
  let tcpPort = 0;
  let image = '';
  const savedSshOptions = process.env.BERTH_SSH_OPTIONS;

  /** `berth instances add --cluster C --engine URL`: its stdout and stderr. */
  const addInstance = (cluster: string, engine: string) =>
    run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', cluster, '--engine', engine, '--endpoint', berth.endpoint], { cwd: REPO_ROOT });

  /** Runs the edge-web task on a cluster's external instance and proves where it runs; then stops it. */
  async function runsOnEngine2(cluster: string, launchType: 'EXTERNAL' | 'EC2' = 'EXTERNAL') {
    const out = await berth.ecs.send(new RunTaskCommand({ cluster, taskDefinition: launchType === 'EC2' ? 'edge-web-ec2' : 'edge-web', launchType }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const t = await waitForTask(berth.ecs, cluster, out.tasks![0].taskArn!, (x) => isRunning(x) || isStopped(x), 'RUNNING');
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    assert.equal(t.launchType, launchType);
    const id = t.containers![0].runtimeId!;
    assert.equal(engine2('inspect', '-f', '{{.State.Running}}', id), 'true', 'the container is on the second engine');
    assert.throws(() => execFileSync('docker', ['inspect', id], { stdio: 'ignore' }), 'and not on the local one');
    const port = t.containers![0].networkBindings![0].hostPort;
    const body = await fetchWhenUp(`http://127.0.0.1:${port}/`);
    assert.match(body, /berth/);
    await berth.ecs.send(new StopTaskCommand({ cluster, task: t.taskArn }));
    await waitForTask(berth.ecs, cluster, t.taskArn!, isStopped, 'STOPPED');
    assert.equal(engine2('ps', '-aq', '--filter', `label=berth.task-arn=${t.taskArn}`), '');
  }

  before(async () => {
    image = ensureBusyboxImage();
    tcpPort = await freePort();
    execFileSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    execFileSync('ip', ['addr', 'add', `172.29.${process.pid % 250}.1/24`, 'dev', BRIDGE]);
    execFileSync('ip', ['link', 'set', BRIDGE, 'up']);
    dockerd = spawn('dockerd', [
      '--host', `unix://${sock}`, '--host', `tcp://127.0.0.1:${tcpPort}`, '--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
      '--bridge', BRIDGE, '--iptables=false', '--ip-masq=false',
    ], { stdio: 'ignore', detached: true });
    for (let i = 0; i < 60; i++) {
      try {
        engine2('info');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    execFileSync('sh', ['-c', `docker save ${image} | docker -H unix://${sock} load`], { stdio: 'ignore' });
    if (!sshdUnavailable()) {
      // The remote login's docker CLI talks to the second engine, whatever the client asked to run.
      sshd = await startSshd({ forceCommand: `DOCKER_HOST=unix://${sock} exec docker system dial-stdio` });
      // Berth (in this process) and the CLI (its child) log in with the test's key and known_hosts.
      process.env.BERTH_SSH_OPTIONS = sshd.sshOptions;
    }
  });
  const berth = useBerth({ clients: { ecs: ECSClient, ec2: EC2Client, ssm: SSMClient } });
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'edge' }));
    const { stdout } = await addInstance('edge', `unix://${sock}`);
    assert.match(stdout, /container-instance\/edge\//);
    await register(berth.ecs, {
      family: 'edge-web', networkMode: 'bridge', requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [{ name: 'web', image, essential: true, memory: 64, stopTimeout: 1, command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
  });
  after(async () => {
    await sshd?.stop();
    if (savedSshOptions === undefined) delete process.env.BERTH_SSH_OPTIONS;
    else process.env.BERTH_SSH_OPTIONS = savedSshOptions;
    if (dockerd?.pid) {
      try { process.kill(dockerd.pid); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 2000));
    }
    try { execFileSync('ip', ['link', 'del', BRIDGE]); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  });

  it('an EXTERNAL task runs on the remote engine (unix://), answers on its published port, and is removed there when stopped', async () => {
    await runsOnEngine2('edge');
  });

  it('an EC2 instance tagged berth.engine joins its cluster as an EC2 instance whose tasks run on that engine', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'edge-ec2' }));
    await register(berth.ecs, {
      family: 'edge-web-ec2', networkMode: 'bridge',
      containerDefinitions: [{ name: 'web', image, essential: true, memory: 64, stopTimeout: 1, command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    const r = await berth.ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.small', MinCount: 1, MaxCount: 1,
      UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=edge-ec2 >> /etc/ecs/ecs.config\n').toString('base64'),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'berth.engine', Value: `unix://${sock}` }] }],
    }));
    for (let i = 0; i < 100 && !(await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'edge-ec2' }))).containerInstanceArns?.length; i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    await runsOnEngine2('edge-ec2', 'EC2');
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [r.Instances![0].InstanceId!] }));
  });

  it('an external instance on tcp://127.0.0.1:<port> runs its tasks on that engine', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'edge-tcp' }));
    const { stdout, stderr } = await addInstance('edge-tcp', `tcp://127.0.0.1:${tcpPort}`);
    assert.match(stdout, /container-instance\/edge-tcp\//);
    assert.equal(stderr, '', 'the engine answered the CLI\'s check');
    await runsOnEngine2('edge-tcp');
  });

  it('an external instance on ssh://root@127.0.0.1:<port> runs its tasks on that engine over ssh', { skip: sshdUnavailable() ?? false }, async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'edge-ssh' }));
    const { stdout, stderr } = await addInstance('edge-ssh', sshd!.url);
    assert.match(stdout, /container-instance\/edge-ssh\//);
    assert.equal(stderr, '', 'the engine answered the CLI\'s check');
    await runsOnEngine2('edge-ssh');
  });

  it('an instance whose ssh engine cannot be reached: the CLI warns why, its task waits without harm, and stopping it works', { skip: sshdUnavailable() ?? false }, async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'edge-down' }));
    const { stdout, stderr } = await addInstance('edge-down', `ssh://root@127.0.0.1:${await freePort()}`);
    assert.match(stdout, /container-instance\/edge-down\//);
    assert.match(stderr, /warning: the engine at ssh:\/\/root@127\.0\.0\.1:\d+ does not answer from here \(.*Connection refused/);
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: 'edge-down', taskDefinition: 'edge-web', launchType: 'EXTERNAL' }));
    const arn = out.tasks![0].taskArn!;
    await new Promise((r) => setTimeout(r, 3000));
    const t = await waitForTask(berth.ecs, 'edge-down', arn, () => true, 'described');
    assert.ok(['PROVISIONING', 'PENDING'].includes(t.lastStatus!), `still waiting for its engine: ${t.lastStatus}`);
    await berth.ecs.send(new StopTaskCommand({ cluster: 'edge-down', task: arn }));
    await waitForTask(berth.ecs, 'edge-down', arn, isStopped, 'STOPPED');
    // The other external instances are unaffected.
    await runsOnEngine2('edge-ssh');
  });

  it('EC2 tasks are not placed on the external instance', async () => {
    await register(berth.ecs, { family: 'ec2-only', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'x', image: 'berth-test/busybox:2', memory: 64 }] });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: 'edge', taskDefinition: 'ec2-only', launchType: 'EC2' }));
    assert.equal(out.tasks?.length, 0);
    assert.equal(out.failures?.[0].reason, 'No Container Instances were found in your cluster.');
  });
});
