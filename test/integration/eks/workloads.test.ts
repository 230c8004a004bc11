/**
 * The builtin Kubernetes API's batch and apps workloads beyond Deployments, through @kubernetes/client-node
 * and kubectl, on the fake runtime (containers run until the test makes them exit): Jobs to Complete and to
 * Failed (backoffLimit), ttlSecondsAfterFinished, CronJobs on the compressed clock with concurrencyPolicy
 * Forbid and history limits, StatefulSets' ordered pods and scale-down, DaemonSets' one pod per node, and
 * deletion with propagation (Background takes the pods, Orphan leaves them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import type { AppsV1Api, BatchV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { createTestCluster, eventually, type TestCluster } from '../../helpers/eks-cluster.js';
import { useBerth } from '../../helpers/use-berth.js';

const IMAGE = 'berth-test/busybox:2';
const NS = 'default';

describe('EKS workloads: Jobs, CronJobs, StatefulSets, DaemonSets', () => {
  // One CloudWatch minute per second: a CronJob's `* * * * *` fires every second.
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { eks: EKSClient, ec2: EC2Client } });
  let c: TestCluster;
  let core: CoreV1Api;
  let batch: BatchV1Api;
  let apps: AppsV1Api;

  before(async () => {
    c = await createTestCluster(berth.endpoint, berth.eks, berth.ec2, 'work');
    const k8s = await import('@kubernetes/client-node');
    const kc = await c.kc();
    core = kc.makeApiClient(k8s.CoreV1Api);
    batch = kc.makeApiClient(k8s.BatchV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(() => c?.dispose());

  const driver = () => berth.app.driver as FakeDriver;
  const podsOf = async (selector: string) => (await core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items;
  /** Makes a running pod's main container exit with `code` (its process ended). */
  const exitPod = async (pod: V1Pod, code: number) => {
    const [ctr] = await driver().listContainers({ 'berth.kube-pod-uid': pod.metadata!.uid!, 'berth.role': 'container' });
    assert.ok(ctr, `pod ${pod.metadata!.name} has a container`);
    driver().exit(ctr.id, code);
  };
  const runningPods = (selector: string, n: number) => eventually(`${n} running pods ${selector}`, async () => {
    const pods = (await podsOf(selector)).filter((p) => p.status?.phase === 'Running');
    return pods.length === n ? pods : undefined;
  });
  const template = (labels: Record<string, string>, restartPolicy = 'Always') => ({
    metadata: { labels },
    spec: { restartPolicy, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: IMAGE, command: ['sleep', '600'] }] },
  });

  it('a Job runs completions pods, parallelism at a time, to Complete; kubectl shows it; ttlSecondsAfterFinished deletes it', async () => {
    const job = await batch.createNamespacedJob({ namespace: NS, body: {
      metadata: { name: 'pi' },
      spec: { completions: 3, parallelism: 2, ttlSecondsAfterFinished: 2, template: template({ app: 'pi' }, 'Never') },
    } });
    const uid = job.metadata!.uid!;
    assert.deepEqual(job.spec!.selector!.matchLabels, { 'batch.kubernetes.io/controller-uid': uid }, 'the selector is generated from the uid');
    assert.equal(job.spec!.backoffLimit, 6);
    assert.equal(job.spec!.template.metadata!.labels!['job-name'], 'pi');
    const first = await runningPods('job-name=pi', 2);
    assert.ok(first.every((p) => p.metadata!.ownerReferences![0].kind === 'Job' && p.metadata!.ownerReferences![0].controller));
    for (const p of first) await exitPod(p, 0);
    // The third (and last) pod comes once two have succeeded: never more than parallelism at once.
    const [third] = await runningPods('job-name=pi', 1);
    assert.ok(!first.some((p) => p.metadata!.name === third.metadata!.name));
    await exitPod(third, 0);
    const done = await eventually('Complete', async () => {
      const j = await batch.readNamespacedJob({ name: 'pi', namespace: NS });
      return j.status?.conditions?.some((x) => x.type === 'Complete' && x.status === 'True') ? j : undefined;
    });
    assert.equal(done.status!.succeeded, 3);
    assert.equal(done.status!.active, undefined);
    assert.ok(done.status!.completionTime && done.status!.startTime);
    const pods = await podsOf('job-name=pi');
    assert.equal(pods.length, 3, 'finished pods stay (for their logs)');
    assert.ok(pods.every((p) => p.status?.phase === 'Succeeded'));
    const table = await c.kubectl('get', 'jobs');
    assert.match(table.stdout, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/m);
    assert.match(table.stdout, /^pi\s+Complete\s+3\/3\s/m);
    // Two seconds after it finished, the Job goes, and its pods with it.
    await eventually('the Job and its pods deleted', async () => {
      const left = (await batch.listNamespacedJob({ namespace: NS })).items.filter((j) => j.metadata!.name === 'pi');
      return left.length === 0 && (await podsOf('job-name=pi')).length === 0 ? true : undefined;
    });
  });

  it('a Job whose pod fails beyond backoffLimit is Failed (BackoffLimitExceeded); restartPolicy Always is refused', async () => {
    await batch.createNamespacedJob({ namespace: NS, body: { metadata: { name: 'fails' }, spec: { backoffLimit: 0, template: template({ app: 'fails' }, 'Never') } } });
    const [pod] = await runningPods('job-name=fails', 1);
    await exitPod(pod, 3);
    const failed = await eventually('Failed', async () => {
      const j = await batch.readNamespacedJob({ name: 'fails', namespace: NS });
      return j.status?.conditions?.find((x) => x.type === 'Failed' && x.status === 'True') ? j : undefined;
    });
    const cond = failed.status!.conditions!.find((x) => x.type === 'Failed')!;
    assert.equal(cond.reason, 'BackoffLimitExceeded');
    assert.equal(failed.status!.failed, 1);
    assert.equal((await podsOf('job-name=fails')).length, 1, 'no pod replaces it');
    const refused = await c.kubectl('create', 'job', 'bad', '--image', IMAGE, '--dry-run=client', '-o', 'json');
    assert.equal(refused.code, 0, refused.stderr);
    const body = JSON.parse(refused.stdout);
    body.spec.template.spec.restartPolicy = 'Always';
    await assert.rejects(batch.createNamespacedJob({ namespace: NS, body }), (err: any) => {
      assert.equal(err.code, 422);
      assert.match(String(err.body), /spec.template.spec.restartPolicy: Unsupported value: \\?"Always\\?": supported values: \\?"OnFailure\\?", \\?"Never\\?"/);
      return true;
    });
  });

  it('a CronJob makes Jobs on its schedule; Forbid skips while one is active; history limits prune finished Jobs', async () => {
    await assert.rejects(batch.createNamespacedCronJob({ namespace: NS, body: {
      metadata: { name: 'bad' }, spec: { schedule: 'every minute', jobTemplate: { spec: { template: template({}, 'Never') } } },
    } }), (err: any) => err.code === 422);
    await batch.createNamespacedCronJob({ namespace: NS, body: {
      metadata: { name: 'tick' },
      spec: { schedule: '* * * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1, jobTemplate: { spec: { template: template({ app: 'tick' }, 'Never') } } },
    } });
    const jobsOf = async () => (await batch.listNamespacedJob({ namespace: NS })).items.filter((j) => j.metadata!.ownerReferences?.[0]?.name === 'tick');
    const [first] = await eventually('a first Job', async () => { const j = await jobsOf(); return j.length ? j : undefined; });
    assert.match(first.metadata!.name!, /^tick-\d+$/);
    assert.ok(first.metadata!.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    const cj = await eventually('status.active', async () => {
      const x = await batch.readNamespacedCronJob({ name: 'tick', namespace: NS });
      return x.status?.active?.length ? x : undefined;
    });
    assert.equal(cj.status!.active![0].name, first.metadata!.name);
    assert.ok(cj.status!.lastScheduleTime);
    // Several schedule times pass (a second each) while the first Job runs: Forbid makes no other.
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual((await jobsOf()).map((j) => j.metadata!.name), [first.metadata!.name]);
    const [pod] = await runningPods(`job-name=${first.metadata!.name}`, 1);
    await exitPod(pod, 0);
    // The next Job comes once the first has finished; when it finishes too, the first leaves the history (limit 1).
    const second = await eventually('a second Job', async () => (await jobsOf()).find((j) => j.metadata!.name !== first.metadata!.name));
    const [pod2] = await runningPods(`job-name=${second.metadata!.name}`, 1);
    await exitPod(pod2, 0);
    await eventually('the first Job pruned', async () => {
      const names = (await jobsOf()).map((j) => j.metadata!.name);
      return !names.includes(first.metadata!.name) && names.includes(second.metadata!.name) ? names : undefined;
    });
    const after = await batch.readNamespacedCronJob({ name: 'tick', namespace: NS });
    assert.ok(after.status!.lastSuccessfulTime);
    const table = await c.kubectl('get', 'cronjobs');
    assert.match(table.stdout, /^tick\s+\* \* \* \* \*\s+<none>\s+False\s/m);
    await batch.deleteNamespacedCronJob({ name: 'tick', namespace: NS, propagationPolicy: 'Background' });
    await eventually('its Jobs gone', async () => ((await jobsOf()).length === 0 ? true : undefined));
  });

  it('a StatefulSet makes <name>-0..n in order, each once the one before is Ready, and scales down from the top', async () => {
    const k8s = await import('@kubernetes/client-node');
    const seen: string[] = [];
    const watch = new k8s.Watch(await c.kc());
    const req = await watch.watch(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=db' }, (type: string, pod: V1Pod) => {
      const ready = pod.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
      seen.push(`${type} ${pod.metadata!.name}${ready ? ' ready' : ''}`);
    }, () => undefined);
    try {
      await apps.createNamespacedStatefulSet({ namespace: NS, body: {
        metadata: { name: 'db' }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) },
      } });
      await eventually('3 ready replicas', async () => {
        const s = await apps.readNamespacedStatefulSet({ name: 'db', namespace: NS });
        return s.status?.readyReplicas === 3 ? s : undefined;
      });
      const pods = await podsOf('app=db');
      assert.deepEqual(pods.map((p) => p.metadata!.name).sort(), ['db-0', 'db-1', 'db-2']);
      assert.equal(pods.find((p) => p.metadata!.name === 'db-1')!.spec!.hostname, 'db-1');
      assert.equal(pods.find((p) => p.metadata!.name === 'db-1')!.spec!.subdomain, 'db');
      assert.equal(pods.find((p) => p.metadata!.name === 'db-2')!.metadata!.labels!['apps.kubernetes.io/pod-index'], '2');
      const added = (n: string) => seen.indexOf(`ADDED ${n}`);
      const firstReady = (n: string) => seen.findIndex((s) => s === `MODIFIED ${n} ready`);
      assert.ok(added('db-1') > firstReady('db-0') && firstReady('db-0') >= 0, seen.join('\n'));
      assert.ok(added('db-2') > firstReady('db-1') && firstReady('db-1') >= 0, seen.join('\n'));

      const patched = await c.kubectl('patch', 'statefulset', 'db', '-p', '{"spec":{"replicas":1}}');
      assert.equal(patched.code, 0, patched.stderr);
      await eventually('one pod left', async () => {
        const names = (await podsOf('app=db')).map((p) => p.metadata!.name);
        return names.length === 1 ? names : undefined;
      });
      assert.deepEqual((await podsOf('app=db')).map((p) => p.metadata!.name), ['db-0']);
      const deleted = seen.filter((s) => s.startsWith('DELETED')).map((s) => s.split(' ')[1]);
      assert.deepEqual(deleted, ['db-2', 'db-1'], 'the highest ordinal goes first');
    } finally {
      req.abort();
    }
  });

  it('a DaemonSet runs one pod on each node; delete with Orphan leaves its pods, Background takes them', async () => {
    await apps.createNamespacedDaemonSet({ namespace: NS, body: {
      metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) },
    } });
    const nodes = (await core.listNode()).items.map((n) => n.metadata!.name!);
    const ds = await eventually('all daemon pods ready', async () => {
      const d = await apps.readNamespacedDaemonSet({ name: 'agent', namespace: NS });
      return d.status?.numberReady === nodes.length && d.status.desiredNumberScheduled === nodes.length ? d : undefined;
    });
    assert.equal(ds.status!.currentNumberScheduled, nodes.length);
    const pods = await podsOf('app=agent');
    assert.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), nodes.sort());
    assert.ok(pods[0].spec!.tolerations!.some((t) => t.key === 'node.kubernetes.io/unschedulable'));
    const table = await c.kubectl('get', 'ds', 'agent');
    assert.match(table.stdout, new RegExp(`^agent\\s+${nodes.length}\\s+${nodes.length}\\s+${nodes.length}\\s+${nodes.length}\\s+${nodes.length}\\s+<none>\\s`, 'm'));

    await apps.deleteNamespacedDaemonSet({ name: 'agent', namespace: NS, propagationPolicy: 'Orphan' });
    const orphans = await podsOf('app=agent');
    assert.equal(orphans.length, nodes.length);
    assert.ok(orphans.every((p) => !p.metadata!.ownerReferences?.length), 'orphans lose their owner reference');
    await apps.deleteNamespacedStatefulSet({ name: 'db', namespace: NS, propagationPolicy: 'Background' });
    await eventually('the StatefulSet’s pods gone', async () => ((await podsOf('app=db')).length === 0 ? true : undefined));
  });

  it('kubectl delete --cascade=foreground: the Deployment stays (foregroundDeletion) until its ReplicaSet and pods are gone', async () => {
    const k8s = await import('@kubernetes/client-node');
    await apps.createNamespacedDeployment({ namespace: NS, body: {
      metadata: { name: 'fg' }, spec: { replicas: 2, selector: { matchLabels: { app: 'fg' } }, template: template({ app: 'fg' }) },
    } });
    await runningPods('app=fg', 2);
    const events: { kind: string; type: string; rv: number; finalizers?: string[] }[] = [];
    const watch = new k8s.Watch(await c.kc());
    const record = (kind: string) => (type: string, o: any) => events.push({ kind, type, rv: Number(o.metadata.resourceVersion), finalizers: o.metadata.finalizers });
    const reqs = [
      await watch.watch(`/apis/apps/v1/namespaces/${NS}/deployments`, { fieldSelector: 'metadata.name=fg' }, record('deployment'), () => undefined),
      await watch.watch(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=fg' }, record('pod'), () => undefined),
    ];
    try {
      const deleted = await c.kubectl('delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s');
      assert.equal(deleted.code, 0, deleted.stderr);
      await eventually('the Deployment’s DELETED event', async () => (events.some((e) => e.kind === 'deployment' && e.type === 'DELETED') ? true : undefined));
      const marked = events.find((e) => e.kind === 'deployment' && e.type === 'MODIFIED' && e.finalizers?.includes('foregroundDeletion'));
      assert.ok(marked, 'marked for foreground deletion first');
      const podsGone = events.filter((e) => e.kind === 'pod' && e.type === 'DELETED').map((e) => e.rv);
      assert.equal(podsGone.length, 2);
      const ownerGone = events.find((e) => e.kind === 'deployment' && e.type === 'DELETED')!.rv;
      assert.ok(podsGone.every((rv) => rv < ownerGone), 'the owner goes after its pods');
      assert.equal((await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=fg' })).items.length, 0);
    } finally {
      for (const r of reqs) r.abort();
    }
  });
});
