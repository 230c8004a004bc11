/**
 * Target health through real health checks (5 s interval, 2 s timeout,
 * thresholds of 2, the fastest ELB allows) and what traffic does with it:
 * unhealthy targets get no requests, all-unhealthy groups fail open,
 * deregistered targets drain. The groups are set up together so their waits
 * overlap.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand, CreateListenerCommand, CreateRuleCommand,
  RegisterTargetsCommand, DeregisterTargetsCommand, DescribeTargetHealthCommand, ModifyTargetGroupAttributesCommand,
  type TargetGroup, type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';

/** A backend whose /health answers `health` (a status code, or 'hang' to never answer). */
const backend = (name: string, health: number | 'hang' = 200) =>
  startBackend(name, (req, res) => {
    if (req.url === '/health') {
      if (health === 'hang') return;
      res.writeHead(health);
      res.end();
      return;
    }
    const reply = () => res.end(name);
    if (req.url?.startsWith('/slow')) setTimeout(reply, 1500);
    else reply();
  });

describe('target health checks and the traffic that follows them', () => {
  const berth = useBerth({ clients: { elb: ElasticLoadBalancingV2Client } });
  let port: number;
  const groups: Record<string, TargetGroup> = {};
  const b: Record<string, Backend> = {};

  const health = async (group: string): Promise<Map<number, TargetHealthDescription['TargetHealth']>> => {
    const out = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groups[group].TargetGroupArn }));
    return new Map(out.TargetHealthDescriptions!.map((d) => [d.Target!.Port!, d.TargetHealth]));
  };
  const namesFrom = async (path: string, n: number) => {
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await request(port, path);
      names.push(r.status === 200 ? r.body : String(r.status));
    }
    return names;
  };

  before(async () => {
    const { vpcId, ids } = await defaultSubnets(berth.endpoint);
    b.ok = await backend('ok');
    b.err = await backend('err', 500);
    b.stopped = await backend('stopped');
    await b.stopped.close();
    b.hang = await backend('hang', 'hang');
    b.sick1 = await backend('sick1', 503);
    b.sick2 = await backend('sick2', 503);
    b.p1 = await backend('p1');
    b.p2 = await backend('p2');
    b.d1 = await backend('d1');
    b.d2 = await backend('d2');
    const make = async (name: string, members: Backend[]) => {
      groups[name] = (await berth.elb.send(new CreateTargetGroupCommand({
        Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      }))).TargetGroups![0];
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: groups[name].TargetGroupArn, Targets: members.map((m) => ({ Id: '127.0.0.1', Port: m.port })) }));
    };
    await make('mixed', [b.ok, b.err, b.stopped, b.hang]);
    await make('sick', [b.sick1, b.sick2]);
    await make('pair', [b.p1, b.p2]);
    await make('drain', [b.d1, b.d2]);
    await berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: groups.drain.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }));
    const lb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'health', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    port = await freePort();
    const listener = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: groups.mixed.TargetGroupArn }],
    }))).Listeners![0];
    let priority = 1;
    for (const name of ['sick', 'pair', 'drain']) {
      await berth.elb.send(new CreateRuleCommand({
        ListenerArn: listener.ListenerArn, Priority: priority++, Conditions: [{ Field: 'path-pattern', Values: [`/${name}*`] }],
        Actions: [{ Type: 'forward', TargetGroupArn: groups[name].TargetGroupArn }],
      }));
    }
  });

  after(async () => {
    for (const x of Object.values(b)) await x.close();
  });

  it('new targets start initial while their first checks run', async () => {
    const h = await health('pair');
    for (const t of h.values()) assert.equal(t?.State, 'initial');
  });

  it('checks mark targets healthy, or unhealthy with ResponseCodeMismatch, FailedHealthChecks or Timeout', async () => {
    const h = await eventually(async () => {
      const m = await health('mixed');
      return [...m.values()].every((t) => t?.State === 'healthy' || t?.State === 'unhealthy') && m;
    });
    assert.deepEqual(h.get(b.ok.port), { State: 'healthy' });
    assert.deepEqual(h.get(b.err.port), { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [500]' });
    assert.deepEqual(h.get(b.stopped.port), { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' });
    assert.deepEqual(h.get(b.hang.port), { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' });
  });

  it('requests go only to healthy targets', async () => {
    assert.deepEqual(new Set(await namesFrom('/', 8)), new Set(['ok']));
  });

  it('a group whose targets are all unhealthy fails open and spreads requests over all of them', async () => {
    await eventually(async () => [...(await health('sick')).values()].every((t) => t?.State === 'unhealthy'));
    assert.deepEqual(new Set(await namesFrom('/sick', 6)), new Set(['sick1', 'sick2']));
  });

  it('a backend that stops is marked unhealthy and gets no more traffic', async () => {
    await eventually(async () => [...(await health('pair')).values()].every((t) => t?.State === 'healthy'));
    assert.deepEqual(new Set(await namesFrom('/pair', 4)), new Set(['p1', 'p2']));
    await b.p2.close();
    const h = await eventually(async () => {
      const m = await health('pair');
      return m.get(b.p2.port)?.State === 'unhealthy' && m;
    });
    assert.equal(h.get(b.p2.port)?.Reason, 'Target.FailedHealthChecks');
    assert.deepEqual(await namesFrom('/pair', 6), ['p1', 'p1', 'p1', 'p1', 'p1', 'p1']);
  });

  it('a deregistered target drains: in-flight requests finish, new ones go elsewhere, then it is gone', async () => {
    // Two slow requests: round robin sends one to each target.
    const inflight = [request(port, '/drain/slow'), request(port, '/drain/slow')];
    await new Promise((r) => setTimeout(r, 200));
    await berth.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: groups.drain.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: b.d2.port }] }));
    const h = await health('drain');
    assert.equal(h.get(b.d2.port)?.State, 'draining');
    assert.equal(h.get(b.d2.port)?.Reason, 'Target.DeregistrationInProgress');
    assert.deepEqual(await namesFrom('/drain', 4), ['d1', 'd1', 'd1', 'd1']);
    const finished = await Promise.all(inflight);
    assert.deepEqual(finished.map((r) => r.body).sort(), ['d1', 'd2']);
    await eventually(async () => !(await health('drain')).has(b.d2.port), 10_000);
  });
});
