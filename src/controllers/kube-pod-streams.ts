/**
 * The kubelet's streaming side for the builtin Kubernetes API: `kubectl exec` runs the command in the pod's container
 * through the engine's exec (the container found by the pod's uid and the container's name, as kube-pods labels it).
 */
import type { RuntimeDriver } from '../runtime/driver.js';
import type { PodExecQuery, PodExecSession } from '../services/eks/index.js';
import { LABELS } from './container-spec.js';
import { KUBE_LABELS } from './kube-pod-spec.js';

export async function podExec(driver: RuntimeDriver, q: PodExecQuery): Promise<PodExecSession | undefined> {
  const found = await driver.listContainers({ [KUBE_LABELS.podUid]: q.pod.metadata.uid!, [LABELS.containerName]: q.container, [LABELS.role]: 'container' });
  const c = found.find((x) => x.status === 'running');
  if (!c) return undefined;
  return driver.exec(c.id, { command: q.command, stdin: q.stdin, tty: q.tty, onOutput: q.onOutput });
}
