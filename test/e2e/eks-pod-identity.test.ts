/**
 * EKS Pod Identity on real Docker: a pod whose service account has a pod identity association gets the Pod Identity
 * webhook's environment and token volume, and an unmodified AWS SDK for JavaScript in it (test/helpers/sdk-image.ts)
 * finds the role's credentials at http://169.254.170.23/v1/credentials (the agent Berth serves) and calls STS's
 * GetCallerIdentity on Berth as `assumed-role/<role>/eks-<cluster>-<pod>-…`. A pod of another service account gets
 * no credentials environment.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreatePodIdentityAssociationCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ensureBusyboxImage } from '../helpers/images.js';
import { createKubeCluster, until, type KubeCluster } from '../helpers/kubectl.js';
import { ensureAwsSdkImage } from '../helpers/sdk-image.js';
import { useBerth } from '../helpers/use-berth.js';

const CLUSTER = 'pid';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
});

describe('EKS Pod Identity on Docker: an AWS SDK in a pod calls STS as the associated role', () => {
  let sdkImage = '';
  let busybox = '';
  before(() => {
    sdkImage = ensureAwsSdkImage();
    busybox = ensureBusyboxImage();
  });
  const berth = useBerth({ runtime: 'docker', clients: { ec2: EC2Client, eks: EKSClient, iam: IAMClient } });
  let k: KubeCluster;
  let roleArn = '';

  before(async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    k = await createKubeCluster(berth.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!), CLUSTER);
    roleArn = (await berth.iam.send(new CreateRoleCommand({ RoleName: 'app-pods', AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
    await k.apply('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\n');
    await berth.eks.send(new CreatePodIdentityAssociationCommand({ clusterName: CLUSTER, namespace: 'default', serviceAccount: 'app', roleArn }));
  });
  after(() => {
    k?.cleanup();
    const left = execFileSync('docker', ['ps', '-aq', '--filter', 'label=berth.kube-pod'], { encoding: 'utf8' }).split('\n').filter(Boolean)
      .filter((id) => execFileSync('docker', ['inspect', '-f', '{{index .Config.Labels "berth.kube-pod"}}', id], { encoding: 'utf8' }).includes('|default|pid-'));
    if (left.length) execFileSync('docker', ['rm', '-f', ...left]);
  });

  const finished = (name: string) => until(`pod ${name} finished`, async () => {
    const p = await k.get(`/api/v1/namespaces/default/pods/${name}`);
    return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
  }, 60_000, 250);

  it('the webhook injects the environment and token; GetCallerIdentity from the pod is the role session EKS names', async () => {
    await k.apply(`apiVersion: v1
kind: Pod
metadata: {name: pid-whoami}
spec:
  serviceAccountName: app
  restartPolicy: Never
  containers:
  - name: main
    image: ${sdkImage}
    imagePullPolicy: IfNotPresent
    command: ["node", "/sdk/caller-identity.mjs"]
`);
    const spec = JSON.parse(await k.ok('get', 'pod', 'pid-whoami', '-o', 'json')).spec;
    const env = Object.fromEntries(spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.deepEqual(env, {
      AWS_STS_REGIONAL_ENDPOINTS: 'regional', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
    });
    const volume = spec.volumes.find((v: { name: string }) => v.name === 'eks-pod-identity-token');
    assert.deepEqual(volume.projected.sources, [{ serviceAccountToken: { audience: 'pods.eks.amazonaws.com', expirationSeconds: 86400, path: 'eks-pod-identity-token' } }]);

    const pod = await finished('pid-whoami');
    const logs = await k.ok('logs', 'pid-whoami');
    assert.equal(pod.status.phase, 'Succeeded', logs);
    const who = JSON.parse(logs.trim().split('\n').pop()!);
    assert.equal(who.Account, '000000000000');
    assert.match(who.Arn, /^arn:aws:sts::000000000000:assumed-role\/app-pods\/eks-pid-pid-whoami-[0-9a-f-]+$/);
    assert.ok(who.Arn.split('/')[2].length <= 64, who.Arn);
    assert.match(who.UserId, /^AROA[A-Z0-9]+:eks-pid-pid-whoami-/);
  });

  it('a pod whose service account has no association gets no credentials environment', async () => {
    await k.apply(`apiVersion: v1
kind: Pod
metadata: {name: pid-plain}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: ${busybox}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "env | sort; ls /var/run/secrets/pods.eks.amazonaws.com 2>&1 || true"]
`);
    const spec = JSON.parse(await k.ok('get', 'pod', 'pid-plain', '-o', 'json')).spec;
    assert.equal(spec.containers[0].env, undefined);
    assert.ok(!spec.volumes?.some((v: { name: string }) => v.name === 'eks-pod-identity-token'));
    const pod = await finished('pid-plain');
    assert.equal(pod.status.phase, 'Succeeded');
    const logs = await k.ok('logs', 'pid-plain');
    assert.match(logs, /^AWS_ENDPOINT_URL=http:/m, 'Berth\'s API is where the pod\'s SDKs go');
    assert.doesNotMatch(logs, /AWS_CONTAINER_/);
    assert.match(logs, /No such file or directory/);
  });
});
