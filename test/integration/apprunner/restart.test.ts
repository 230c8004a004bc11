/**
 * Nothing lost: App Runner's state survives a kill -9 of Berth (SQLite, WAL): services with their status, URL and
 * configuration, their operations (one in progress stays in progress), auto scaling configurations with revisions
 * and the default, tags.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppRunnerClient, CreateAutoScalingConfigurationCommand, CreateServiceCommand, DescribeServiceCommand,
  ListAutoScalingConfigurationsCommand, ListOperationsCommand, ListTagsForResourceCommand, UpdateDefaultAutoScalingConfigurationCommand,
} from '@aws-sdk/client-apprunner';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../../helpers/berth.js';
import { makeImage, Registry, registryAuth } from '../registry/client.js';

describe('App Runner across a Berth crash and restart (fake runtime)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-apprunner-restart-'));
  let berth: SpawnedBerth | undefined;
  after(async () => {
    await berth?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('services, operations, auto scaling configurations, the default and tags are there after kill -9', async () => {
    berth = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    let ar = new AppRunnerClient(clientConfig(berth.endpoint));
    const ecr = new ECRClient(clientConfig(berth.endpoint));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    const reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    await reg.pushImage('000000000000/us-east-1/web', makeImage({ layers: [Buffer.from('x')] }), 'v1');
    ecr.destroy();
    const asc = (await ar.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: 'kept', MaxConcurrency: 7, MaxSize: 3 }))).AutoScalingConfiguration!;
    await ar.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: asc.AutoScalingConfigurationArn }));
    const created = (await ar.send(new CreateServiceCommand({
      ServiceName: 'durable',
      SourceConfiguration: { ImageRepository: { ImageIdentifier: `${new URL(berth.endpoint).host}/000000000000/us-east-1/web:v1`, ImageRepositoryType: 'ECR' } },
      Tags: [{ Key: 'team', Value: 'web' }],
    }))).Service!;
    assert.equal(created.AutoScalingConfigurationSummary!.AutoScalingConfigurationArn, asc.AutoScalingConfigurationArn);
    const before = (await ar.send(new DescribeServiceCommand({ ServiceArn: created.ServiceArn }))).Service!;
    const opsBefore = (await ar.send(new ListOperationsCommand({ ServiceArn: created.ServiceArn }))).OperationSummaryList!;

    await berth.kill9();
    ar.destroy();
    berth = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    ar = new AppRunnerClient(clientConfig(berth.endpoint));

    const after_ = (await ar.send(new DescribeServiceCommand({ ServiceArn: created.ServiceArn }))).Service!;
    assert.equal(after_.ServiceUrl, before.ServiceUrl);
    assert.deepEqual(after_.SourceConfiguration, before.SourceConfiguration);
    assert.deepEqual(after_.CreatedAt, before.CreatedAt);
    const opsAfter = (await ar.send(new ListOperationsCommand({ ServiceArn: created.ServiceArn }))).OperationSummaryList!;
    assert.deepEqual(opsAfter.map((o) => [o.Id, o.Type]), opsBefore.map((o) => [o.Id, o.Type]));
    const ascs = (await ar.send(new ListAutoScalingConfigurationsCommand({}))).AutoScalingConfigurationSummaryList!;
    assert.deepEqual(ascs.filter((s) => s.IsDefault).map((s) => s.AutoScalingConfigurationArn), [asc.AutoScalingConfigurationArn]);
    assert.deepEqual((await ar.send(new ListTagsForResourceCommand({ ResourceArn: created.ServiceArn }))).Tags, [{ Key: 'team', Value: 'web' }]);

    // The creation still in progress at the crash is still in progress, as recorded (on the in-memory runtime the
    // service's targets never turn healthy, so it stays there; real containers finishing it are test/e2e/apprunner.test.ts).
    assert.equal(after_.Status, before.Status);
    assert.deepEqual(opsAfter.map((o) => o.Status), opsBefore.map((o) => o.Status));
    ar.destroy();
  });
});
