/**
 * The builtin kubelet's images, resources and restarts, on the fake runtime (what the engine was asked to do
 * is recorded): an image named `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` is pulled from Berth's
 * registry with a token for the cluster's account; imagePullPolicy IfNotPresent, Always and Never as the
 * kubelet honours them; a failed pull shows ErrImagePull, then ImagePullBackOff; limits without requests
 * become requests too (qosClass Guaranteed); a container that keeps exiting is restarted, counted, then
 * waits in CrashLoopBackOff.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { RegistryAuth } from '../../../src/runtime/driver.js';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { createTestCluster, eventually, type TestCluster } from '../../helpers/eks-cluster.js';
import { useBerth } from '../../helpers/use-berth.js';

const NS = 'default';

describe('EKS pods: images from Berth’s ECR, pull policies and errors, resources, restarts', () => {
  const berth = useBerth({ runtime: 'fake', clients: { eks: EKSClient, ec2: EC2Client } });
  let c: TestCluster;
  let core: CoreV1Api;
  const pulls: { ref: string; auth?: RegistryAuth }[] = [];

  before(async () => {
    const driver = berth.app.driver as FakeDriver;
    const pull = driver.pullImage.bind(driver);
    driver.pullImage = async (ref: string, auth?: RegistryAuth) => {
      pulls.push({ ref, auth });
      return pull(ref, auth);
    };
    c = await createTestCluster(berth.endpoint, berth.eks, berth.ec2, 'pods');
    const k8s = await import('@kubernetes/client-node');
    core = (await c.kc()).makeApiClient(k8s.CoreV1Api);
  });
  after(() => c?.dispose());

  const driver = () => berth.app.driver as FakeDriver;
  const pod = (name: string, image: string, extra: Record<string, unknown> = {}) => core.createNamespacedPod({ namespace: NS, body: {
    metadata: { name }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image, command: ['sleep', '600'], ...extra }] },
  } });
  const waitPod = (name: string, what: string, ok: (p: V1Pod) => boolean) => eventually(`${name} ${what}`, async () => {
    const p = await core.readNamespacedPod({ name, namespace: NS });
    return ok(p) ? p : undefined;
  });
  const running = (p: V1Pod) => p.status?.phase === 'Running';
  const waiting = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

  it('an ECR image by its amazonaws.com name is pulled from Berth’s registry with the account’s token; IfNotPresent, Always, Never', async () => {
    const image = '000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app:1';
    await pod('ecr', image, { imagePullPolicy: 'IfNotPresent' });
    await waitPod('ecr', 'Running', running);
    const host = new URL(berth.endpoint).host;
    const local = `${host}/000000000000/us-east-1/team/app:1`;
    assert.deepEqual(pulls.map((p) => p.ref), [local]);
    assert.equal(pulls[0].auth!.username, 'AWS');
    assert.equal(pulls[0].auth!.serverAddress, host);
    assert.ok(pulls[0].auth!.password.length > 20, 'a registry token');
    const [ctr] = await driver().listContainers({ 'berth.kube-pod-uid': (await core.readNamespacedPod({ name: 'ecr', namespace: NS })).metadata!.uid!, 'berth.role': 'container' });
    assert.equal(ctr.image, local, 'the container runs the pulled reference');
    // The engine has it now: IfNotPresent does not pull again; Always does.
    await pod('ecr-cached', image, { imagePullPolicy: 'IfNotPresent' });
    await waitPod('ecr-cached', 'Running', running);
    assert.equal(pulls.length, 1);
    await pod('ecr-always', image, { imagePullPolicy: 'Always' });
    await waitPod('ecr-always', 'Running', running);
    assert.equal(pulls.length, 2);
    // Never, and the engine lacks the image: ErrImageNeverPull, and nothing pulled.
    await pod('never', 'registry.example/absent:1', { imagePullPolicy: 'Never' });
    const never = await waitPod('never', 'ErrImageNeverPull', (p) => waiting(p) === 'ErrImageNeverPull');
    assert.match(never.status!.containerStatuses![0].state!.waiting!.message!, /is not present with pull policy of Never/);
    assert.equal(pulls.length, 2);
  });

  it('a pull that fails shows ErrImagePull, then ImagePullBackOff', async () => {
    const k8s = await import('@kubernetes/client-node');
    const reasons: string[] = [];
    const req = await new k8s.Watch(await c.kc()).watch(`/api/v1/namespaces/${NS}/pods`, { fieldSelector: 'metadata.name=broken' }, (_t: string, p: V1Pod) => {
      const r = waiting(p);
      if (r && reasons.at(-1) !== r) reasons.push(r);
    }, () => undefined);
    try {
      await pod('broken', 'registry.example/does-not-exist:1');
      const p = await waitPod('broken', 'ImagePullBackOff', (x) => waiting(x) === 'ImagePullBackOff');
      assert.equal(p.status!.containerStatuses![0].state!.waiting!.message, 'Back-off pulling image "registry.example/does-not-exist:1"');
      assert.equal(p.status!.phase, 'Pending');
      await eventually('the watch saw both', async () => (reasons.includes('ImagePullBackOff') ? true : undefined));
      assert.deepEqual(reasons.filter((r) => r !== 'ContainerCreating').slice(0, 2), ['ErrImagePull', 'ImagePullBackOff']);
      const table = await c.kubectl('get', 'pod', 'broken');
      assert.match(table.stdout, /^broken\s+0\/1\s+ImagePullBackOff\s+0\s/m);
    } finally {
      req.abort();
    }
  });

  it('limits without requests are the requests (Guaranteed); a container that keeps exiting is restarted, counted, then CrashLoopBackOff', async () => {
    const created = await pod('limited', 'berth-test/busybox:2', { resources: { limits: { cpu: '500m', memory: '64Mi' } } });
    assert.deepEqual(created.spec!.containers[0].resources!.requests, { cpu: '500m', memory: '64Mi' });
    assert.equal(created.status!.qosClass, 'Guaranteed');
    const burstable = await pod('burstable', 'berth-test/busybox:2', { resources: { requests: { memory: '32Mi' } } });
    assert.equal(burstable.status!.qosClass, 'Burstable');
    const first = await waitPod('limited', 'Running', running);
    const exit = async () => {
      const [ctr] = await driver().listContainers({ 'berth.kube-pod-uid': first.metadata!.uid!, 'berth.role': 'container' });
      driver().exit(ctr.id, 1);
    };
    await exit();
    const restarted = await waitPod('limited', 'restarted once', (p) => p.status?.containerStatuses?.[0]?.restartCount === 1 && !!p.status.containerStatuses[0].state?.running);
    assert.equal(restarted.status!.containerStatuses![0].lastState!.terminated!.exitCode, 1);
    await exit();
    const looping = await waitPod('limited', 'CrashLoopBackOff', (p) => waiting(p) === 'CrashLoopBackOff');
    assert.match(looping.status!.containerStatuses![0].state!.waiting!.message!, /^back-off 10s restarting failed container=main pod=limited/);
    assert.equal(looping.status!.containerStatuses![0].restartCount, 1, 'counted when it starts again');
  });
});
