import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { trafficDatums } from './metric-data.js';
import { MergedReports, quantizeMicros, TrafficMeter } from './traffic-meter.js';

const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef';
const NLB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/stream/fedcba9876543210';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/00112233aabbccdd';
const MINUTE = 60_000;

/** A stand-in for a client socket: what the meter reads (bytes) and listens to (close). */
function socket(): net.Socket & { bytesRead: number; bytesWritten: number } {
  return Object.assign(new EventEmitter(), { bytesRead: 0, bytesWritten: 0 }) as unknown as net.Socket & { bytesRead: number; bytesWritten: number };
}

describe('the traffic meter', () => {
  it('keeps response times to 3 significant digits, in whole microseconds', () => {
    assert.equal(quantizeMicros(0.000_123_4), 123);
    assert.equal(quantizeMicros(0.001_234_4), 1230);
    assert.equal(quantizeMicros(0.001_236), 1240);
    assert.equal(quantizeMicros(0.012_345), 12_300);
    assert.equal(quantizeMicros(1.234_567), 1_230_000);
    assert.equal(quantizeMicros(0), 0);
  });

  it('reports nothing for a quiet minute, and a minute with traffic once', () => {
    let now = 5 * MINUTE + 1_000;
    const m = new TrafficMeter(() => now);
    assert.equal(m.take(MINUTE), undefined);
    m.targetResponse(LB, TG, 200, 0.002);
    m.targetResponse(LB, TG, 404, 0.002);
    m.targetFailed(LB, TG, 502);
    m.answered(LB, 503, 'fixed');
    m.rejected(LB, 400);
    now += MINUTE;
    const r = m.take(MINUTE)!;
    assert.equal(r.minute, 5 * MINUTE, 'labelled with the minute its first count was made in');
    const t = r.lbs[LB];
    assert.equal(t.requests, 4, 'the rejected request is not routed');
    assert.deepEqual(t.elbCodes, { 400: 1, 502: 1, 503: 1 });
    assert.deepEqual(t.groups[TG], { requests: 3, codes: [1, 0, 1, 0], times: [[0.002, 2]] });
    assert.equal(m.take(MINUTE), undefined);
  });

  it('counts a connection active in every minute it is open, and its bytes in the minute they pass', () => {
    let now = 0;
    const m = new TrafficMeter(() => now);
    const a = socket();
    const b = socket();
    m.connection(LB, 'HTTP', a);
    m.connection(LB, 'HTTP', b);
    a.bytesRead = 100;
    b.bytesWritten = 50;
    b.emit('close');
    now += MINUTE;
    assert.deepEqual(m.take(MINUTE)!.lbs[LB].conns, { HTTP: { new: 2, active: 2, bytes: 150 } });
    // The next minute: `a` is still open (active, not new) and moved 10 more bytes.
    a.bytesWritten = 10;
    now += MINUTE;
    assert.deepEqual(m.take(MINUTE)!.lbs[LB].conns, { HTTP: { new: 0, active: 1, bytes: 10 } });
    a.emit('close');
    now += MINUTE;
    // Closed during that minute without traffic: still active in it; then nothing at all.
    assert.deepEqual(m.take(MINUTE)!.lbs[LB].conns, { HTTP: { new: 0, active: 1, bytes: 0 } });
    now += MINUTE;
    assert.equal(m.take(MINUTE), undefined);
  });

  it('reports from several processes add up per minute and load balancer', () => {
    const reports = new MergedReports();
    const one = new TrafficMeter(() => 0);
    const two = new TrafficMeter(() => 0);
    one.targetResponse(LB, TG, 200, 0.001);
    two.targetResponse(LB, TG, 200, 0.001);
    two.targetResponse(LB, TG, 500, 0.003);
    reports.add(one.take(MINUTE)!);
    reports.add(two.take(MINUTE)!);
    const [minute] = reports.drain();
    assert.deepEqual(minute.lbs.get(LB)!.groups[TG], { requests: 3, codes: [2, 0, 0, 1], times: [[0.001, 2], [0.003, 1]] });
    assert.equal(reports.size, 0);
  });
});

describe('ELB datapoints of a minute', () => {
  const datums = (lb: string, fill: (m: TrafficMeter) => void, perTarget = 2) => {
    const m = new TrafficMeter(() => 0);
    fill(m);
    const r = m.take(MINUTE)!;
    return trafficDatums(r.minute, MINUTE, new Map(Object.entries(r.lbs)), () => perTarget);
  };
  const named = (ds: ReturnType<typeof datums>, name: string) => ds.filter((d) => d.name === name).map((d) => [d.dimensions!.map((x) => x.Value).join(' '), d.statistics ?? d.values]);

  it("an ALB's: in its account and region, by LoadBalancer and TargetGroup, counts as n samples of 1", () => {
    const ds = datums(LB, (m) => {
      for (let i = 0; i < 4; i++) m.targetResponse(LB, TG, 200, 0.01);
      m.answered(LB, 302, 'redirect');
    });
    assert.ok(ds.every((d) => d.account === '123456789012' && d.region === 'eu-west-1' && d.namespace === 'AWS/ApplicationELB' && d.timestamp === MINUTE / 2));
    const count = (n: number) => ({ SampleCount: n, Sum: n, Minimum: 1, Maximum: 1 });
    assert.deepEqual(named(ds, 'RequestCount'), [
      ['app/shop/0123456789abcdef targetgroup/web/00112233aabbccdd', count(4)],
      ['app/shop/0123456789abcdef', count(5)],
    ]);
    assert.deepEqual(named(ds, 'RequestCountPerTarget'), [
      ['app/shop/0123456789abcdef targetgroup/web/00112233aabbccdd', { SampleCount: 1, Sum: 2, Minimum: 2, Maximum: 2 }],
      ['targetgroup/web/00112233aabbccdd', { SampleCount: 1, Sum: 2, Minimum: 2, Maximum: 2 }],
    ]);
    assert.deepEqual(named(ds, 'HTTPCode_ELB_3XX_Count'), [['app/shop/0123456789abcdef', count(1)]]);
    assert.deepEqual(named(ds, 'HTTP_Redirect_Count'), [['app/shop/0123456789abcdef', count(1)]]);
    assert.deepEqual(named(ds, 'HTTPCode_Target_3XX_Count'), [], 'zero is not published');
    assert.equal(ds.find((d) => d.name === 'TargetResponseTime')!.unit, 'Seconds');
  });

  it("an NLB's: flows and bytes under AWS/NetworkELB, also per listener protocol", () => {
    const s = socket();
    const ds = datums(NLB, (m) => {
      m.connection(NLB, 'TCP', s);
      s.bytesRead = 500;
      m.reset(NLB, 'target');
    });
    assert.ok(ds.every((d) => d.namespace === 'AWS/NetworkELB'));
    assert.deepEqual(ds.map((d) => `${d.name}=${d.statistics!.Sum}`).sort(), [
      'ActiveFlowCount=1', 'ActiveFlowCount_TCP=1', 'NewFlowCount=1', 'NewFlowCount_TCP=1', 'ProcessedBytes=500', 'ProcessedBytes_TCP=500',
      'TCP_Target_Reset_Count=1',
    ]);
  });
});
