/**
 * A task whose container the engine cannot start, on real Docker: its entry point lives on an EFS file system
 * and is not there yet, so runc refuses the start. The task ends STOPPED, desired STOPPED, with stopCode
 * TaskFailedToStart and a CannotStartContainerError reason, and once the file exists the service scheduler's
 * replacement runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Task,
} from '@aws-sdk/client-ecs';
import { CreateFileSystemCommand, CreateMountTargetCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, register } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { fileSystemAvailable } from '../integration/efs/support.js';

const C = 'failed-start';

describe('a task whose container start fails on Docker', () => {

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  async function tasks(desiredStatus: 'RUNNING' | 'STOPPED'): Promise<Task[]> {
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'app', desiredStatus }));
    return taskArns!.length ? (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns }))).tasks! : [];
  }

  after(async () => {
    await berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'app', force: true })).catch(() => {});
  });
  const berth = useBerth({ clients: { ecs: ECSClient, efs: EFSClient } });
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
  });

  it('is STOPPED with TaskFailedToStart and a CannotStartContainerError reason, and the service replaces it', async () => {
    const net = await fargateNetwork(berth.endpoint);
    const fsId = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'failed-start' }))).FileSystemId!;
    await fileSystemAvailable(berth.efs, fsId);
    for (const SubnetId of net.awsvpcConfiguration.subnets) await berth.efs.send(new CreateMountTargetCommand({ FileSystemId: fsId, SubnetId }));
    await waitFor('mount targets', async () =>
      (await berth.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fsId }))).MountTargets!.every((m) => m.LifeCycleState === 'available') || undefined);
    await register(berth.ecs, {
      family: 'app', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      volumes: [{ name: 'code', efsVolumeConfiguration: { fileSystemId: fsId } }],
      containerDefinitions: [{
        name: 'app', image: ensureBusyboxImage(), essential: true, stopTimeout: 1, entryPoint: ['/mnt/code/start.sh'],
        mountPoints: [{ sourceVolume: 'code', containerPath: '/mnt/code' }],
      }],
    });
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'app', taskDefinition: 'app', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net }));

    const failed = await waitFor('a task that failed to start', async () => (await tasks('STOPPED')).find((t) => t.lastStatus === 'STOPPED'));
    assert.equal(failed.desiredStatus, 'STOPPED');
    assert.equal(failed.stopCode, 'TaskFailedToStart');
    assert.match(failed.stoppedReason!, /^CannotStartContainerError: .*start\.sh/);
    // Now the entry point exists: the scheduler's replacement starts.
    const script = join(berth.app.dataDir, 'volumes', 'efs', '000000000000', 'us-east-1', fsId, 'start.sh');
    writeFileSync(script, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(script, 0o755);
    await waitFor('the replacement running', async () => {
      const s = (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['app'] }))).services![0];
      return s.runningCount === 1 && s.pendingCount === 0 ? s : undefined;
    }, 120_000);
    const stuck = (await tasks('RUNNING')).filter((t) => t.lastStatus === 'STOPPED');
    assert.deepEqual(stuck, []);
  });
});
