import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocatable, fargateSize, maxPods } from './nodes.js';
import { parseQuantity, podRequests, tolerates } from './scheduling.js';

describe('scheduling arithmetic', () => {
  it('quantities: millicores, binary and decimal suffixes, exponents', () => {
    assert.equal(parseQuantity('250m'), 0.25);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('128Mi'), 128 * 1024 ** 2);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity(undefined), 0);
  });

  it('a pod requests the sum of its containers, a limit standing in for a missing request, at least its largest init container', () => {
    const pod = { metadata: {}, spec: {
      containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' } } }, { resources: { limits: { cpu: '200m' } } }],
      initContainers: [{ resources: { requests: { memory: '1Gi' } } }],
    } };
    assert.deepEqual(podRequests(pod), { cpuMilli: 300, memory: 1024 ** 3 });
  });

  it('tolerations: Equal needs key and value, Exists the key, an empty Exists tolerates everything; the effect must match when given', () => {
    const taint = { key: 'dedicated', value: 'web', effect: 'NoSchedule' };
    assert.ok(tolerates([{ key: 'dedicated', operator: 'Equal', value: 'web' }], taint));
    assert.ok(!tolerates([{ key: 'dedicated', operator: 'Equal', value: 'db' }], taint));
    assert.ok(tolerates([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }], taint));
    assert.ok(!tolerates([{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }], taint));
    assert.ok(tolerates([{ operator: 'Exists' }], taint));
    assert.ok(!tolerates(undefined, taint));
  });

  it('EKS max pods and allocatable: m5.large 29 pods, 1930m CPU; m5.xlarge 58 pods, 3920m', () => {
    assert.equal(maxPods('m5.large'), 29);
    assert.equal(maxPods('m5.xlarge'), 58);
    assert.equal(allocatable('m5.large').cpu, '1930m');
    assert.equal(allocatable('m5.xlarge').cpu, '3920m');
    assert.equal(allocatable('m5.large').memory, `${(8192 - 255 - 11 * 29 - 100) * 1024}Ki`);
  });

  it('Fargate sizes: the smallest combination holding the requests plus 256 MiB', () => {
    assert.deepEqual(fargateSize(0, 0), { vcpu: 0.25, memoryGiB: 0.5 });
    assert.deepEqual(fargateSize(300, 700 * 1024 ** 2), { vcpu: 0.5, memoryGiB: 1 });
    assert.deepEqual(fargateSize(250, 1700 * 1024 ** 2), { vcpu: 0.25, memoryGiB: 2 });
    assert.deepEqual(fargateSize(250, 1800 * 1024 ** 2), { vcpu: 0.5, memoryGiB: 3 });
    assert.deepEqual(fargateSize(1500, 1024 ** 3), { vcpu: 2, memoryGiB: 4 });
    assert.equal(fargateSize(17_000, 0), undefined);
  });
});
