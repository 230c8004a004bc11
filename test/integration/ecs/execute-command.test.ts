/**
 * ECS Exec is not implemented: ExecuteCommand answers 501, so RunTask,
 * StartTask, CreateService and UpdateService refuse enableExecuteCommand=true
 * with InvalidParameterException instead of recording a promise Berth cannot
 * keep (fake runtime; the SDK v3 and the AWS CLI).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterContainerInstanceCommand, RunTaskCommand,
  StartTaskCommand,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { aws, cliAvailable } from '../../helpers/cli.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';

const C = 'exec';
const REFUSAL = 'Berth does not support ECS Exec yet: enableExecuteCommand must be false (ExecuteCommand is not implemented).';

describe('enableExecuteCommand (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'app', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true }],
    });
    await register(berth.ecs, { family: 'onec2', networkMode: 'bridge', containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true, memory: 64 }] });
  });

  it('RunTask, StartTask and CreateService refuse enableExecuteCommand=true and record nothing', async () => {
    await rejectsNamed(berth.ecs.send(new RunTaskCommand({
      cluster: C, taskDefinition: 'app', launchType: 'FARGATE', networkConfiguration: net, enableExecuteCommand: true,
    })), 'InvalidParameterException', REFUSAL);
    const { containerInstance } = await berth.ecs.send(new RegisterContainerInstanceCommand({ cluster: C }));
    await rejectsNamed(berth.ecs.send(new StartTaskCommand({
      cluster: C, taskDefinition: 'onec2', containerInstances: [containerInstance!.containerInstanceArn!], enableExecuteCommand: true,
    })), 'InvalidParameterException', REFUSAL);
    await rejectsNamed(berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: 'refused', taskDefinition: 'app', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: net, enableExecuteCommand: true,
    })), 'InvalidParameterException', REFUSAL);
    const { failures } = await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['refused'] }));
    assert.equal(failures?.[0]?.reason, 'MISSING');
    // Asking for it to be off is fine.
    const ok = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'app', launchType: 'FARGATE', networkConfiguration: net, enableExecuteCommand: false }));
    assert.equal(ok.tasks?.[0].enableExecuteCommand, false);
  });

  it('aws ecs update-service --enable-execute-command is refused; the service keeps it off', { skip: !cliAvailable('v2') }, async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'app', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: net }));
    const out = await aws('v2', berth.endpoint, ['ecs', 'update-service', '--cluster', C, '--service', 'web', '--enable-execute-command']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /InvalidParameterException/);
    assert.match(out.stderr, /Berth does not support ECS Exec yet/);
    const { services } = await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web'] }));
    assert.equal(services![0].enableExecuteCommand, false);
  });
});
