import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupMetricValues } from '../services/auto-scaling/metrics-collection.js';
import type { StoredGroup } from '../services/auto-scaling/store.js';
import { instanceData, netCounters } from './ec2-metrics.js';

describe('ec2-metrics', () => {
  it('sums Docker\'s per-interface counters; no networks reads zeros', () => {
    assert.deepEqual(netCounters({ networks: { eth0: { rx_bytes: 10, tx_bytes: 5, rx_packets: 2, tx_packets: 1 }, eth1: { rx_bytes: 1, tx_bytes: 1, rx_packets: 1, tx_packets: 1 } } }),
      { rxBytes: 11, txBytes: 6, rxPackets: 3, txPackets: 2 });
    assert.deepEqual(netCounters({}), { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 });
  });

  it('writes each reading under every dimension set, CPU only once it is measured', () => {
    const dims = [[{ Name: 'InstanceId', Value: 'i-1' }], [{ Name: 'AutoScalingGroupName', Value: 'g' }]];
    const data = instanceData({ account: 'a', region: 'r' }, dims, { cpu: undefined, networkIn: 1, networkOut: 2, packetsIn: 3, packetsOut: 4 }, 0);
    assert.equal(data.length, 14);
    assert.ok(!data.some((d) => d.name === 'CPUUtilization'));
    const cpu = instanceData({ account: 'a', region: 'r' }, dims, { cpu: 12.345678, networkIn: 0, networkOut: 0, packetsIn: 0, packetsOut: 0 }, 0).filter((d) => d.name === 'CPUUtilization');
    assert.deepEqual(cpu.map((d) => [d.dimensions![0].Name, d.values![0], d.unit, d.namespace]), [['InstanceId', 12.3457, 'Percent', 'AWS/EC2'], ['AutoScalingGroupName', 12.3457, 'Percent', 'AWS/EC2']]);
  });

  it('counts a group\'s instances by lifecycle state for its enabled metrics only', () => {
    const g = {
      AutoScalingGroupName: 'g', AutoScalingGroupARN: 'arn', MinSize: 1, MaxSize: 5, DesiredCapacity: 3,
      Instances: [{ LifecycleState: 'InService' }, { LifecycleState: 'Pending:Wait' }, { LifecycleState: 'Terminating' }],
      EnabledMetrics: [{ Metric: 'GroupInServiceInstances' }, { Metric: 'GroupPendingInstances' }, { Metric: 'GroupTotalInstances' }, { Metric: 'GroupAndWarmPoolTotalCapacity' }],
    } as StoredGroup;
    assert.deepEqual(groupMetricValues(g, { desired: 2, warmed: 1, pending: 1, terminating: 0 }), [
      { name: 'GroupInServiceInstances', value: 1 }, { name: 'GroupPendingInstances', value: 1 }, { name: 'GroupTotalInstances', value: 3 }, { name: 'GroupAndWarmPoolTotalCapacity', value: 5 },
    ]);
  });
});
