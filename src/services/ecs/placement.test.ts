import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place, type Candidate } from './placement.js';

function instances(n: number, cpu = 4096, memory = 8192): Candidate[] {
  return Array.from({ length: n }, (_, i) => {
    const az = `us-east-1${'abc'[i % 3]}`;
    return {
      arn: `ci-${i}`, cpu, memory, tcpPorts: new Set([22]), udpPorts: new Set(),
      attributes: new Map([['ecs.availability-zone', az], ['ecs.instance-type', i % 2 ? 'c5.large' : 't3.medium']]),
      query: { attributes: { 'ecs.availability-zone': az }, ec2InstanceType: i % 2 ? 'c5.large' : 't3.medium' }, groups: new Map(),
    };
  });
}
const demand = { cpu: 256, memory: 512, tcpPorts: [], udpPorts: [] };
const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

describe('task placement', () => {
  it('binpack on memory fills one instance before the next, at scale (1,000 tasks on 100 instances)', () => {
    const cs = instances(100);
    const t0 = performance.now();
    const r = place(cs, { demand, requiredAttributes: [], constraints: [], strategies: [{ type: 'binpack', field: 'memory' }], count: 1000, group: 'g' });
    const ms = performance.now() - t0;
    assert.equal(r.placements.length, 1000);
    const per = count(r.placements);
    // 8192 MiB / 512 MiB = 16 tasks fill an instance: 1,000 tasks use exactly 63 instances.
    assert.equal(per.size, 63);
    assert.ok([...per.values()].filter((n) => n === 16).length === 62);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('spread over availability zones then instances balances both, at scale', () => {
    const cs = instances(100);
    const r = place(cs, {
      demand, requiredAttributes: [], constraints: [], count: 900, group: 'g',
      strategies: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }],
    });
    const byAz = count(r.placements.map((a) => cs.find((c) => c.arn === a)!.attributes.get('ecs.availability-zone')!));
    assert.deepEqual([...byAz.values()], [300, 300, 300]);
    const per = count(r.placements);
    for (const az of ['us-east-1a', 'us-east-1b', 'us-east-1c']) {
      const inAz = cs.filter((c) => c.attributes.get('ecs.availability-zone') === az).map((c) => per.get(c.arn) ?? 0);
      assert.ok(Math.max(...inAz) - Math.min(...inAz) <= 1, `${az}: instances within one task of each other`);
    }
  });

  it('memberOf and distinctInstance constrain where tasks go', () => {
    const cs = instances(6);
    const r = place(cs, {
      demand, requiredAttributes: [], strategies: [], count: 3, group: 'g',
      constraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1a' }, { type: 'distinctInstance' }],
    });
    assert.deepEqual(r.placements.sort(), ['ci-0', 'ci-3']);
    assert.equal(r.failures.length, 6, 'the third task cannot be placed: every instance is reported');
  });

  it('reports RESOURCE:MEMORY, RESOURCE:CPU, RESOURCE:PORTS and ATTRIBUTE as ECS does', () => {
    const reason = (req: Partial<Parameters<typeof place>[1]>) =>
      place(instances(1, 1024, 1024), { demand, requiredAttributes: [], constraints: [], strategies: [], count: 1, group: 'g', ...req }).failures[0]?.reason;
    assert.equal(reason({ demand: { ...demand, memory: 4096 } }), 'RESOURCE:MEMORY');
    assert.equal(reason({ demand: { ...demand, cpu: 2048 } }), 'RESOURCE:CPU');
    assert.equal(reason({ demand: { ...demand, tcpPorts: [22] } }), 'RESOURCE:PORTS');
    assert.equal(reason({ requiredAttributes: ['ecs.capability.nvidia'] }), 'ATTRIBUTE');
  });
});

describe('host ports on a shared engine', () => {
  it('a static host port taken on one virtual instance is taken on every instance of the same engine', () => {
    const shared = { tcp: new Set<number>(), udp: new Set<number>() };
    const [a, b, remote] = instances(3);
    a.enginePorts = shared;
    b.enginePorts = shared;
    remote.enginePorts = { tcp: new Set(), udp: new Set() };
    const withPort = { ...demand, tcpPorts: [18500] };
    const r = place([a, b], { demand: withPort, requiredAttributes: [], constraints: [], strategies: [], count: 2, group: 'g' });
    assert.equal(r.placements.length, 1);
    assert.deepEqual(r.failures.map((f) => f.reason), ['RESOURCE:PORTS', 'RESOURCE:PORTS']);
    // Another engine has its own host address: the port is free there.
    const again = place([a, b, remote], { demand: withPort, requiredAttributes: [], constraints: [], strategies: [], count: 1, group: 'g' });
    assert.deepEqual(again.placements, [remote.arn]);
  });
});
