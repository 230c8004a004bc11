/**
 * What a new cluster's API holds before anyone writes to it: the system namespaces (default,
 * kube-system, kube-public, kube-node-lease), each with its `default` service account, and the
 * cluster's one Node. Until node groups exist (README.md), every cluster has this one node, the
 * machine's container engine, so pods can be scheduled; it reports the host's CPUs and memory.
 */
import { arch, cpus, totalmem } from 'node:os';
import { createObject, ensureDefaultServiceAccount, SYSTEM_NAMESPACES, type VerbContext } from './crud.js';
import { newMetadata, rfc3339 } from './defaults.js';
import { getObject, putObject, type KubeObject } from './objects.js';
import { byId } from './resources.js';
import { firstServiceIp } from './services.js';

export const NODE_NAME = 'berth-node';

function node(c: VerbContext, region: string, gitVersion: string): KubeObject {
  const machineArch = arch() === 'arm64' ? 'arm64' : 'amd64';
  const memKi = `${Math.floor(totalmem() / 1024)}Ki`;
  const now = rfc3339(c.now);
  const n: KubeObject = {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: NODE_NAME,
      labels: {
        'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': machineArch,
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': machineArch, 'topology.kubernetes.io/region': region,
      },
    },
    spec: {},
    status: {
      capacity: { cpu: String(cpus().length), memory: memKi, pods: '110' },
      allocatable: { cpu: String(cpus().length), memory: memKi, pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'DiskPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
        { type: 'PIDPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
        { type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE_NAME }],
      nodeInfo: {
        kubeletVersion: gitVersion, kubeProxyVersion: gitVersion, operatingSystem: 'linux', architecture: machineArch,
        containerRuntimeVersion: 'docker://berth', osImage: 'Berth container engine', kernelVersion: '', machineID: '', systemUUID: '', bootID: '',
      },
    },
  };
  newMetadata(byId('nodes'), n, c.now);
  return n;
}

/** The `kubernetes` Service every cluster has: the API server at the first address of the service CIDR. */
const kubernetesService = (c: VerbContext): KubeObject => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
  spec: { type: 'ClusterIP', clusterIP: firstServiceIp(c), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }] },
});

/** Idempotent: what exists is left as it is. `standIn`: the cluster has no node group, so `berth-node` stands in (nodes.ts). */
export function bootstrapCluster(c: VerbContext, region: string, gitVersion: string, standIn = true): void {
  for (const ns of SYSTEM_NAMESPACES) {
    if (!getObject(c.store, 'namespaces', '', ns)) createObject(c, byId('namespaces'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    else ensureDefaultServiceAccount(c, ns);
  }
  if (!getObject(c.store, 'services', 'default', 'kubernetes')) createObject(c, byId('services'), 'default', kubernetesService(c));
  if (standIn && !getObject(c.store, 'nodes', '', NODE_NAME)) putObject(c.store, 'nodes', node(c, region, gitVersion), 'ADDED');
}
