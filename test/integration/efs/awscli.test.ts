/** EFS through both AWS CLIs: what `aws efs …` users type. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws efs through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    let fsId = '';
    let mtId = '';
    const run = async (service: string, args: string[]) => {
      const r = await aws(name, berth.endpoint, [service, ...args]);
      assert.equal(r.code, 0, `aws ${service} ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };
    const waitFor = async (args: string[], done: (out: any) => boolean) => {
      for (let i = 0; i < 50; i++) {
        const out = await run('efs', args);
        if (done(out)) return out;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`aws efs ${args.join(' ')} never reached the state`);
    };

    it('create-file-system and describe-file-systems show it becoming available', async () => {
      const out = await run('efs', ['create-file-system', '--creation-token', `cli-${name}`, '--encrypted', '--tags', 'Key=Name,Value=cli']);
      assert.match(out.FileSystemId, /^fs-0[0-9a-f]{16}$/);
      assert.equal(out.LifeCycleState, 'creating');
      assert.equal(out.Encrypted, true);
      assert.equal(out.Name, 'cli');
      fsId = out.FileSystemId;
      const described = await waitFor(['describe-file-systems', '--file-system-id', fsId], (o) => o.FileSystems[0].LifeCycleState === 'available');
      assert.equal(described.FileSystems[0].CreationToken, `cli-${name}`);
      // v2 prints timestamps as ISO 8601; v1 prints the wire value (epoch seconds).
      assert.equal(typeof described.FileSystems[0].CreationTime, name === 'v2' ? 'string' : 'number');
    });

    it('a creation token used twice is FileSystemAlreadyExists', async () => {
      const r = await aws(name, berth.endpoint, ['efs', 'create-file-system', '--creation-token', `cli-${name}`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /FileSystemAlreadyExists/);
    });

    it('create-access-point and describe-access-points', async () => {
      const ap = await run('efs', [
        'create-access-point', '--file-system-id', fsId, '--posix-user', 'Uid=1000,Gid=1000',
        '--root-directory', 'Path=/app,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=755}',
      ]);
      assert.match(ap.AccessPointId, /^fsap-0[0-9a-f]{16}$/);
      assert.equal(ap.RootDirectory.CreationInfo.Permissions, '755');
      const listed = await run('efs', ['describe-access-points', '--file-system-id', fsId]);
      assert.deepEqual(listed.AccessPoints.map((a: { AccessPointId: string }) => a.AccessPointId), [ap.AccessPointId]);
    });

    it('create-mount-target in a default subnet, describe-mount-targets, delete-mount-target', async () => {
      const subnets = await run('ec2', ['describe-subnets', '--filters', 'Name=default-for-az,Values=true']);
      const subnet = subnets.Subnets[0].SubnetId;
      const mt = await run('efs', ['create-mount-target', '--file-system-id', fsId, '--subnet-id', subnet]);
      mtId = mt.MountTargetId;
      assert.equal(mt.SubnetId, subnet);
      const described = await waitFor(['describe-mount-targets', '--file-system-id', fsId], (o) => o.MountTargets[0]?.LifeCycleState === 'available');
      assert.equal(described.MountTargets[0].MountTargetId, mtId);
      const inUse = await aws(name, berth.endpoint, ['efs', 'delete-file-system', '--file-system-id', fsId]);
      assert.notEqual(inUse.code, 0);
      assert.match(inUse.stderr, /FileSystemInUse/);
      await run('efs', ['delete-mount-target', '--mount-target-id', mtId]);
      await waitFor(['describe-mount-targets', '--file-system-id', fsId], (o) => o.MountTargets.length === 0);
    });

    it('delete-file-system, after which the file system is FileSystemNotFound', async () => {
      await run('efs', ['delete-file-system', '--file-system-id', fsId]);
      for (let i = 0; i < 50; i++) {
        const r = await aws(name, berth.endpoint, ['efs', 'describe-file-systems', '--file-system-id', fsId]);
        if (r.code !== 0) {
          assert.match(r.stderr, /FileSystemNotFound/);
          return;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.fail('the file system was never deleted');
    });
  });
}
