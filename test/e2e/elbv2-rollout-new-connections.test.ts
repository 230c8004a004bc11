/**
 * Zero-downtime deployments for clients that open a new connection per
 * request (curl, health probes): a rolling update of a two-task Fargate
 * service behind an ALB, on a machine kept busy by two CPU burners, answers
 * every request 200. (ecs-services-alb.test.ts covers keep-alive clients.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { CreateClusterCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { createWebService, registerHttpdVersions, waitForService } from '../helpers/ecs.js';
import { createAlb } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const C = 'fresh';

/** One GET on a new connection (as curl makes it): the status, or the error. */
function getOnce(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', (err) => resolve(err.message));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
}

/** Two busy loops beside Berth (a loaded 2-core machine), each ending by itself after `ms` should the test not kill it. */
function burnCpu(ms: number): ChildProcess[] {
  return [0, 1].map(() => spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end) {}`], { stdio: 'ignore' }));
}

describe('a rolling update under new-connection-per-request load on a busy machine', () => {
  let port: number;
  let burners: ChildProcess[] = [];

  const waitFor = (ok: (s: Service) => boolean, what: string, ms: number) => waitForService(berth.ecs, C, 'web', ok, what, ms);

  after(async () => {
    for (const b of burners) b.kill('SIGKILL');
  });
  const berth = useBerth({ clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  before(async () => {
    const image = ensureBusyboxImage();
    const alb = await createAlb(berth, {
      name: 'fresh',
      healthCheck: { HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 },
      deregistrationDelaySeconds: 2,
    });
    const tgArn = alb.tgArn;
    port = alb.port;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await registerHttpdVersions(berth.ecs, 'fresh', image, (version) => version);
    // Default deployment configuration: maximumPercent 200, minimumHealthyPercent 100.
    await createWebService(berth, { cluster: C, taskDefinition: 'fresh-v1', desiredCount: 2, targetGroupArn: tgArn });
    await waitFor((s) => s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === 2, 'v1 stable', 90_000);
  });

  it('answers every request 200 while v1 is replaced by v2', async () => {
    burners = burnCpu(120_000);
    let stop = false;
    const answers = new Map<string, number>();
    const load = (async () => {
      // Two clients, each one request per new connection, until the rollout is over (bounded in count too).
      await Promise.all([0, 1].map(async () => {
        for (let i = 0; i < 20_000 && !stop; i++) {
          const a = await getOnce(port);
          answers.set(a, (answers.get(a) ?? 0) + 1);
        }
      }));
    })();
    try {
      await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'fresh-v2' }));
      await waitFor((s) => s.deployments?.length === 1 && s.taskDefinition!.endsWith('fresh-v2:1') && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === 2, 'v2 rolled out', 120_000);
      // Past the old tasks' deregistration delay: they are gone, and nothing answers for them.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      stop = true;
      await load;
      for (const b of burners) b.kill('SIGKILL');
    }
    const total = [...answers.values()].reduce((a, b) => a + b, 0);
    const failed = [...answers].filter(([a]) => a !== '200');
    assert.deepEqual(failed, [], `${failed.reduce((n, [, c]) => n + c, 0)} of ${total} requests failed`);
    assert.ok(total > 200, `only ${total} requests`);
  });
});
