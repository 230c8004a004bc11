/**
 * The everyday ECS workflow on real Docker: an ALB, a target group, a service
 * of three tasks registered in it, curl through the load balancer, and a
 * rolling update to a new version under continuous load with no failed request.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, register } from '../helpers/ecs.js';
import { defaultSubnets, freePort } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const curl = promisify(execFile);
const C = 'alb';

describe('an ECS service behind an Application Load Balancer', () => {
  const berth = useBerth({ clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let url: string;
  let dnsName: string;
  let tgArn: string;

  const describeService = async (): Promise<Service> => (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web'] }))).services![0];
  async function waitFor(ok: (s: Service) => boolean, what: string, ms = 60_000) {
    const end = Date.now() + ms;
    let s = await describeService();
    while (!ok(s)) {
      if (Date.now() > end) throw new Error(`timed out: ${what}: ${JSON.stringify(s.events?.slice(0, 6))}`);
      await new Promise((r) => setTimeout(r, 250));
      s = await describeService();
    }
    return s;
  }

  before(async () => {
    const image = ensureBusyboxImage();
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    const lb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: ids.slice(0, 2), Type: 'application' }))).LoadBalancers![0];
    dnsName = lb.DNSName!;
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({
      Name: 'web', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip',
      HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0];
    tgArn = tg.TargetGroupArn!;
    await berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }));
    const port = await freePort();
    await berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
    url = `http://127.0.0.1:${port}/`;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    for (const version of ['v1', 'v2']) {
      await register(berth.ecs, {
        family: `web-${version}`, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{
          name: 'web', image, essential: true, stopTimeout: 2, portMappings: [{ containerPort: 8080 }],
          command: ['sh', '-c', `echo "${version} $(hostname)" > /var/www/index.html; exec httpd -f -p 8080 -h /var/www`],
        }],
      });
    }
    await berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: 'web', taskDefinition: 'web-v1', desiredCount: 3, launchType: 'FARGATE',
      networkConfiguration: await fargateNetwork(berth.endpoint),
      loadBalancers: [{ targetGroupArn: tgArn, containerName: 'web', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 30,
    }));
  });

  it('the service registers its three tasks and every one answers through the load balancer', async () => {
    await waitFor((s) => s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === 3, 'stable with healthy targets');
    const health = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    assert.equal(health.TargetHealthDescriptions?.length, 3);
    assert.ok(health.TargetHealthDescriptions!.every((h) => h.TargetHealth?.State === 'healthy'));
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i++) {
      const res = await fetch(url);
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
          const res = await fetch(url);
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
    const res = await fetch(url);
    assert.match(await res.text(), /^v2 /);
    assert.ok(s.events!.some((e) => /has begun draining connections/.test(e.message!)));
  });
});
