/**
 * Deployment rollouts through kubectl 1.32 (the fake runtime): `set image` rolls out a new ReplicaSet, `rollout
 * status` waits for it, `rollout history` lists the revisions with their change causes, `rollout undo` makes the
 * previous ReplicaSet current again under the next revision, `scale` goes through the scale subresource.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { createKubeCluster, until, type KubeCluster } from '../../helpers/kubectl.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('EKS Deployment rollouts: set image, status, history, undo, scale', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client } });
  let k: KubeCluster;

  before(async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    k = await createKubeCluster(berth.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!));
  });
  after(() => k?.cleanup());

  const replicaSets = async () => (await k.get('/apis/apps/v1/namespaces/default/replicasets')).items as any[];
  const revision = (rs: any) => rs.metadata.annotations['deployment.kubernetes.io/revision'];

  it('set image rolls out revision 2; undo brings revision 1 back as revision 3; scale to 3', async () => {
    await k.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {kubernetes.io/change-cause: first}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: "busybox:1.36", imagePullPolicy: IfNotPresent}]
`);
    await k.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    await k.ok('annotate', 'deployment/web', 'kubernetes.io/change-cause=second', '--overwrite');
    await k.ok('set', 'image', 'deployment/web', 'main=busybox:1.37');
    await k.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    let sets = await replicaSets();
    assert.equal(sets.length, 2);
    const first = sets.find((rs) => rs.spec.template.spec.containers[0].image === 'busybox:1.36');
    const second = sets.find((rs) => rs.spec.template.spec.containers[0].image === 'busybox:1.37');
    assert.equal(revision(first), '1');
    assert.equal(revision(second), '2');
    assert.equal(first.spec.replicas, 0);
    assert.equal(second.status.readyReplicas, 2);
    const history = await k.ok('rollout', 'history', 'deployment/web');
    assert.match(history, /^REVISION\s+CHANGE-CAUSE\n1\s+first\n2\s+second\n/m);

    await k.ok('rollout', 'undo', 'deployment/web');
    await k.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    const dep = await k.get('/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(dep.spec.template.spec.containers[0].image, 'busybox:1.36');
    assert.equal(dep.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    sets = await replicaSets();
    assert.equal(sets.length, 2, 'the old ReplicaSet is current again; none is made');
    const back = sets.find((rs) => rs.metadata.name === first.metadata.name);
    assert.equal(revision(back), '3');
    assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(back.spec.replicas, 2);

    await k.ok('scale', 'deployment/web', '--replicas=3');
    const scale = await k.get('/apis/apps/v1/namespaces/default/deployments/web/scale');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 3);
    assert.equal(scale.status.selector, 'app=web');
    await until('three ready pods', async () => {
      const d = await k.get('/apis/apps/v1/namespaces/default/deployments/web');
      return d.status.readyReplicas === 3 ? true : undefined;
    });
  });
});
