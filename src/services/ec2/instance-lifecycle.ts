/**
 * The instance controller's side of EC2 (src/controllers/ec2-instances.ts):
 * which instances need a pass, and one step of an instance's life in the
 * caller's transaction. pending → running, stopping → stopped and
 * shutting-down → terminated happen once the time the request recorded has
 * come; a terminated instance's interfaces are deleted (DeleteOnTermination)
 * and it disappears an hour later, as on EC2.
 */
import type { Instance, InstanceStateName, Tag } from '@aws-sdk/client-ec2';
import type { Statements } from '../../state/db.js';
import { getInstance, saveInstance, stateOf, type InstanceRecord } from './instance-records.js';
import { detachEniFromInstance } from './network-interfaces.js';
import { deleteDoc, getTags, putTag, type Scope } from './store.js';

/** How long a terminated instance stays visible ("about an hour" on EC2). */
export const TERMINATED_VISIBLE_MS = 60 * 60_000;

export const instanceKey = (account: string, region: string, id: string) => `${account}/${region}/${id}`;

export function parseInstanceKey(key: string): { account: string; region: string; id: string } | undefined {
  const [account, region, id] = key.split('/');
  return account && region && id?.startsWith('i-') ? { account, region, id } : undefined;
}

/**
 * Instances a controller pass may move on: those between states, terminated ones (to remove), and those
 * whose ECS agent has something to do (running and not connected; stopped or gone and still connected).
 */
export function unsettledInstanceKeys(sql: Statements): string[] {
  return (sql.get(`SELECT account, region, id FROM ec2_resources WHERE kind = 'instance' AND (
      json_extract(doc, '$.instance.State.Name') IN ('pending', 'stopping', 'shutting-down', 'terminated')
      OR (json_extract(doc, '$.instance.State.Name') = 'running' AND json_extract(doc, '$.ecsOptimized') AND NOT COALESCE(json_extract(doc, '$.agentConnected'), 0))
      OR (json_extract(doc, '$.instance.State.Name') != 'running' AND COALESCE(json_extract(doc, '$.agentConnected'), 0)))`)
    .all() as { account: string; region: string; id: string }[]).map((r) => instanceKey(r.account, r.region, r.id));
}

/** What the instance controller sees of an instance after a step. */
export interface InstanceFacts {
  instance: Instance;
  state: InstanceStateName;
  tags: Tag[];
  /** Decoded user data (UTF-8). */
  userData: string;
  ecsOptimized: boolean;
  containerInstanceArn?: string;
  agentConnected: boolean;
  /** When the next step is due (ms since the epoch), if one is. */
  nextAt?: number;
}

function facts(s: Scope, rec: InstanceRecord): InstanceFacts {
  return {
    instance: rec.instance,
    state: rec.instance.State!.Name!,
    tags: getTags(s, rec.instance.InstanceId!),
    userData: rec.userData ? Buffer.from(rec.userData, 'base64').toString('utf8') : '',
    ecsOptimized: rec.ecsOptimized,
    ...(rec.containerInstanceArn ? { containerInstanceArn: rec.containerInstanceArn } : {}),
    agentConnected: !!rec.agentConnected,
    ...(rec.nextAt !== undefined ? { nextAt: rec.nextAt } : {}),
  };
}

/** Applies the transition that is due at `now`, if any; undefined once the instance is gone. */
export function stepInstance(s: Scope, id: string, now: number): InstanceFacts | undefined {
  const stored = getInstance(s, id);
  if (!stored) return undefined;
  const rec = stored.doc;
  const i = rec.instance;
  const due = rec.nextAt !== undefined && now >= rec.nextAt;
  const state = i.State?.Name;
  if (state === 'terminated' && due) {
    deleteDoc(s, id);
    return undefined;
  }
  if (due && state === 'pending') {
    i.State = stateOf('running');
    if (i.MetadataOptions) i.MetadataOptions.State = 'applied';
    if (i.Monitoring?.State === 'pending') i.Monitoring.State = 'enabled';
    delete rec.nextAt;
    saveInstance(s, rec);
  } else if (due && state === 'stopping') {
    i.State = stateOf('stopped');
    delete rec.nextAt;
    saveInstance(s, rec);
  } else if (due && state === 'shutting-down') {
    i.State = stateOf('terminated');
    // Its interface goes (or is freed), and with it the addresses a terminated instance no longer reports.
    if (rec.eniId) detachEniFromInstance(s, rec.eniId);
    delete rec.eniId;
    delete i.PrivateIpAddress;
    delete i.SubnetId;
    delete i.VpcId;
    i.PrivateDnsName = '';
    i.SecurityGroups = [];
    i.BlockDeviceMappings = [];
    rec.nextAt = now + TERMINATED_VISIBLE_MS;
    saveInstance(s, rec);
  }
  return facts(s, rec);
}

/** Records what the instance's ECS agent did. */
export function recordAgent(s: Scope, id: string, agent: { containerInstanceArn?: string | null; connected: boolean; error?: string }): void {
  const stored = getInstance(s, id);
  if (!stored) return;
  const rec = stored.doc;
  if (agent.containerInstanceArn === null) delete rec.containerInstanceArn;
  else if (agent.containerInstanceArn) rec.containerInstanceArn = agent.containerInstanceArn;
  rec.agentConnected = agent.connected;
  if (agent.error) rec.agentError = agent.error;
  else delete rec.agentError;
  saveInstance(s, rec);
}

/** An instance's state and zone, for a caller that keeps instances of its own (an Auto Scaling group). */
export function instanceState(s: Scope, id: string): { state: InstanceStateName; availabilityZone?: string; subnetId?: string; launchTime?: string } | undefined {
  const i = getInstance(s, id)?.doc.instance;
  return i && { state: i.State!.Name!, availabilityZone: i.Placement?.AvailabilityZone, subnetId: i.SubnetId, launchTime: i.LaunchTime as unknown as string };
}

/** A tag only AWS may set (`aws:autoscaling:groupName`): written without the `aws:` check callers' tags get. */
export function putSystemTag(s: Scope, id: string, key: string, value: string): void {
  putTag(s, id, 'instance', key, value);
}
