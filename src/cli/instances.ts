/**
 * `berth instances add|list|remove`: virtual container instances (EC2 launch
 * type) carved from the local engine, registered through Berth's own ECS API
 * as an ECS agent would register an EC2 instance. With `--engine URL`
 * (unix://, tcp:// or ssh://[user@]host[:port]) the instance is an external
 * one (ECS Anywhere) whose tasks run on that engine.
 */
import { DeregisterContainerInstanceCommand, DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';

export interface InstanceFlags {
  endpoint: string;
  region: string;
  cluster: string;
  cpu?: string;
  memory?: string;
  az?: string;
  instanceType?: string;
  attributes?: string;
  /** A remote Docker engine (unix://, tcp:// or ssh://): an external instance. */
  engine?: string;
}

/** How long `instances add` waits for a remote engine to answer before registering it anyway. */
const ENGINE_CHECK_MS = 20_000;

/**
 * Refuses an engine URL Berth cannot use, and warns (without refusing: Berth
 * retries, and the engine may come up later) when the engine does not answer
 * from here. ssh:// logs in as this user with ~/.ssh/config and
 * BERTH_SSH_OPTIONS, as the Berth server does.
 */
async function checkEngine(url: string) {
  const { engineEndpoint } = await import('../runtime/docker/engine-client.js');
  const endpoint = engineEndpoint(url);
  const { DockerDriver } = await import('../runtime/docker/driver.js');
  const driver = new DockerDriver(endpoint);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      driver.ping(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ENGINE_CHECK_MS / 1000} s`)), ENGINE_CHECK_MS))),
    ]);
  } catch (err) {
    console.error(`warning: the engine at ${url} does not answer from here (${(err as Error).message}); registering it anyway: its tasks start once Berth reaches it`);
  } finally {
    clearTimeout(timer);
    driver.close();
  }
}

function client(f: InstanceFlags) {
  return new ECSClient({ endpoint: f.endpoint, region: f.region, credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' } });
}

export async function addInstance(f: InstanceFlags) {
  if (f.engine) await checkEngine(f.engine);
  const ecs = client(f);
  try {
    const attributes = (f.attributes ?? '').split(',').filter(Boolean).map((kv) => {
      const [name, ...rest] = kv.split('=');
      return rest.length ? { name, value: rest.join('=') } : { name };
    });
    if (f.engine) attributes.push({ name: 'berth.engine', value: f.engine });
    const out = await ecs.send(new RegisterContainerInstanceCommand({
      cluster: f.cluster,
      instanceIdentityDocument: JSON.stringify({ availabilityZone: f.az ?? `${f.region}a`, instanceType: f.instanceType ?? 't3.medium', region: f.region }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: Number(f.cpu ?? 2048) },
        { name: 'MEMORY', type: 'INTEGER', integerValue: Number(f.memory ?? 3828) },
      ],
      attributes,
    }));
    const ci = out.containerInstance!;
    console.log(`${ci.containerInstanceArn} (${ci.ec2InstanceId}, ${f.cpu ?? 2048} CPU, ${f.memory ?? 3828} MiB, ${f.az ?? `${f.region}a`})`);
  } finally {
    ecs.destroy();
  }
}

export async function listInstances(f: InstanceFlags) {
  const ecs = client(f);
  try {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: f.cluster }));
    if (!containerInstanceArns?.length) return console.log('no container instances');
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: f.cluster, containerInstances: containerInstanceArns }));
    for (const ci of containerInstances ?? []) {
      const r = (name: string) => ci.remainingResources?.find((x) => x.name === name)?.integerValue;
      const az = ci.attributes?.find((a) => a.name === 'ecs.availability-zone')?.value;
      console.log(`${ci.containerInstanceArn} ${ci.status} ${az} cpu=${r('CPU')} memory=${r('MEMORY')} tasks=${ci.runningTasksCount}`);
    }
  } finally {
    ecs.destroy();
  }
}

export async function removeInstance(f: InstanceFlags, instance: string, force: boolean) {
  const ecs = client(f);
  try {
    await ecs.send(new DeregisterContainerInstanceCommand({ cluster: f.cluster, containerInstance: instance, force }));
    console.log(`deregistered ${instance}`);
  } finally {
    ecs.destroy();
  }
}
