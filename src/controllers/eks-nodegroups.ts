/**
 * eks-nodegroups: converges one managed node group (key account/region/cluster/nodegroup) with its EC2
 * capacity and its Kubernetes Nodes.
 *
 * CREATING, ACTIVE, UPDATING: the group has its launch template (EKS's own, `eks-<uuid>`: the AMI type's image,
 * the first instance type, and what a launch template the request named holds) and its Auto Scaling group
 * `eks-<nodegroup>-<id>` over the node group's subnets, sized as `scalingConfig` says — both made through the
 * EC2 and Auto Scaling operations, as EKS makes them in the user's account. Each of the group's instances is a
 * Node (kubernetes/nodes.ts), Ready once the instance is in service; the node group is ACTIVE (its updates
 * Successful) once it has its desired number of Ready nodes. The stand-in `berth-node` goes.
 * DELETING: the Auto Scaling group is force-deleted, its instances' Nodes go as they terminate (pods bound to a
 * Node that goes go with it, as the pod garbage collector deletes them, and their controllers make new ones),
 * then the launch template and the node group; a cluster left with no node group gets its stand-in node back.
 */
import type { Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { findGroup, groupKeysOfInstance } from '../services/auto-scaling/index.js';
import { amazonImage } from '../services/ec2/index.js';
import {
  clusterKey, countItems, deleteItem, getItem, itemsByRef, allItems, loadCluster, nodegroupKey, parseNodegroupKey, putItem, type Scope,
} from '../services/eks/store.js';
import {
  finishUpdates, instanceNode, kubernetesVersion, listObjects, NODE_NAME, removeObject, removeStandInNode, syncNodegroupNodes, type KubeObject, type ObjectScope, type StoredNodegroup,
} from '../services/eks/index.js';
import type { Invoke, InternalCaller } from '../services/provider.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EksNodegroupsDeps extends StateDeps {
  changes: ChangeFeed;
  invoke: Invoke;
}

const RESYNC_MS = 10_000;
const SETTLING_MS = 1_000;

export class EksNodegroups implements Controller {
  readonly name = 'eks-nodegroups';
  readonly watches: Watches = {
    changes: [
      { kind: 'eks.nodegroup' },
      // An instance of a node group's Auto Scaling group changed state: its Node follows.
      { kind: 'ec2.instance', keys: (k) => this.nodegroupsOfInstance(k) },
    ],
    resync: [{ periodMs: RESYNC_MS, keys: () => allItems(this.d.sql, 'nodegroup').map((n) => nodegroupKey(n, n.cluster, n.name)) }],
  };

  constructor(private readonly d: EksNodegroupsDeps) {}

  private nodegroupsOfInstance(instanceKey: string): string[] {
    return groupKeysOfInstance(this.d.sql, instanceKey).flatMap((g) => {
      const [account, region, name] = g.split('/');
      return itemsByRef(this.d.sql, 'nodegroup', name).filter((n) => n.account === account && n.region === region).map((n) => nodegroupKey(n, n.cluster, n.name));
    });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseNodegroupKey(key);
    if (!k) return;
    const s: Scope = { sql: this.d.sql, account: k.account, region: k.region };
    const item = getItem<StoredNodegroup>(s, k.cluster, 'nodegroup', k.name);
    const cluster = loadCluster(s, k.cluster);
    if (!item || !cluster) return;
    const caller: InternalCaller = { account: k.account, region: k.region };
    const ng = item.doc;
    const group = item.ref ? findGroup(s, item.ref) : undefined;

    if (ng.status === 'DELETING') {
      if (group && group.Status !== 'Delete in progress') {
        await this.d.invoke(caller, 'auto-scaling', 'DeleteAutoScalingGroup', { AutoScalingGroupName: item.ref, ForceDelete: true });
      }
      const wanted = group ? await this.nodes(caller, ng, group.Instances ?? [], k.region, cluster.doc) : [];
      if (group) {
        this.write(cluster.uid, (store) => this.syncNodes(store, ng.nodegroupName!, wanted));
        return { requeueAfterMs: SETTLING_MS };
      }
      if (ng.berthLaunchTemplateId) {
        await this.d.invoke(caller, 'ec2', 'DeleteLaunchTemplate', { LaunchTemplateId: ng.berthLaunchTemplateId }).catch(() => undefined);
      }
      const published: [ChangeKind, string][] = [];
      this.write(cluster.uid, (store) => {
        this.syncNodes(store, ng.nodegroupName!, []);
        deleteItem(s, k.cluster, 'nodegroup', k.name);
        // The last node group gone: the cluster controller brings the stand-in node back.
        if (countItems(s, k.cluster, 'nodegroup') === 0) published.push(['eks.cluster', clusterKey(s, k.cluster)]);
      });
      for (const [kind, x] of published) this.d.changes.publish(kind, x);
      return;
    }

    if (!group) {
      await this.provision(caller, s, k.cluster, item);
      return { requeueAfterMs: SETTLING_MS };
    }
    const sc = ng.scalingConfig!;
    if (group.MinSize !== sc.minSize || group.MaxSize !== sc.maxSize || group.DesiredCapacity !== sc.desiredSize) {
      await this.d.invoke(caller, 'auto-scaling', 'UpdateAutoScalingGroup', {
        AutoScalingGroupName: item.ref, MinSize: sc.minSize, MaxSize: sc.maxSize, DesiredCapacity: sc.desiredSize,
      });
    }
    const wanted = await this.nodes(caller, ng, group.Instances ?? [], k.region, cluster.doc);
    const ready = wanted.filter((n) => n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
    let settled = true;
    this.write(cluster.uid, (store) => {
      this.syncNodes(store, ng.nodegroupName!, wanted);
      removeStandInNode(store, NODE_NAME);
      const fresh = getItem<StoredNodegroup>(s, k.cluster, 'nodegroup', k.name);
      if (!fresh || fresh.doc.status === 'DELETING') return;
      const desired = fresh.doc.scalingConfig?.desiredSize ?? 0;
      settled = ready === desired && wanted.length === desired;
      if (settled && fresh.doc.status !== 'ACTIVE') {
        fresh.doc.status = 'ACTIVE';
        fresh.doc.modifiedAt = (this.d.clock.now() / 1000) as unknown as Date;
        finishUpdates(s, k.cluster, k.name);
        putItem(s, k.cluster, 'nodegroup', k.name, fresh.doc, { ref: fresh.ref, status: 'ACTIVE' });
      }
    });
    if (!settled) return { requeueAfterMs: SETTLING_MS };
  }

  /** EKS's launch template and Auto Scaling group for the node group, recorded on it. */
  private async provision(caller: InternalCaller, s: Scope, cluster: string, item: { doc: StoredNodegroup; name: string }) {
    const ng = item.doc;
    const id = ng.nodegroupArn!.split('/').pop()!;
    const image = amazonImage(caller.region, /ARM_64/.test(ng.amiType ?? '') ? 'al2023-arm64' : 'al2023-x86_64').id;
    let data: Record<string, any> = {};
    if (ng.launchTemplate) {
      const spec = ng.launchTemplate;
      const out = await this.d.invoke(caller, 'ec2', 'DescribeLaunchTemplateVersions', {
        ...(spec.id ? { LaunchTemplateId: spec.id } : { LaunchTemplateName: spec.name }), Versions: [spec.version ?? '$Default'],
      });
      const v = out.LaunchTemplateVersions?.[0];
      data = { ...(v?.LaunchTemplateData ?? {}) };
      ng.launchTemplate = { name: v?.LaunchTemplateName, version: String(v?.VersionNumber ?? spec.version), id: v?.LaunchTemplateId };
    }
    const nodeConfig = `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: application/node.eks.aws\n\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: ${cluster}\n--//--\n`;
    const templateName = `eks-${id}`;
    let templateId = ng.berthLaunchTemplateId;
    if (!templateId) {
      const lt = await this.d.invoke(caller, 'ec2', 'CreateLaunchTemplate', {
        LaunchTemplateName: templateName,
        LaunchTemplateData: {
          ...data, ImageId: data.ImageId ?? image, ...(ng.instanceTypes?.length ? { InstanceType: ng.instanceTypes[0] } : {}),
          UserData: data.UserData ?? Buffer.from(nodeConfig).toString('base64'),
        },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'eks:cluster-name', Value: cluster }, { Key: 'eks:nodegroup-name', Value: ng.nodegroupName }] }],
      });
      templateId = lt.LaunchTemplate.LaunchTemplateId as string;
      // Recorded at once: a pass that fails after this one finds it rather than making another.
      this.d.db.transaction(() => {
        const fresh = getItem<StoredNodegroup>(s, cluster, 'nodegroup', item.name);
        if (fresh) putItem(s, cluster, 'nodegroup', item.name, { ...fresh.doc, berthLaunchTemplateId: templateId }, { ref: fresh.ref, status: fresh.doc.status });
      })();
    }
    const asg = `eks-${ng.nodegroupName}-${id}`;
    const sc = ng.scalingConfig!;
    const tag = (Key: string, Value: string) => ({ Key, Value, PropagateAtLaunch: true });
    await this.d.invoke(caller, 'auto-scaling', 'CreateAutoScalingGroup', {
      AutoScalingGroupName: asg, LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      MinSize: sc.minSize, MaxSize: sc.maxSize, DesiredCapacity: sc.desiredSize, VPCZoneIdentifier: (ng.subnets ?? []).join(','),
      Tags: [
        tag('eks:cluster-name', cluster), tag('eks:nodegroup-name', ng.nodegroupName!), tag(`kubernetes.io/cluster/${cluster}`, 'owned'),
        tag('k8s.io/cluster-autoscaler/enabled', 'true'), tag(`k8s.io/cluster-autoscaler/${cluster}`, 'owned'),
      ],
    });
    this.d.db.transaction(() => {
      const fresh = getItem<StoredNodegroup>(s, cluster, 'nodegroup', item.name);
      if (!fresh) return;
      fresh.doc.berthLaunchTemplateId = templateId;
      fresh.doc.resources = { autoScalingGroups: [{ name: asg }] };
      if (ng.launchTemplate) fresh.doc.launchTemplate = ng.launchTemplate;
      putItem(s, cluster, 'nodegroup', item.name, fresh.doc, { ref: asg, status: fresh.doc.status });
    })();
  }

  /** The Nodes the group's live instances make (terminating ones are on their way out). */
  private async nodes(caller: InternalCaller, ng: StoredNodegroup, members: { InstanceId?: string; LifecycleState?: string }[], region: string, clusterDoc: string): Promise<KubeObject[]> {
    const live = members.filter((m) => !/^Terminat/.test(m.LifecycleState ?? ''));
    if (!live.length) return [];
    const out = await this.d.invoke(caller, 'ec2', 'DescribeInstances', { InstanceIds: live.map((m) => m.InstanceId) });
    const instances: Ec2Instance[] = (out.Reservations ?? []).flatMap((r: any) => r.Instances ?? []);
    const version = JSON.parse(clusterDoc).version as string;
    const gitVersion = kubernetesVersion(ng.version ?? version)?.gitVersion ?? 'v1.32.9-eks-berth';
    return live.flatMap((m) => {
      const i = instances.find((x) => x.InstanceId === m.InstanceId);
      if (!i || i.State?.Name === 'terminated' || i.State?.Name === 'shutting-down') return [];
      const ip = i.PrivateIpAddress ?? '10.0.0.1';
      const dns = i.PrivateDnsName || `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
      return [instanceNode({
        instanceId: i.InstanceId!, privateDnsName: dns, privateIp: ip, instanceType: i.InstanceType ?? ng.instanceTypes?.[0] ?? 't3.medium',
        zone: i.Placement?.AvailabilityZone ?? `${region}a`, region, nodegroup: ng.nodegroupName!, amiType: ng.amiType ?? 'AL2023_x86_64_STANDARD',
        capacityType: ng.capacityType ?? 'ON_DEMAND', labels: ng.labels ?? {}, taints: ng.taints ?? [], gitVersion,
        ready: m.LifecycleState === 'InService' && i.State?.Name === 'running',
      }, this.d.clock.now())];
    });
  }

  /** The node group's Nodes made `wanted`; pods bound to a Node that went go too. */
  private syncNodes(store: ObjectScope, nodegroup: string, wanted: KubeObject[]) {
    const removed = new Set(syncNodegroupNodes(store, nodegroup, wanted, this.d.clock.now()));
    if (!removed.size) return;
    for (const pod of listObjects(store, 'pods')) if (removed.has(pod.spec?.nodeName)) removeObject(store, 'pods', pod);
  }

  private write(cluster: string, work: (store: ObjectScope) => void) {
    const keys: string[] = [];
    this.d.db.transaction(() => work({ sql: this.d.sql, cluster, changed: (x) => keys.push(x) }))();
    for (const x of keys) this.d.changes.publish('eks.kube', x);
  }
}
