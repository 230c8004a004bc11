import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, CreateClusterCommand, DeleteClusterCommand, RegisterTaskDefinitionCommand, DeregisterTaskDefinitionCommand,
  CreateCapacityProviderCommand, TagResourceCommand, UntagResourceCommand, ListTagsForResourceCommand, DescribeClustersCommand,
  ClusterNotFoundException, InvalidParameterException, ResourceNotFoundException, type Tag,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

const PREFIX = 'arn:aws:ecs:us-east-1:000000000000';
const CLUSTER = `${PREFIX}:cluster/tagged`;
const TASK_DEF = `${PREFIX}:task-definition/tagged:1`;
const PROVIDER = `${PREFIX}:capacity-provider/tagged-cp`;

describe('ECS tagging through the v3 SDK', () => {
  const berth = useBerth({ clients: { ecs: ECSClient } });
  const tagsOf = async (resourceArn: string) => (await berth.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'tagged', tags: [{ key: 'team', value: 'platform' }] }));
    await berth.ecs.send(new RegisterTaskDefinitionCommand({
      family: 'tagged', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }], tags: [{ key: 'app', value: 'api' }],
    }));
    await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'tagged-cp', autoScalingGroupProvider: { autoScalingGroupArn: 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1:autoScalingGroupName/asg' },
    }));
  });

  it('ListTagsForResource returns the tags given at creation', async () => {
    assert.deepEqual(await tagsOf(CLUSTER), [{ key: 'team', value: 'platform' }]);
    assert.deepEqual(await tagsOf(TASK_DEF), [{ key: 'app', value: 'api' }]);
    assert.deepEqual(await tagsOf(PROVIDER), []);
  });

  it('TagResource adds and overwrites tags; UntagResource removes keys; DescribeClusters sees the result', async () => {
    await berth.ecs.send(new TagResourceCommand({ resourceArn: CLUSTER, tags: [{ key: 'team', value: 'web' }, { key: 'env', value: 'prod' }, { key: 'empty' }] }));
    assert.deepEqual(await tagsOf(CLUSTER), [{ key: 'team', value: 'web' }, { key: 'env', value: 'prod' }, { key: 'empty', value: '' }]);
    await berth.ecs.send(new UntagResourceCommand({ resourceArn: CLUSTER, tagKeys: ['team', 'not-there'] }));
    assert.deepEqual(await tagsOf(CLUSTER), [{ key: 'env', value: 'prod' }, { key: 'empty', value: '' }]);
    const { clusters } = await berth.ecs.send(new DescribeClustersCommand({ clusters: ['tagged'], include: ['TAGS'] }));
    assert.deepEqual(clusters?.[0].tags, [{ key: 'env', value: 'prod' }, { key: 'empty', value: '' }]);
  });

  it('task definitions (also INACTIVE ones) and capacity providers can be tagged', async () => {
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'tagged:1' }));
    await berth.ecs.send(new TagResourceCommand({ resourceArn: TASK_DEF, tags: [{ key: 'stage', value: 'old' }] }));
    assert.deepEqual(await tagsOf(TASK_DEF), [{ key: 'app', value: 'api' }, { key: 'stage', value: 'old' }]);
    await berth.ecs.send(new TagResourceCommand({ resourceArn: PROVIDER, tags: [{ key: 'pool', value: 'spot' }] }));
    assert.deepEqual(await tagsOf(PROVIDER), [{ key: 'pool', value: 'spot' }]);
  });

  it('the built-in FARGATE providers have no tags and cannot be tagged', async () => {
    assert.deepEqual(await tagsOf(`${PREFIX}:capacity-provider/FARGATE`), []);
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: `${PREFIX}:capacity-provider/FARGATE_SPOT`, tags: [{ key: 'a', value: 'b' }] })),
      InvalidParameterException, /managed by AWS/);
  });

  it('a missing cluster is ClusterNotFoundException; other missing resources are ResourceNotFoundException', async () => {
    await rejects(berth.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${PREFIX}:cluster/ghost` })), ClusterNotFoundException, 'Cluster not found.');
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: `${PREFIX}:cluster/ghost`, tags: [{ key: 'a', value: 'b' }] })), ClusterNotFoundException, 'Cluster not found.');
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: `${PREFIX}:task-definition/tagged:9`, tags: [{ key: 'a', value: 'b' }] })),
      ResourceNotFoundException, 'The specified resource could not be found.');
    await rejects(berth.ecs.send(new UntagResourceCommand({ resourceArn: `${PREFIX}:capacity-provider/ghost`, tagKeys: ['a'] })), ResourceNotFoundException, /could not be found/);
    await rejects(berth.ecs.send(new ListTagsForResourceCommand({ resourceArn: `${PREFIX}:service/tagged/web` })), ResourceNotFoundException, /could not be found/);
    await rejects(berth.ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-west-2:000000000000:cluster/tagged' })), ClusterNotFoundException, 'Cluster not found.');
  });

  it('a deleted cluster can no longer be tagged', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'doomed' }));
    await berth.ecs.send(new DeleteClusterCommand({ cluster: 'doomed' }));
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: `${PREFIX}:cluster/doomed`, tags: [{ key: 'a', value: 'b' }] })), ClusterNotFoundException, 'Cluster not found.');
  });

  it('malformed, foreign and short-format ARNs are InvalidParameterException', async () => {
    for (const resourceArn of ['not-an-arn', 'arn:aws:ecr:us-east-1:000000000000:repository/app', `${PREFIX}:widget/x`]) {
      await rejects(berth.ecs.send(new ListTagsForResourceCommand({ resourceArn })), InvalidParameterException, 'The ARN provided is invalid.');
    }
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: `${PREFIX}:service/web`, tags: [{ key: 'a', value: 'b' }] })),
      InvalidParameterException, 'Long arn format must be used for tagging operations');
  });

  it('tag rules: at most 50 tags, bounded key and value lengths, and the aws: prefix reserved', async () => {
    const many = (n: number, prefix: string): Tag[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));
    await berth.ecs.send(new TagResourceCommand({ resourceArn: PROVIDER, tags: many(49, 'k') }));
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: PROVIDER, tags: many(1, 'extra') })), InvalidParameterException, /maximum number of tags/);
    // Overwriting existing keys does not count against the limit.
    await berth.ecs.send(new TagResourceCommand({ resourceArn: PROVIDER, tags: many(3, 'k') }));
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: CLUSTER, tags: [{ key: 'aws:owner', value: 'x' }] })), InvalidParameterException, /aws:/);
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: CLUSTER, tags: [{ key: 'k'.repeat(129), value: 'x' }] })), InvalidParameterException, /128/);
    await rejects(berth.ecs.send(new TagResourceCommand({ resourceArn: CLUSTER, tags: [{ key: 'k', value: 'v'.repeat(257) }] })), InvalidParameterException, /256/);
    await rejects(berth.ecs.send(new UntagResourceCommand({ resourceArn: CLUSTER, tagKeys: ['AWS:owner'] })), InvalidParameterException, /aws:/);
  });
});
