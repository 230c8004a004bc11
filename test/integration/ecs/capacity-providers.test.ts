import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, CreateCapacityProviderCommand, DescribeCapacityProvidersCommand, UpdateCapacityProviderCommand,
  DeleteCapacityProviderCommand, CreateClusterCommand, PutClusterCapacityProvidersCommand, DeleteClusterCommand,
  ClientException, ClusterContainsCapacityProviderException, ClusterNotFoundException, InvalidParameterException,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

const CP_ARN = 'arn:aws:ecs:us-east-1:000000000000:capacity-provider';
const asgArn = (name: string) =>
  `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:57ffcb94-11f0-4d6d-bf60-3bac5EXAMPLE:autoScalingGroupName/${name}`;

describe('ECS capacity providers through the v3 SDK', () => {
  const berth = useBerth({ clients: { ecs: ECSClient } });

  it('DescribeCapacityProviders in a new account lists the built-in FARGATE and FARGATE_SPOT providers', async () => {
    const out = await berth.ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.deepEqual(out.capacityProviders, [
      { capacityProviderArn: `${CP_ARN}/FARGATE`, name: 'FARGATE', status: 'ACTIVE', type: 'FARGATE', tags: [] },
      { capacityProviderArn: `${CP_ARN}/FARGATE_SPOT`, name: 'FARGATE_SPOT', status: 'ACTIVE', type: 'FARGATE_SPOT', tags: [] },
    ]);
    assert.deepEqual(out.failures, []);
    assert.equal(out.nextToken, undefined);
  });

  it('CreateCapacityProvider with an Auto Scaling group fills in ECS’s managed scaling, termination and draining defaults', async () => {
    const { capacityProvider: cp } = await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'MyCapacityProvider',
      autoScalingGroupProvider: { autoScalingGroupArn: asgArn('MyASG'), managedScaling: { status: 'ENABLED', targetCapacity: 90 } },
      tags: [{ key: 'env', value: 'prod' }],
    }));
    assert.deepEqual(cp, {
      capacityProviderArn: `${CP_ARN}/MyCapacityProvider`,
      name: 'MyCapacityProvider',
      status: 'ACTIVE',
      type: 'EC2_AUTOSCALING',
      autoScalingGroupProvider: {
        autoScalingGroupArn: asgArn('MyASG'),
        managedScaling: { status: 'ENABLED', targetCapacity: 90, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 },
        managedTerminationProtection: 'DISABLED',
        managedDraining: 'ENABLED',
      },
      tags: [{ key: 'env', value: 'prod' }],
    });
  });

  it('CreateCapacityProvider refuses reserved prefixes, bad names, duplicate names and a reused Auto Scaling group', async () => {
    const asg = { autoScalingGroupArn: asgArn('Other') };
    for (const name of ['aws-cp', 'ECS_cp', 'fargate2', 'FARGATE']) {
      await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name, autoScalingGroupProvider: asg })), InvalidParameterException, /can't be prefixed with "aws", "ecs", or "fargate"/);
    }
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'has space', autoScalingGroupProvider: asg })), InvalidParameterException, /can only contain letters/);
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'MyCapacityProvider', autoScalingGroupProvider: asg })), ClientException, /already in use/);
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'second', autoScalingGroupProvider: { autoScalingGroupArn: asgArn('MyASG') } })),
      ClientException, 'The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.');
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'neither' })), InvalidParameterException, /exactly one of/);
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'bad-scaling', autoScalingGroupProvider: { ...asg, managedScaling: { targetCapacity: 0 } } })),
      InvalidParameterException, /target capacity must be between 1 and 100/);
  });

  it('DescribeCapacityProviders finds providers by name or ARN, includes tags when asked and reports unknown ones as MISSING', async () => {
    const out = await berth.ecs.send(new DescribeCapacityProvidersCommand({
      capacityProviders: ['MyCapacityProvider', `${CP_ARN}/FARGATE`, 'ghost'], include: ['TAGS'],
    }));
    assert.deepEqual(out.capacityProviders?.map((c) => c.name), ['MyCapacityProvider', 'FARGATE']);
    assert.deepEqual(out.capacityProviders?.[0].tags, [{ key: 'env', value: 'prod' }]);
    assert.deepEqual(out.failures, [{ arn: `${CP_ARN}/ghost`, reason: 'MISSING' }]);
    const untagged = await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['MyCapacityProvider'] }));
    assert.deepEqual(untagged.capacityProviders?.[0].tags, []);
  });

  it('DescribeCapacityProviders pages with maxResults and nextToken, built-ins first', async () => {
    await berth.ecs.send(new CreateCapacityProviderCommand({ name: 'second', autoScalingGroupProvider: { autoScalingGroupArn: asgArn('Second') } }));
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await berth.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 1, nextToken }));
      assert.equal(page.capacityProviders?.length, 1);
      names.push(page.capacityProviders![0].name!);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(names, ['FARGATE', 'FARGATE_SPOT', 'MyCapacityProvider', 'second']);
    await rejects(berth.ecs.send(new DescribeCapacityProvidersCommand({ maxResults: 11 })), InvalidParameterException, /maxResults/);
  });

  it('UpdateCapacityProvider changes managed scaling; the update completes and FARGATE cannot be updated', async () => {
    const { capacityProvider: cp } = await berth.ecs.send(new UpdateCapacityProviderCommand({
      name: 'MyCapacityProvider',
      autoScalingGroupProvider: { managedScaling: { targetCapacity: 75, maximumScalingStepSize: 5 }, managedTerminationProtection: 'ENABLED' },
    }));
    assert.equal(cp?.updateStatus, 'UPDATE_IN_PROGRESS');
    assert.deepEqual(cp?.autoScalingGroupProvider?.managedScaling, {
      status: 'ENABLED', targetCapacity: 75, minimumScalingStepSize: 1, maximumScalingStepSize: 5, instanceWarmupPeriod: 300,
    });
    assert.equal(cp?.autoScalingGroupProvider?.managedTerminationProtection, 'ENABLED');
    const described = await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: [`${CP_ARN}/MyCapacityProvider`] }));
    assert.equal(described.capacityProviders?.[0].updateStatus, 'UPDATE_COMPLETE');
    await rejects(berth.ecs.send(new UpdateCapacityProviderCommand({ name: 'FARGATE', autoScalingGroupProvider: {} })), InvalidParameterException, /managed by AWS/);
    await rejects(berth.ecs.send(new UpdateCapacityProviderCommand({ name: 'ghost', autoScalingGroupProvider: {} })), InvalidParameterException, /does not exist/);
  });

  it('DeleteCapacityProvider of a provider associated with a cluster answers DELETE_FAILED with ECS’s reason', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'prod', capacityProviders: ['MyCapacityProvider'], defaultCapacityProviderStrategy: [] }));
    const { capacityProvider: cp } = await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'MyCapacityProvider' }));
    assert.equal(cp?.status, 'ACTIVE');
    assert.equal(cp?.updateStatus, 'DELETE_FAILED');
    assert.equal(cp?.updateStatusReason,
      'The capacity provider cannot be deleted because it is associated with cluster: prod. Remove the capacity provider from the cluster and try again.');
    const described = await berth.ecs.send(new DescribeCapacityProvidersCommand({ cluster: 'prod' }));
    assert.deepEqual(described.capacityProviders?.map((c) => [c.name, c.updateStatus]), [['MyCapacityProvider', 'DELETE_FAILED']]);
  });

  it('DeleteCapacityProvider of an unassociated provider leaves it INACTIVE and DELETE_COMPLETE, and its name can be reused', async () => {
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'prod', capacityProviders: [], defaultCapacityProviderStrategy: [] }));
    const { capacityProvider: cp } = await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: `${CP_ARN}/MyCapacityProvider` }));
    assert.equal(cp?.status, 'ACTIVE');
    assert.equal(cp?.updateStatus, 'DELETE_IN_PROGRESS');
    const described = await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['MyCapacityProvider'] }));
    assert.equal(described.capacityProviders?.[0].status, 'INACTIVE');
    assert.equal(described.capacityProviders?.[0].updateStatus, 'DELETE_COMPLETE');
    const listed = await berth.ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.ok(!listed.capacityProviders?.some((c) => c.name === 'MyCapacityProvider'));
    await rejects(berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'prod', capacityProviders: ['MyCapacityProvider'], defaultCapacityProviderStrategy: [] })),
      InvalidParameterException, /not in an ACTIVE state/);
    await rejects(berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'MyCapacityProvider' })), InvalidParameterException, /does not exist/);
    await rejects(berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'FARGATE_SPOT' })), InvalidParameterException, /managed by AWS/);
    const { capacityProvider: again } = await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'MyCapacityProvider', autoScalingGroupProvider: { autoScalingGroupArn: asgArn('MyASG') },
    }));
    assert.equal(again?.status, 'ACTIVE');
    assert.deepEqual(again?.tags, []);
  });

  it('a Managed Instances provider belongs to its cluster, which cannot be deleted while it exists', async () => {
    const mi = {
      infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRole',
      instanceLaunchTemplate: {
        ec2InstanceProfileArn: 'arn:aws:iam::000000000000:instance-profile/ecsInstance',
        networkConfiguration: { subnets: ['subnet-0123456789abcdef0'] },
      },
    };
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'mi', managedInstancesProvider: mi })), InvalidParameterException, /cluster must be specified/);
    await rejects(berth.ecs.send(new CreateCapacityProviderCommand({ name: 'mi', cluster: 'ghost', managedInstancesProvider: mi })), ClusterNotFoundException, 'Cluster not found.');
    const { capacityProvider: cp } = await berth.ecs.send(new CreateCapacityProviderCommand({ name: 'mi', cluster: 'prod', managedInstancesProvider: mi }));
    assert.equal(cp?.type, 'MANAGED_INSTANCES');
    assert.equal(cp?.cluster, 'prod');
    assert.equal(cp?.managedInstancesProvider?.propagateTags, 'NONE');
    const scoped = await berth.ecs.send(new DescribeCapacityProvidersCommand({ cluster: 'prod' }));
    assert.deepEqual(scoped.capacityProviders?.map((c) => c.name), ['mi']);
    const unscoped = await berth.ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.ok(!unscoped.capacityProviders?.some((c) => c.name === 'mi'));
    await rejects(berth.ecs.send(new DeleteClusterCommand({ cluster: 'prod' })), ClusterContainsCapacityProviderException, /Cluster Scoped Capacity Providers/);
    await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'mi', cluster: 'prod' }));
    const { cluster } = await berth.ecs.send(new DeleteClusterCommand({ cluster: 'prod' }));
    assert.equal(cluster?.status, 'INACTIVE');
  });
});
