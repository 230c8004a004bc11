import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, RegisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand,
  ListTaskDefinitionFamiliesCommand, DeregisterTaskDefinitionCommand, DeleteTaskDefinitionsCommand,
  ClientException, InvalidParameterException, paginateListTaskDefinitions, paginateListTaskDefinitionFamilies,
  type ContainerDefinition, type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

const ARN = 'arn:aws:ecs:us-east-1:000000000000:task-definition';
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';

const fargateWeb = (family: string, extra: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: EXEC_ROLE,
  containerDefinitions: [{ name: 'web', image: 'nginx:1.27', portMappings: [{ containerPort: 80 }] }],
  ...extra,
});

const ec2 = (family: string, containers: ContainerDefinition[] = [{ name: 'app', image: 'busybox', memory: 128 }]) => ({
  family,
  containerDefinitions: containers,
});

describe('ECS task definitions through the v3 SDK', () => {
  const berth = useBerth({ clients: { ecs: ECSClient } });

  it('RegisterTaskDefinition of a Fargate web task returns revision 1 with the defaults ECS fills in', async () => {
    const before = Date.now();
    const { taskDefinition: td, tags } = await berth.ecs.send(new RegisterTaskDefinitionCommand(fargateWeb('web', {
      cpu: '.25 vCPU', memory: '0.5 GB', tags: [{ key: 'team', value: 'web' }],
    })));
    assert.equal(td?.taskDefinitionArn, `${ARN}/web:1`);
    assert.equal(td?.family, 'web');
    assert.equal(td?.revision, 1);
    assert.equal(td?.status, 'ACTIVE');
    assert.equal(td?.cpu, '256');
    assert.equal(td?.memory, '512');
    assert.equal(td?.networkMode, 'awsvpc');
    assert.deepEqual(td?.compatibilities, ['EC2', 'FARGATE']);
    assert.deepEqual(td?.requiresCompatibilities, ['FARGATE']);
    assert.deepEqual(td?.volumes, []);
    assert.deepEqual(td?.placementConstraints, []);
    assert.equal(td?.registeredBy, 'arn:aws:iam::000000000000:root');
    assert.ok(td?.registeredAt instanceof Date && td.registeredAt.getTime() >= before - 1000);
    assert.deepEqual(td?.containerDefinitions, [{
      name: 'web', image: 'nginx:1.27', cpu: 0, essential: true,
      portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
      environment: [], mountPoints: [], volumesFrom: [], systemControls: [],
    }]);
    const attrs = td?.requiresAttributes?.map((a) => a.name);
    assert.ok(attrs?.includes('ecs.capability.task-eni'));
    assert.ok(attrs?.includes('com.amazonaws.ecs.capability.docker-remote-api.1.18'));
    assert.deepEqual(tags, [{ key: 'team', value: 'web' }]);
  });

  it('an EC2 definition without networkMode omits it, keeps hostPort unset and runs on EXTERNAL and EC2', async () => {
    const { taskDefinition: td } = await berth.ecs.send(new RegisterTaskDefinitionCommand(ec2('worker', [
      { name: 'app', image: 'busybox', memory: 128, command: ['sleep', '360'], portMappings: [{ containerPort: 8080 }] },
    ])));
    assert.equal(td?.networkMode, undefined);
    assert.deepEqual(td?.compatibilities, ['EXTERNAL', 'EC2']);
    assert.deepEqual(td?.containerDefinitions?.[0].portMappings, [{ containerPort: 8080, protocol: 'tcp' }]);
    assert.deepEqual(td?.containerDefinitions?.[0].command, ['sleep', '360']);
    assert.equal(td?.requiresCompatibilities, undefined);
  });

  it('keeps the request’s container fields intact and fills health-check defaults', async () => {
    const { taskDefinition: td } = await berth.ecs.send(new RegisterTaskDefinitionCommand(fargateWeb('full', {
      cpu: '1024', memory: '2048', taskRoleArn: 'arn:aws:iam::000000000000:role/app',
      containerDefinitions: [
        {
          name: 'app', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', essential: true,
          environment: [{ name: 'MODE', value: 'prod' }], secrets: [{ name: 'DB', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/db' }],
          dockerLabels: { tier: 'web' }, ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
          healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } },
          dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
        },
        { name: 'init', image: 'busybox', essential: false, command: ['true'] },
      ],
    })));
    const app = td?.containerDefinitions?.find((c) => c.name === 'app');
    assert.deepEqual(app?.healthCheck, { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 30, timeout: 5, retries: 3 });
    assert.deepEqual(app?.environment, [{ name: 'MODE', value: 'prod' }]);
    assert.deepEqual(app?.dockerLabels, { tier: 'web' });
    assert.deepEqual(app?.dependsOn, [{ containerName: 'init', condition: 'SUCCESS' }]);
    assert.equal(td?.containerDefinitions?.find((c) => c.name === 'init')?.essential, false);
    const attrs = new Set(td?.requiresAttributes?.map((a) => a.name));
    for (const name of ['com.amazonaws.ecs.capability.task-iam-role', 'com.amazonaws.ecs.capability.ecr-auth', 'ecs.capability.execution-role-ecr-pull',
      'ecs.capability.container-health-check', 'ecs.capability.execution-role-awslogs', 'com.amazonaws.ecs.capability.logging-driver.awslogs',
      'ecs.capability.container-ordering', 'ecs.capability.secrets.ssm.environment-variables']) {
      assert.ok(attrs.has(name), `missing ${name}`);
    }
  });

  it('registering the same family again adds the next revision', async () => {
    const { taskDefinition: td } = await berth.ecs.send(new RegisterTaskDefinitionCommand(fargateWeb('web')));
    assert.equal(td?.revision, 2);
    assert.equal(td?.taskDefinitionArn, `${ARN}/web:2`);
  });

  const invalid: [string, RegisterTaskDefinitionCommandInput, string | RegExp][] = [
    ['a family with spaces', ec2('bad family'), /Family name can only contain/],
    ['no containers', { family: 'x', containerDefinitions: [] }, 'Container list cannot be empty.'],
    ['a container without a name', ec2('x', [{ image: 'busybox', memory: 64 }]), 'Container.name should not be null or empty.'],
    ['a container without an image', ec2('x', [{ name: 'a', memory: 64 }]), 'Container.image should not be null or empty.'],
    ['an EC2 container without memory', ec2('x', [{ name: 'a', image: 'busybox' }]),
      "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified."],
    ['memoryReservation above memory', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, memoryReservation: 128 }]), /'memory' must be greater than or equal to 'memoryReservation'/],
    ['no essential container', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, essential: false }]), 'Task definition does not have any essential container'],
    ['duplicate container names', ec2('x', [{ name: 'a', image: 'busybox', memory: 64 }, { name: 'a', image: 'busybox', memory: 64 }]), /Container names must be unique/],
    ['a dependency on a missing container', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, dependsOn: [{ containerName: 'db', condition: 'START' }] }]),
      "Cannot depend on container + 'db' because it does not exist"],
    ['a mount of an undeclared volume', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }]), /sourceVolume 'data'/],
    ['an awsvpc host port that differs from the container port', { ...ec2('x', [{ name: 'a', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] }]), networkMode: 'awsvpc' },
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match.'],
    ['a container port mapped twice', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }, { containerPort: 80 }] }]), /more than once/],
    ['awslogs without a group', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-region': 'us-east-1' } } }]),
      "Log driver awslogs option 'awslogs-group' should not be null or empty."],
    ['Fargate in bridge mode', { ...fargateWeb('x'), networkMode: 'bridge' }, 'Fargate only supports network mode ‘awsvpc’.'],
    ['Fargate without task cpu', { ...fargateWeb('x'), cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
    ['Fargate without task memory', { ...fargateWeb('x'), memory: undefined }, "Fargate requires that 'memory' be defined at the task level."],
    ['an unsupported Fargate size', fargateWeb('x', { cpu: '256', memory: '4096' }),
      'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.'],
    ['an unreadable cpu', fargateWeb('x', { cpu: 'lots' }), /^Invalid 'cpu' setting for task\./],
    ['Fargate awslogs without an execution role', fargateWeb('x', {
      executionRoleArn: undefined,
      containerDefinitions: [{ name: 'a', image: 'nginx', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1' } } }],
    }), 'Fargate requires task definition to have execution role ARN to support log driver awslogs.'],
    ['secrets without an execution role', ec2('x', [{ name: 'a', image: 'busybox', memory: 64, secrets: [{ name: 'DB', valueFrom: '/db' }] }]),
      "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."],
    ['private registry credentials without an execution role',
      ec2('x', [{ name: 'a', image: 'registry.example.com/app:1', memory: 64, repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg' } }]),
      'Private repository authentication requires that the task definition specify a value for executionRoleArn.'],
    ['an EFS access point with its own root directory', { ...ec2('x'), volumes: [{ name: 'v', efsVolumeConfiguration: {
      fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/data', transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0' } } }] },
      /When using an EFS access point, the root directory must either be set to "\/" or be omitted\.$/],
    ['EFS IAM authorization without transit encryption', { ...ec2('x'), volumes: [{ name: 'v', efsVolumeConfiguration: {
      fileSystemId: 'fs-0123456789abcdef0', authorizationConfig: { iam: 'ENABLED' } } }] },
      /Transit encryption must be enabled when using an EFS access point or IAM authorization\.$/],
    ['a Fargate ephemeral storage below 21 GiB', fargateWeb('x', { ephemeralStorage: { sizeInGiB: 20 } }), 'EphemeralStorage size should be at least 21'],
  ];
  for (const [what, input, message] of invalid) {
    it(`RegisterTaskDefinition rejects ${what} with ClientException`, async () => {
      await rejects(berth.ecs.send(new RegisterTaskDefinitionCommand(input)), ClientException, message);
    });
  }

  it('accepts every edge of the Fargate size table and refuses sizes just outside it', async () => {
    const ok = [['256', '2048'], ['512', '1 GB'], ['1 vcpu', '8 GB'], ['2048', '16384'], ['4096', '30720'], ['8192', '61440'], ['16384', '122880']];
    for (const [cpu, memory] of ok) await berth.ecs.send(new RegisterTaskDefinitionCommand(fargateWeb('sizes', { cpu, memory })));
    const bad = [['1024', '9216'], ['4096', '31744'], ['8192', '18432'], ['16384', '36864'], ['32768', '131072']];
    for (const [cpu, memory] of bad) {
      await rejects(berth.ecs.send(new RegisterTaskDefinitionCommand(fargateWeb('sizes', { cpu, memory }))), ClientException, /No Fargate configuration exists/);
    }
  });

  it('DescribeTaskDefinition finds a family’s latest ACTIVE revision, a family:revision and an ARN, with tags only when asked', async () => {
    const latest = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    assert.equal(latest.taskDefinition?.revision, 2);
    assert.equal(latest.tags, undefined);
    const first = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1', include: ['TAGS'] }));
    assert.equal(first.taskDefinition?.revision, 1);
    assert.deepEqual(first.tags, [{ key: 'team', value: 'web' }]);
    const byArn = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${ARN}/web:2` }));
    assert.equal(byArn.taskDefinition?.taskDefinitionArn, `${ARN}/web:2`);
    await rejects(berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })), ClientException, 'Unable to describe task definition.');
    await rejects(berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:99' })), ClientException, 'Unable to describe task definition.');
  });

  it('ListTaskDefinitions filters by exact family and status, sorts, and pages', async () => {
    for (let i = 0; i < 4; i++) await berth.ecs.send(new RegisterTaskDefinitionCommand(ec2('pager')));
    await berth.ecs.send(new RegisterTaskDefinitionCommand(ec2('pager-other')));
    const asc = await berth.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'pager' }));
    assert.deepEqual(asc.taskDefinitionArns, [1, 2, 3, 4].map((r) => `${ARN}/pager:${r}`));
    const desc = await berth.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'pager', sort: 'DESC', maxResults: 3 }));
    assert.deepEqual(desc.taskDefinitionArns, [4, 3, 2].map((r) => `${ARN}/pager:${r}`));
    assert.ok(desc.nextToken);
    const rest = await berth.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'pager', sort: 'DESC', maxResults: 3, nextToken: desc.nextToken }));
    assert.deepEqual(rest.taskDefinitionArns, [`${ARN}/pager:1`]);
    assert.equal(rest.nextToken, undefined);
    const all: string[] = [];
    for await (const page of paginateListTaskDefinitions({ client: berth.ecs, pageSize: 2 }, {})) all.push(...(page.taskDefinitionArns ?? []));
    const key = (arn: string) => { const [family, rev] = arn.split('/')[1].split(':'); return [family, Number(rev)] as const; };
    const byFamilyThenRevision = (a: string, b: string) => {
      const [fa, ra] = key(a);
      const [fb, rb] = key(b);
      return fa < fb ? -1 : fa > fb ? 1 : ra - rb;
    };
    assert.deepEqual(all, [...all].sort(byFamilyThenRevision));
    assert.ok(all.includes(`${ARN}/pager-other:1`) && all.includes(`${ARN}/web:1`));
    await rejects(berth.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 })), InvalidParameterException, /maxResults/);
    await rejects(berth.ecs.send(new ListTaskDefinitionsCommand({ nextToken: 'garbage' })), InvalidParameterException, /nextToken/);
  });

  it('DeregisterTaskDefinition makes a revision INACTIVE; the family then names its latest ACTIVE one', async () => {
    const { taskDefinition: td } = await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'pager:4' }));
    assert.equal(td?.status, 'INACTIVE');
    assert.ok(td?.deregisteredAt instanceof Date);
    const latest = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'pager' }));
    assert.equal(latest.taskDefinition?.revision, 3);
    const inactive = await berth.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'pager', status: 'INACTIVE' }));
    assert.deepEqual(inactive.taskDefinitionArns, [`${ARN}/pager:4`]);
    const again = await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${ARN}/pager:4` }));
    assert.equal(again.taskDefinition?.status, 'INACTIVE');
    await rejects(berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'pager' })), ClientException, /revision must be specified/);
    await rejects(berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'pager:77' })), ClientException, 'Unable to describe task definition.');
    await rejects(berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'pager:latest' })), ClientException, 'Invalid revision number. Number: latest');
  });

  it('ListTaskDefinitionFamilies filters by prefix and by ACTIVE, INACTIVE or ALL, and pages', async () => {
    await berth.ecs.send(new RegisterTaskDefinitionCommand(ec2('gone')));
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'gone:1' }));
    const prefixed = await berth.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'pager' }));
    assert.deepEqual(prefixed.families, ['pager', 'pager-other']);
    const active = await berth.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE' }));
    assert.ok(!active.families?.includes('gone') && active.families?.includes('web'));
    const inactive = await berth.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'INACTIVE' }));
    assert.deepEqual(inactive.families, ['gone']);
    const all: string[] = [];
    for await (const page of paginateListTaskDefinitionFamilies({ client: berth.ecs, pageSize: 2 }, { status: 'ALL' })) all.push(...(page.families ?? []));
    assert.deepEqual(all, ['full', 'gone', 'pager', 'pager-other', 'sizes', 'web', 'worker']);
  });

  it('DeleteTaskDefinitions deletes INACTIVE revisions, reports ACTIVE and unknown ones as failures, and never reuses a revision', async () => {
    const out = await berth.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['gone:1', 'pager:3', 'nope:1'] }));
    assert.equal(out.taskDefinitions?.length, 1);
    assert.equal(out.taskDefinitions?.[0].status, 'DELETE_IN_PROGRESS');
    assert.ok(out.taskDefinitions?.[0].deleteRequestedAt instanceof Date);
    assert.deepEqual(out.failures?.map((f) => f.arn), [`${ARN}/pager:3`, `${ARN}/nope:1`]);
    assert.match(out.failures?.[0].reason ?? '', /still in ACTIVE status/);
    assert.match(out.failures?.[1].reason ?? '', /does not exist/);
    const described = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'gone:1' }));
    assert.equal(described.taskDefinition?.status, 'DELETE_IN_PROGRESS');
    const deleting = await berth.ecs.send(new ListTaskDefinitionsCommand({ status: 'DELETE_IN_PROGRESS' }));
    assert.deepEqual(deleting.taskDefinitionArns, [`${ARN}/gone:1`]);
    await rejects(berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'gone:1' })), ClientException, /in the process of being deleted/);
    const { taskDefinition: next } = await berth.ecs.send(new RegisterTaskDefinitionCommand(ec2('gone')));
    assert.equal(next?.revision, 2);
    await rejects(berth.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: Array.from({ length: 11 }, (_, i) => `pager:${i + 1}`) })),
      InvalidParameterException, /at most 10/);
  });

  it('task definitions are scoped per region', async () => {
    const west = new ECSClient(clientConfig(berth.endpoint, 'us-west-2'));
    try {
      const { taskDefinition: td } = await west.send(new RegisterTaskDefinitionCommand(fargateWeb('web')));
      assert.equal(td?.taskDefinitionArn, 'arn:aws:ecs:us-west-2:000000000000:task-definition/web:1');
      const { families } = await west.send(new ListTaskDefinitionFamiliesCommand({}));
      assert.deepEqual(families, ['web']);
      await rejects(west.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${ARN}/web:1` })), ClientException, 'Unable to describe task definition.');
    } finally {
      west.destroy();
    }
  });
});
