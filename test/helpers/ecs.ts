/** ECS test helpers: register a task definition, wait for a task to reach a state. */
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, type ECSClient, type RegisterTaskDefinitionCommandInput, type Task } from '@aws-sdk/client-ecs';

export async function waitForTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  done: (t: Task) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Task> {
  const end = Date.now() + timeoutMs;
  let last: Task | undefined;
  while (Date.now() < end) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    last = out.tasks?.[0];
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for task to be ${what}; last seen: ${JSON.stringify(last, null, 1)}`);
}

export const isStopped = (t: Task) => t.lastStatus === 'STOPPED';
export const isRunning = (t: Task) => t.lastStatus === 'RUNNING';

export async function register(ecs: ECSClient, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition!.taskDefinitionArn!;
}

export const FARGATE_NETWORK = { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'ENABLED' as const } };
