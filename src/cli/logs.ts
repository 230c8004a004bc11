/**
 * `berth logs <task-arn-or-id> [--cluster C] [--container NAME] [-f|--follow]`:
 * prints what a task's containers logged through the awslogs driver, read from
 * Berth's own ECS and CloudWatch Logs APIs with the AWS SDK, as any client would.
 * With several containers each line starts with `<container> | `. With -f it
 * keeps polling and exits once the task has stopped and its last lines are printed.
 */
import { CloudWatchLogsClient, GetLogEventsCommand, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, type Task } from '@aws-sdk/client-ecs';
import { taskIdOf } from '../shared/arns.js';

export interface LogsOptions {
  endpoint: string;
  task: string;
  cluster?: string;
  container?: string;
  follow: boolean;
  region?: string;
  pollMs?: number;
  out?: (line: string) => void;
}

interface Source {
  container: string;
  group: string;
  stream: string;
  region: string;
  /** GetLogEvents forward token: where the next read starts. */
  token?: string;
}

class CliError extends Error {}

function credentials() {
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'test',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'test',
    ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
  };
}

async function describeTask(ecs: ECSClient, task: string, cluster: string | undefined): Promise<Task> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] }));
  const t = out.tasks?.[0];
  if (!t) throw new CliError(`task ${task} not found${cluster ? ` in cluster ${cluster}` : ' (use --cluster if it is not in the default cluster)'}`);
  return t;
}

/** The awslogs streams of the task's containers, named as the awslogs driver names them. */
async function sourcesOf(ecs: ECSClient, task: Task, only: string | undefined, defaultRegion: string): Promise<Source[]> {
  const def = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn! }))).taskDefinition;
  const taskId = taskIdOf(task.taskArn!);
  const sources: Source[] = [];
  let configured = 0;
  for (const cd of def?.containerDefinitions ?? []) {
    if (only && cd.name !== only) continue;
    const lc = cd.logConfiguration;
    if (lc?.logDriver !== 'awslogs' || !lc.options?.['awslogs-group']) continue;
    configured++;
    const prefix = lc.options['awslogs-stream-prefix'];
    const runtimeId = task.containers?.find((c) => c.name === cd.name)?.runtimeId;
    const stream = prefix ? `${prefix}/${cd.name}/${taskId}` : runtimeId;
    if (!stream) continue;
    sources.push({ container: cd.name!, group: lc.options['awslogs-group'], stream, region: lc.options['awslogs-region'] || defaultRegion });
  }
  if (only && !def?.containerDefinitions?.some((cd) => cd.name === only)) throw new CliError(`task has no container named ${only}`);
  if (!configured) {
    throw new CliError(only ? `container ${only} does not log through awslogs` : 'no container of this task logs through awslogs (logConfiguration.logDriver)');
  }
  return sources;
}

/** Everything new in one stream: forward reads until the token comes back unchanged (AWS's end-of-stream signal). */
async function readNew(client: CloudWatchLogsClient, s: Source): Promise<OutputLogEvent[]> {
  const events: OutputLogEvent[] = [];
  for (;;) {
    let out;
    try {
      out = await client.send(new GetLogEventsCommand({ logGroupName: s.group, logStreamName: s.stream, startFromHead: true, nextToken: s.token }));
    } catch (err) {
      // The stream appears when the container starts.
      if ((err as Error).name === 'ResourceNotFoundException') return events;
      throw err;
    }
    events.push(...(out.events ?? []));
    const same = out.nextForwardToken === s.token;
    s.token = out.nextForwardToken;
    if (same || !out.events?.length) return events;
  }
}

export async function logs(o: LogsOptions): Promise<number> {
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? process.env.BERTH_DEFAULT_REGION ?? 'us-east-1';
  const config = { endpoint: o.endpoint, region, credentials: credentials(), maxAttempts: 2 };
  const ecs = new ECSClient(config);
  const clients = new Map<string, CloudWatchLogsClient>();
  const logsClient = (r: string) => {
    if (!clients.has(r)) clients.set(r, new CloudWatchLogsClient({ ...config, region: r }));
    return clients.get(r)!;
  };
  try {
    let task = await describeTask(ecs, o.task, o.cluster);
    const cluster = o.cluster ?? task.clusterArn;
    let sources: Source[] = [];
    for (;;) {
      // Without a prefix a stream is named after the container id, known once the container exists: look again each poll.
      const fresh = await sourcesOf(ecs, task, o.container, region);
      sources = fresh.map((f) => sources.find((s) => s.container === f.container && s.stream === f.stream) ?? f);
      const stoppedBefore = task.lastStatus === 'STOPPED';
      const batch: { container: string; e: OutputLogEvent }[] = [];
      for (const s of sources) for (const e of await readNew(logsClient(s.region), s)) batch.push({ container: s.container, e });
      batch.sort((a, b) => (a.e.timestamp ?? 0) - (b.e.timestamp ?? 0));
      for (const { container, e } of batch) out(sources.length > 1 ? `${container} | ${e.message}` : `${e.message}`);
      // A read that began after the task was STOPPED has seen its last lines.
      if (!o.follow || stoppedBefore) return 0;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
      task = await describeTask(ecs, task.taskArn!, cluster);
    }
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`berth logs: ${err.message}`);
      return 1;
    }
    const e = err as Error & { $metadata?: unknown };
    if (e.name === 'ClusterNotFoundException' || e.name === 'InvalidParameterException') {
      console.error(`berth logs: ${e.message}`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED' || e.name === 'TimeoutError') {
      console.error(`berth logs: nothing answers on ${o.endpoint} (start one with \`berth up\`)`);
      return 1;
    }
    throw err;
  } finally {
    ecs.destroy();
    for (const c of clients.values()) c.destroy();
  }
}
