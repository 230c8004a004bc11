/**
 * What the ECS agent on an EC2 instance does to ECS, for the instance
 * controller (src/controllers/ec2-instances.ts), which runs it inside its own
 * transaction: register the instance as a container instance through
 * RegisterContainerInstance (as the agent calls it: the identity document,
 * the instance's CPU and memory, its attributes and tags), creating the
 * `default` cluster first when ECS_CLUSTER is not set, as the agent does;
 * disconnect while the instance is stopped (its tasks stop: "Host EC2
 * (instance i-…) stopped."); reconnect when it starts again; and, once it is
 * terminated, leave the cluster (INACTIVE) with its tasks stopped ("Host EC2
 * (instance i-…) terminated.", stop code TerminationNotice).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deregister_container_instance.html
 */
import type { ContainerInstance } from '@aws-sdk/client-ecs';
import { iamArn } from '../../shared/arns.js';
import type { Logger } from '../../shared/logger.js';
import type { Statements } from '../../state/db.js';
import type { ChangeKind } from '../../state/change-feed.js';
import type { RequestContext } from '../provider.js';
import type { AgentConfig } from './agent-config.js';
import { createCluster } from './clusters.js';
import { registerContainerInstance, saveInstanceAndTell, stopTasksOn } from './container-instances.js';
import { ENGINE_ATTRIBUTE, activeCapacityProviders, tasksOnInstance } from './store/index.js';

/** A group's name from its ARN (`…:autoScalingGroupName/<name>`) or the name itself, as a provider may give either. */
const groupNameOf = (arnOrName: string) => arnOrName.split(':autoScalingGroupName/')[1] ?? arnOrName;

export interface AgentEnv {
  sql: Statements;
  account: string;
  region: string;
  now: number;
  log: Logger;
  /** Published once the caller's transaction has committed. */
  changed(kind: ChangeKind, key: string): void;
}

/** What the agent knows of its instance (the identity document, the instance's resources and tags). */
export interface Ec2InstanceFacts {
  instanceId: string;
  instanceType: string;
  imageId: string;
  architecture: string;
  availabilityZone: string;
  privateIp?: string;
  vpcId?: string;
  subnetId?: string;
  /** CPU units (vCPUs × 1024) and MiB as the kernel reports them. */
  cpu: number;
  memory: number;
  tags: { Key?: string; Value?: string }[];
}

/** The agent calls ECS as the instance's role would; Berth does not authorize, so as the account. */
function agentContext(env: AgentEnv): RequestContext {
  return {
    account: env.account, region: env.region, requestId: 'ecs-agent', principalArn: iamArn.root(env.account), accessKeyId: 'ecs-agent',
    db: env.sql.db, sql: env.sql, clock: { now: () => env.now }, log: env.log, changed: env.changed,
  };
}

const DEFAULT_CLUSTER = 'default';

/** Registers the instance; throws ECS's error (ClusterNotFoundException…) when it cannot, as the agent would see it. */
export function registerEc2Instance(env: AgentEnv, facts: Ec2InstanceFacts, config: AgentConfig): string {
  const ctx = agentContext(env);
  // Without ECS_CLUSTER the agent joins `default`, creating it first.
  if (!config.cluster) createCluster(ctx, { clusterName: DEFAULT_CLUSTER });
  const tags = new Map<string, string>();
  if (config.propagateTagsFromInstance) {
    for (const t of facts.tags) if (t.Key && !t.Key.startsWith('aws:')) tags.set(t.Key, t.Value ?? '');
  }
  for (const [k, v] of Object.entries(config.tags)) tags.set(k, v);
  const engine = facts.tags.find((t) => t.Key === ENGINE_ATTRIBUTE)?.Value;
  // An instance its Auto Scaling group launched belongs to the ACTIVE capacity provider of that group, if any.
  const group = facts.tags.find((t) => t.Key === 'aws:autoscaling:groupName')?.Value;
  const capacityProviderName = group
    ? activeCapacityProviders(ctx).find((p) => p.autoScalingGroupProvider && groupNameOf(p.autoScalingGroupProvider.autoScalingGroupArn ?? '') === group)?.name
    : undefined;
  const attributes = [
    ...Object.entries(config.attributes).map(([name, value]) => ({ name, value })),
    ...(facts.vpcId ? [{ name: 'ecs.vpc-id', value: facts.vpcId }] : []),
    ...(facts.subnetId ? [{ name: 'ecs.subnet-id', value: facts.subnetId }] : []),
    ...(engine ? [{ name: ENGINE_ATTRIBUTE, value: engine }] : []),
  ];
  const out = registerContainerInstance(ctx, {
    cluster: config.cluster ?? DEFAULT_CLUSTER,
    instanceIdentityDocument: JSON.stringify({
      accountId: env.account, region: env.region, instanceId: facts.instanceId, instanceType: facts.instanceType, imageId: facts.imageId,
      architecture: facts.architecture, availabilityZone: facts.availabilityZone, privateIp: facts.privateIp,
    }),
    totalResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: facts.cpu },
      { name: 'MEMORY', type: 'INTEGER', integerValue: Math.max(1, facts.memory - config.reservedMemory) },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: config.reservedPorts.map(String) },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ],
    attributes,
    ...(tags.size ? { tags: [...tags].map(([key, value]) => ({ key, value })) } : {}),
  }, { capacityProviderName });
  return out.containerInstance!.containerInstanceArn!;
}

function load(env: AgentEnv, arn: string): ContainerInstance | undefined {
  const doc = env.sql.get('SELECT doc FROM ecs_container_instances WHERE arn = ?').pluck().get(arn) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** The instance stopped: its agent is gone, its tasks stop; the container instance stays registered. */
export function disconnectEc2Instance(env: AgentEnv, arn: string, instanceId: string): void {
  const ci = load(env, arn);
  if (!ci || ci.status === 'INACTIVE') return;
  const ctx = agentContext(env);
  stopTasksOn(ctx, arn, 'TerminationNotice', `Host EC2 (instance ${instanceId}) stopped.`);
  ci.agentConnected = false;
  saveInstanceAndTell(env.sql, ci);
  env.changed('ecs.cluster', ci.containerInstanceArn!.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1'));
}

/** The instance started again: its agent reconnects as the same container instance (false if it was deregistered meanwhile). */
export function reconnectEc2Instance(env: AgentEnv, arn: string): boolean {
  const ci = load(env, arn);
  if (!ci || ci.status === 'INACTIVE') return false;
  ci.agentConnected = true;
  saveInstanceAndTell(env.sql, ci);
  env.changed('ecs.cluster', ci.containerInstanceArn!.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1'));
  return true;
}

/** The instance is terminated: ECS deregisters it and stops what ran on it. */
export function retireEc2Instance(env: AgentEnv, arn: string, instanceId: string): void {
  const ci = load(env, arn);
  if (!ci || ci.status === 'INACTIVE') return;
  stopTasksOn(agentContext(env), arn, 'TerminationNotice', `Host EC2 (instance ${instanceId}) terminated.`);
  ci.status = 'INACTIVE';
  ci.agentConnected = false;
  saveInstanceAndTell(env.sql, ci);
  env.changed('ecs.cluster', ci.containerInstanceArn!.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1'));
}

/**
 * ECS managed draining of an EC2 instance its Auto Scaling group is taking out of service: its container instance goes
 * DRAINING (services start replacements elsewhere, then stop its tasks). True once nothing is left on it (or it never
 * registered): the group may terminate it.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
 */
export function drainForTermination(env: AgentEnv, instanceId: string): boolean {
  const doc = env.sql.get(`SELECT doc FROM ecs_container_instances WHERE account = ? AND region = ? AND ec2_instance_id = ? AND status != 'INACTIVE'`)
    .pluck().get(env.account, env.region, instanceId) as string | undefined;
  if (!doc) return true;
  const ci = JSON.parse(doc) as ContainerInstance;
  if (ci.status === 'ACTIVE') {
    ci.status = 'DRAINING';
    ci.version = (ci.version ?? 1) + 1;
    saveInstanceAndTell(env.sql, ci);
    env.changed('ecs.cluster', ci.containerInstanceArn!.replace(/:container-instance\/([^/]+)\/.*$/, ':cluster/$1'));
  }
  return tasksOnInstance(env.sql, ci.containerInstanceArn!).length === 0;
}
