import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, CreateClusterCommand, DescribeClustersCommand, ListClustersCommand, DeleteClusterCommand,
  UpdateClusterSettingsCommand, UpdateClusterCommand, PutClusterCapacityProvidersCommand, ClusterNotFoundException,
  InvalidParameterException, paginateListClusters,
} from '@aws-sdk/client-ecs';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('ECS clusters through the v3 SDK', () => {
  const berth = useBerth({ clients: { ecs: ECSClient } });

  it('CreateCluster returns an ACTIVE cluster with the long ARN and containerInsights disabled', async () => {
    const { cluster } = await berth.ecs.send(new CreateClusterCommand({ clusterName: 'demo', tags: [{ key: 'team', value: 'web' }] }));
    assert.equal(cluster?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/demo');
    assert.equal(cluster?.status, 'ACTIVE');
    assert.deepEqual(cluster?.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.deepEqual(cluster?.tags, [{ key: 'team', value: 'web' }]);
  });

  it('CreateCluster with an existing name returns the same cluster', async () => {
    const { cluster } = await berth.ecs.send(new CreateClusterCommand({ clusterName: 'demo' }));
    assert.equal(cluster?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/demo');
    const { clusterArns } = await berth.ecs.send(new ListClustersCommand({}));
    assert.equal(clusterArns?.filter((a) => a.endsWith('/demo')).length, 1);
  });

  it('CreateCluster without a name creates the default cluster', async () => {
    const { cluster } = await berth.ecs.send(new CreateClusterCommand({}));
    assert.equal(cluster?.clusterName, 'default');
  });

  it('CreateCluster rejects an invalid name with InvalidParameterException', async () => {
    await assert.rejects(berth.ecs.send(new CreateClusterCommand({ clusterName: 'bad name!' })), InvalidParameterException);
  });

  it('DescribeClusters reports missing clusters in failures and includes tags only when asked', async () => {
    const out = await berth.ecs.send(new DescribeClustersCommand({ clusters: ['demo', 'nope'] }));
    assert.equal(out.clusters?.length, 1);
    assert.deepEqual(out.clusters?.[0].tags, []);
    assert.deepEqual(out.clusters?.[0].settings, [], 'ECS sends settings as [] unless include has SETTINGS');
    assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope', reason: 'MISSING' }]);
    const withTags = await berth.ecs.send(new DescribeClustersCommand({ clusters: ['demo'], include: ['TAGS', 'SETTINGS'] }));
    assert.deepEqual(withTags.clusters?.[0].tags, [{ key: 'team', value: 'web' }]);
    assert.deepEqual(withTags.clusters?.[0].settings, [{ name: 'containerInsights', value: 'disabled' }]);
  });

  it('DescribeClusters accepts ARNs and reports statistics when asked', async () => {
    const out = await berth.ecs.send(new DescribeClustersCommand({
      clusters: ['arn:aws:ecs:us-east-1:000000000000:cluster/demo'], include: ['STATISTICS'],
    }));
    assert.equal(out.clusters?.[0].clusterName, 'demo');
    assert.ok(out.clusters?.[0].statistics?.some((s) => s.name === 'runningFargateTasksCount' && s.value === '0'));
  });

  it('UpdateClusterSettings and UpdateCluster change settings; a missing cluster is ClusterNotFoundException', async () => {
    const { cluster } = await berth.ecs.send(new UpdateClusterSettingsCommand({
      cluster: 'demo', settings: [{ name: 'containerInsights', value: 'enabled' }],
    }));
    assert.deepEqual(cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    const upd = await berth.ecs.send(new UpdateClusterCommand({
      cluster: 'demo', configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
    }));
    assert.equal(upd.cluster?.configuration?.executeCommandConfiguration?.logging, 'DEFAULT');
    await assert.rejects(
      berth.ecs.send(new UpdateClusterSettingsCommand({ cluster: 'ghost', settings: [{ name: 'containerInsights', value: 'enabled' }] })),
      (err: unknown) => err instanceof ClusterNotFoundException && err.message === 'Cluster not found.',
    );
  });

  it('PutClusterCapacityProviders associates FARGATE providers and rejects strategies naming others', async () => {
    const { cluster } = await berth.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'demo', capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }],
    }));
    assert.deepEqual(cluster?.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    await assert.rejects(berth.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'demo', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    })), InvalidParameterException);
    await assert.rejects(berth.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'demo', capacityProviders: ['nope'], defaultCapacityProviderStrategy: [],
    })), InvalidParameterException);
  });

  it('ListClusters pages with maxResults and nextToken', async () => {
    for (let i = 0; i < 5; i++) await berth.ecs.send(new CreateClusterCommand({ clusterName: `page-${i}` }));
    const first = await berth.ecs.send(new ListClustersCommand({ maxResults: 2 }));
    assert.equal(first.clusterArns?.length, 2);
    assert.ok(first.nextToken);
    const all: string[] = [];
    for await (const page of paginateListClusters({ client: berth.ecs, pageSize: 2 }, {})) all.push(...(page.clusterArns ?? []));
    assert.equal(new Set(all).size, all.length);
    assert.ok(all.length >= 7);
  });

  it('DeleteCluster makes the cluster INACTIVE: still describable, no longer listed', async () => {
    const { cluster } = await berth.ecs.send(new DeleteClusterCommand({ cluster: 'page-0' }));
    assert.equal(cluster?.status, 'INACTIVE');
    const described = await berth.ecs.send(new DescribeClustersCommand({ clusters: ['page-0'] }));
    assert.equal(described.clusters?.[0].status, 'INACTIVE');
    const { clusterArns } = await berth.ecs.send(new ListClustersCommand({}));
    assert.ok(!clusterArns?.some((a) => a.endsWith('/page-0')));
    await assert.rejects(berth.ecs.send(new DeleteClusterCommand({ cluster: 'page-0' })), ClusterNotFoundException);
  });

  it('clusters are scoped per region and per account', async () => {
    const west = new ECSClient(clientConfig(berth.endpoint, 'us-west-2'));
    const other = new ECSClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'x' }));
    try {
      const { cluster } = await west.send(new CreateClusterCommand({ clusterName: 'demo' }));
      assert.equal(cluster?.clusterArn, 'arn:aws:ecs:us-west-2:000000000000:cluster/demo');
      const { clusterArns } = await other.send(new ListClustersCommand({}));
      assert.deepEqual(clusterArns, []);
      await other.send(new CreateClusterCommand({ clusterName: 'mine' }));
      const mine = await other.send(new DescribeClustersCommand({ clusters: ['mine'] }));
      assert.equal(mine.clusters?.[0].clusterArn, 'arn:aws:ecs:us-east-1:111111111111:cluster/mine');
    } finally {
      west.destroy();
      other.destroy();
    }
  });
});
