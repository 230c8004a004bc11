/**
 * EC2 Auto Scaling groups through both AWS CLIs (awscli v2 and the Python v1 on botocore; query protocol, XML):
 * a group on a launch template whose user data names an ECS cluster grows to its desired capacity spread over its
 * subnets' zones, its instances join the cluster, it shrinks on set-desired-capacity and replaces a terminated
 * instance, refuses what Auto Scaling refuses, and a forced delete terminates everything. Fake runtime.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`EC2 Auto Scaling groups through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const run = (...args: string[]) => aws(cli, berth.endpoint, args);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
      return r.json;
    };
    const until = async <T>(read: () => Promise<T>, done: (v: T) => boolean, what: string) => {
      let v: T;
      for (let n = 0; n < 80; n++) {
        v = await read();
        if (done(v)) return v;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`timed out: ${what}; last ${JSON.stringify(v!)}`);
    };
    const group = () => ok('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'nodes').then((o: any) => o.AutoScalingGroups[0]);
    const inService = (g: any) => (g?.Instances ?? []).filter((i: any) => i.LifecycleState === 'InService');

    it('a group converges to its desired capacity across zones, its instances join the cluster, and it shrinks and heals', async () => {
      const ami = (await ok('ssm', 'get-parameter', '--name', '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id')).Parameter.Value;
      await ok('ecs', 'create-cluster', '--cluster-name', 'asg');
      const userData = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=asg >> /etc/ecs/ecs.config\n').toString('base64');
      await ok('ec2', 'create-launch-template', '--launch-template-name', 'nodes', '--launch-template-data',
        JSON.stringify({ ImageId: ami, InstanceType: 't3.medium', UserData: userData }));
      const subnets = (await ok('ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true', 'Name=availability-zone,Values=us-east-1a,us-east-1b,us-east-1c'))
        .Subnets.map((s: any) => s.SubnetId);
      await ok('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'nodes', '--launch-template', 'LaunchTemplateName=nodes,Version=$Latest',
        '--min-size', '1', '--max-size', '6', '--desired-capacity', '3', '--vpc-zone-identifier', subnets.join(','), '--tags', 'Key=env,Value=dev,PropagateAtLaunch=true');
      const dup = await run('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'nodes', '--launch-template', 'LaunchTemplateName=nodes',
        '--min-size', '1', '--max-size', '6', '--vpc-zone-identifier', subnets[0]);
      assert.notEqual(dup.code, 0);
      assert.match(dup.stderr, /\(AlreadyExists\).*A group with the name nodes already exists/);

      const g = await until(group, (x) => inService(x).length === 3, 'three instances in service');
      assert.match(g.AutoScalingGroupARN, /^arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/nodes$/);
      assert.deepEqual(g.Instances.map((i: any) => i.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b', 'us-east-1c']);
      assert.deepEqual(g.LaunchTemplate.LaunchTemplateName, 'nodes');
      const ids: string[] = g.Instances.map((i: any) => i.InstanceId);
      const tagged = await ok('ec2', 'describe-instances', '--filters', 'Name=tag:aws:autoscaling:groupName,Values=nodes', 'Name=tag:env,Values=dev',
        '--query', 'Reservations[].Instances[].InstanceId');
      assert.deepEqual([...tagged].sort(), [...ids].sort());
      await until(() => ok('ecs', 'list-container-instances', '--cluster', 'asg'), (v: any) => v.containerInstanceArns.length === 3, 'three container instances');

      const bad = await run('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', 'nodes', '--desired-capacity', '9');
      assert.match(bad.stderr, /\(ValidationError\).*New SetDesiredCapacity value 9 is above max value 6 for the AutoScalingGroup\./);
      await ok('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', 'nodes', '--desired-capacity', '1');
      const small = await until(group, (x) => x.Instances.length === 1, 'one instance left');
      await until(() => ok('ecs', 'list-container-instances', '--cluster', 'asg'), (v: any) => v.containerInstanceArns.length === 1, 'one container instance');

      // An instance terminated behind the group's back is replaced.
      const lone = small.Instances[0].InstanceId;
      await ok('ec2', 'terminate-instances', '--instance-ids', lone);
      const healed = await until(group, (x) => inService(x).length === 1 && inService(x)[0].InstanceId !== lone, 'a replacement');
      const details = await ok('autoscaling', 'describe-auto-scaling-instances', '--instance-ids', healed.Instances[0].InstanceId);
      assert.equal(details.AutoScalingInstances[0].AutoScalingGroupName, 'nodes');
      assert.equal(details.AutoScalingInstances[0].HealthStatus, 'HEALTHY');

      const inUse = await run('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', 'nodes');
      assert.match(inUse.stderr, /\(ResourceInUse\)/);
      await ok('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', 'nodes', '--force-delete');
      await until(() => ok('autoscaling', 'describe-auto-scaling-groups'), (v: any) => v.AutoScalingGroups.length === 0, 'group gone');
      const left = await ok('ec2', 'describe-instances', '--filters', 'Name=tag:aws:autoscaling:groupName,Values=nodes', 'Name=instance-state-name,Values=pending,running',
        '--query', 'Reservations[].Instances[].InstanceId');
      assert.deepEqual(left, []);
      const missing = await run('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', 'nodes', '--desired-capacity', '1');
      assert.match(missing.stderr, /\(ValidationError\).*AutoScalingGroup name not found/);
    });
  });
}
