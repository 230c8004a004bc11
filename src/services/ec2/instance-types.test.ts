import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ecsCpuUnits, ecsMemoryMiB, instanceTypeSpec, INSTANCE_TYPES } from './instance-types.js';

describe('instance types', () => {
  it('carry the vCPUs and memory AWS publishes', () => {
    const spec = (n: string) => { const t = instanceTypeSpec(n)!; return [t.vcpus, t.memoryMiB, t.arch]; };
    assert.deepEqual(spec('t3.nano'), [2, 512, 'x86_64']);
    assert.deepEqual(spec('t3.medium'), [2, 4096, 'x86_64']);
    assert.deepEqual(spec('t4g.xlarge'), [4, 16384, 'arm64']);
    assert.deepEqual(spec('m5.large'), [2, 8192, 'x86_64']);
    assert.deepEqual(spec('c6i.2xlarge'), [8, 16384, 'x86_64']);
    assert.deepEqual(spec('r5.xlarge'), [4, 32768, 'x86_64']);
    assert.deepEqual(spec('m7g.4xlarge'), [16, 65536, 'arm64']);
    assert.equal(new Set(INSTANCE_TYPES.map((t) => t.name)).size, INSTANCE_TYPES.length);
  });

  it('register with ECS as the agent does: 1,024 CPU units per vCPU and a little less memory than installed', () => {
    assert.equal(ecsCpuUnits(instanceTypeSpec('m5.xlarge')!), 4096);
    // The sizes AWS documents (m4.large: 8 GiB installed, 7985 MiB for tasks).
    assert.equal(ecsMemoryMiB(1024), 993);
    assert.equal(ecsMemoryMiB(8192), 7984);
    assert.equal(ecsMemoryMiB(65536), 64417);
    for (const t of INSTANCE_TYPES) {
      const m = ecsMemoryMiB(t.memoryMiB);
      assert.ok(m < t.memoryMiB && m > t.memoryMiB * 0.95, `${t.name}: ${m} of ${t.memoryMiB}`);
    }
  });
});
