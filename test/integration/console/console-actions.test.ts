/**
 * Console actions without a browser (issue 21): each runs the AWS operation it stands for, so what the console
 * changed is what the ECS and ECR APIs then answer, and its refusals are the API's own errors. A state-changing
 * request needs the console token always (loopback included), the console's own origin and a JSON body; anything
 * else the console still refuses to change.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeContainerInstancesCommand, DescribeServicesCommand, DescribeTasksCommand,
  ECSClient, ListContainerInstancesCommand, ListTasksCommand, RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { clientConfig, REPO_ROOT } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, register, waitForService } from '../../helpers/ecs.js';

const run = promisify(execFile);
const SCOPE = { account: '000000000000', region: 'us-east-1' };

describe('console actions over a Berth (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let token = '';

  async function action(name: string, input: unknown, opts: { token?: string; headers?: Record<string, string>; body?: string } = {}) {
    const res = await fetch(`${berth.endpoint}/_berth/api/actions/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token ?? token}`, ...opts.headers },
      body: opts.body ?? JSON.stringify({ ...SCOPE, input }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.json() as { output?: Record<string, any>; error?: string; message?: string } };
  }

  async function service(name: string) {
    await register(berth.ecs, {
      family: name, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/web:1', essential: true }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: 'ops', serviceName: name, taskDefinition: name, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    return waitForService(berth.ecs, 'ops', name, (s) => s.runningCount === 1, 'one running', 20_000);
  }

  it('the console\'s own pages read the token their actions carry', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'ops' }));
    const res = await fetch(`${berth.endpoint}/_berth/api/session`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 200);
    const session = await res.json() as { token: string; actions: boolean };
    assert.match(session.token, /^[\w-]{32}$/);
    assert.equal(session.actions, true);
    token = session.token;
  });

  it('scaling a service and forcing a deployment are UpdateService: DescribeServices shows both', async () => {
    await service('web');
    const scaled = await action('ecs/UpdateService', { cluster: 'ops', service: 'web', desiredCount: 3 });
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    assert.equal(scaled.body.output!.service.desiredCount, 3);
    const running = await waitForService(berth.ecs, 'ops', 'web', (s) => s.runningCount === 3, 'three running', 20_000);
    assert.equal(running.desiredCount, 3);
    const primaryBefore = running.deployments!.find((d) => d.status === 'PRIMARY')!.id;
    const forced = await action('ecs/UpdateService', { cluster: 'ops', service: 'web', forceNewDeployment: true });
    assert.equal(forced.status, 200);
    // UpdateService answers with a new PRIMARY beside the old one; on the fake runtime the old one may be gone by the
    // next call, so DescribeServices is asked only which deployment is PRIMARY.
    const deployments = (forced.body.output!.service as { deployments: { id: string; status: string }[] }).deployments;
    assert.deepEqual(deployments.map((d) => d.status).sort(), ['ACTIVE', 'PRIMARY'], 'a new PRIMARY beside the old one');
    const primary = deployments.find((d) => d.status === 'PRIMARY')!.id;
    assert.notEqual(primary, primaryBefore);
    const after = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'ops', services: ['web'] }))).services![0];
    assert.equal(after.deployments!.find((d) => d.status === 'PRIMARY')!.id, primary);
  });

  it('stopping a task is StopTask with the console\'s reason; the service starts a replacement', async () => {
    await service('worker');
    const [arn] = (await berth.ecs.send(new ListTasksCommand({ cluster: 'ops', serviceName: 'worker' }))).taskArns!;
    const stopped = await action('ecs/StopTask', { cluster: 'ops', task: arn.split('/').pop(), reason: 'Stopped from the Berth console' });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    const task = (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'ops', tasks: [arn] }))).tasks![0];
    assert.equal(task.desiredStatus, 'STOPPED');
    assert.equal(task.stoppedReason, 'Stopped from the Berth console');
    const deadline = Date.now() + 20_000;
    let now: string[] = [];
    while (Date.now() < deadline && !(now = (await berth.ecs.send(new ListTasksCommand({ cluster: 'ops', serviceName: 'worker', desiredStatus: 'RUNNING' }))).taskArns!).some((a) => a !== arn)) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(now.some((a) => a !== arn), 'a replacement task');
  });

  it('draining an instance is UpdateContainerInstancesState', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'ec2' }));
    await run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', 'ec2', '--endpoint', berth.endpoint], { cwd: REPO_ROOT });
    const arns = (await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'ec2' }))).containerInstanceArns!;
    const drained = await action('ecs/UpdateContainerInstancesState', { cluster: 'ec2', containerInstances: [arns[0]], status: 'DRAINING' });
    assert.equal(drained.status, 200, JSON.stringify(drained.body));
    const ci = (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'ec2', containerInstances: [arns[0]] }))).containerInstances![0];
    assert.equal(ci.status, 'DRAINING');
  });

  it('the API\'s own errors come back with their AWS codes', async () => {
    const missing = await action('ecs/UpdateService', { cluster: 'ops', service: 'nope', desiredCount: 1 });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'ServiceNotFoundException');
    const invalid = await action('ecs/UpdateService', { cluster: 'ops', service: 'web', desiredCount: 'many' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error!, /InvalidParameterException|ValidationException|SerializationException/);
    const noRepo = await action('ecr/BatchDeleteImage', { repositoryName: 'absent', imageIds: [{ imageTag: 'x' }] });
    assert.equal(noRepo.body.error, 'RepositoryNotFoundException');
  });

  it('only listed operations and members: the console is not a proxy for the API', async () => {
    assert.equal((await action('ecs/DeleteCluster', { cluster: 'ops' })).status, 404);
    const extra = await action('ecs/UpdateService', { cluster: 'ops', service: 'web', taskDefinition: 'other' });
    assert.equal(extra.status, 400);
    assert.match(extra.body.message!, /taskDefinition/);
    assert.equal((await action('ecs/UpdateService', {}, { body: '{"account":"000000000000","region":"us-east-1","input":[1]}' })).status, 400);
    assert.equal((await action('ecs/UpdateService', {}, { body: 'not json' })).status, 400);
  });

  it('refuses a request without the token, from another site, or not JSON, and changes nothing', async () => {
    const input = { cluster: 'ops', service: 'web', desiredCount: 0 };
    const none = await fetch(`${berth.endpoint}/_berth/api/actions/ecs/UpdateService`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...SCOPE, input }), signal: AbortSignal.timeout(5_000),
    });
    assert.equal(none.status, 401);
    assert.equal((await action('ecs/UpdateService', input, { token: 'x'.repeat(32) })).status, 401);
    assert.equal((await action('ecs/UpdateService', input, { headers: { origin: 'http://evil.example' } })).status, 403);
    assert.equal((await action('ecs/UpdateService', input, { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
    assert.equal((await action('ecs/UpdateService', input, { headers: { 'content-type': 'text/plain' } })).status, 415);
    const same = await action('ecs/UpdateService', { cluster: 'ops', service: 'web', desiredCount: 3 }, { headers: { origin: berth.endpoint, 'sec-fetch-site': 'same-origin' } });
    assert.equal(same.status, 200);
    const svc = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'ops', services: ['web'] }))).services![0];
    assert.equal(svc.desiredCount, 3, 'none of the refused requests changed it');
    // Reads stay read-only.
    assert.equal((await fetch(`${berth.endpoint}/_berth/api/overview`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5_000) })).status, 405);
  });

  it('a task\'s page shows its environment with the overrides, its secrets by name only, and where its logs are', async () => {
    await register(berth.ecs, {
      family: 'env', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
      containerDefinitions: [{
        name: 'app', image: 'example/web:1', essential: true, environment: [{ name: 'MODE', value: 'a' }, { name: 'KEEP', value: 'k' }],
        secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/db' }],
      }],
    });
    const { tasks } = await berth.ecs.send(new RunTaskCommand({
      cluster: 'ops', taskDefinition: 'env', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
      overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'MODE', value: 'b' }] }] },
    }));
    const id = tasks![0].taskArn!.split('/').pop();
    const base = `${berth.endpoint}/_berth/api/clusters/000000000000/us-east-1/ops/tasks/${id}`;
    const view = await (await fetch(base, { signal: AbortSignal.timeout(5_000) })).json() as { containers: { environment: unknown; secrets: unknown }[] };
    assert.deepEqual(view.containers[0].environment, [{ name: 'MODE', value: 'b' }, { name: 'KEEP', value: 'k' }]);
    assert.deepEqual(view.containers[0].secrets, [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/db' }]);
    const logs = await (await fetch(`${base}/logs`, { signal: AbortSignal.timeout(5_000) })).json() as { containers: { name: string; lines: unknown[]; note: string }[] };
    assert.equal(logs.containers[0].name, 'app');
    assert.deepEqual(logs.containers[0].lines, []);
    assert.match(logs.containers[0].note, /no log configuration/);
    assert.equal((await fetch(`${berth.endpoint}/_berth/api/clusters/000000000000/us-east-1/ops/tasks/nope/logs`, { signal: AbortSignal.timeout(5_000) })).status, 404);
  });

  it('a service\'s charts mark its deployments and its scaling activities', async () => {
    const aas = new ApplicationAutoScalingClient(clientConfig(berth.endpoint));
    await aas.send(new RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs', ResourceId: 'service/ops/worker', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 4,
    }));
    aas.destroy();
    const view = await (await fetch(`${berth.endpoint}/_berth/api/clusters/000000000000/us-east-1/ops/services/worker`, { signal: AbortSignal.timeout(5_000) }))
      .json() as { metrics: { marks: { t: number; kind: string; label: string }[] } };
    const marks = view.metrics.marks;
    assert.ok(marks.some((m) => m.kind === 'deployment' && /^Deployment ecs-svc\/\d+ \(worker:1\)$/.test(m.label)), JSON.stringify(marks));
    assert.ok(marks.some((m) => m.kind === 'scaling' && m.label === 'Setting desired count to 2.'), JSON.stringify(marks));
    assert.deepEqual(marks.map((m) => m.t), [...marks.map((m) => m.t)].sort((a, b) => a - b), 'in time order');
  });
});
