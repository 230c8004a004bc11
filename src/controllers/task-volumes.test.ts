import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { FakeDriver } from '../runtime/fake/driver.js';
import type { RequestContext } from '../services/provider.js';
import { createAccessPoint } from '../services/efs/access-points.js';
import { createFileSystem } from '../services/efs/file-systems.js';
import { createMountTarget } from '../services/efs/mount-targets.js';
import { findSubnets, ensureDefaultNetwork, defaultVpcId } from '../services/ec2/network-refs.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { openDb, Statements } from '../state/db.js';
import { EfsFileSystems } from './efs-file-systems.js';
import { TaskVolumes } from './task-volumes.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/c/0123456789abcdef0123456789abcdef`;

describe('task volumes → mounts', () => {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const log = createLogger('silent');
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-task-volumes-'));
  const driver = new FakeDriver();
  const volumes = new TaskVolumes({ sql, driver, log, instanceId: 'test', dataDir });
  const efsController = new EfsFileSystems({ db, sql, log, clock: systemClock, dataDir });
  const keys: string[] = [];
  const ctx: RequestContext = {
    account: ACCOUNT, region: REGION, requestId: 'r', principalArn: '', accessKeyId: 'test', db, sql, clock: systemClock, log,
    changed: (_kind, key) => keys.push(key),
  };
  const api = async <T>(fn: () => T): Promise<T> => {
    const out = db.transaction(fn)();
    while (keys.length) await efsController.reconcile(keys.shift()!);
    return out;
  };
  let fsId: string;
  let fsDir: string;
  let otherFs: string;
  let subnetId: string;

  before(async () => {
    ensureDefaultNetwork(sql, ACCOUNT, REGION);
    const vpc = defaultVpcId(sql, ACCOUNT, REGION)!;
    subnetId = (sql.get("SELECT id FROM ec2_resources WHERE account = ? AND region = ? AND kind = 'subnet' AND vpc_id = ? LIMIT 1").get(ACCOUNT, REGION, vpc) as { id: string }).id;
    assert.ok(findSubnets(sql, ACCOUNT, REGION, [subnetId]).found.length);
    fsId = (await api(() => createFileSystem(ctx, { CreationToken: 'a' }))).FileSystemId!;
    otherFs = (await api(() => createFileSystem(ctx, { CreationToken: 'b' }))).FileSystemId!;
    await api(() => createMountTarget(ctx, { FileSystemId: fsId, SubnetId: subnetId }));
    fsDir = join(dataDir, 'volumes', 'efs', ACCOUNT, REGION, fsId);
  });
  after(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const task = (subnet?: string): Task => ({
    taskArn: TASK_ARN,
    attachments: subnet ? [{ type: 'ElasticNetworkInterface', details: [{ name: 'subnetId', value: subnet }] }] : [],
  });

  it('mountPoints, then volumesFrom chains with read-only inheritance and no duplicate targets', async () => {
    const def: TaskDefinition = {
      volumes: [{ name: 'scratch' }, { name: 'host', host: { sourcePath: '/srv/data' } }],
      containerDefinitions: [
        { name: 'a', mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }, { sourceVolume: 'host', containerPath: '/data', readOnly: true }] },
        { name: 'b', volumesFrom: [{ sourceContainer: 'a', readOnly: true }] },
        { name: 'c', mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }], volumesFrom: [{ sourceContainer: 'b' }] },
      ],
    };
    const scratch = `berth-${TASK_ARN.split('/').pop()}-scratch`;
    assert.deepEqual(await volumes.resolveMounts(task(), def, 'a'), [
      { type: 'volume', source: scratch, target: '/scratch', readOnly: false },
      { type: 'bind', source: '/srv/data', target: '/data', readOnly: true },
    ]);
    assert.deepEqual((await volumes.resolveMounts(task(), def, 'b')).map((m) => [m.target, m.readOnly]), [['/scratch', true], ['/data', true]]);
    assert.deepEqual(await volumes.resolveMounts(task(), def, 'c'), [
      { type: 'volume', source: scratch, target: '/data', readOnly: false },
      { type: 'volume', source: scratch, target: '/scratch', readOnly: true },
    ]);
    assert.equal((await driver.inspectVolume(scratch))?.labels['berth.task-arn'], TASK_ARN);
    await volumes.releaseMounts(task());
    assert.equal(await driver.inspectVolume(scratch), undefined);
  });

  it('an EFS rootDirectory resolves inside the file system, never outside it (.. or a symlink)', async () => {
    mkdirSync(join(fsDir, 'app'), { recursive: true });
    symlinkSync('/etc', join(fsDir, 'escape'));
    const mount = (rootDirectory: string) => volumes.resolveMounts(task(subnetId), {
      volumes: [{ name: 'e', efsVolumeConfiguration: { fileSystemId: fsId, rootDirectory } }],
      containerDefinitions: [{ name: 'x', mountPoints: [{ sourceVolume: 'e', containerPath: '/mnt' }] }],
    }, 'x');
    assert.equal((await mount('/app'))[0].source, join(fsDir, 'app'));
    assert.equal((await mount('/../../app'))[0].source, join(fsDir, 'app'));
    await assert.rejects(mount('/escape'), /No such file or directory/);
    await assert.rejects(mount('/missing'), new RegExp(`mounting ${fsId}\\.efs\\.us-east-1\\.amazonaws\\.com:/missing failed, reason given by server: No such file or directory`));
  });

  it("an access point of another file system, or one whose missing root has no CreationInfo, is refused as EFS refuses the mount", async () => {
    const foreign = await api(() => createAccessPoint(ctx, { FileSystemId: otherFs, ClientToken: 'f' }));
    const bare = await api(() => createAccessPoint(ctx, { FileSystemId: fsId, ClientToken: 'g', RootDirectory: { Path: '/nothing/here' } }));
    for (const ap of [foreign, bare]) {
      await assert.rejects(volumes.resolveMounts(task(subnetId), {
        volumes: [{ name: 'e', efsVolumeConfiguration: { fileSystemId: fsId, transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: ap.AccessPointId } } }],
        containerDefinitions: [{ name: 'x', mountPoints: [{ sourceVolume: 'e', containerPath: '/mnt' }] }],
      }, 'x'), /mount\.nfs4: access denied by server while mounting 127\.0\.0\.1:\//);
    }
  });

  it('a task in a VPC without a mount target cannot resolve the file system', async () => {
    const other = await api(() => createFileSystem(ctx, { CreationToken: 'c' }));
    await assert.rejects(volumes.resolveMounts(task(subnetId), {
      volumes: [{ name: 'e', efsVolumeConfiguration: { fileSystemId: other.FileSystemId } }],
      containerDefinitions: [{ name: 'x', mountPoints: [{ sourceVolume: 'e', containerPath: '/mnt' }] }],
    }, 'x'), /Failed to resolve/);
  });
});
