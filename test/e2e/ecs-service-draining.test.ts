/**
 * A rolling deployment's drain on real Docker, as ECS shows it: the old tasks are desiredStatus STOPPED at once
 * and lastStatus DEACTIVATING while their targets drain (their containers still running and serving connections
 * in flight), then STOPPED; the old deployment's desired count drops; the draining event names the whole batch.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  CreateClusterCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand,
  type Service, type Task,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { createWebService, registerHttpdVersions } from '../helpers/ecs.js';
import { createAlb } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const C = 'drain';
const DELAY_S = 8;

describe('a rolling deployment drains its old tasks as ECS does', () => {
  const berth = useBerth({ clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let url: string;

  const describeService = async (): Promise<Service> => (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: ['web'] }))).services![0];
  async function allTasks(): Promise<Task[]> {
    const arns = [
      ...(await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web' }))).taskArns!,
      ...(await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'web', desiredStatus: 'STOPPED' }))).taskArns!,
    ];
    return arns.length ? (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: arns }))).tasks! : [];
  }
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await describeService()).events?.slice(0, 6))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  before(async () => {
    const image = ensureBusyboxImage();
    const { tgArn, port } = await createAlb(berth, {
      name: 'drain', type: 'application',
      healthCheck: { HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 },
      deregistrationDelaySeconds: DELAY_S,
    });
    url = `http://127.0.0.1:${port}/`;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await registerHttpdVersions(berth.ecs, 'drain', image, (version) => `"${version}"`);
    await createWebService(berth, { cluster: C, taskDefinition: 'drain-v1', desiredCount: 2, targetGroupArn: tgArn, healthCheckGracePeriodSeconds: 30 });
    await waitFor('v1 stable', async () => {
      const s = await describeService();
      return s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === 2 ? s : undefined;
    });
  });

  it('old tasks are desired STOPPED and DEACTIVATING while they drain, their containers running; then STOPPED', async () => {
    const v1 = (await allTasks()).filter((t) => t.lastStatus === 'RUNNING').map((t) => t.taskArn!);
    assert.equal(v1.length, 2);
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: 'drain-v2' }));

    const deactivating = await waitFor('an old task DEACTIVATING', async () =>
      (await allTasks()).find((t) => v1.includes(t.taskArn!) && t.lastStatus === 'DEACTIVATING'));
    assert.equal(deactivating.desiredStatus, 'STOPPED');
    assert.equal(deactivating.stopCode, 'ServiceSchedulerInitiated');
    assert.match(deactivating.stoppedReason!, /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);
    // Its container keeps running through the deregistration delay.
    const id = deactivating.containers![0].runtimeId!;
    assert.equal(execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', id], { encoding: 'utf8' }).trim(), 'true');
    // The old deployment now wants only the tasks it still runs.
    const during = await describeService();
    const old = during.deployments!.find((d) => d.status === 'ACTIVE');
    assert.ok(old, JSON.stringify(during.deployments));
    assert.ok((old.desiredCount ?? 0) < 2, `old deployment desiredCount ${old.desiredCount}`);
    assert.equal(during.runningCount! + during.pendingCount!, during.deployments!.reduce((n, d) => n + (d.runningCount ?? 0) + (d.pendingCount ?? 0), 0));
    // The load balancer still answers throughout.
    assert.equal((await fetch(url, { signal: AbortSignal.timeout(5000) })).status, 200);

    const s = await waitFor('v2 rolled out', async () => {
      const x = await describeService();
      return x.deployments?.length === 1 && x.taskDefinition!.endsWith('drain-v2:1') && x.deployments[0].rolloutState === 'COMPLETED' && x.runningCount === 2 ? x : undefined;
    });
    const stopped = await waitFor('old tasks STOPPED', async () => {
      const ts = (await allTasks()).filter((t) => v1.includes(t.taskArn!));
      return ts.every((t) => t.lastStatus === 'STOPPED') ? ts : undefined;
    });
    for (const t of stopped) {
      assert.equal(t.desiredStatus, 'STOPPED');
      assert.equal(t.stopCode, 'ServiceSchedulerInitiated');
    }
    // One draining event per batch, naming how many tasks it took; never two for one batch.
    const draining = s.events!.filter((e) => /has begun draining connections on \d+ tasks\.$/.test(e.message!));
    const total = draining.reduce((n, e) => n + Number(/on (\d+) tasks/.exec(e.message!)![1]), 0);
    assert.equal(total, 2, draining.map((e) => e.message).join('\n'));
    // Two batches may fall in one second (each of one task, as new tasks turn healthy one by one): one pass writes
    // one event, so two events of one batch would share the millisecond.
    const times = draining.map((e) => e.createdAt!.getTime());
    assert.equal(new Set(times).size, times.length, `two draining events at one time: ${times.join(', ')}`);
    assert.match((await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text()), /^v2/);
  });
});
