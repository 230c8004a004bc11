import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { insertListener, insertLoadBalancer, insertTarget, insertTargetGroup, setForwards } from '../services/elastic-load-balancing-v2/store.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import type { Resolution } from '../shared/target-resolution.js';
import { ChangeFeed } from '../state/change-feed.js';
import { openDb, Statements } from '../state/db.js';
import { LoadBalancing } from './index.js';

const SCOPE = { account: '000000000000', region: 'us-east-1' };
const LB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${SCOPE.account}:loadbalancer/app/web/0123456789abcdef`;
const TG_ARN = `arn:aws:elasticloadbalancing:us-east-1:${SCOPE.account}:targetgroup/web/0123456789abcdef`;
const LISTENER_ARN = `arn:aws:elasticloadbalancing:us-east-1:${SCOPE.account}:listener/app/web/0123456789abcdef/0123456789abcdef`;
const TASK = `arn:aws:ecs:us-east-1:${SCOPE.account}:task/c/0123456789abcdef0123456789abcdef`;
const OTHER_TASK = `arn:aws:ecs:us-east-1:${SCOPE.account}:task/c/fedcba9876543210fedcba9876543210`;

const freePort = () => new Promise<number>((ok) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => ok(port));
  });
});
/** One turn of the event loop: the change feed's queued reload has run, the 500 ms retry has not. */
const turn = () => new Promise((ok) => setImmediate(ok));

describe('load balancer targets follow the tasks behind them', () => {
  it('a target resolves as soon as its task publishes its port, and an unrelated task changes nothing', async () => {
    const db = openDb(':memory:');
    const sql = new Statements(db);
    const s = { ...SCOPE, sql };
    insertLoadBalancer(s, { LoadBalancerArn: LB_ARN, LoadBalancerName: 'web', Type: 'application', DNSName: 'web-1.us-east-1.elb.amazonaws.com', Scheme: 'internet-facing' }, {});
    insertTargetGroup(s, { TargetGroupArn: TG_ARN, TargetGroupName: 'web', TargetType: 'ip', Protocol: 'HTTP', Port: 8080, LoadBalancerArns: [LB_ARN], HealthCheckIntervalSeconds: 300 }, {});
    insertListener(s, { ListenerArn: LISTENER_ARN, LoadBalancerArn: LB_ARN, Port: await freePort(), Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: TG_ARN }] }, {});
    setForwards(sql, LISTENER_ARN, LB_ARN, [TG_ARN]);
    insertTarget(sql, { tg_arn: TG_ARN, id: '10.0.1.5', port: 8080, az: 'us-east-1a', state: 'initial', reason: null, description: null, registered_at: 0 });

    const changes = new ChangeFeed();
    const lb = new LoadBalancing({ db, sql, clock: systemClock, log: createLogger('silent'), changes, host: '127.0.0.1', workers: 0, logLevel: 'silent', metricsPeriod: 60 });
    let published: Resolution = { unresolvable: 'its containers are not running yet' };
    lb.resolvers.register({
      engineHosts: () => [],
      resolve: (_a, _r, type, id) => (type === 'ip' && id === '10.0.1.5' ? published : undefined),
      moves: [{ kind: 'ecs.task-state', targets: (key) => ({ ...SCOPE, ids: [key === TASK ? '10.0.1.5' : '10.0.9.9'] }) }],
    });
    try {
      lb.start();
      // The first health checks' verdicts land (each reloads the snapshot); the next are an interval away.
      await new Promise((ok) => setTimeout(ok, 300));
      assert.equal(lb.addressOf(TG_ARN, '10.0.1.5', 8080), null, 'unresolved while its task has no port');

      // The task's containers published the port; a change of another task is not a reason to look again.
      published = { host: '127.0.0.1', port: 49153 };
      changes.publish('ecs.task-state', OTHER_TASK);
      await turn();
      assert.equal(lb.addressOf(TG_ARN, '10.0.1.5', 8080), null, 'a task no target names does not make targets resolve again');

      changes.publish('ecs.task-state', TASK);
      await turn();
      assert.deepEqual(lb.addressOf(TG_ARN, '10.0.1.5', 8080), { host: '127.0.0.1', port: 49153 });
    } finally {
      await lb.stop();
      db.close();
    }
  });
});
