import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkEc2TaskCpu, isFargateSize, normalizeTaskCpu, normalizeTaskMemory } from './fargate-sizes.js';

describe('task-level cpu and memory', () => {
  it('normalises vCPU and GB notations to CPU units and MiB, as ECS registers them', () => {
    assert.equal(normalizeTaskCpu('1 vCPU'), '1024');
    assert.equal(normalizeTaskCpu('.25 vcpu'), '256');
    assert.equal(normalizeTaskCpu('0.5vCPU'), '512');
    assert.equal(normalizeTaskCpu(' 2048 '), '2048');
    assert.equal(normalizeTaskMemory('2 GB'), '2048');
    assert.equal(normalizeTaskMemory('0.5GB'), '512');
    assert.equal(normalizeTaskMemory('3072'), '3072');
    assert.equal(normalizeTaskCpu(undefined), undefined);
  });

  it('refuses values that are not a positive whole number of units', () => {
    for (const bad of ['', 'lots', '-1', '1.5', '0', '0.0001 vcpu']) {
      assert.throws(() => normalizeTaskCpu(bad), { code: 'ClientException', message: /^Invalid 'cpu' setting for task\./ });
    }
    assert.throws(() => normalizeTaskMemory('2 TB'), { code: 'ClientException', message: /^Invalid 'memory' setting for task\./ });
  });

  it('knows the Fargate size table, including the 4 GB and 8 GB steps of 8 and 16 vCPU', () => {
    assert.ok(isFargateSize('256', '512') && isFargateSize('256', '2048') && !isFargateSize('256', '1536'));
    assert.ok(isFargateSize('512', '4096') && !isFargateSize('512', '5120'));
    assert.ok(isFargateSize('4096', '30720') && !isFargateSize('4096', '31744'));
    assert.ok(isFargateSize('8192', '20480') && !isFargateSize('8192', '18432'));
    assert.ok(isFargateSize('16384', '40960') && !isFargateSize('16384', '36864'));
    assert.ok(!isFargateSize('32768', '131072') && !isFargateSize('256', undefined));
    assert.ok(!isFargateSize('512', '1024', true) && isFargateSize('1024', '2048', true));
  });

  it('bounds EC2 task cpu to 128-10240 units', () => {
    checkEc2TaskCpu('128');
    checkEc2TaskCpu('10240');
    assert.throws(() => checkEc2TaskCpu('64'), { code: 'ClientException' });
    assert.throws(() => checkEc2TaskCpu('16384'), { code: 'ClientException' });
  });
});
