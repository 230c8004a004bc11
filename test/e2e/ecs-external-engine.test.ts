/**
 * An external container instance on a second Docker engine (the ECS Anywhere
 * model): the test starts another dockerd with its own socket, data root and
 * bridge, registers it with `berth instances add --engine`, and runs EXTERNAL
 * tasks there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { clientConfig, REPO_ROOT, startBerth, type TestBerth } from '../helpers/berth.js';
import { isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'berth-engine2-'));
const sock = join(dir, 'docker.sock');
const BRIDGE = `bx${process.pid % 100000}`;
const engine2 = (...args: string[]) => execFileSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8' }).trim();

describe('an external container instance on a second Docker engine', { skip: root ? false : 'needs root to start a second dockerd' }, () => {
  let dockerd: ChildProcess | undefined;
  let berth: TestBerth;
  let ecs: ECSClient;

  before(async () => {
    const image = ensureBusyboxImage();
    execFileSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    execFileSync('ip', ['addr', 'add', `172.29.${process.pid % 250}.1/24`, 'dev', BRIDGE]);
    execFileSync('ip', ['link', 'set', BRIDGE, 'up']);
    dockerd = spawn('dockerd', [
      '--host', `unix://${sock}`, '--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
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
    berth = await startBerth();
    ecs = new ECSClient(clientConfig(berth.endpoint));
    await ecs.send(new CreateClusterCommand({ clusterName: 'edge' }));
    const { stdout } = await run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', 'edge', '--engine', `unix://${sock}`, '--endpoint', berth.endpoint], { cwd: REPO_ROOT });
    assert.match(stdout, /container-instance\/edge\//);
    await register(ecs, {
      family: 'edge-web', networkMode: 'bridge', requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [{ name: 'web', image, essential: true, memory: 64, stopTimeout: 1, command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
  });
  after(async () => {
    ecs?.destroy();
    await berth?.stop();
    if (dockerd?.pid) {
      try { process.kill(dockerd.pid); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 2000));
    }
    try { execFileSync('ip', ['link', 'del', BRIDGE]); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  });

  it('an EXTERNAL task runs on the remote engine, answers on its published port, and is removed there when stopped', async () => {
    const out = await ecs.send(new RunTaskCommand({ cluster: 'edge', taskDefinition: 'edge-web', launchType: 'EXTERNAL' }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const t = await waitForTask(ecs, 'edge', out.tasks![0].taskArn!, (x) => isRunning(x) || isStopped(x), 'RUNNING');
    assert.equal(t.lastStatus, 'RUNNING', t.stoppedReason);
    assert.equal(t.launchType, 'EXTERNAL');
    const id = t.containers![0].runtimeId!;
    assert.equal(engine2('inspect', '-f', '{{.State.Running}}', id), 'true', 'the container is on the second engine');
    assert.throws(() => execFileSync('docker', ['inspect', id], { stdio: 'ignore' }), 'and not on the local one');
    const port = t.containers![0].networkBindings![0].hostPort;
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(body, /berth/);
    await ecs.send(new StopTaskCommand({ cluster: 'edge', task: t.taskArn }));
    await waitForTask(ecs, 'edge', t.taskArn!, isStopped, 'STOPPED');
    assert.equal(engine2('ps', '-aq', '--filter', `label=berth.task-arn=${t.taskArn}`), '');
  });

  it('EC2 tasks are not placed on the external instance', async () => {
    await register(ecs, { family: 'ec2-only', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'x', image: 'berth-test/busybox:2', memory: 64 }] });
    const out = await ecs.send(new RunTaskCommand({ cluster: 'edge', taskDefinition: 'ec2-only', launchType: 'EC2' }));
    assert.equal(out.tasks?.length, 0);
    assert.equal(out.failures?.[0].reason, 'No Container Instances were found in your cluster.');
  });
});
