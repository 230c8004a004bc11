/**
 * The everyday ECS workflow on real Docker: an ALB, a target group, a service
 * of three tasks registered in it, curl through the load balancer, and a
 * rolling update to a new version under continuous load with no failed request; a steady service whose targets
 * its load balancer finds unhealthy replaces them as soon as the verdict is in (the verdict's change brings the
 * service round: a steady service has no timed look).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { createWebService, registerHttpdVersions, waitForService } from '../helpers/ecs.js';
import { createAlb } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const curl = promisify(execFile);
const C = 'alb';

describe('an ECS service behind an Application Load Balancer', () => {
  const berth = useBerth({ clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let url: string;
  let dnsName: string;
  let tgArn: string;

  const waitFor = (ok: (s: Service) => boolean, what: string, ms?: number) => waitForService(berth.ecs, C, 'web', ok, what, ms);

  before(async () => {
    const image = ensureBusyboxImage();
    const alb = await createAlb(berth, {
      name: 'web', type: 'application',
      healthCheck: { HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 },
      deregistrationDelaySeconds: 2,
    });
    dnsName = alb.lb.DNSName!;
    tgArn = alb.tgArn;
    url = `http://127.0.0.1:${alb.port}/`;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await registerHttpdVersions(berth.ecs, 'web', image, (version) => `"${version} $(hostname)"`);
    await createWebService(berth, { cluster: C, taskDefinition: 'web-v1', desiredCount: 3, targetGroupArn: tgArn, healthCheckGracePeriodSeconds: 30 });
  });

  it('the service registers its three tasks and every one answers through the load balancer', async () => {
    await waitFor((s) => s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === 3, 'stable with healthy targets');
    const health = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    assert.equal(health.TargetHealthDescriptions?.length, 3);
    assert.ok(health.TargetHealthDescriptions!.every((h) => h.TargetHealth?.State === 'healthy'));
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i++) {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      seen.add((await res.text()).trim());
    }
    assert.equal(seen.size, 3, [...seen].join(', '));
    assert.ok([...seen].every((body) => body.startsWith('v1 ')));
    // curl against the load balancer's DNS name on Berth's main port, as a user would.
    const { stdout } = await curl('curl', ['-s', '--resolve', `${dnsName}:${berth.port}:127.0.0.1`, `http://${dnsName}:${berth.port}/`]);
    assert.match(stdout, /^v1 /);
  });

  it('a rolling update under continuous load drops no request and ends on the new version', async () => {
    let stop = false;
    const failures: string[] = [];
    let served = 0;
    const bodies = new Set<string>();
    const load = (async () => {
      while (!stop) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
          const text = await res.text();
          if (res.status !== 200) failures.push(`${res.status} ${text.slice(0, 80)}`);
          else bodies.add(text.trim().split(' ')[0]);
          served++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    })();
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'web-v2' }));
    const s = await waitFor((x) => x.deployments?.length === 1 && x.taskDefinition!.endsWith('web-v2:1') && x.deployments[0].rolloutState === 'COMPLETED' && x.runningCount === 3, 'v2 rolled out', 120_000);
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await load;
    assert.deepEqual(failures, [], `${failures.length} of ${served} requests failed`);
    assert.ok(served > 50, `only ${served} requests`);
    assert.deepEqual([...bodies].sort(), ['v1', 'v2']);
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    assert.match(await res.text(), /^v2 /);
    assert.ok(s.events!.some((e) => /has begun draining connections/.test(e.message!)));
  });

  it('a steady service whose targets turn unhealthy starts their replacements within seconds of the verdict', async () => {
    await waitFor((x) => x.deployments?.length === 1 && x.deployments[0].rolloutState === 'COMPLETED' && x.runningCount === 3, 'steady');
    // Past the 30 s grace period, so a failing check counts.
    const arns = (await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }))).taskArns!;
    const tasks = (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: arns }))).tasks!;
    const newest = Math.max(...tasks.map((t) => new Date(t.startedAt!).getTime()));
    await new Promise((r) => setTimeout(r, Math.max(0, newest + 31_000 - Date.now())));
    await berth.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckPath: '/not-there' }));
    let verdictAt: number | undefined;
    for (const end = Date.now() + 30_000; !verdictAt && Date.now() < end;) {
      const h = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      if (h.TargetHealthDescriptions!.some((d) => d.TargetHealth?.State === 'unhealthy')) verdictAt = Date.now();
      else await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(verdictAt, 'a target turned unhealthy');
    // As ECS does since 2023, a replacement starts first; the unhealthy task is stopped once one is healthy.
    const started = (x: Service) => (x.events ?? []).filter((e) => /has started \d+ tasks/.test(e.message!) && new Date(e.createdAt!).getTime() >= verdictAt! - 1_000);
    const s = await waitFor((x) => started(x).length > 0, 'a replacement started after the verdict', 15_000);
    const at = Math.min(...started(s).map((e) => new Date(e.createdAt!).getTime()));
    assert.ok(at - verdictAt! < 5_000, `replacement started ${at - verdictAt!} ms after the verdict was seen`);
  });
});
