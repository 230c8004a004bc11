/**
 * EC2 instances, launch templates and instance profiles through both AWS CLIs (awscli v2 and the Python v1 on
 * botocore), the way ECS-on-EC2 tutorials drive them: the ECS-optimized AMI from SSM, an instance profile, a launch
 * template whose user data names the cluster, run-instances (whose --user-data the CLI base64-encodes), describe with
 * filters and --query, and the instance joining the cluster. Fake runtime: the real containers are test/e2e's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`EC2 instances through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const ok = async (...args: string[]) => {
      const r = await aws(cli, berth.endpoint, args);
      assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
      return r.json;
    };
    const until = async <T>(read: () => Promise<T>, done: (v: T) => boolean, what: string) => {
      for (let n = 0; n < 60; n++) {
        const v = await read();
        if (done(v)) return v;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`timed out: ${what}`);
    };

    it('launch template with ECS_CLUSTER user data → run-instances → the instance joins the cluster → terminate', async () => {
      const ami = (await ok('ssm', 'get-parameter', '--name', '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id')).Parameter.Value;
      await ok('ecs', 'create-cluster', '--cluster-name', 'cli-cluster');
      await ok('iam', 'create-role', '--role-name', 'ecsInstanceRole', '--assume-role-policy-document', TRUST);
      const profile = (await ok('iam', 'create-instance-profile', '--instance-profile-name', 'ecsInstanceProfile')).InstanceProfile;
      await ok('iam', 'add-role-to-instance-profile', '--instance-profile-name', 'ecsInstanceProfile', '--role-name', 'ecsInstanceRole');
      const userData = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=cli-cluster >> /etc/ecs/ecs.config\n').toString('base64');
      const lt = (await ok('ec2', 'create-launch-template', '--launch-template-name', 'cli-nodes', '--launch-template-data',
        JSON.stringify({ ImageId: ami, InstanceType: 't3.medium', IamInstanceProfile: { Name: 'ecsInstanceProfile' }, UserData: userData }))).LaunchTemplate;
      assert.match(lt.LaunchTemplateId, /^lt-0[0-9a-f]{16}$/);
      const versions = await ok('ec2', 'describe-launch-template-versions', '--launch-template-id', lt.LaunchTemplateId, '--versions', '$Latest');
      assert.equal(versions.LaunchTemplateVersions[0].LaunchTemplateData.UserData, userData);

      const run = await ok('ec2', 'run-instances', '--launch-template', `LaunchTemplateId=${lt.LaunchTemplateId},Version=$Latest`, '--count', '2',
        '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=cli-node}]');
      assert.equal(run.Instances.length, 2);
      assert.equal(run.Instances[0].IamInstanceProfile.Arn, profile.Arn);
      const ids: string[] = run.Instances.map((i: any) => i.InstanceId);
      const running = await until(
        () => ok('ec2', 'describe-instances', '--filters', 'Name=tag:Name,Values=cli-node', 'Name=instance-state-name,Values=running', '--query', 'Reservations[].Instances[].InstanceId'),
        (v: string[]) => v.length === 2, 'both running');
      assert.deepEqual([...running].sort(), [...ids].sort());
      const arns = await until(() => ok('ecs', 'list-container-instances', '--cluster', 'cli-cluster'), (v: any) => v.containerInstanceArns.length === 2, 'both registered');
      const cis = await ok('ecs', 'describe-container-instances', '--cluster', 'cli-cluster', '--container-instances', ...arns.containerInstanceArns);
      assert.deepEqual(cis.containerInstances.map((c: any) => c.ec2InstanceId).sort(), [...ids].sort());
      assert.ok(cis.containerInstances.every((c: any) => c.registeredResources.find((r: any) => r.name === 'CPU').integerValue === 2048));

      // Plain user data on the command line: the CLI base64-encodes it, as RunInstances requires.
      const direct = await ok('ec2', 'run-instances', '--image-id', ami, '--instance-type', 't3.micro', '--count', '1',
        '--user-data', '#!/bin/bash\necho ECS_CLUSTER=cli-cluster >> /etc/ecs/ecs.config');
      const directId = direct.Instances[0].InstanceId;
      const attr = await ok('ec2', 'describe-instance-attribute', '--instance-id', directId, '--attribute', 'userData');
      assert.equal(Buffer.from(attr.UserData.Value, 'base64').toString(), '#!/bin/bash\necho ECS_CLUSTER=cli-cluster >> /etc/ecs/ecs.config');

      const term = await ok('ec2', 'terminate-instances', '--instance-ids', ...ids, directId);
      assert.deepEqual(term.TerminatingInstances.map((t: any) => t.CurrentState.Name), ['shutting-down', 'shutting-down', 'shutting-down']);
      await until(() => ok('ecs', 'list-container-instances', '--cluster', 'cli-cluster'), (v: any) => v.containerInstanceArns.length === 0, 'all deregistered');
      const types = await ok('ec2', 'describe-instance-types', '--instance-types', 'c5.xlarge', '--query', 'InstanceTypes[0].[VCpuInfo.DefaultVCpus,MemoryInfo.SizeInMiB]');
      assert.deepEqual(types, [4, 8192]);
      const refused = await aws(cli, berth.endpoint, ['ec2', 'run-instances', '--image-id', ami, '--count', '1', '--iam-instance-profile', 'Name=missing']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /\(InvalidParameterValue\).*Invalid IAM Instance Profile name/);
    });
  });
}
