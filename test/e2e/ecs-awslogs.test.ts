/**
 * The awslogs log driver on a real Docker engine: what a task prints arrives in
 * CloudWatch Logs, in order, in the stream ECS names; `berth logs` prints it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand, GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { clientConfig, REPO_ROOT, startBerth } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'logs-e2e';
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function awslogs(group: string, extra: Record<string, string> = {}) {
  return { logDriver: 'awslogs' as const, options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app', ...extra } };
}

/** Every event of a stream, oldest first, paging forward until the token repeats. */
async function allEvents(cwl: CloudWatchLogsClient, group: string, stream: string): Promise<OutputLogEvent[]> {
  const events: OutputLogEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const out = await cwl.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
    events.push(...(out.events ?? []));
    if (out.nextForwardToken === token) return events;
    token = out.nextForwardToken;
  }
}

async function waitForEvents(cwl: CloudWatchLogsClient, group: string, stream: string, n: number, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let got: OutputLogEvent[] = [];
  while (Date.now() < end) {
    got = await allEvents(cwl, group, stream).catch(() => []);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${n} events in ${group}/${stream}; have ${got.length}`);
}

/** `berth logs …` as a user runs it (the CLI's source through tsx, so no build is needed). */
function berthLogs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--eval', "import('./src/cli/main.ts').then((m) => m.main(process.argv.slice(1)))", 'logs', ...args], {
    cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

const COUNT_TO = (n: number, tail = '') =>
  `i=1; while [ $i -le ${n} ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done${tail}`;

describe('the awslogs log driver on Docker', () => {
  let image: string;
  const started: string[] = [];

  before(async () => {
    image = ensureBusyboxImage();
  });
  after(async () => {
    // Whatever a failed test left running is stopped, so no container outlives the suite.
    await Promise.all(started.map(async (arn) => {
      await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn })).catch(() => undefined);
      await waitForTask(berth.ecs, CLUSTER, arn, isStopped, 'STOPPED', 20_000).catch(() => undefined);
    }));
  });
  const berth = useBerth({ clients: { ecs: ECSClient, cwl: CloudWatchLogsClient } });
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  async function run(family: string, containerDefinitions: object[]): Promise<Task> {
    await register(berth.ecs, {
      family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: EXEC_ROLE,
      containerDefinitions,
    } as never);
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.ecs) }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    started.push(out.tasks![0].taskArn!);
    return out.tasks![0];
  }

  it('200 numbered lines on stdout and stderr all arrive in order in the stream prefix/container/task-id', async () => {
    await berth.cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/counter' }));
    const task = await run('counter', [
      { name: 'main', image, essential: true, command: ['sh', '-c', COUNT_TO(200, '; sleep 600')], stopTimeout: 1, logConfiguration: awslogs('/ecs/counter') },
    ]);
    const stream = `app/main/${taskIdOf(task.taskArn!)}`;
    const events = await waitForEvents(berth.cwl, '/ecs/counter', stream, 400);
    assert.equal(events.length, 400);
    const out = events.map((e) => e.message!).filter((m) => m.startsWith('out '));
    const err = events.map((e) => e.message!).filter((m) => m.startsWith('err '));
    assert.deepEqual(out, Array.from({ length: 200 }, (_, i) => `out ${i + 1}`));
    assert.deepEqual(err, Array.from({ length: 200 }, (_, i) => `err ${i + 1}`));
    for (let i = 1; i < events.length; i++) assert.ok(events[i].timestamp! >= events[i - 1].timestamp!, 'events are in timestamp order');
    const streams = await berth.cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/counter' }));
    assert.deepEqual(streams.logStreams?.map((s) => s.logStreamName), [stream]);
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
    await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal((await allEvents(berth.cwl, '/ecs/counter', stream)).length, 400, 'stopping ships nothing twice');
  });

  it('a missing log group without awslogs-create-group stops the task with ResourceInitializationError', async () => {
    const task = await run('nogroup', [
      { name: 'main', image, essential: true, command: ['sh', '-c', 'echo hi; sleep 600'], logConfiguration: awslogs('/ecs/does-not-exist') },
    ]);
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', /^ResourceInitializationError: failed to validate logger args: .*The specified log group does not exist/);
    assert.equal(stopped.containers![0].runtimeId, undefined, 'no container was created');
  });

  it('awslogs-create-group creates the log group and the task runs', async () => {
    const task = await run('creategroup', [
      { name: 'web', image, essential: true, command: ['sh', '-c', 'echo created; sleep 600'], stopTimeout: 1, logConfiguration: awslogs('/ecs/created', { 'awslogs-create-group': 'true' }) },
    ]);
    await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isRunning, 'RUNNING');
    const groups = await berth.cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/created' }));
    assert.deepEqual(groups.logGroups?.map((g) => g.logGroupName), ['/ecs/created']);
    const events = await waitForEvents(berth.cwl, '/ecs/created', `app/web/${taskIdOf(task.taskArn!)}`, 1);
    assert.equal(events[0].message, 'created');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
  });

  it('lines printed right before the essential container exits are in CloudWatch Logs when the task is STOPPED', async () => {
    await berth.cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/last-words' }));
    const task = await run('lastwords', [
      { name: 'job', image, essential: true, command: ['sh', '-c', COUNT_TO(100, '; echo "goodbye"; exit 3')], logConfiguration: awslogs('/ecs/last-words') },
      { name: 'sidecar', image, essential: true, command: ['sh', '-c', 'echo "sidecar up"; trap "echo sidecar got SIGTERM; exit 0" TERM; while true; do sleep 0.1; done'], stopTimeout: 5, logConfiguration: awslogs('/ecs/last-words') },
    ]);
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    // The engine timestamps stdout and stderr separately, so only each one's own order is defined.
    const stdout = (lines: string[]) => lines.filter((m) => !m.startsWith('err '));
    const job = (await allEvents(berth.cwl, '/ecs/last-words', `app/job/${taskIdOf(task.taskArn!)}`)).map((e) => e.message!);
    assert.equal(job.length, 201);
    assert.deepEqual(stdout(job), [...Array.from({ length: 100 }, (_, i) => `out ${i + 1}`), 'goodbye']);
    const sidecar = await allEvents(berth.cwl, '/ecs/last-words', `app/sidecar/${taskIdOf(task.taskArn!)}`);
    assert.deepEqual(sidecar.map((e) => e.message), ['sidecar up', 'sidecar got SIGTERM'], 'what a container prints on SIGTERM is kept too');

    const printed = await berthLogs([task.taskArn!, '--cluster', CLUSTER, '--container', 'job', '--endpoint', berth.endpoint]);
    assert.equal(printed.code, 0, printed.stderr);
    const lines = printed.stdout.trimEnd().split('\n');
    assert.deepEqual(lines, job, 'berth logs prints what CloudWatch Logs holds, in its order');
  });

  it('a 40 KiB line (which the engine cuts into 16 KiB messages) is one event, followed by the next line', async () => {
    await berth.cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/long-line' }));
    // 4096 numbered cells of 10 bytes: any lost, doubled or reordered piece shows.
    const task = await run('longline', [{
      name: 'main', image, essential: true, logConfiguration: awslogs('/ecs/long-line'),
      command: ['sh', '-c', 'i=0; while [ $i -lt 4096 ]; do printf "%09d|" $i; i=$((i+1)); done; echo; echo short'],
    }]);
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.containers![0].exitCode, 0);
    const events = await allEvents(berth.cwl, '/ecs/long-line', `app/main/${taskIdOf(task.taskArn!)}`);
    assert.equal(events.length, 2, `events of ${events.map((e) => e.message!.length).join(', ')} characters`);
    const expected = Array.from({ length: 4096 }, (_, i) => `${String(i).padStart(9, '0')}|`).join('');
    const got = events[0].message!;
    const at = [...expected].findIndex((ch, i) => got[i] !== ch);
    assert.ok(got === expected, `the first event has ${got.length} characters, not ${expected.length}; first difference at ${at}: ${JSON.stringify(got.slice(at, at + 40))}`);
    assert.equal(events[1].message, 'short');
  });

  it('berth logs -f prints lines as they come and exits when the task stops; several containers are prefixed by name', async () => {
    await berth.cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/follow' }));
    const task = await run('follow', [
      { name: 'main', image, essential: true, command: ['sh', '-c', 'echo first; sleep 3; echo second'], logConfiguration: awslogs('/ecs/follow') },
      { name: 'side', image, essential: false, command: ['sh', '-c', 'echo side'], logConfiguration: awslogs('/ecs/follow') },
    ]);
    const id = taskIdOf(task.taskArn!);
    const printed = await berthLogs([id, '--cluster', CLUSTER, '-f', '--endpoint', berth.endpoint]);
    assert.equal(printed.code, 0, printed.stderr);
    const lines = printed.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('main | ')), ['main | first', 'main | second']);
    assert.deepEqual(lines.filter((l) => l.startsWith('side | ')), ['side | side']);
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED', 5_000);
    assert.equal(stopped.lastStatus, 'STOPPED', 'berth logs -f returned after the task stopped');
  });

  it('berth logs names a task that does not exist', async () => {
    const printed = await berthLogs(['0123456789abcdef0123456789abcdef', '--cluster', CLUSTER, '--endpoint', berth.endpoint]);
    assert.equal(printed.code, 1);
    assert.match(printed.stderr, /task 0123456789abcdef0123456789abcdef not found in cluster logs-e2e/);
  });
});

describe('the awslogs log driver across a Berth restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-awslogs-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a restarted Berth resumes shipping where it stopped: no line lost, none twice', async () => {
    const image = ensureBusyboxImage();
    let berth = await startBerth({ ephemeral: false, dataDir });
    let ecs = new ECSClient(clientConfig(berth.endpoint));
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    let cwl = new CloudWatchLogsClient(clientConfig(berth.endpoint));
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/restart' }));
    await register(ecs, {
      family: 'ticker', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: EXEC_ROLE,
      containerDefinitions: [{
        name: 'tick', image, essential: true, logConfiguration: awslogs('/ecs/restart'),
        command: ['sh', '-c', 'i=1; while [ $i -le 60 ]; do echo "tick $i"; echo "tock $i" >&2; i=$((i+1)); sleep 0.05; done'],
      }],
    } as never);
    const out = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'ticker', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(ecs) }));
    const arn = out.tasks![0].taskArn!;
    const stream = `app/tick/${taskIdOf(arn)}`;
    await waitForEvents(cwl, '/ecs/restart', stream, 10);
    ecs.destroy();
    cwl.destroy();
    await berth.stop();

    await new Promise((r) => setTimeout(r, 1500)); // the container keeps printing while Berth is down
    berth = await startBerth({ ephemeral: false, dataDir });
    ecs = new ECSClient(clientConfig(berth.endpoint));
    cwl = new CloudWatchLogsClient(clientConfig(berth.endpoint));
    try {
      await waitForTask(ecs, CLUSTER, arn, isStopped, 'STOPPED');
      const messages = (await allEvents(cwl, '/ecs/restart', stream)).map((e) => e.message);
      assert.deepEqual(messages.filter((m) => m!.startsWith('tick ')), Array.from({ length: 60 }, (_, i) => `tick ${i + 1}`));
      assert.deepEqual(messages.filter((m) => m!.startsWith('tock ')), Array.from({ length: 60 }, (_, i) => `tock ${i + 1}`));
      assert.equal(messages.length, 120);
    } finally {
      ecs.destroy();
      cwl.destroy();
      await berth.stop();
    }
  });
});
