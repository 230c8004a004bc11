import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextPassAt, utilizationData, vcpusBetween, type TaskUse } from './ecs-metrics.js';

const valuesOf = (data: ReturnType<typeof utilizationData>, name: string, dims: number) =>
  data.find((d) => d.name === name && d.dimensions!.length === dims)?.values;

describe('ECS utilization metrics', () => {
  it('vCPUs busy between two samples: Δ CPU time over Δ host CPU time × CPUs, else over wall time', () => {
    const a = { cpuNs: 1e9, systemNs: 100e9, onlineCpus: 4, atMs: 0 };
    assert.equal(vcpusBetween(a, { cpuNs: 3e9, systemNs: 108e9, onlineCpus: 4, atMs: 2000 }), 1);
    assert.equal(vcpusBetween(a, { cpuNs: 2e9, systemNs: 100e9, onlineCpus: 4, atMs: 2000 }), 0.5);
    assert.equal(vcpusBetween(a, { cpuNs: 0, systemNs: 108e9, onlineCpus: 4, atMs: 2000 }), 0, 'a counter that went back is not negative use');
  });

  it("per service a sample per task (use over its specified units); per cluster the total over the total; no basis: the host's CPUs", () => {
    const basis = { cpuUnits: 256, memoryMiB: 512 };
    const uses: TaskUse[] = [
      { service: 'a', cpuUnits: 51.2, memoryMiB: 128, basis },
      { service: 'a', cpuUnits: 153.6, memoryMiB: 256, basis },
      // A container-cpu-only EC2 task with no hard limit: 4 × its 128 units.
      { service: 'b', cpuUnits: 512, memoryMiB: 64, basis: { cpuUnits: 128, memoryMiB: 128 } },
      // Not yet two samples: memory only.
      { service: 'b', memoryMiB: 64, basis: { cpuUnits: 128, memoryMiB: 128 } },
      // Specifies no CPU: measured against the host's 2 CPUs (2048 units).
      { service: 'c', cpuUnits: 1024, memoryMiB: 1, basis: { cpuUnits: 0, memoryMiB: 0 } },
    ];
    const data = utilizationData('1', 'r', 'cl', uses, 5000, 2);
    const svc = (s: string, m: string) => data.find((d) => d.name === m && d.dimensions!.some((x) => x.Value === s))?.values;
    assert.deepEqual(svc('a', 'CPUUtilization'), [20, 60]);
    assert.deepEqual(svc('a', 'MemoryUtilization'), [25, 50]);
    assert.deepEqual(svc('b', 'CPUUtilization'), [400]);
    assert.deepEqual(svc('b', 'MemoryUtilization'), [50, 50]);
    assert.deepEqual(svc('c', 'CPUUtilization'), [50]);
    assert.equal(svc('c', 'MemoryUtilization'), undefined, 'no memory basis, no memory datum');
    // Cluster: (51.2 + 153.6 + 512 + 1024) / (256 + 256 + 128 + 2048) and (128 + 256 + 64 + 64) / (512 + 512 + 128 + 128).
    assert.deepEqual(valuesOf(data, 'CPUUtilization', 1), [Math.round((1740.8 / 2688) * 100 * 1e4) / 1e4]);
    assert.deepEqual(valuesOf(data, 'MemoryUtilization', 1), [40]);
    assert.ok(data.every((d) => d.namespace === 'AWS/ECS' && d.unit === 'Percent' && d.timestamp === 5000));
  });

  it('a pass runs just before its metric minute ends, at least half a minute after the last one', () => {
    assert.equal(nextPassAt(10_500, 2000, 200, 10_500), 11_800);
    assert.equal(nextPassAt(11_700, 2000, 200, 10_000), 11_800);
    assert.equal(nextPassAt(11_700, 2000, 200, 11_500), 13_800, 'not twice in one minute');
  });
});
