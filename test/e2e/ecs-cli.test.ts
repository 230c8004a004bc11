/**
 * The ECS control plane through both AWS CLIs (awscli v2 and the Python v1),
 * as a person types the commands: task definitions from a --cli-input-json
 * file, capacity providers in shorthand syntax, account settings, tags and
 * attributes, and the exit codes and messages of failures.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName, type CliResult } from '../helpers/cli.js';

const ACCOUNT = '000000000000';
const ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}`;
/** What each CLI exits with when the service answers an error. */
const SERVICE_ERROR_EXIT: Record<CliName, number> = { v2: 254, v1: 255 };

/** A realistic Fargate web service definition, as teams keep it in their repositories. */
const WEB_TASK_DEFINITION = {
  family: 'web',
  taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-task`,
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1 GB',
  runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
  containerDefinitions: [
    {
      name: 'web',
      image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2`,
      essential: true,
      portMappings: [{ name: 'web-8080-tcp', containerPort: 8080, protocol: 'tcp', appProtocol: 'http' }],
      environment: [{ name: 'NODE_ENV', value: 'production' }, { name: 'PORT', value: '8080' }],
      secrets: [{ name: 'DATABASE_URL', valueFrom: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:web/db-AbCdEf` }],
      healthCheck: { command: ['CMD-SHELL', 'wget -qO- http://localhost:8080/health || exit 1'], interval: 15, startPeriod: 30 },
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' },
      },
      dependsOn: [{ containerName: 'migrate', condition: 'SUCCESS' }],
    },
    {
      name: 'migrate',
      image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2`,
      essential: false,
      command: ['npm', 'run', 'migrate'],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'migrate' },
      },
    },
  ],
  tags: [{ key: 'service', value: 'web' }],
};

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`ECS control plane through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} is not installed` }, () => {
    const berth = useBerth();
    let dir: string;
    const run = (...args: string[]) => aws(cli, berth.endpoint, args);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
      return r.json;
    };
    const fails = (r: CliResult, code: string, message: string | RegExp) => {
      assert.equal(r.code, SERVICE_ERROR_EXIT[cli], r.stderr);
      assert.match(r.stderr, new RegExp(`An error occurred \\(${code}\\) when calling the \\w+ operation`));
      if (typeof message === 'string') assert.ok(r.stderr.includes(message), r.stderr);
      else assert.match(r.stderr, message);
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'berth-ecs-cli-'));
      writeFileSync(join(dir, 'web.json'), JSON.stringify(WEB_TASK_DEFINITION, null, 2));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('register-task-definition --cli-input-json registers a Fargate web task with ECS’s defaults', async () => {
      const out = await ok('ecs', 'register-task-definition', '--cli-input-json', `file://${join(dir, 'web.json')}`);
      const td = out.taskDefinition;
      assert.equal(td.taskDefinitionArn, `${ARN}:task-definition/web:1`);
      assert.equal(td.status, 'ACTIVE');
      assert.equal(td.cpu, '512');
      assert.equal(td.memory, '1024');
      assert.deepEqual(td.compatibilities, ['EC2', 'FARGATE']);
      assert.equal(td.registeredBy, `arn:aws:iam::${ACCOUNT}:root`);
      assert.ok(td.registeredAt, 'registeredAt is present');
      const web = td.containerDefinitions.find((c: any) => c.name === 'web');
      assert.deepEqual(web.portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'web-8080-tcp', appProtocol: 'http' }]);
      assert.deepEqual(web.healthCheck, { command: ['CMD-SHELL', 'wget -qO- http://localhost:8080/health || exit 1'], interval: 15, timeout: 5, retries: 3, startPeriod: 30 });
      assert.equal(web.cpu, 0);
      assert.deepEqual([web.mountPoints, web.volumesFrom, web.systemControls], [[], [], []]);
      const names = td.requiresAttributes.map((a: any) => a.name);
      for (const n of ['ecs.capability.task-eni', 'ecs.capability.execution-role-ecr-pull', 'ecs.capability.secrets.asm.environment-variables']) {
        assert.ok(names.includes(n), `missing ${n}`);
      }
      assert.deepEqual(out.tags, [{ key: 'service', value: 'web' }]);
    });

    it('describe, list and family listing see the registered revisions; --page-size pages through them', async () => {
      await ok('ecs', 'register-task-definition', '--cli-input-json', `file://${join(dir, 'web.json')}`);
      const described = await ok('ecs', 'describe-task-definition', '--task-definition', 'web', '--include', 'TAGS');
      assert.equal(described.taskDefinition.revision, 2);
      assert.deepEqual(described.tags, [{ key: 'service', value: 'web' }]);
      const listed = await ok('ecs', 'list-task-definitions', '--family-prefix', 'web', '--sort', 'DESC', '--page-size', '1');
      assert.deepEqual(listed.taskDefinitionArns, [`${ARN}:task-definition/web:2`, `${ARN}:task-definition/web:1`]);
      const families = await ok('ecs', 'list-task-definition-families', '--family-prefix', 'we');
      assert.deepEqual(families.families, ['web']);
    });

    it('deregister-task-definition then delete-task-definitions retire a revision; a missing one is a failure entry', async (t) => {
      const dereg = await ok('ecs', 'deregister-task-definition', '--task-definition', 'web:1');
      assert.equal(dereg.taskDefinition.status, 'INACTIVE');
      const r = await run('ecs', 'delete-task-definitions', '--task-definitions', 'web:1', 'web:9');
      // DeleteTaskDefinitions (2023) is newer than Debian's awscli 2.9, which rejects the command locally.
      if (r.code === 252 && /Invalid choice/.test(r.stderr)) return t.skip(`${CLIS[cli].name} has no delete-task-definitions command`);
      assert.equal(r.code, 0, r.stderr);
      const del = r.json;
      assert.equal(del.taskDefinitions[0].status, 'DELETE_IN_PROGRESS');
      assert.equal(del.failures[0].arn, `${ARN}:task-definition/web:9`);
    });

    it('register-task-definition errors exit non-zero with ECS’s ClientException message', async () => {
      fails(await run('ecs', 'register-task-definition', '--family', 'bad', '--requires-compatibilities', 'FARGATE', '--network-mode', 'awsvpc',
        '--cpu', '256', '--memory', '4096', '--container-definitions', '[{"name":"a","image":"nginx"}]'),
      'ClientException', 'No Fargate configuration exists for given values: 256 CPU, 4096 memory.');
      fails(await run('ecs', 'register-task-definition', '--family', 'bad', '--container-definitions', '[{"name":"a","image":"busybox"}]'),
        'ClientException', "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified.");
      fails(await run('ecs', 'describe-task-definition', '--task-definition', 'nope'), 'ClientException', 'Unable to describe task definition.');
    });

    it('capacity providers: create in shorthand syntax, describe after the Fargate ones, update, delete', async () => {
      const asg = `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:57ffcb94-11f0-4d6d-bf60-3bac5EXAMPLE:autoScalingGroupName/MyASG`;
      const created = await ok('ecs', 'create-capacity-provider', '--name', 'MyCapacityProvider', '--auto-scaling-group-provider',
        `autoScalingGroupArn=${asg},managedScaling={status=ENABLED,targetCapacity=100},managedTerminationProtection=DISABLED`);
      assert.equal(created.capacityProvider.status, 'ACTIVE');
      assert.equal(created.capacityProvider.autoScalingGroupProvider.managedScaling.instanceWarmupPeriod, 300);
      const described = await ok('ecs', 'describe-capacity-providers');
      assert.deepEqual(described.capacityProviders.map((c: any) => c.name), ['FARGATE', 'FARGATE_SPOT', 'MyCapacityProvider']);
      const updated = await ok('ecs', 'update-capacity-provider', '--name', 'MyCapacityProvider', '--auto-scaling-group-provider', 'managedScaling={targetCapacity=80}');
      assert.equal(updated.capacityProvider.autoScalingGroupProvider.managedScaling.targetCapacity, 80);
      fails(await run('ecs', 'create-capacity-provider', '--name', 'fargate-extra', '--auto-scaling-group-provider', `autoScalingGroupArn=${asg}`),
        'InvalidParameterException', /can't be prefixed/);
      const deleted = await ok('ecs', 'delete-capacity-provider', '--capacity-provider', 'MyCapacityProvider');
      assert.equal(deleted.capacityProvider.updateStatus, 'DELETE_IN_PROGRESS');
    });

    it('account settings: put a default, read it back as effective, delete it', async () => {
      const put = await ok('ecs', 'put-account-setting-default', '--name', 'containerInsights', '--value', 'enabled');
      // awscli 2.9's model predates Setting.type, so only the members both CLIs know are compared.
      const { name, value, principalArn } = put.setting;
      assert.deepEqual({ name, value, principalArn }, { name: 'containerInsights', value: 'enabled', principalArn: `arn:aws:iam::${ACCOUNT}:root` });
      const listed = await ok('ecs', 'list-account-settings', '--effective-settings', '--name', 'containerInsights');
      assert.equal(listed.settings[0].value, 'enabled');
      const all = await ok('ecs', 'list-account-settings', '--effective-settings');
      assert.equal(all.settings.length, 11);
      await ok('ecs', 'delete-account-setting', '--name', 'containerInsights');
      fails(await run('ecs', 'put-account-setting', '--name', 'containerInsights', '--value', 'maybe'), 'InvalidParameterException', /Invalid value for containerInsights/);
    });

    it('tags: tag-resource, list-tags-for-resource, untag-resource, and an invalid ARN', async () => {
      await ok('ecs', 'create-cluster', '--cluster-name', 'tagged');
      const cluster = `${ARN}:cluster/tagged`;
      const tagged = await run('ecs', 'tag-resource', '--resource-arn', cluster, '--tags', 'key=env,value=prod', 'key=team,value=web');
      assert.equal(tagged.code, 0, tagged.stderr);
      assert.deepEqual((await ok('ecs', 'list-tags-for-resource', '--resource-arn', cluster)).tags, [{ key: 'env', value: 'prod' }, { key: 'team', value: 'web' }]);
      assert.equal((await run('ecs', 'untag-resource', '--resource-arn', cluster, '--tag-keys', 'env')).code, 0);
      assert.deepEqual((await ok('ecs', 'list-tags-for-resource', '--resource-arn', cluster)).tags, [{ key: 'team', value: 'web' }]);
      fails(await run('ecs', 'list-tags-for-resource', '--resource-arn', 'arn:aws:ecr:us-east-1:000000000000:repository/x'), 'InvalidParameterException', 'The ARN provided is invalid.');
      fails(await run('ecs', 'list-tags-for-resource', '--resource-arn', `${ARN}:cluster/ghost`), 'ClusterNotFoundException', 'Cluster not found.');
    });

    it('attributes: list-attributes is empty and put-attributes on an unknown instance is TargetNotFoundException', async () => {
      const listed = await ok('ecs', 'list-attributes', '--cluster', 'tagged', '--target-type', 'container-instance');
      assert.deepEqual(listed.attributes, []);
      fails(await run('ecs', 'put-attributes', '--cluster', 'tagged', '--attributes',
        `name=stack,value=prod,targetId=${ARN}:container-instance/tagged/0123456789abcdef`), 'TargetNotFoundException', /target wasn't found/);
    });
  });
}
