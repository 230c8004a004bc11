/**
 * The attribute storage RegisterContainerInstance will share, exercised directly
 * (no container instances can be registered through the API yet).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providerContext } from '../../../test/helpers/provider-context.js';
import { listAttributes, removeAttributes, writeAttributes } from './attributes.js';
import { createCluster } from './clusters.js';

const context = providerContext;

const A = 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/aaaa';
const B = 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/bbbb';

describe('ECS attribute storage', () => {
  it('upserts, filters, pages and removes attributes per target', () => {
    const ctx = context();
    createCluster(ctx, { clusterName: 'c' });
    writeAttributes(ctx, 'c', B, [{ name: 'stack', value: 'prod' }, { name: 'ecs.os-type', value: 'linux' }]);
    writeAttributes(ctx, 'c', A, [{ name: 'stack', value: 'dev' }, { name: 'gpu' }]);
    writeAttributes(ctx, 'c', A, [{ name: 'stack', value: 'test' }]);
    const all = listAttributes(ctx, { cluster: 'c', targetType: 'container-instance' });
    assert.deepEqual(all.attributes?.map((a) => [a.targetId, a.name, a.value]), [
      [A, 'gpu', undefined], [A, 'stack', 'test'], [B, 'ecs.os-type', 'linux'], [B, 'stack', 'prod'],
    ]);
    const prod = listAttributes(ctx, { cluster: 'c', targetType: 'container-instance', attributeName: 'stack', attributeValue: 'prod' });
    assert.deepEqual(prod.attributes, [{ name: 'stack', value: 'prod', targetType: 'container-instance', targetId: B }]);
    const first = listAttributes(ctx, { cluster: 'c', targetType: 'container-instance', maxResults: 3 });
    const rest = listAttributes(ctx, { cluster: 'c', targetType: 'container-instance', maxResults: 3, nextToken: first.nextToken });
    assert.deepEqual([...first.attributes!, ...rest.attributes!], all.attributes);
    assert.equal(rest.nextToken, undefined);
    removeAttributes(ctx, 'c', A, ['stack', 'gpu']);
    assert.deepEqual(listAttributes(ctx, { cluster: 'c', targetType: 'container-instance' }).attributes?.map((a) => a.targetId), [B, B]);
  });

  it('allows 10 custom attributes per target, not counting the ones ECS sets', () => {
    const ctx = context();
    createCluster(ctx, { clusterName: 'c' });
    writeAttributes(ctx, 'c', A, [{ name: 'ecs.os-type', value: 'linux' }, { name: 'com.amazonaws.ecs.capability.ecr-auth' }]);
    writeAttributes(ctx, 'c', A, Array.from({ length: 10 }, (_, i) => ({ name: `custom${i}`, value: 'v' })));
    assert.throws(() => writeAttributes(ctx, 'c', A, [{ name: 'one-more', value: 'v' }]), { code: 'AttributeLimitExceededException' });
    writeAttributes(ctx, 'c', A, [{ name: 'custom0', value: 'changed' }]);
  });
});
