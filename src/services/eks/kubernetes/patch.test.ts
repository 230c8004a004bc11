import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';

describe('Kubernetes patches', () => {
  const deployment = {
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'main', image: 'busybox:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
            { name: 'side', image: 'busybox:1' },
          ],
        },
      },
    },
  };

  it('a strategic merge patch merges containers by name and env by name, keeping what it does not mention', () => {
    const out = strategicMerge(deployment, {
      spec: {
        replicas: 3,
        template: { spec: {
          containers: [{ name: 'main', image: 'busybox:2', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }],
        } },
      },
    });
    assert.equal(out.spec.replicas, 3);
    const [main, side] = out.spec.template.spec.containers;
    assert.equal(main.image, 'busybox:2');
    assert.deepEqual(main.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
    assert.deepEqual(main.ports, [{ containerPort: 80 }]);
    assert.equal(side.name, 'side');
  });

  it("understands kubectl's directives: $patch delete, $setElementOrder, $deleteFromPrimitiveList, null", () => {
    const out = strategicMerge(deployment, {
      metadata: { labels: { app: null, tier: 'web' }, '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'main' }],
        containers: [{ name: 'main', env: [{ name: 'A', $patch: 'delete' }] }],
      } } },
    });
    assert.deepEqual(out.metadata.labels, { tier: 'web' });
    assert.deepEqual(out.metadata.finalizers, []);
    assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['side', 'main']);
    assert.deepEqual(out.spec.template.spec.containers[1].env, [{ name: 'B', value: '2' }]);
  });

  it('a merge patch replaces lists and removes nulls; a JSON patch applies its operations in order', () => {
    const merged = mergePatch(deployment, { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } }, metadata: { labels: null } });
    assert.deepEqual(merged.spec.template.spec.containers, [{ name: 'only', image: 'x' }]);
    assert.equal(merged.metadata.labels, undefined);
    const patched = jsonPatch(deployment, [
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'test', path: '/spec/replicas', value: 5 },
    ]);
    assert.equal(patched.spec.replicas, 5);
    assert.equal(patched.metadata.labels.tier, 'web');
    assert.equal(patched.spec.template.spec.containers.length, 1);
    assert.throws(() => jsonPatch(deployment, [{ op: 'test', path: '/spec/replicas', value: 9 }]), /testing value/);
  });
});
