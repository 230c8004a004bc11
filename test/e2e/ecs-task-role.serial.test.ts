/**
 * Task role credentials on real Docker: a container fetches its role's
 * credentials from 169.254.170.2 (as every AWS SDK does) and calls Berth with
 * them on AWS_ENDPOINT_URL; the test process uses the same keys through the SDK.
 * In the busybox image the container names its key in a hand-made SigV4 scope
 * (Berth reads the key from it); the SDK test runs the real AWS SDK for
 * JavaScript in a task (test/helpers/sdk-image.ts).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig, startBerth } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, launchInstanceWithRole, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { ensureAwsSdkImage } from '../helpers/sdk-image.js';

const CLUSTER = 'roles';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

// Runs alone (a .serial test): every Berth on the host shares 169.254.170.2:80, and other test files start and stop Berths all the time.
// Saves what the container sees, then serves it on :8080.
const SCRIPT = [
  'mkdir -p /www',
  'echo "$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI|$AWS_ENDPOINT_URL" > /www/env.txt',
  'if [ -n "$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" ]; then',
  '  wget -q -O /www/creds.json "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"',
  '  KEY=$(sed \'s/.*"AccessKeyId":"\\([^"]*\\)".*/\\1/\' /www/creds.json)',
  '  wget -q -O /www/whoami.xml --header "Authorization: AWS4-HMAC-SHA256 Credential=$KEY/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0" --header "Content-Type: application/x-www-form-urlencoded" --post-data "Action=GetCallerIdentity&Version=2011-06-15" "$AWS_ENDPOINT_URL/"',
  'fi',
  'exec httpd -f -p 8080 -h /www',
].join('\n');

describe('ECS task role credentials on Docker', () => {
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  let image: string;
  let appRole: string;
  let otherRole: string;

  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    image = ensureBusyboxImage();
    net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const iam = new IAMClient(clientConfig(berth.endpoint));
    appRole = (await iam.send(new CreateRoleCommand({ RoleName: 'app-task', Path: '/ecs/', AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
    otherRole = (await iam.send(new CreateRoleCommand({ RoleName: 'override-task', AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
    iam.destroy();
  });

  async function run(family: string, taskRoleArn: string | undefined, override?: string): Promise<{ task: Task; get: (f: string) => Promise<string> }> {
    await register(berth.ecs, {
      family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      ...(taskRoleArn ? { taskRoleArn } : {}),
      containerDefinitions: [{ name: 'app', image, essential: true, command: ['sh', '-c', SCRIPT], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({
      cluster: CLUSTER, taskDefinition: family, launchType: 'FARGATE', networkConfiguration: net,
      ...(override ? { overrides: { taskRoleArn: override } } : {}),
    }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const task = await waitForTask(berth.ecs, CLUSTER, out.tasks![0].taskArn!, isRunning, 'RUNNING');
    const port = task.containers![0].networkBindings![0].hostPort;
    // Each try is bounded: a connection the engine's port proxy accepts but cannot pass on would otherwise wait minutes.
    const get = async (file: string) => {
      const deadline = Date.now() + 30_000;
      let last = 'no answer';
      while (Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${port}/${file}`, { signal: AbortSignal.timeout(2000) }).catch((err: Error) => err);
        if (!(res instanceof Error) && res.status === 200) return res.text();
        last = res instanceof Error ? `${res.name}: ${res.message}` : `HTTP ${res.status}`;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${file} not served on 127.0.0.1:${port} within 30 s (last: ${last})`);
    };
    return { task, get };
  }

  it('a container of a task with a task role gets its credentials from 169.254.170.2, and Berth takes them for the assumed role', { timeout: 120_000 }, async () => {
    const { task, get } = await run('with-role', appRole);
    const taskId = task.taskArn!.split('/').pop();
    const [uri, endpoint] = (await get('env.txt')).trim().split('|');
    assert.match(uri, /^\/v2\/credentials\/[0-9a-f-]{36}$/);
    assert.match(endpoint, /^http:\/\/\d+\.\d+\.\d+\.\d+:\d+$/);
    const creds = JSON.parse(await get('creds.json'));
    assert.equal(creds.RoleArn, appRole);
    assert.match(creds.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(creds.SecretAccessKey && creds.Token);
    assert.ok(new Date(creds.Expiration).getTime() > Date.now() + 5 * 3600_000, 'valid for hours');
    // The session is named after the task, and the role's path is not part of it.
    const assumed = `arn:aws:sts::000000000000:assumed-role/app-task/${taskId}`;
    // From inside the container, on AWS_ENDPOINT_URL, signed with the task role's key.
    assert.match(await get('whoami.xml'), new RegExp(`<Arn>${assumed}</Arn>`));
    // From the test process, through the SDK, with the same keys.
    const sts = new STSClient(clientConfig(berth.endpoint, 'us-east-1', {
      accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token,
    } as never));
    const me = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(me.Arn, assumed);
    assert.equal(me.Account, '000000000000');
    assert.match(me.UserId!, new RegExp(`^AROA[A-Z2-7]{17}:${taskId}$`));
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });

  it('an unmodified AWS SDK in a task gets the task role\'s credentials from 169.254.170.2 and calls Berth as that role', { timeout: 120_000 }, async () => {
    const sdkImage = ensureAwsSdkImage();
    await register(berth.ecs, {
      family: 'sdk', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', taskRoleArn: appRole,
      containerDefinitions: [{
        name: 'app', image: sdkImage, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 8080 }],
        // No credentials or endpoint are configured: the SDK's default chain and AWS_ENDPOINT_URL do it all.
        command: ['sh', '-c', 'mkdir -p /www; node /sdk/caller-identity.mjs > /www/me.json 2> /www/err.txt; exec httpd -f -p 8080 -h /www'],
      }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'sdk', launchType: 'FARGATE', networkConfiguration: net }));
    const task = await waitForTask(berth.ecs, CLUSTER, out.tasks![0].taskArn!, isRunning, 'RUNNING');
    const port = task.containers![0].networkBindings![0].hostPort;
    let me = '';
    for (let i = 0; i < 150 && !me; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/me.json`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      if (res?.status === 200) me = (await res.text()).trim();
      if (!me) await new Promise((r) => setTimeout(r, 100));
    }
    const err = me ? '' : await (await fetch(`http://127.0.0.1:${port}/err.txt`, { signal: AbortSignal.timeout(5000) })).text();
    assert.ok(me, `the SDK printed nothing: ${err}`);
    const identity = JSON.parse(me);
    assert.equal(identity.Arn, `arn:aws:sts::000000000000:assumed-role/app-task/${task.taskArn!.split('/').pop()}`);
    assert.equal(identity.Account, '000000000000');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });

  it('a task without a task role on an EC2 instance with an instance profile gets the instance\'s role, in sessions named after the instance', { timeout: 120_000 }, async () => {
    const { roleArn: instanceRoleArn, instanceId } = await launchInstanceWithRole(berth, 'fleet', 'ecsInstanceRole');
    await register(berth.ecs, {
      family: 'on-ec2', networkMode: 'bridge', requiresCompatibilities: ['EC2'], cpu: '256', memory: '256',
      containerDefinitions: [{ name: 'app', image, essential: true, command: ['sh', '-c', SCRIPT], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: 'fleet', taskDefinition: 'on-ec2', launchType: 'EC2' }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const task = await waitForTask(berth.ecs, 'fleet', out.tasks![0].taskArn!, isRunning, 'RUNNING');
    const port = task.containers![0].networkBindings![0].hostPort;
    let creds: Record<string, string> | undefined;
    let whoami = '';
    for (const end = Date.now() + 30_000; Date.now() < end && !whoami.includes('<Arn>');) {
      const get = (f: string) => fetch(`http://127.0.0.1:${port}/${f}`, { signal: AbortSignal.timeout(2000) }).then((r) => (r.ok ? r.text() : ''), () => '');
      creds = JSON.parse((await get('creds.json')) || 'null') ?? undefined;
      whoami = await get('whoami.xml');
      if (!whoami.includes('<Arn>')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(creds?.RoleArn, instanceRoleArn, await fetch(`http://127.0.0.1:${port}/env.txt`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), (e) => String(e)));
    // What IMDS gives a process on that instance: the instance role, in a session named after the instance.
    assert.match(whoami, new RegExp(`<Arn>arn:aws:sts::000000000000:assumed-role/ecsInstanceRole/${instanceId}</Arn>`));
    await berth.ecs.send(new StopTaskCommand({ cluster: 'fleet', task: task.taskArn }));
    await waitForTask(berth.ecs, 'fleet', task.taskArn!, isStopped, 'STOPPED');
    await berth.client(EC2Client).send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  });

  it('a taskRoleArn override wins over the task definition; a task without a role gets no credentials URI', { timeout: 120_000 }, async () => {
    const overridden = await run('override', undefined, otherRole);
    assert.equal(JSON.parse(await overridden.get('creds.json')).RoleArn, otherRole);
    const none = await run('no-role', undefined);
    const [uri, endpoint] = (await none.get('env.txt')).trim().split('|');
    assert.equal(uri, '');
    assert.match(endpoint, /^http:\/\//, 'AWS_ENDPOINT_URL is set for every task');
    for (const t of [overridden.task, none.task]) await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: t.taskArn }));
  });

  it('the credentials URI answers only while its task runs', { timeout: 120_000 }, async () => {
    const { task, get } = await run('stops', appRole);
    const [uri] = (await get('env.txt')).trim().split('|');
    // 169.254.170.2 is an address of this host too.
    const before = await fetch(`http://169.254.170.2${uri}`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(before.status, 200);
    assert.equal((await before.json()).RoleArn, appRole);
    assert.equal((await fetch('http://169.254.170.2/v2/credentials/00000000-0000-0000-0000-000000000000', { signal: AbortSignal.timeout(10_000) })).status, 400);
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
    await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    const after = await fetch(`http://169.254.170.2${uri}`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(after.status, 400);
    assert.deepEqual(await after.json(), { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' });
  });

  it('a second Berth on the same engine serves its tasks through the 169.254.170.2:80 another Berth holds, and takes it over when that one stops', { timeout: 120_000 }, async () => {
    const second = await startBerth();
    const ecs2 = new ECSClient(clientConfig(second.endpoint));
    try {
      await ecs2.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      const iam = new IAMClient(clientConfig(second.endpoint));
      const role = (await iam.send(new CreateRoleCommand({ RoleName: 'second-berth', AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
      iam.destroy();
      await register(ecs2, {
        family: 'second', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', taskRoleArn: role,
        containerDefinitions: [{ name: 'app', image, essential: true, command: ['sh', '-c', SCRIPT], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 }],
      });
      const out = await ecs2.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'second', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(second.endpoint) }));
      const task = await waitForTask(ecs2, CLUSTER, out.tasks![0].taskArn!, isRunning, 'RUNNING');
      const port = task.containers![0].networkBindings![0].hostPort;
      let creds: { RoleArn?: string } = {};
      for (let i = 0; i < 80 && !creds.RoleArn; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/creds.json`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        if (res?.status === 200) creds = await res.json();
        else await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(creds.RoleArn, role);
      const uri = (await (await fetch(`http://127.0.0.1:${port}/env.txt`, { signal: AbortSignal.timeout(5000) })).text()).split('|')[0];
      // The first Berth goes away: the second binds 169.254.170.2:80 itself within seconds.
      await berth.stop();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await fetch(`http://169.254.170.2${uri}`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined))?.status ?? 0;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(status, 200);
    } finally {
      ecs2.destroy();
      await second.stop();
    }
  });
});
