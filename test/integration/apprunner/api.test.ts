/**
 * App Runner's API on the in-memory runtime: auto scaling configurations (DefaultConfiguration and its defaults,
 * revisions, Latest, the default moved, deletion refused while a service uses one), CreateService from an image in
 * Berth's ECR (the service, its ARN and URL shapes, its Express service and the URL's host on its rule, the
 * CREATE_SERVICE operation), a missing image failing the creation, App Runner's errors by name, tags, and the same
 * through awscli v2 (create-service, list-services, describe-service). Serving, deployments and pause on real containers are in test/e2e/apprunner.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppRunnerClient, CreateAutoScalingConfigurationCommand, CreateServiceCommand, DeleteAutoScalingConfigurationCommand, DeleteServiceCommand,
  DescribeAutoScalingConfigurationCommand, DescribeServiceCommand, ListAutoScalingConfigurationsCommand, ListOperationsCommand, ListServicesCommand,
  ListServicesForAutoScalingConfigurationCommand, ListTagsForResourceCommand, PauseServiceCommand, TagResourceCommand,
  UpdateDefaultAutoScalingConfigurationCommand, type Service,
} from '@aws-sdk/client-apprunner';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { aws, cliAvailable } from '../../helpers/cli.js';
import { makeImage, Registry, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';

describe('App Runner API (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ar: AppRunnerClient, ecr: ECRClient, ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let image: string;
  let created: Service;

  before(async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    const reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    assert.equal((await reg.pushImage(`${ACCOUNT}/us-east-1/web`, makeImage({ layers: [Buffer.from('v1')] }), 'v1')).status, 201);
    image = `${new URL(berth.endpoint).host}/${ACCOUNT}/us-east-1/web:v1`;
  });

  it('DefaultConfiguration exists with App Runner\'s defaults; new names count revisions and the newest is Latest', async () => {
    const list = await berth.ar.send(new ListAutoScalingConfigurationsCommand({}));
    const def = list.AutoScalingConfigurationSummaryList!.find((s) => s.AutoScalingConfigurationName === 'DefaultConfiguration')!;
    assert.equal(def.IsDefault, true);
    assert.match(def.AutoScalingConfigurationArn!, /^arn:aws:apprunner:us-east-1:000000000000:autoscalingconfiguration\/DefaultConfiguration\/1\/[0-9a-f]{32}$/);
    const d = (await berth.ar.send(new DescribeAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: def.AutoScalingConfigurationArn }))).AutoScalingConfiguration!;
    assert.deepEqual([d.MaxConcurrency, d.MinSize, d.MaxSize, d.Latest, d.Status], [100, 1, 25, true, 'ACTIVE']);

    const r1 = (await berth.ar.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: 'busy', MaxConcurrency: 5, MaxSize: 3 }))).AutoScalingConfiguration!;
    const r2 = (await berth.ar.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: 'busy', MaxConcurrency: 10, MinSize: 2, MaxSize: 4 }))).AutoScalingConfiguration!;
    assert.deepEqual([r1.AutoScalingConfigurationRevision, r1.MinSize, r2.AutoScalingConfigurationRevision, r2.Latest], [1, 1, 2, true]);
    const latest = await berth.ar.send(new ListAutoScalingConfigurationsCommand({ AutoScalingConfigurationName: 'busy', LatestOnly: true }));
    assert.deepEqual(latest.AutoScalingConfigurationSummaryList!.map((s) => s.AutoScalingConfigurationRevision), [2]);
    // The name alone (…/busy) names its latest revision.
    const byName = r2.AutoScalingConfigurationArn!.split('/').slice(0, 2).join('/');
    assert.equal((await berth.ar.send(new DescribeAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: byName }))).AutoScalingConfiguration!.AutoScalingConfigurationRevision, 2);
    await rejects(berth.ar.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: 'bad-sizes', MinSize: 5, MaxSize: 2 })), 'InvalidRequestException');
    await rejects(berth.ar.send(new DescribeAutoScalingConfigurationCommand({
      AutoScalingConfigurationArn: `arn:aws:apprunner:us-east-1:${ACCOUNT}:autoscalingconfiguration/nope/1/00000000000000000000000000000000`,
    })), 'ResourceNotFoundException');

    const moved = await berth.ar.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: r1.AutoScalingConfigurationArn }));
    assert.equal(moved.AutoScalingConfiguration!.IsDefault, true);
    const again = await berth.ar.send(new ListAutoScalingConfigurationsCommand({}));
    assert.deepEqual(again.AutoScalingConfigurationSummaryList!.filter((s) => s.IsDefault).map((s) => s.AutoScalingConfigurationArn), [r1.AutoScalingConfigurationArn]);
    await berth.ar.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: def.AutoScalingConfigurationArn }));
  });

  it('CreateService from an image in Berth\'s ECR answers OPERATION_IN_PROGRESS with App Runner\'s ARN and URL shapes, on an Express service whose rule routes the URL', async () => {
    const asc = (await berth.ar.send(new ListAutoScalingConfigurationsCommand({ AutoScalingConfigurationName: 'busy', LatestOnly: true }))).AutoScalingConfigurationSummaryList![0];
    const out = await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'web-app',
      SourceConfiguration: {
        ImageRepository: {
          ImageIdentifier: image, ImageRepositoryType: 'ECR',
          ImageConfiguration: { Port: '8080', StartCommand: 'httpd -f -p 8080', RuntimeEnvironmentVariables: { GREETING: 'hi there' } },
        },
        AutoDeploymentsEnabled: true,
      },
      InstanceConfiguration: { Cpu: '0.25 vCPU', Memory: '0.5 GB' },
      AutoScalingConfigurationArn: asc.AutoScalingConfigurationArn,
      Tags: [{ Key: 'team', Value: 'web' }],
    }));
    created = out.Service!;
    assert.match(out.OperationId!, /^[0-9a-f]{32}$/);
    assert.equal(created.Status, 'OPERATION_IN_PROGRESS');
    assert.match(created.ServiceArn!, /^arn:aws:apprunner:us-east-1:000000000000:service\/web-app\/[0-9a-f]{32}$/);
    assert.equal(created.ServiceId, created.ServiceArn!.split('/')[2]);
    assert.match(created.ServiceUrl!, /^[0-9a-z]{10}\.us-east-1\.awsapprunner\.localhost$/);
    assert.deepEqual(created.InstanceConfiguration, { Cpu: '256', Memory: '512' });
    assert.deepEqual(created.HealthCheckConfiguration, { Protocol: 'TCP', Path: '/', Interval: 5, Timeout: 2, HealthyThreshold: 1, UnhealthyThreshold: 5 });
    assert.equal(created.AutoScalingConfigurationSummary!.AutoScalingConfigurationArn, asc.AutoScalingConfigurationArn);
    assert.equal(created.SourceConfiguration!.ImageRepository!.ImageIdentifier, image);

    // The Express service runs it: MinSize tasks of the image pinned to the tag's digest, the start command as words.
    const ecs = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'default', services: [`web-app-${created.ServiceId!.slice(0, 8)}`] }))).services![0];
    assert.equal(ecs.resourceManagementType, 'ECS');
    assert.equal(ecs.desiredCount, 2);
    assert.equal(ecs.deploymentConfiguration?.deploymentCircuitBreaker?.rollback, true);
    // The URL's host is on the Express service's Host rule of the shared load balancer, beside Express's own.
    const lb = (await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers![0];
    const listener = (await berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0];
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
    const hosts = rules.flatMap((r) => r.Conditions ?? []).flatMap((c) => c.HostHeaderConfig?.Values ?? []);
    assert.ok(hosts.includes(created.ServiceUrl!), JSON.stringify(hosts));
    const ops = await berth.ar.send(new ListOperationsCommand({ ServiceArn: created.ServiceArn }));
    assert.deepEqual(ops.OperationSummaryList!.map((o) => [o.Id, o.Type, o.TargetArn]), [[out.OperationId, 'CREATE_SERVICE', created.ServiceArn]]);
    assert.ok(['IN_PROGRESS', 'SUCCEEDED'].includes(ops.OperationSummaryList![0].Status!));

    const users = await berth.ar.send(new ListServicesForAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: asc.AutoScalingConfigurationArn }));
    assert.deepEqual(users.ServiceArnList, [created.ServiceArn]);
    await rejects(berth.ar.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: asc.AutoScalingConfigurationArn })), 'InvalidRequestException');
    const listed = await berth.ar.send(new ListServicesCommand({}));
    assert.deepEqual(listed.ServiceSummaryList!.map((s) => s.ServiceName), ['web-app']);
  });

  it('App Runner\'s errors: a taken name, a bad source, an unknown service, a state that does not allow the call', async () => {
    const source = { ImageRepository: { ImageIdentifier: image, ImageRepositoryType: 'ECR' as const } };
    await rejects(berth.ar.send(new CreateServiceCommand({ ServiceName: 'web-app', SourceConfiguration: source })), 'InvalidRequestException', /already exists/);
    await rejects(berth.ar.send(new CreateServiceCommand({ ServiceName: 'x', SourceConfiguration: source })), 'InvalidRequestException');
    await rejects(berth.ar.send(new CreateServiceCommand({
      ServiceName: 'from-code', SourceConfiguration: { CodeRepository: { RepositoryUrl: 'https://github.com/x/y', SourceCodeVersion: { Type: 'BRANCH', Value: 'main' } } },
    })), 'InvalidRequestException', /git repository on its host/);
    await rejects(berth.ar.send(new DescribeServiceCommand({ ServiceArn: `arn:aws:apprunner:us-east-1:${ACCOUNT}:service/none/00000000000000000000000000000000` })), 'ResourceNotFoundException');
    const now = (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: created.ServiceArn }))).Service!;
    if (now.Status === 'OPERATION_IN_PROGRESS') await rejects(berth.ar.send(new PauseServiceCommand({ ServiceArn: created.ServiceArn })), 'InvalidStateException');
  });

  it('a tag that is not in ECR fails the creation: CREATE_FAILED, the operation FAILED; the failed service can be deleted', async () => {
    const out = await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'missing-image',
      SourceConfiguration: { ImageRepository: { ImageIdentifier: image.replace(':v1', ':nope'), ImageRepositoryType: 'ECR' } },
    }));
    const arn = out.Service!.ServiceArn!;
    let s = out.Service!;
    for (let i = 0; i < 100 && s.Status === 'OPERATION_IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service!;
    }
    assert.equal(s.Status, 'CREATE_FAILED');
    const ops = await berth.ar.send(new ListOperationsCommand({ ServiceArn: arn }));
    assert.equal(ops.OperationSummaryList![0].Status, 'FAILED');
    assert.ok(ops.OperationSummaryList![0].EndedAt);
    await berth.ar.send(new DeleteServiceCommand({ ServiceArn: arn }));
    for (let i = 0; i < 100 && s.Status !== 'DELETED'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await berth.ar.send(new DescribeServiceCommand({ ServiceArn: arn })).then((o) => o.Service!, () => ({ ...s, Status: 'DELETED' as const }));
    }
    assert.equal(s.Status, 'DELETED');
    await rejects(berth.ar.send(new DescribeServiceCommand({ ServiceArn: arn })), 'ResourceNotFoundException');
  });

  it('tags on services and auto scaling configurations', async () => {
    await berth.ar.send(new TagResourceCommand({ ResourceArn: created.ServiceArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    const tags = await berth.ar.send(new ListTagsForResourceCommand({ ResourceArn: created.ServiceArn }));
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'web' }, { Key: 'env', Value: 'dev' }]);
    await rejects(berth.ar.send(new TagResourceCommand({ ResourceArn: created.ServiceArn, Tags: [{ Key: 'aws:x', Value: '1' }] })), 'InvalidRequestException');
  });

  it('awscli v2 lists and describes services, answers ResourceNotFoundException, and creates one', { skip: !cliAvailable('v2') }, async () => {
    const list = await aws('v2', berth.endpoint, ['apprunner', 'list-services']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.json.ServiceSummaryList.map((s: { ServiceName: string }) => s.ServiceName), ['web-app']);
    const desc = await aws('v2', berth.endpoint, ['apprunner', 'describe-service', '--service-arn', created.ServiceArn!]);
    assert.equal(desc.code, 0, desc.stderr);
    assert.equal(desc.json.Service.ServiceUrl, created.ServiceUrl);
    const missing = await aws('v2', berth.endpoint, ['apprunner', 'describe-service', '--service-arn', `arn:aws:apprunner:us-east-1:${ACCOUNT}:service/none/00000000000000000000000000000000`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
    const made = await aws('v2', berth.endpoint, ['apprunner', 'create-service', '--service-name', 'cli-made', '--source-configuration',
      JSON.stringify({ ImageRepository: { ImageIdentifier: image, ImageRepositoryType: 'ECR', ImageConfiguration: { Port: '80' } }, AutoDeploymentsEnabled: false })]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.json.Service.Status, 'OPERATION_IN_PROGRESS');
    assert.match(made.json.OperationId, /^[0-9a-f]{32}$/);
    assert.deepEqual(made.json.Service.InstanceConfiguration, { Cpu: '1024', Memory: '2048' });
    assert.equal(made.json.Service.SourceConfiguration.AutoDeploymentsEnabled, false);
  });
});
