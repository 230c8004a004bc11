/**
 * The Node objects of a cluster's compute: one per instance of a managed node group (named as EKS names it,
 * the instance's private DNS name, with the instance type's capacity and what the kubelet on EKS's AMI leaves
 * allocatable), and one per pod that a Fargate profile places (`fargate-ip-…`, sized as Fargate sizes the pod).
 * Labels and taints are what EKS's nodes carry (eks.amazonaws.com/nodegroup, node.kubernetes.io/instance-type,
 * topology.kubernetes.io/zone, eks.amazonaws.com/compute-type=fargate…).
 *
 * The stand-in node (bootstrap.ts, `berth-node`: the engine itself) serves clusters that have no node group:
 * it goes when the first node group has nodes (removeStandInNode) and the cluster controller makes it again when the
 * last node group is gone.
 * https://docs.aws.amazon.com/eks/latest/userguide/choosing-instance-type.html (max pods, reserved resources)
 */
import { instanceTypeSpec } from '../../ec2/index.js';
import { newMetadata, rfc3339 } from './defaults.js';
import { getObject, listObjects, putObject, removeObject, type KubeObject, type ObjectScope } from './objects.js';
import { byId } from './resources.js';

export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';
export const COMPUTE_TYPE_LABEL = 'eks.amazonaws.com/compute-type';
/** On a Fargate node: the pod it was made for (namespace/name), so it goes with that pod. */
export const FARGATE_POD_ANNOTATION = 'berth.eks/fargate-pod';

/** A node group instance as the node-group controller sees it. */
export interface InstanceNode {
  instanceId: string;
  privateDnsName: string;
  privateIp: string;
  instanceType: string;
  zone: string;
  region: string;
  nodegroup: string;
  amiType: string;
  capacityType: string;
  labels: Record<string, string>;
  /** As EKS's API spells them (effect NO_SCHEDULE…); the Node gets Kubernetes' spelling. */
  taints: { key?: string; value?: string; effect?: string }[];
  gitVersion: string;
  /** The node can take pods (the instance is running). */
  ready: boolean;
}

const EFFECTS: Record<string, string> = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' };

/** The pods the VPC CNI lets an instance type hold: ENIs × (IPv4 addresses per ENI − 1) + 2, as EKS's max-pods table. */
export function maxPods(instanceType: string): number {
  const t = instanceTypeSpec(instanceType);
  return t ? t.maxEnis * (t.ipsPerEni - 1) + 2 : 110;
}

/**
 * What the kubelet on EKS's AMIs leaves for pods: CPU less 6% of the first core, 1% of the second, 0.5% of the
 * next two and 0.25% of the rest; memory less 255 MiB + 11 MiB a pod (kube-reserved) and 100 MiB (eviction).
 */
export function allocatable(instanceType: string): { cpu: string; memory: string; capacityCpu: string; capacityMemory: string; pods: number } {
  const t = instanceTypeSpec(instanceType);
  const vcpus = t?.vcpus ?? 2;
  const memMiB = t?.memoryMiB ?? 4096;
  const pods = maxPods(instanceType);
  const cores = [60, 10, 5, 5];
  let reservedMilli = 0;
  for (let i = 0; i < vcpus; i++) reservedMilli += cores[i] ?? 2.5;
  const reservedMiB = 255 + 11 * pods + 100;
  return {
    cpu: `${vcpus * 1000 - Math.ceil(reservedMilli)}m`,
    memory: `${(memMiB - reservedMiB) * 1024}Ki`,
    capacityCpu: String(vcpus),
    capacityMemory: `${memMiB * 1024}Ki`,
    pods,
  };
}

function conditions(now: string, ready: boolean) {
  return [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    ready
      ? { type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletNotReady', message: 'container runtime network not ready' },
  ];
}

/** The Node of a node group's instance (without server-set metadata). */
export function instanceNode(i: InstanceNode, now: number): KubeObject {
  const t = instanceTypeSpec(i.instanceType);
  const arch = t?.arch === 'arm64' ? 'arm64' : 'amd64';
  const a = allocatable(i.instanceType);
  const at = rfc3339(now);
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: i.privateDnsName,
      labels: {
        ...i.labels,
        [NODEGROUP_LABEL]: i.nodegroup, 'eks.amazonaws.com/nodegroup-image': '', 'eks.amazonaws.com/capacityType': i.capacityType,
        'eks.amazonaws.com/sourceLaunchTemplateId': '', 'node.kubernetes.io/instance-type': i.instanceType, 'beta.kubernetes.io/instance-type': i.instanceType,
        'topology.kubernetes.io/zone': i.zone, 'failure-domain.beta.kubernetes.io/zone': i.zone, 'topology.kubernetes.io/region': i.region,
        'failure-domain.beta.kubernetes.io/region': i.region, 'kubernetes.io/hostname': i.privateDnsName, 'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': arch, 'topology.k8s.aws/zone-id': '',
      },
      annotations: { 'alpha.kubernetes.io/provided-node-ip': i.privateIp, 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      providerID: `aws:///${i.zone}/${i.instanceId}`,
      ...(i.taints.length ? { taints: i.taints.map((x) => ({ key: x.key, ...(x.value ? { value: x.value } : {}), effect: EFFECTS[x.effect ?? ''] ?? x.effect })) } : {}),
    },
    status: {
      capacity: { cpu: a.capacityCpu, memory: a.capacityMemory, pods: String(a.pods), 'ephemeral-storage': '20959212Ki' },
      allocatable: { cpu: a.cpu, memory: a.memory, pods: String(a.pods), 'ephemeral-storage': '18242267924' },
      conditions: conditions(at, i.ready),
      addresses: [
        { type: 'InternalIP', address: i.privateIp }, { type: 'InternalDNS', address: i.privateDnsName }, { type: 'Hostname', address: i.privateDnsName },
      ],
      nodeInfo: {
        kubeletVersion: i.gitVersion, kubeProxyVersion: i.gitVersion, operatingSystem: 'linux', architecture: arch,
        containerRuntimeVersion: 'containerd://1.7.27', osImage: i.amiType.startsWith('AL2023') ? 'Amazon Linux 2023' : 'Amazon Linux 2',
        kernelVersion: '6.1.0', machineID: '', systemUUID: '', bootID: '',
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

/** What a Node's spec and status say that a re-sync may change (labels, taints, readiness, kubelet version), compared as JSON. */
const fingerprint = (n: KubeObject) =>
  JSON.stringify([n.metadata.labels, n.spec?.taints ?? [], n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status, n.status?.nodeInfo?.kubeletVersion]);

/**
 * Makes the node group's Nodes exactly `wanted`: new ones are created, changed ones updated (labels, taints,
 * readiness, kubelet version after a version update; what else a user set on them is kept), those of instances gone are removed. Answers the names removed.
 */
export function syncNodegroupNodes(store: ObjectScope, nodegroup: string, wanted: KubeObject[], now: number): string[] {
  const have = listObjects(store, 'nodes').filter((n) => n.metadata.labels?.[NODEGROUP_LABEL] === nodegroup);
  const names = new Set(wanted.map((n) => n.metadata.name));
  const removed: string[] = [];
  for (const n of have) {
    if (names.has(n.metadata.name)) continue;
    removeObject(store, 'nodes', n);
    removed.push(n.metadata.name!);
  }
  for (const w of wanted) {
    const existing = getObject(store, 'nodes', '', w.metadata.name!);
    if (!existing) {
      newMetadata(byId('nodes'), w, now);
      putObject(store, 'nodes', w, 'ADDED');
    } else if (fingerprint(existing) !== fingerprint(w)) {
      existing.metadata.labels = w.metadata.labels;
      existing.spec = { ...existing.spec, taints: w.spec.taints };
      if (!w.spec.taints) delete existing.spec.taints;
      const ready = w.status.conditions.find((c: any) => c.type === 'Ready');
      existing.status.conditions = [...existing.status.conditions.filter((c: any) => c.type !== 'Ready'), ready];
      existing.status.nodeInfo = w.status.nodeInfo;
      putObject(store, 'nodes', existing, 'MODIFIED');
    }
  }
  return removed;
}

/** Fargate's vCPU and memory (GiB) combinations, smallest first. https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html */
const FARGATE_SIZES: [number, number[]][] = [
  [0.25, [0.5, 1, 2]],
  [0.5, [1, 2, 3, 4]],
  [1, [2, 3, 4, 5, 6, 7, 8]],
  [2, Array.from({ length: 13 }, (_, i) => 4 + i)],
  [4, Array.from({ length: 23 }, (_, i) => 8 + i)],
  [8, Array.from({ length: 12 }, (_, i) => 16 + 4 * i)],
  [16, Array.from({ length: 12 }, (_, i) => 32 + 8 * i)],
];

/**
 * The Fargate size a pod gets: the smallest combination with at least the pod's CPU request and its memory
 * request plus the 256 MiB Fargate adds for the kubelet, kube-proxy and containerd. Undefined past 16 vCPU / 120 GiB.
 */
export function fargateSize(cpuMilli: number, memoryBytes: number): { vcpu: number; memoryGiB: number } | undefined {
  const memGiB = (memoryBytes + 256 * 1024 * 1024) / 1024 ** 3;
  for (const [vcpu, mems] of FARGATE_SIZES) {
    if (vcpu * 1000 < cpuMilli) continue;
    const m = mems.find((x) => x >= memGiB);
    if (m !== undefined) return { vcpu, memoryGiB: m };
  }
  return undefined;
}

/** A Fargate node for one pod: `fargate-<private DNS name>` in a subnet of its profile. */
export function fargateNode(o: { privateIp: string; zone: string; region: string; profile: string; pod: KubeObject; vcpu: number; memoryGiB: number; gitVersion: string }, now: number): KubeObject {
  const dns = `ip-${o.privateIp.replace(/\./g, '-')}.${o.region === 'us-east-1' ? 'ec2.internal' : `${o.region}.compute.internal`}`;
  const name = `fargate-${dns}`;
  const at = rfc3339(now);
  const cpu = `${o.vcpu * 1000}m`;
  const memory = `${o.memoryGiB * 1024 * 1024}Ki`;
  const n: KubeObject = {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: {
        [COMPUTE_TYPE_LABEL]: 'fargate', 'eks.amazonaws.com/fargate-profile': o.profile, 'topology.kubernetes.io/zone': o.zone,
        'failure-domain.beta.kubernetes.io/zone': o.zone, 'topology.kubernetes.io/region': o.region, 'failure-domain.beta.kubernetes.io/region': o.region,
        'kubernetes.io/hostname': dns, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64',
      },
      annotations: { [FARGATE_POD_ANNOTATION]: `${o.pod.metadata.namespace}/${o.pod.metadata.name}`, 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      providerID: `aws:///${o.zone}/${o.pod.metadata.uid}/${name}`,
      taints: [{ key: COMPUTE_TYPE_LABEL, value: 'fargate', effect: 'NoSchedule' }],
    },
    status: {
      capacity: { cpu: String(o.vcpu), memory, pods: '1', 'ephemeral-storage': '30787492Ki' },
      allocatable: { cpu, memory, pods: '1', 'ephemeral-storage': '28373752440' },
      conditions: conditions(at, true),
      addresses: [{ type: 'InternalIP', address: o.privateIp }, { type: 'InternalDNS', address: dns }, { type: 'Hostname', address: dns }],
      nodeInfo: {
        kubeletVersion: o.gitVersion, kubeProxyVersion: o.gitVersion, operatingSystem: 'linux', architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.27', osImage: 'Amazon Linux 2', kernelVersion: '5.10.0', machineID: '', systemUUID: '', bootID: '',
      },
    },
  };
  newMetadata(byId('nodes'), n, now);
  return n;
}

/** Fargate nodes whose pod is gone or bound elsewhere (each Fargate node serves the one pod it was made for). */
export function releaseFargateNodes(store: ObjectScope): string[] {
  const gone: string[] = [];
  for (const n of listObjects(store, 'nodes')) {
    const owner = n.metadata.annotations?.[FARGATE_POD_ANNOTATION];
    if (!owner) continue;
    const [ns, name] = owner.split('/');
    const pod = getObject(store, 'pods', ns, name);
    if (pod && pod.spec?.nodeName === n.metadata.name) continue;
    removeObject(store, 'nodes', n);
    gone.push(n.metadata.name!);
  }
  return gone;
}

/** Removes the stand-in node (`berth-node`): a cluster with node groups has their nodes instead. */
export function removeStandInNode(store: ObjectScope, name: string): void {
  const n = getObject(store, 'nodes', '', name);
  if (n) removeObject(store, 'nodes', n);
}
