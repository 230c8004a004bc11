/**
 * ECS task volumes on a real Docker engine, through the SDKs: the task's own
 * volumes shared by its containers, EFS file systems shared across tasks and
 * clusters, access points, read-only mounts, and what a missing file system
 * does to a task. (Docker volumes and host paths are EC2 features:
 * ecs-docker-volumes.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, CreateMountTargetCommand, DescribeMountTargetsCommand, EFSClient,
} from '@aws-sdk/client-efs';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { fileSystemAvailable } from '../integration/efs/support.js';

const volumeExists = (name: string) => {
  try {
    execFileSync('docker', ['volume', 'inspect', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** GETs a file from a task's published port until it is served (the container may still be starting). */
async function fetchText(port: number, path: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (res?.status === 200) return res.text();
    last = res ? String(res.status) : 'no answer';
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${path} was not served on ${port} (last: ${last})`);
}

const portOf = (t: Task, container: string) => t.containers!.find((c) => c.name === container)!.networkBindings![0].hostPort!;

describe('ECS task volumes on Docker (Fargate launch type)', () => {
  let image: string;
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  const started: string[] = [];

  before(async () => {
    image = ensureBusyboxImage();
  });
  after(async () => {
    for (const arn of started) {
      const cluster = arn.split('/')[1];
      await berth.ecs.send(new StopTaskCommand({ cluster, task: arn })).catch(() => {});
    }
    for (const arn of started) await waitForTask(berth.ecs, arn.split('/')[1], arn, isStopped, 'STOPPED').catch(() => {});
  });
  const berth = useBerth({ clients: { ecs: ECSClient, efs: EFSClient } });
  before(async () => {
    net = await fargateNetwork(berth.endpoint);
    for (const clusterName of ['writers', 'readers']) await berth.ecs.send(new CreateClusterCommand({ clusterName }));
  });

  async function run(cluster: string, family: string, def: object): Promise<Task> {
    await register(berth.ecs, { family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', ...def } as never);
    const out = await berth.ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, launchType: 'FARGATE', networkConfiguration: net }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    started.push(out.tasks![0].taskArn!);
    return out.tasks![0];
  }

  /** A file system reachable from the default VPC: available, with mount targets in the task subnets. */
  async function reachableFileSystem(token: string): Promise<string> {
    const fsId = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: token }))).FileSystemId!;
    await fileSystemAvailable(berth.efs, fsId);
    for (const SubnetId of net.awsvpcConfiguration.subnets) await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId }));
    for (let i = 0; i < 100; i++) {
      const { MountTargets } = await berth.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fsId }));
      if (MountTargets!.every((m) => m.LifeCycleState === 'available')) return fsId;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('mount targets never became available');
  }

  const fsDir = (fsId: string) => join(berth.app.dataDir, 'volumes', 'efs', '000000000000', 'us-east-1', fsId);

  it("two containers of one task share the task's volume: one writes, the other serves it, and the volume goes with the task", async () => {
    const task = await run('writers', 'shared-scratch', {
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [
        { name: 'writer', image, essential: false, command: ['sh', '-c', 'echo written-by-the-writer > /data/msg.txt'], mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }] },
        {
          name: 'web', image, essential: true, command: ['httpd', '-f', '-p', '8080', '-h', '/srv'], stopTimeout: 1,
          portMappings: [{ containerPort: 8080 }], mountPoints: [{ sourceVolume: 'scratch', containerPath: '/srv' }],
          dependsOn: [{ containerName: 'writer', condition: 'SUCCESS' }],
        },
      ],
    });
    const running = await waitForTask(berth.ecs, 'writers', task.taskArn!, isRunning, 'RUNNING');
    assert.equal(await fetchText(portOf(running, 'web'), '/msg.txt'), 'written-by-the-writer\n');
    const volume = `berth-${task.taskArn!.split('/').pop()}-scratch`;
    assert.ok(volumeExists(volume), 'the task volume is a Docker volume while the task runs');
    await berth.ecs.send(new StopTaskCommand({ cluster: 'writers', task: task.taskArn }));
    await waitForTask(berth.ecs, 'writers', task.taskArn!, isStopped, 'STOPPED');
    assert.equal(volumeExists(volume), false, 'and is removed when the task stops');
  });

  it('two tasks in different clusters share one EFS file system: one writes, the other reads', async () => {
    const fsId = await reachableFileSystem('shared-across-clusters');
    const note = `note-${randomBytes(4).toString('hex')}`;
    const volumes = [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: fsId } }];
    const writer = await run('writers', 'efs-writer', {
      volumes,
      containerDefinitions: [{
        name: 'writer', image, essential: true, stopTimeout: 1, mountPoints: [{ sourceVolume: 'shared', containerPath: '/mnt/efs' }],
        command: ['sh', '-c', `mkdir -p /mnt/efs/notes && echo ${note} > /mnt/efs/notes/today.txt && exec sleep 600`],
      }],
    });
    await waitForTask(berth.ecs, 'writers', writer.taskArn!, isRunning, 'RUNNING');
    const reader = await run('readers', 'efs-reader', {
      volumes,
      containerDefinitions: [{
        name: 'reader', image, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 8080 }],
        mountPoints: [{ sourceVolume: 'shared', containerPath: '/mnt/efs' }], command: ['httpd', '-f', '-p', '8080', '-h', '/mnt/efs'],
      }],
    });
    const running = await waitForTask(berth.ecs, 'readers', reader.taskArn!, isRunning, 'RUNNING');
    assert.notEqual(running.clusterArn, writer.clusterArn);
    assert.equal(await fetchText(portOf(running, 'reader'), '/notes/today.txt'), `${note}\n`);
    assert.equal(readFileSync(join(fsDir(fsId), 'notes', 'today.txt'), 'utf8'), `${note}\n`, 'the file is in the file system Berth keeps');
  });

  it("an access point's root directory is what the container sees, created with the access point's owner and mode", async () => {
    const fsId = await reachableFileSystem('access-point');
    writeFileSync(join(fsDir(fsId), 'outside.txt'), 'not for the access point');
    const ap = await berth.efs.send(new CreateAccessPointCommand({
      FileSystemId: fsId, PosixUser: { Uid: 1000, Gid: 1000 },
      RootDirectory: { Path: '/apps/web', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '750' } },
    }));
    const task = await run('readers', 'efs-access-point', {
      volumes: [{
        name: 'app-data',
        efsVolumeConfiguration: { fileSystemId: fsId, transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: ap.AccessPointId, iam: 'DISABLED' } },
      }],
      containerDefinitions: [{
        name: 'app', image, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 8080 }],
        mountPoints: [{ sourceVolume: 'app-data', containerPath: '/data' }],
        command: ['sh', '-c', 'echo inside-the-access-point > /data/hello.txt && exec httpd -f -p 8080 -h /data'],
      }],
    });
    const running = await waitForTask(berth.ecs, 'readers', task.taskArn!, isRunning, 'RUNNING');
    const port = portOf(running, 'app');
    assert.equal(await fetchText(port, '/hello.txt'), 'inside-the-access-point\n');
    assert.equal((await fetch(`http://127.0.0.1:${port}/outside.txt`, { signal: AbortSignal.timeout(5000) })).status, 404, 'the file system root is not visible');
    assert.equal(readFileSync(join(fsDir(fsId), 'apps', 'web', 'hello.txt'), 'utf8'), 'inside-the-access-point\n');
    const st = statSync(join(fsDir(fsId), 'apps', 'web'));
    assert.equal(st.mode & 0o777, 0o750);
    if (process.getuid?.() === 0) assert.deepEqual([st.uid, st.gid], [1000, 1000]);
  });

  it('readOnly mount points and volumesFrom readOnly refuse writes', async () => {
    const fsId = await reachableFileSystem('read-only');
    const script = '(touch /mnt/ro/probe 2>/dev/null && echo rw || echo ro) > /www/efs.txt; exec httpd -f -p 8080 -h /www';
    const task = await run('readers', 'read-only', {
      volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: fsId } }, { name: 'www' }],
      containerDefinitions: [
        {
          name: 'app', image, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 8080 }], command: ['sh', '-c', script],
          mountPoints: [{ sourceVolume: 'efs', containerPath: '/mnt/ro', readOnly: true }, { sourceVolume: 'www', containerPath: '/www' }],
        },
        // Inherits /www and /mnt/ro from app, read-only: its write fails and it exits 1.
        { name: 'sidecar', image, essential: false, command: ['sh', '-c', 'sleep 1; touch /www/sidecar'], volumesFrom: [{ sourceContainer: 'app', readOnly: true }] },
      ],
    });
    const done = await waitForTask(berth.ecs, 'readers', task.taskArn!, (t) => isRunning(t) && t.containers!.find((c) => c.name === 'sidecar')?.lastStatus === 'STOPPED', 'sidecar done');
    assert.equal(await fetchText(portOf(done, 'app'), '/efs.txt'), 'ro\n');
    assert.equal(done.containers!.find((c) => c.name === 'sidecar')!.exitCode, 1, 'the read-only volumesFrom refused the write');
    assert.equal((await fetch(`http://127.0.0.1:${portOf(done, 'app')}/sidecar`, { signal: AbortSignal.timeout(5000) })).status, 404);
  });

  it('a missing file system fails the task with the ResourceInitializationError ECS reports', async () => {
    const task = await run('readers', 'efs-missing', {
      volumes: [{ name: 'gone', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0' } }],
      containerDefinitions: [{ name: 'app', image, essential: true, command: ['sleep', '600'], mountPoints: [{ sourceVolume: 'gone', containerPath: '/mnt' }] }],
    });
    const stopped = await waitForTask(berth.ecs, 'readers', task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason!, /^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-0123456789abcdef0\.efs\.us-east-1\.amazonaws\.com" - check that your file system ID is correct/);
    assert.equal(stopped.containers![0].runtimeId, undefined, 'the container was never created');
  });

  it('a file system without a mount target in the task VPC fails the same way', async () => {
    const fsId = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'no-mount-target' }))).FileSystemId!;
    await fileSystemAvailable(berth.efs, fsId);
    const task = await run('readers', 'efs-unreachable', {
      volumes: [{ name: 'v', efsVolumeConfiguration: { fileSystemId: fsId } }],
      containerDefinitions: [{ name: 'app', image, essential: true, command: ['sleep', '600'], mountPoints: [{ sourceVolume: 'v', containerPath: '/mnt' }] }],
    });
    const stopped = await waitForTask(berth.ecs, 'readers', task.taskArn!, isStopped, 'STOPPED');
    assert.match(stopped.stoppedReason!, new RegExp(`Failed to resolve "${fsId}\\.efs\\.us-east-1\\.amazonaws\\.com"`));
  });
});
