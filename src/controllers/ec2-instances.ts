/**
 * ec2-instances: converges one EC2 instance (key account/region/instance id)
 * through its life, and plays the ECS agent of those launched from an
 * ECS-optimized AMI. A request only records the next state and when it is due
 * (RunInstances: pending; StopInstances: stopping; TerminateInstances:
 * shutting-down); a pass applies what is due (EC2's door: stepInstance) and
 * then does what the agent would do in that state, in the same transaction
 * (ECS's door): once running, register with the cluster its user data names
 * (ecs.config), or reconnect after a stop; while stopping or stopped,
 * disconnect (its tasks stop); shutting down or terminated, leave the cluster.
 * An agent that cannot register (no such cluster) tries again later, as the
 * real one does.
 *
 * Everything is in state: after a restart the resync finds the instances
 * that were between states and finishes their transitions.
 */
import { parseInstanceKey, recordAgent, stepInstance, unsettledInstanceKeys, ecsCpuUnits, ecsMemoryMiB, instanceTypeSpec, type InstanceFacts } from '../services/ec2/index.js';
import {
  disconnectEc2Instance, parseAgentConfig, reconnectEc2Instance, registerEc2Instance, retireEc2Instance, type AgentEnv,
} from '../services/ecs/index.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { Scope } from '../state/scope.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface Ec2InstanceDeps extends StateDeps {
  changes: ChangeFeed;
}

/** How often instances between states (and agents waiting for their cluster) are looked for. */
const RESYNC_MS = 10_000;
/** An agent that could not register tries again after this long. */
const AGENT_RETRY_MS = 5_000;

export class Ec2Instances implements Controller {
  readonly name = 'ec2-instances';
  readonly concurrency = 4;

  readonly watches: Watches = {
    changes: [{ kind: 'ec2.instance' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => unsettledInstanceKeys(this.d.sql) }],
  };

  constructor(private readonly d: Ec2InstanceDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseInstanceKey(key);
    if (!k) return;
    const s: Scope = { sql: this.d.sql, account: k.account, region: k.region };
    const published: [ChangeKind, string][] = [];
    const now = this.d.clock.now();
    const env: AgentEnv = { ...s, now, log: this.d.log, changed: (kind, k2) => published.push([kind, k2]) };
    let retry = false;
    const after = this.d.db.transaction(() => {
      const f = stepInstance(s, k.id, now);
      if (!f) return undefined;
      retry = this.agent(s, env, f);
      return f;
    })();
    for (const [kind, k2] of published) this.d.changes.publish(kind, k2);
    if (!after) return;
    const waits: number[] = [];
    if (after.nextAt !== undefined) waits.push(Math.max(0, after.nextAt - this.d.clock.now()));
    if (retry) waits.push(AGENT_RETRY_MS);
    if (waits.length) return { requeueAfterMs: Math.min(...waits) };
  }

  /** What the ECS agent does in the instance's state; true when it must try again later. */
  private agent(s: Scope, env: AgentEnv, f: InstanceFacts): boolean {
    const id = f.instance.InstanceId!;
    const arn = f.containerInstanceArn;
    if (f.state === 'shutting-down' || f.state === 'terminated') {
      if (arn) {
        retireEc2Instance(env, arn, id);
        recordAgent(s, id, { containerInstanceArn: null, connected: false });
      }
      return false;
    }
    if (f.state === 'stopping' || f.state === 'stopped') {
      if (arn && f.agentConnected) {
        disconnectEc2Instance(env, arn, id);
        recordAgent(s, id, { connected: false });
      }
      return false;
    }
    if (f.state !== 'running' || !f.ecsOptimized || f.agentConnected) return false;
    if (arn) {
      // Started again: the agent's state survived on the root volume, so it is the same container instance.
      if (reconnectEc2Instance(env, arn)) {
        recordAgent(s, id, { connected: true });
        return false;
      }
    }
    const config = parseAgentConfig(f.userData);
    for (const p of config.problems) this.d.log.warn('ecs agent configuration', { instanceId: id, problem: p });
    const type = instanceTypeSpec(f.instance.InstanceType);
    if (!type) return false;
    try {
      const ci = registerEc2Instance(env, {
        instanceId: id, instanceType: type.name, imageId: f.instance.ImageId!, architecture: f.instance.Architecture ?? type.arch,
        availabilityZone: f.instance.Placement?.AvailabilityZone ?? `${s.region}a`, privateIp: f.instance.PrivateIpAddress,
        vpcId: f.instance.VpcId, subnetId: f.instance.SubnetId, cpu: ecsCpuUnits(type), memory: ecsMemoryMiB(type.memoryMiB), tags: f.tags,
      }, config);
      recordAgent(s, id, { containerInstanceArn: ci, connected: true });
      this.d.log.info('ec2 instance registered with ecs', { instanceId: id, containerInstanceArn: ci });
      return false;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      recordAgent(s, id, { connected: false, error: message });
      this.d.log.debug('ecs agent could not register', { instanceId: id, error: message });
      return true;
    }
  }
}

