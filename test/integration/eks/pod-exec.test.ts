/**
 * `kubectl exec` against the builtin Kubernetes API (the fake runtime's exec: echo prints, cat echoes stdin, false
 * exits 1): kubectl 1.32 speaks the v5 WebSocket channel protocol; stdout, stdin until EOF and the exit code arrive
 * as kubectl expects them; a plain (non-upgrade) request is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { createKubeCluster, until, type KubeCluster } from '../../helpers/kubectl.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('EKS kubectl exec over WebSocket, and readiness probes', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client } });
  let k: KubeCluster;

  before(async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    k = await createKubeCluster(berth.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!));
    await k.apply('apiVersion: v1\nkind: Pod\nmetadata: {name: box}\nspec:\n  containers: [{name: main, image: busybox:stable, imagePullPolicy: IfNotPresent}]\n');
    await until('the pod running', async () => ((await k.get('/api/v1/namespaces/default/pods/box')).status.phase === 'Running' ? true : undefined));
  });
  after(() => k?.cleanup());

  it('stdout, stdin to EOF and the exit code come back as kubectl expects', async () => {
    assert.equal(await k.ok('exec', 'box', '--', 'echo', 'hello', 'there'), 'hello there\n');
    const cat = await k.kubectl(['exec', '-i', 'box', '-c', 'main', '--', 'cat'], { input: 'from stdin\n', timeoutMs: 30_000 });
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'from stdin\n');
    const failed = await k.kubectl(['exec', 'box', '--', 'false']);
    assert.equal(failed.code, 1, failed.stderr);
    const wrong = await k.kubectl(['exec', 'box', '-c', 'nope', '--', 'true']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /container nope is not valid for pod box/);
  });

  it('a readiness probe decides the Ready condition: exec through the engine, failing → not ready, passing → ready', async () => {
    const pod = (name: string, command: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {probe: test}}
spec:
  containers:
  - name: main
    image: busybox:stable
    imagePullPolicy: IfNotPresent
    readinessProbe: {exec: {command: [${command}]}, periodSeconds: 1}
---
`;
    await k.apply(pod('probe-fails', '"false"') + pod('probe-passes', '"true"'));
    const ready = (p: any) => p.status.conditions?.find((c: any) => c.type === 'Ready')?.status;
    await until('both pods running', async () => {
      const pods = (await k.get('/api/v1/namespaces/default/pods?labelSelector=probe%3Dtest')).items as any[];
      return pods.length === 2 && pods.every((p) => p.status.phase === 'Running') && ready(pods.find((p) => p.metadata.name === 'probe-passes')) === 'True' ? true : undefined;
    });
    const failing = await k.get('/api/v1/namespaces/default/pods/probe-fails');
    assert.equal(ready(failing), 'False');
    assert.equal(failing.status.containerStatuses[0].ready, false);
    assert.ok(failing.status.containerStatuses[0].state.running, 'running, yet not ready');
  });
});
