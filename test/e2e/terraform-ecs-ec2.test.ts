/**
 * Issue 22: the ECS-on-EC2 stack a team writes in Terraform (fixtures/terraform/ecs-ec2: the ECS-optimized AMI from
 * its SSM public parameter, an instance role and instance profile, security groups, a launch template whose base64
 * user data sets ECS_CLUSTER, an Auto Scaling group starting empty with scale-in protection and the AmazonECSManaged
 * tag, a capacity provider with managed scaling, managed termination protection and managed draining, the cluster's
 * capacity providers, a bridge-mode task definition of an image the apply pushes to ECR, an ALB with an instance
 * target group, and a service on the capacity provider strategy) is applied unmodified by terraform 1.11 with the AWS
 * provider 5.100. Managed scaling launches the instances (a CloudWatch minute is 0.5 s here), the tasks run as real
 * containers on them and answer through the ALB; `plan` right after reports no changes; `destroy` removes
 * everything (the group drains its protected instances) and leaves no container. Any diff is a wire-fidelity defect.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeCapacityProvidersCommand, DescribeClustersCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { eventually, freePort, request } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { terraformSkipReason, terraformWorkspace, type TerraformResult, type TerraformWorkspace } from '../helpers/terraform.js';

const skip = terraformSkipReason();
const FIXTURE = 'fixtures/terraform/ecs-ec2';
const RESOURCES = 18;

const shown = (r: TerraformResult) => `exit ${r.code}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-4000)}`;

describe('Terraform: the ECS-on-EC2 stack applies, scales its Auto Scaling group, serves through the ALB, plans no changes and destroys (issue 22)', { skip }, () => {
  let tf: TerraformWorkspace;
  let dockerConfig: string;
  let vars: Record<string, string | number>;
  let destroyed = false;
  let plan: Promise<TerraformResult> | undefined;
  let pulledTag: string | undefined;
  const taskArns = new Set<string>();
  const instanceIds = new Set<string>();

  let init: Promise<TerraformResult>;
  // Before Berth starts: the workspace (its provider process) and `init` need no endpoint, so they overlap Berth's start.
  before(() => {
    tf = terraformWorkspace(FIXTURE);
    init = tf.run(['init'], { timeoutMs: 60_000 });
  });

  // Registered before useBerth(): runs while Berth still runs, so a failed test does not leave the stack behind.
  after(async () => {
    await plan; // holds the state lock until it ends
    if (tf && vars && !destroyed) await tf.run(['destroy', '-auto-approve', '-parallelism=20'], { vars, timeoutMs: 120_000 });
    tf?.remove();
    if (pulledTag) spawnSync('docker', ['rmi', pulledTag], { stdio: 'ignore' });
    if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true });
  });

  const berth = useBerth({
    metricsPeriod: 0.5,
    clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client, ecr: ECRClient, ec2: EC2Client, asg: AutoScalingClient },
  });

  before(async () => {
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-tf-docker-'));
    vars = { endpoint: berth.endpoint, listener_port: await freePort(), source_image: ensureBusyboxImage(), docker_config: dockerConfig };
    const ready = await init;
    assert.equal(ready.code, 0, shown(ready));
  });

  const listTasks = async () => (await berth.ecs.send(new ListTasksCommand({ cluster: 'shop', serviceName: 'shop' }))).taskArns ?? [];
  const group = async () => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['shop-ecs'] }))).AutoScalingGroups?.[0];

  it(`terraform apply creates the ${RESOURCES} resources; managed scaling launches instances and the tasks answer through the ALB`, async () => {
    const apply = await tf.run(['apply', '-auto-approve', '-parallelism=20'], { vars, timeoutMs: 180_000 });
    assert.equal(apply.code, 0, shown(apply));
    // `plan` right after the apply, beside the checks below (it reads; they only read): its verdict is the next test's.
    plan = tf.run(['plan', '-detailed-exitcode', '-parallelism=20'], { vars, timeoutMs: 120_000 });
    assert.match(apply.stdout, new RegExp(`Apply complete! Resources: ${RESOURCES} added, 0 changed, 0 destroyed\\.`));

    // Three tasks of 1 vCPU on t3.micro instances (2 vCPUs): the group, created empty, grows to two.
    const tasks = await eventually(async () => {
      const arns = await listTasks();
      if (arns.length !== 3) return false;
      const { tasks: t } = await berth.ecs.send(new DescribeTasksCommand({ cluster: 'shop', tasks: arns }));
      return t!.every((x) => x.lastStatus === 'RUNNING') && t;
    }, 90_000, 500);
    const g = (await group())!;
    const members = g.Instances!.map((i) => i.InstanceId!);
    assert.equal(members.length, 2, JSON.stringify(g.Instances));
    for (const id of members) instanceIds.add(id);
    const { containerInstances } = await berth.ecs.send(new DescribeContainerInstancesCommand({
      cluster: 'shop', containerInstances: [...new Set(tasks.map((t) => t.containerInstanceArn!))],
    }));
    // Every task on an instance of the group, each a running container of the ECR image.
    for (const ci of containerInstances!) assert.ok(members.includes(ci.ec2InstanceId!), `${ci.ec2InstanceId} is in the group`);
    for (const t of tasks) {
      taskArns.add(t.taskArn!);
      assert.equal(t.capacityProviderName, 'shop-ec2');
      const ids = execFileSync('docker', ['ps', '-q', '--filter', `label=berth.task-arn=${t.taskArn}`], { encoding: 'utf8' }).trim();
      assert.notEqual(ids, '', `a container runs for ${t.taskArn}`);
    }
    // Managed termination protection: the instances that hold tasks are protected from scale-in.
    assert.ok(g.Instances!.every((i) => i.ProtectedFromScaleIn), JSON.stringify(g.Instances));
    const { Reservations } = await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: members }));
    for (const i of Reservations!.flatMap((r) => r.Instances!)) {
      assert.ok(i.IamInstanceProfile?.Arn?.endsWith(':instance-profile/shop-ecs-instance'), JSON.stringify(i.IamInstanceProfile));
      assert.ok(i.Tags?.some((t) => t.Key === 'AmazonECSManaged' && t.Value === 'true'), JSON.stringify(i.Tags));
    }

    const port = Number(vars.listener_port);
    const body = await eventually(async () => {
      const r = await request(port, '/');
      return r.status === 200 && r.body;
    }, 60_000, 500).catch(async (err) => {
      const tg = (await berth.elb.send(new DescribeTargetGroupsCommand({ Names: ['shop'] }))).TargetGroups![0];
      const health = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
      throw new Error(`${err.message}; targets: ${JSON.stringify(health.TargetHealthDescriptions)}; tasks: ${JSON.stringify(tasks.map((t) => t.containers?.[0]?.networkBindings))}`);
    });
    assert.match(body, /\S/);

    const repo = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop'] }))).repositories![0];
    pulledTag = `${repo.repositoryUri}:v1`;
    assert.doesNotThrow(() => execFileSync('docker', ['image', 'inspect', pulledTag!], { stdio: 'ignore' }), pulledTag);
  });

  it('terraform plan right after apply reports no changes (every attribute reads back as configured)', async () => {
    assert.ok(plan, 'the apply completed and started the plan');
    const result = await plan;
    assert.equal(result.code, 0, `plan found changes or failed:\n${shown(result)}`);
    assert.match(result.stdout, /No changes\./);
  });

  it('terraform destroy removes everything, terminates the instances and leaves no container', async () => {
    for (const arn of await listTasks()) taskArns.add(arn);
    const destroy = await tf.run(['destroy', '-auto-approve', '-refresh=false', '-parallelism=20'], { vars, timeoutMs: 150_000 });
    assert.equal(destroy.code, 0, shown(destroy));
    destroyed = true;
    assert.match(destroy.stdout, new RegExp(`Destroy complete! Resources: ${RESOURCES} destroyed\\.`));

    assert.equal(await group(), undefined);
    assert.deepEqual((await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    const cps = (await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['shop-ec2'] }))).capacityProviders ?? [];
    assert.ok(cps.every((c) => c.status === 'INACTIVE'), JSON.stringify(cps));
    const cluster = (await berth.ecs.send(new DescribeClustersCommand({ clusters: ['shop'] }))).clusters?.[0];
    assert.equal(cluster?.status ?? 'INACTIVE', 'INACTIVE');
    const { Reservations } = await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instanceIds] }));
    assert.deepEqual(Reservations!.flatMap((r) => r.Instances!).map((i) => i.State?.Name), [...instanceIds].map(() => 'terminated'));
    assert.equal(taskArns.size, 3);
    for (const arn of taskArns) {
      const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.task-arn=${arn}`], { encoding: 'utf8' }).trim();
      assert.equal(left, '', `containers of ${arn} remain`);
    }
    await assert.rejects(request(Number(vars.listener_port), '/'), 'the listener port is closed');
  });
});
