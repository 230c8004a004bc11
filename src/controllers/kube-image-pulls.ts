/**
 * The kubelet's image pulls for kube-pods: a container's image put on the engine per its
 * `imagePullPolicy` (Always pulls every time a container is made; IfNotPresent only when the engine lacks
 * it; Never never, ErrImageNeverPull), from where `resolve` says — images in Berth's ECR
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:tag` or the repositoryUri Berth gives) by their local
 * name with a token for the cluster's account, as a node pulls from ECR with its role.
 *
 * A failed pull is `ErrImagePull`; until the back-off passes (10 s doubling to 5 min, per pod and container,
 * as the kubelet's) the container waits in `ImagePullBackOff`, as `kubectl get pods` shows them.
 * https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff
 * The back-off lives in memory: a restarted Berth tries again at once, as a restarted kubelet does.
 */
import type { RegistryAuth, RuntimeDriver } from '../runtime/driver.js';
import type { KubeObject } from '../services/eks/index.js';

const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** After a failed pull the pod is looked at again soon, to show ImagePullBackOff once ErrImagePull was seen. */
const SHOW_BACKOFF_MS = 1_000;

export type PullOutcome =
  | { ref: string }
  | { waiting: { reason: string; message: string }; retryMs?: number };

export class ImagePulls {
  /** `<pod uid>|<container>` → failed pulls in a row and when the last one failed. */
  private readonly failures = new Map<string, { count: number; at: number }>();

  constructor(private readonly driver: RuntimeDriver) {}

  async pull(pod: KubeObject, c: { name: string; image: string; imagePullPolicy?: string }, now: number,
    resolve: (image: string) => { ref: string; auth?: RegistryAuth }): Promise<PullOutcome> {
    const key = `${pod.metadata.uid}|${c.name}`;
    const { ref, auth } = resolve(c.image);
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    const present = await this.driver.hasImage(ref);
    if (policy === 'Never') {
      return present ? { ref } : { waiting: { reason: 'ErrImageNeverPull', message: `Container image "${c.image}" is not present with pull policy of Never` } };
    }
    if (policy !== 'Always' && present) return { ref };
    const failed = this.failures.get(key);
    if (failed) {
      const backoff = Math.min(BACKOFF_START_MS * 2 ** (failed.count - 1), BACKOFF_MAX_MS);
      const left = failed.at + backoff - now;
      if (left > 0) return { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` }, retryMs: left };
    }
    try {
      await this.driver.pullImage(ref, auth);
    } catch (err) {
      // Offline machines: an image the engine has but no registry knows is still usable (not for Berth's ECR,
      // whose answer is the truth about the tag).
      if (!auth && present) return { ref };
      this.failures.set(key, { count: (failed?.count ?? 0) + 1, at: now });
      this.forgetSoon();
      return { waiting: { reason: 'ErrImagePull', message: `Failed to pull image "${c.image}": ${(err as Error).message}` }, retryMs: SHOW_BACKOFF_MS };
    }
    this.failures.delete(key);
    return { ref };
  }

  /** Entries of pods long gone do not pile up: the map is bounded. */
  private forgetSoon() {
    if (this.failures.size <= 10_000) return;
    const oldest = this.failures.keys().next().value;
    if (oldest !== undefined) this.failures.delete(oldest);
  }
}
