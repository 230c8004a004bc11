/**
 * Issue 22: the ECS-on-Fargate stack a team writes in Terraform (fixtures/terraform/ecs-fargate: default VPC and
 * subnets by data sources, security groups and vpc_security_group_*_rule, ECR repository with lifecycle policy and
 * scanning and an image pushed by the apply, log group, IAM execution and task roles with policy attachments, an SSM
 * parameter and a Secrets Manager secret (with a resource policy) as container secrets, EFS with mount targets and an
 * access point as a task volume, cluster with settings, task definition, ALB + target group + listener + rule, service
 * with circuit breaker behind the ALB) is applied unmodified by terraform 1.11 with the AWS provider 5.100, serves
 * through the ALB listener, plans no changes right after, and destroys to nothing, leaving no container.
 * Any diff `plan` reports is a wire-fidelity defect of the service it names. (Editing a rule in place, which the
 * provider does with ModifySecurityGroupRules, is covered in test/integration/ec2/security-groups.test.ts: one more
 * terraform run costs ~30 s here.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeClustersCommand, DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { useBerth } from '../helpers/use-berth.js';
import { eventually, freePort, request } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { terraformSkipReason, terraformWorkspace, type TerraformResult, type TerraformWorkspace } from '../helpers/terraform.js';

const skip = terraformSkipReason();
const FIXTURE = 'fixtures/terraform/ecs-fargate';

/** The command's output when it failed, for the assertion message. */
const shown = (r: TerraformResult) => `exit ${r.code}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-4000)}`;

describe('Terraform: the ECS-on-Fargate stack applies, serves through the ALB, plans no changes and destroys (issue 22)', { skip }, () => {
  let tf: TerraformWorkspace;
  let dockerConfig: string;
  let vars: Record<string, string | number>;
  let destroyed = false;
  let plan: Promise<TerraformResult> | undefined;
  /** The image as the tasks named it: the engine pulled it from Berth's registry under this tag. */
  let pulledTag: string | undefined;
  const taskArns = new Set<string>();

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
    clients: {
      ecs: ECSClient, elb: ElasticLoadBalancingV2Client, ecr: ECRClient, efs: EFSClient, iam: IAMClient,
      sm: SecretsManagerClient,
    },
  });

  before(async () => {
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-tf-docker-'));
    vars = { endpoint: berth.endpoint, listener_port: await freePort(), source_image: ensureBusyboxImage(), docker_config: dockerConfig };
    const ready = await init;
    assert.equal(ready.code, 0, shown(ready));
  });

  const listTasks = async () => (await berth.ecs.send(new ListTasksCommand({ cluster: 'web', serviceName: 'web' }))).taskArns ?? [];

  it('terraform apply creates the 34 resources and the service answers through the ALB listener with its secrets and EFS volume', async () => {
    const apply = await tf.run(['apply', '-auto-approve', '-parallelism=20'], { vars, timeoutMs: 150_000 });
    assert.equal(apply.code, 0, shown(apply));
    // `plan` right after the apply, beside the checks below (it reads; they only read): its verdict is the next test's.
    // About 10 s on a quiet machine; a CI run that shared the machine with a loaded run was still refreshing at 60 s.
    plan = tf.run(['plan', '-detailed-exitcode', '-parallelism=20'], { vars, timeoutMs: 150_000 });
    assert.match(apply.stdout, /Apply complete! Resources: 34 added, 0 changed, 0 destroyed\./);

    const port = Number(vars.listener_port);
    // The container's index is written from its two secrets (SSM and Secrets Manager); note.txt went through the EFS access point.
    const index = await eventually(async () => {
      const r = await request(port, '/');
      return r.status === 200 && r.body;
    }, 60_000, 500);
    assert.equal(index.trim(), 'hello-from-ssm s3cr3t-from-secrets-manager');
    assert.equal((await request(port, '/note.txt')).body.trim(), 'written-by-the-task');
    const rule = await request(port, '/maintenance/now');
    assert.deepEqual([rule.status, rule.body], [503, 'down for maintenance']);

    const { services } = await berth.ecs.send(new DescribeServicesCommand({ cluster: 'web', services: ['web'] }));
    const repo = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['web'] }))).repositories![0];
    assert.equal(repo.imageScanningConfiguration?.scanOnPush, true);
    pulledTag = `${repo.repositoryUri}:v1`;
    // The tasks run the image the apply pushed to the repository (the engine pulled it from Berth's registry).
    assert.doesNotThrow(() => execFileSync('docker', ['image', 'inspect', pulledTag!], { stdio: 'ignore' }), pulledTag);
    assert.equal(services![0].deploymentConfiguration?.deploymentCircuitBreaker?.enable, true);
    await eventually(async () => (await listTasks()).length === 2, 30_000);
    for (const arn of await listTasks()) taskArns.add(arn);
  });

  it('terraform plan right after apply reports no changes (every attribute reads back as configured)', async () => {
    assert.ok(plan, 'the apply completed and started the plan');
    const result = await plan;
    assert.equal(result.code, 0, `plan found changes or failed:\n${shown(result)}`);
    assert.match(result.stdout, /No changes\./);
  });

  it('terraform destroy removes everything and leaves no container of the service', async () => {
    for (const arn of await listTasks()) taskArns.add(arn);
    // -refresh=false: the plan above has just refreshed every resource and found it as the apply wrote it.
    const destroy = await tf.run(['destroy', '-auto-approve', '-refresh=false', '-parallelism=20'], { vars, timeoutMs: 120_000 });
    assert.equal(destroy.code, 0, shown(destroy));
    destroyed = true;
    assert.match(destroy.stdout, /Destroy complete! Resources: 34 destroyed\./);

    assert.deepEqual((await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.deepEqual((await berth.ecr.send(new DescribeRepositoriesCommand({}))).repositories, []);
    assert.deepEqual((await berth.efs.send(new DescribeFileSystemsCommand({}))).FileSystems, []);
    assert.deepEqual((await berth.sm.send(new ListSecretsCommand({}))).SecretList, []);
    assert.deepEqual((await berth.iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName).filter((n) => n?.startsWith('web-')), []);
    const cluster = (await berth.ecs.send(new DescribeClustersCommand({ clusters: ['web'] }))).clusters?.[0];
    assert.equal(cluster?.status ?? 'INACTIVE', 'INACTIVE');
    assert.equal(taskArns.size, 2);
    for (const arn of taskArns) {
      const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.task-arn=${arn}`], { encoding: 'utf8' }).trim();
      assert.equal(left, '', `containers of ${arn} remain`);
    }
    await assert.rejects(request(Number(vars.listener_port), '/'), 'the listener port is closed');
  });
});
