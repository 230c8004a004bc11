/**
 * kube-pods: the kubelet (and the scheduler) of EKS clusters' builtin Kubernetes API. Converges one pod
 * (key = <cluster>|pods|<namespace>|<name>) with its containers on the engine.
 *
 * Unscheduled: bound to the cluster's node. Scheduled: a pause container (the pod's network) and the
 * pod's containers are created and started; a container that exits is started again per the pod's
 * restartPolicy, after the kubelet's back-off (10 s doubling to 5 min, CrashLoopBackOff meanwhile);
 * the pod's status (phase, conditions, containerStatuses, podIP) is what the engine shows. Deleted
 * (deletionTimestamp): its containers are stopped within the grace period and removed, then the pod
 * object goes. A pod gone from the store loses whatever containers still carry its labels.
 *
 * Level-triggered and found by label: a restarted Berth adopts the containers it finds (engine events
 * of pod containers bring their pod round; at start every pod and every labelled container is looked at).
 */
import type { ContainerState, RegistryAuth, RuntimeDriver } from '../runtime/driver.js';
import { RuntimeError } from '../runtime/driver.js';
import {
  allObjectKeys, bindPendingPod, getObject, objectKey, PENDING_RETRY_MS, parseObjectKey, POD_IDENTITY, putObject, recordPodEvent, removeObject, rfc3339,
  type KubeObject, type ObjectScope, type PodEvent,
} from '../services/eks/index.js';
import { clusterByUid } from '../services/eks/store.js';
import type { ChangeFeed } from '../state/change-feed.js';
import { LABELS } from './container-spec.js';
import {
  containerSpec, KUBE_LABELS, pauseSpec, PUBLISHED_PORTS, publishedPorts, usesPodIdentity, type PodContext, type PodEnvironment,
} from './kube-pod-spec.js';
import { ImagePulls, type PullOutcome } from './kube-image-pulls.js';
import { podMounts, refreshProjectedTokens, releasePodVolumes, VolumeNotReady } from './kube-pod-volumes.js';
import { ensurePauseImage } from './pause-image.js';
import { Prober, runProbe } from './kube-probes.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface KubePodsDeps extends StateDeps {
  driver: RuntimeDriver;
  instanceId: string;
  changes: ChangeFeed;
  /** Berth's data directory: EFS volumes bind directories under it. */
  dataDir: string;
  /** Where an image is pulled from and with which credentials: Berth's ECR for the cluster's account (task-images.ts). */
  registryImage: (account: string, image: string) => { ref: string; auth?: RegistryAuth };
  /** Berth's environment for pod containers and the Pod Identity Agent. */
  podEnv: PodEnvironment;
}

const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const STARTING_RETRY_MS = 2_000;
const ORPHAN_RESYNC_MS = 300_000;
const POD_EVENTS = /^(create|start|restart|die|oom|destroy)\b/;

const podKeyFromLabel = (value: string | undefined) => {
  const [cluster, ns, name] = (value ?? '').split('|');
  return cluster && ns && name ? objectKey(cluster, 'pods', ns, name) : undefined;
};

/** One run of a container: the engine restarts a container in place, so its id and start time. */
const instanceOf = (st: ContainerState) => `${st.id}|${st.startedAt?.getTime() ?? 0}`;

/** A container's `state.terminated` as the kubelet reports it. */
function terminatedState(st: ContainerState) {
  const iso = (d: Date | undefined) => (d ? rfc3339(d.getTime()) : undefined);
  return {
    exitCode: st.exitCode ?? 0, reason: st.oomKilled ? 'OOMKilled' : (st.exitCode ?? 0) === 0 ? 'Completed' : 'Error',
    startedAt: iso(st.startedAt), finishedAt: iso(st.finishedAt), containerID: `docker://${st.id}`,
  };
}

export class KubePods implements Controller {
  readonly name = 'kube-pods';
  readonly concurrency = 8;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => (parseObjectKey(k)?.resource === 'pods' ? [k] : []) }],
    engineEvents: (e) => {
      const key = podKeyFromLabel(e.labels[KUBE_LABELS.pod]);
      return key && POD_EVENTS.test(e.action) ? [key] : [];
    },
    // Every pod, and every pod container this Berth labelled (a pod gone while Berth was down loses its containers).
    resync: [{ periodMs: ORPHAN_RESYNC_MS, keys: () => this.everyKey() }],
  };

  private readonly pulls: ImagePulls;
  /** Startup, liveness and readiness probe results per container instance (in memory, as the kubelet's prober). */
  private readonly prober = new Prober();
  /** Container instances (`<engine id>|<start>`) a failed probe killed: restarted unless restartPolicy is Never. */
  private readonly probeKilled = new Set<string>();

  constructor(private readonly d: KubePodsDeps) {
    this.pulls = new ImagePulls(d.driver);
  }

  /** A container's volumeMounts (claims through their CSI drivers: EFS, EBS) as engine mounts. */
  private mounts(clusterUid: string, pod: KubeObject, c: any) {
    if (!c.volumeMounts?.length) return Promise.resolve([]);
    const cluster = clusterByUid(this.d.sql, clusterUid);
    if (!cluster) throw new VolumeNotReady('ContainerCreating', 'the cluster is gone');
    return podMounts(this.d, { sql: this.d.sql, cluster: clusterUid }, cluster.account, cluster.region, pod, c);
  }

  /** A container's image on the engine per its imagePullPolicy, from Berth's ECR with the cluster account's token. */
  private pull(clusterUid: string, pod: KubeObject, c: any, now: number): Promise<PullOutcome> {
    const account = clusterByUid(this.d.sql, clusterUid)?.account;
    if (!account) return Promise.resolve({ waiting: { reason: 'ErrImagePull', message: 'the cluster is gone' } });
    return this.pulls.pull(pod, c, now, (image) => this.d.registryImage(account, image));
  }

  private async *everyKey(): AsyncIterable<string> {
    const seen = new Set<string>(allObjectKeys(this.d.sql, 'pods'));
    yield* seen;
    const containers = await this.d.driver.listContainers({ [LABELS.instance]: this.d.instanceId, [KUBE_LABELS.pod]: '' }).catch(() => []);
    for (const c of containers) {
      const key = podKeyFromLabel(c.labels[KUBE_LABELS.pod]);
      if (key && !seen.has(key)) {
        seen.add(key);
        yield key;
      }
    }
  }

  private write(cluster: string, work: (store: ObjectScope) => void) {
    const keys: string[] = [];
    this.d.db.transaction(() => work({ sql: this.d.sql, cluster, changed: (k) => keys.push(k) }))();
    for (const k of keys) this.d.changes.publish('eks.kube', k);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'pods') return;
    const store = { sql: this.d.sql, cluster: k.cluster };
    const pod = getObject(store, 'pods', k.namespace, k.name);
    const containers = await this.d.driver.listContainers({ [KUBE_LABELS.pod]: `${k.cluster}|${k.namespace}|${k.name}` });
    // Containers of an earlier pod of the same name, or of a pod that is gone.
    const stale = containers.filter((c) => !pod || c.labels[KUBE_LABELS.podUid] !== pod.metadata.uid);
    await Promise.all(stale.map((c) => this.d.driver.removeContainer(c.id)));
    for (const uid of new Set(stale.map((c) => c.labels[KUBE_LABELS.podUid]).filter(Boolean))) await releasePodVolumes(this.d.dataDir, uid);
    for (const uid of new Set(stale.map((c) => c.labels[KUBE_LABELS.podUid]).filter(Boolean))) this.prober.forget(`${uid}/`);
    if (!pod) return;
    const mine = containers.filter((c) => !stale.includes(c));
    if (pod.metadata.deletionTimestamp) return this.terminate(k.cluster, pod, mine);
    if (!pod.spec?.nodeName) {
      // The scheduler (services/eks pod-binding.ts): a node that fits, a Fargate node, or pending until one does.
      let pending = false;
      this.write(k.cluster, (s) => (pending = bindPendingPod(s, k.namespace, k.name, pod.metadata.uid!, this.d.clock.now()).pending));
      return pending ? { requeueAfterMs: PENDING_RETRY_MS } : undefined;
    }
    return this.run(k.cluster, pod, mine);
  }

  private async terminate(cluster: string, pod: KubeObject, containers: ContainerState[]) {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? 30;
    const apps = containers.filter((c) => c.labels[LABELS.role] !== 'pause');
    await Promise.all(apps.map((c) => this.d.driver.stopContainer(c.id, grace)));
    await Promise.all(containers.map((c) => this.d.driver.removeContainer(c.id)));
    await releasePodVolumes(this.d.dataDir, pod.metadata.uid!);
    this.prober.forget(`${pod.metadata.uid}/`);
    this.write(cluster, (s) => {
      const fresh = getObject(s, 'pods', pod.metadata.namespace!, pod.metadata.name!);
      if (fresh && fresh.metadata.uid === pod.metadata.uid) removeObject(s, 'pods', fresh);
    });
  }

  private async run(cluster: string, pod: KubeObject, containers: ContainerState[]): Promise<ReconcileResult | void> {
    const now = this.d.clock.now();
    // A finished pod (a Job's) keeps its exited containers for logs; its sandbox goes, as the kubelet tears it down.
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      await Promise.all(containers.filter((c) => c.labels[LABELS.role] === 'pause' && c.status === 'running').map((c) => this.d.driver.stopContainer(c.id, 0)));
      return;
    }
    const p: PodContext = { store: { sql: this.d.sql, cluster }, pod, instanceId: this.d.instanceId };
    const restartPolicy: string = pod.spec.restartPolicy ?? 'Always';
    const previous: any[] = pod.status?.containerStatuses ?? [];
    const waiting: Record<string, { reason: string; message?: string }> = {};
    let requeue: number | undefined;
    let pause = containers.find((c) => c.labels[LABELS.role] === 'pause');
    try {
      if (!pause) {
        const image = await ensurePauseImage(this.d.driver);
        const id = await this.d.driver.createContainer(pauseSpec(p, image));
        await this.d.driver.startContainer(id);
        pause = await this.d.driver.inspectContainer(id);
      } else if (pause.status !== 'running') {
        await this.d.driver.startContainer(pause.id);
        pause = await this.d.driver.inspectContainer(pause.id);
      }
    } catch (err) {
      this.d.log.warn('kube pod sandbox failed', { pod: pod.metadata.name, error: String(err) });
      return { requeueAfterMs: STARTING_RETRY_MS };
    }
    // The agent must answer as long as a pod holds a token for it (after a restart too): started here, on first need, once
    // the sandbox runs (the engine's bridge has no carrier, and is not listed among the host's interfaces, without one).
    const podIdentityUri = usesPodIdentity(pod) ? await this.d.podEnv.podIdentityUri() : undefined;
    p.injectedEnv = await this.d.podEnv.env();
    if (podIdentityUri && podIdentityUri !== POD_IDENTITY.fullUri) p.podIdentityUri = podIdentityUri;
    const restarts: Record<string, number> = Object.fromEntries(previous.map((s) => [s.name, s.restartCount ?? 0]));
    const observed: Record<string, ContainerState | undefined> = {};
    // What a container restarted in this pass ended as: its lastState (the pass that saw it exit also restarts it).
    const lastTerminated: Record<string, unknown> = {};
    const unready = new Set<string>();
    const notStarted = new Set<string>();
    const events: PodEvent[] = [];
    for (const c of pod.spec.containers as any[]) {
      let state = containers.find((x) => x.labels[LABELS.role] === 'container' && x.labels[LABELS.containerName] === c.name);
      try {
        if (!state) {
          const pulled = await this.pull(cluster, pod, c, now);
          if ('waiting' in pulled) {
            waiting[c.name] = pulled.waiting;
            if (pulled.retryMs !== undefined) requeue = Math.min(requeue ?? Infinity, pulled.retryMs);
            continue;
          }
          let mounts;
          try {
            mounts = await this.mounts(cluster, pod, c);
          } catch (err) {
            if (!(err instanceof VolumeNotReady)) throw err;
            waiting[c.name] = { reason: err.reason, message: err.message };
            requeue = Math.min(requeue ?? Infinity, STARTING_RETRY_MS);
            continue;
          }
          const id = await this.d.driver.createContainer({ ...containerSpec(p, c, pause!.id, pulled.ref), ...(mounts.length ? { mounts } : {}) });
          await this.d.driver.startContainer(id);
          state = await this.d.driver.inspectContainer(id);
        } else if (state.status === 'exited' || state.status === 'dead' || state.status === 'created') {
          // A container a failed liveness or startup probe killed is restarted even if it exited 0 (restartPolicy OnFailure).
          const failed = (state.exitCode ?? 0) !== 0 || this.probeKilled.delete(instanceOf(state));
          const again = state.status === 'created' || restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && failed);
          if (again) {
            const n = restarts[c.name] ?? 0;
            const backoff = Math.min(BACKOFF_START_MS * 2 ** Math.max(0, n - 1), BACKOFF_MAX_MS);
            const since = state.finishedAt ? now - state.finishedAt.getTime() : backoff;
            if (state.status === 'created' || n === 0 || since >= backoff) {
              if (state.status !== 'created') restarts[c.name] = n + 1;
              if (state.status !== 'created') lastTerminated[c.name] = terminatedState(state);
              await this.d.driver.startContainer(state.id);
              state = await this.d.driver.inspectContainer(state.id);
            } else {
              waiting[c.name] = { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(backoff / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}` };
              requeue = Math.min(requeue ?? Infinity, backoff - since);
            }
          }
        }
      } catch (err) {
        if (!(err instanceof RuntimeError)) throw err;
        waiting[c.name] = { reason: err.code === 'InvalidSpec' ? 'CreateContainerConfigError' : 'CreateContainerError', message: err.message };
        requeue = STARTING_RETRY_MS;
      }
      if (state?.status === 'running' && (c.startupProbe || c.livenessProbe || c.readinessProbe)) {
        const running = state;
        const probed = await this.prober.check(`${pod.metadata.uid}/${c.name}`, instanceOf(running), running.startedAt?.getTime() ?? now, c, now,
          (probe) => runProbe(this.d.driver, pod, pause, running, probe));
        for (const message of probed.unhealthy) events.push({ type: 'Warning', reason: 'Unhealthy', message, container: c.name });
        if (!probed.started) notStarted.add(c.name);
        if (!probed.ready) unready.add(c.name);
        if (probed.againMs !== undefined) requeue = Math.min(requeue ?? Infinity, probed.againMs);
        if (probed.kill) {
          // The kubelet kills the container with the pod's grace period (or the probe's own) and restarts it per restartPolicy.
          events.push({ type: 'Normal', reason: 'Killing', message: `Container ${c.name} failed ${probed.kill.kind} probe, will be restarted`, container: c.name });
          this.probeKilled.add(instanceOf(running));
          const probe = probed.kill.kind === 'liveness' ? c.livenessProbe : c.startupProbe;
          await this.d.driver.stopContainer(running.id, probe.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
          state = await this.d.driver.inspectContainer(running.id);
          requeue = Math.min(requeue ?? Infinity, 250);
        }
      }
      observed[c.name] = state;
    }
    const rotate = await refreshProjectedTokens(this.d, p.store, pod);
    if (rotate !== undefined) requeue = Math.min(requeue ?? Infinity, rotate);
    const status = this.podStatus(pod, pause, observed, waiting, restarts, now, lastTerminated, unready, notStarted);
    this.write(cluster, (s) => {
      const fresh = getObject(s, 'pods', pod.metadata.namespace!, pod.metadata.name!);
      if (!fresh || fresh.metadata.uid !== pod.metadata.uid || fresh.metadata.deletionTimestamp) return;
      for (const e of events) recordPodEvent(s, fresh, e, now);
      const ports = JSON.stringify(publishedPorts(pause));
      const portsChanged = (fresh.metadata.annotations?.[PUBLISHED_PORTS] ?? '{}') !== ports;
      if (portsChanged) fresh.metadata.annotations = { ...(fresh.metadata.annotations ?? {}), [PUBLISHED_PORTS]: ports };
      if (!portsChanged && JSON.stringify(fresh.status) === JSON.stringify(status)) return;
      fresh.status = status;
      putObject(s, 'pods', fresh, 'MODIFIED');
    });
    if (requeue !== undefined) return { requeueAfterMs: Math.max(250, requeue) };
    if (status.phase === 'Pending') return { requeueAfterMs: STARTING_RETRY_MS };
  }

  private podStatus(pod: KubeObject, pause: ContainerState | undefined, observed: Record<string, ContainerState | undefined>,
    waiting: Record<string, { reason: string; message?: string }>, restarts: Record<string, number>, now: number, lastTerminated: Record<string, unknown> = {},
    unready = new Set<string>(), notStarted = new Set<string>()) {
    const previous: any[] = pod.status?.containerStatuses ?? [];
    const prevConditions: any[] = pod.status?.conditions ?? [];
    const iso = (d: Date | undefined) => (d ? rfc3339(d.getTime()) : undefined);
    const statuses = (pod.spec.containers as any[]).map((c) => {
      const st = observed[c.name];
      const prev = previous.find((x) => x.name === c.name);
      let state: any;
      if (waiting[c.name]) state = { waiting: waiting[c.name] };
      else if (!st) state = { waiting: { reason: 'ContainerCreating' } };
      else if (st.status === 'running') state = { running: { startedAt: iso(st.startedAt) } };
      else if (st.status === 'created') state = { waiting: { reason: 'ContainerCreating' } };
      else {
        state = { terminated: terminatedState(st) };
      }
      const lastState = lastTerminated[c.name] ? { terminated: lastTerminated[c.name] }
        : (restarts[c.name] ?? 0) > (prev?.restartCount ?? 0) && prev?.state?.terminated ? { terminated: prev.state.terminated } : (prev?.lastState ?? {});
      return {
        name: c.name, state, lastState, ready: !!state.running && !unready.has(c.name), restartCount: restarts[c.name] ?? 0,
        image: c.image, imageID: st?.imageDigest ? `docker-pullable://${c.image.split(':')[0]}@${st.imageDigest}` : '',
        ...(st ? { containerID: `docker://${st.id}` } : {}), started: !!state.running && !notStarted.has(c.name),
      };
    });
    const all = statuses.length;
    const running = statuses.filter((s) => s.state.running).length;
    const terminated = statuses.filter((s) => s.state.terminated);
    const restartPolicy = pod.spec.restartPolicy ?? 'Always';
    let phase = 'Pending';
    if (running > 0 && running + terminated.length === all) phase = 'Running';
    if (terminated.length === all && restartPolicy !== 'Always') {
      phase = terminated.every((s) => s.state.terminated.exitCode === 0) ? 'Succeeded' : (restartPolicy === 'Never' ? 'Failed' : 'Running');
    }
    if (running > 0 && Object.keys(waiting).length) phase = 'Running';
    const ready = running === all && statuses.every((s) => s.ready);
    const condition = (type: string, value: boolean) => {
      const prev = prevConditions.find((c) => c.type === type);
      const status = value ? 'True' : 'False';
      return {
        type, status, lastProbeTime: null,
        lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : rfc3339(now),
        ...(!value && (type === 'Ready' || type === 'ContainersReady') ? { reason: 'ContainersNotReady', message: `containers with unready status: [${statuses.filter((s) => !s.ready).map((s) => s.name).join(' ')}]` } : {}),
      };
    };
    const ip = pause?.ipAddress;
    return {
      phase,
      conditions: [condition('PodReadyToStartContainers', !!pause), condition('Initialized', true), condition('Ready', ready), condition('ContainersReady', ready), condition('PodScheduled', true)],
      hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }],
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      startTime: pod.status?.startTime ?? rfc3339(now),
      containerStatuses: statuses,
      qosClass: pod.status?.qosClass ?? 'BestEffort',
    };
  }
}
