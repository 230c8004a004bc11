/**
 * EKS on real Docker with Berth's ECR: an image pushed to an ECR repository (`docker push` to its
 * repositoryUri) runs as a Kubernetes Job's pod named the way EKS users name ECR images,
 * `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`; the pod pulls it from Berth's registry with the
 * cluster account's token (the engine had no copy), the Job completes, and `kubectl logs` reads the pod's
 * output; its limits are the container's. A tag that is not in the repository leaves its pod waiting in ErrImagePull / ImagePullBackOff.
 * A claim on an EFS StorageClass (dynamic provisioning by access point) is shared by two pods: what one writes, the other reads (beside a configMap volume).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import { DeleteClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { dockerCli } from '../helpers/docker-cli.js';
import { createTestCluster, eventually, type TestCluster } from '../helpers/eks-cluster.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { useBerth } from '../helpers/use-berth.js';

describe('EKS pods pull from Berth’s ECR; a Job runs to Complete; an EFS claim is shared (real Docker)', () => {
  const berth = useBerth({ clients: { eks: EKSClient, ec2: EC2Client, ecr: ECRClient, efs: EFSClient } });
  const cli = dockerCli();
  let c: TestCluster;
  let uri: string;
  const pulled: string[] = [];
  let clusterUid = '';

  before(async () => {
    const busybox = ensureBusyboxImage();
    uri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'eks/job' }))).repository!.repositoryUri!;
    const auth = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const [user, pass] = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':');
    await cli.ok(['login', '--username', user, '--password-stdin', auth.proxyEndpoint!], pass);
    await cli.ok(['tag', busybox, `${uri}:v1`]);
    await cli.ok(['push', `${uri}:v1`]);
    // The engine keeps no copy under the registry's name: the pod has to pull it.
    await cli.ok(['rmi', `${uri}:v1`]);
    c = await createTestCluster(berth.endpoint, berth.eks, berth.ec2, 'ecr');
  });
  after(async () => {
    if (c) {
      await berth.eks.send(new DeleteClusterCommand({ name: 'ecr' })).catch(() => undefined);
      c.dispose();
    }
    if (clusterUid) {
      const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.kube-cluster=${clusterUid}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
      if (left.length) execFileSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
    }
    for (const ref of pulled) await cli.docker(['rmi', ref]);
  });

  it('a Job of the ECR image by its amazonaws.com name completes; kubectl logs shows its output; a missing tag is ErrImagePull', { timeout: 120_000 }, async () => {
    const awsName = 'eks/job:v1';
    const image = `000000000000.dkr.ecr.us-east-1.amazonaws.com/${awsName}`;
    const k8s = await import('@kubernetes/client-node');
    const kc = await c.kc();
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await batch.createNamespacedJob({ namespace: 'default', body: {
      metadata: { name: 'from-ecr' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{
        name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo done-from-ecr'],
        resources: { limits: { memory: '64Mi', cpu: '500m' } },
      }] } } },
    } });
    const job = await eventually('the Job finished', async () => {
      const j = await batch.readNamespacedJob({ name: 'from-ecr', namespace: 'default' });
      return j.status?.conditions?.some((x) => x.status === 'True' && (x.type === 'Complete' || x.type === 'Failed')) ? j : undefined;
    }, 60_000, 250);
    const [pod] = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'job-name=from-ecr' })).items;
    assert.equal(job.status!.conditions!.find((x) => x.status === 'True')!.type, 'Complete', JSON.stringify(pod?.status));
    assert.equal(pod.status!.phase, 'Succeeded');
    const ctr = pod.status!.containerStatuses![0];
    assert.equal(ctr.state!.terminated!.reason, 'Completed');
    const id = ctr.containerID!.replace('docker://', '');
    clusterUid = execFileSync('docker', ['inspect', '-f', '{{ index .Config.Labels "berth.kube-cluster" }}', id], { encoding: 'utf8' }).trim();
    const engineImage = execFileSync('docker', ['inspect', '-f', '{{.Config.Image}}', id], { encoding: 'utf8' }).trim();
    pulled.push(engineImage);
    // The limits are the engine's: 64 MiB of memory, half a CPU.
    assert.equal(execFileSync('docker', ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', id], { encoding: 'utf8' }).trim(), '67108864 500000000');
    assert.match(engineImage, new RegExp(`/000000000000/us-east-1/${awsName}$`), 'pulled from Berth’s registry');
    const logs = await c.kubectl('logs', pod.metadata!.name!);
    assert.equal(logs.stdout.trim(), 'done-from-ecr', logs.stderr);

    await core.createNamespacedPod({ namespace: 'default', body: {
      metadata: { name: 'missing-tag' },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: `${uri}:nope`, command: ['sleep', '60'] }] },
    } });
    const reason = await eventually('a pull error', async () => {
      const p = await core.readNamespacedPod({ name: 'missing-tag', namespace: 'default' });
      const r = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return r === 'ErrImagePull' || r === 'ImagePullBackOff' ? r : undefined;
    }, 30_000, 200);
    assert.ok(reason);
    const table = await c.kubectl('get', 'pod', 'missing-tag');
    assert.match(table.stdout, /^missing-tag\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s/m);
  });

  it('a PVC on an EFS StorageClass is shared by two pods: one writes, the other reads', { timeout: 120_000 }, async () => {
    const fsId = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'eks-e2e' }))).FileSystemId!;
    const k8s = await import('@kubernetes/client-node');
    const kc = await c.kc();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await kc.makeApiClient(k8s.StorageV1Api).createStorageClass({ body: {
      metadata: { name: 'efs' }, provisioner: 'efs.csi.aws.com', parameters: { provisioningMode: 'efs-ap', fileSystemId: fsId, directoryPerms: '777' },
    } });
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: {
      metadata: { name: 'shared' }, spec: { accessModes: ['ReadWriteMany'], storageClassName: 'efs', resources: { requests: { storage: '1Gi' } } },
    } });
    const pod = (name: string, script: string, mount?: { name: string; mountPath: string }, volume?: any) => core.createNamespacedPod({ namespace: 'default', body: {
      metadata: { name },
      spec: {
        restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
        containers: [{ name: 'main', image: ensureBusyboxImage(), imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }, ...(mount ? [mount] : [])] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'shared' } }, ...(volume ? [volume] : [])],
      },
    } });
    await pod('writer', 'echo written-by-writer > /data/note');
    await eventually('the writer done', async () => ((await core.readNamespacedPod({ name: 'writer', namespace: 'default' })).status?.phase === 'Succeeded' ? true : undefined), 60_000, 250);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'greeting' }, data: { text: 'and a configmap file' } } });
    await pod('reader', 'cat /data/note /config/text', { name: 'config', mountPath: '/config' }, { name: 'config', configMap: { name: 'greeting' } });
    const reader = await eventually('the reader done', async () => {
      const p = await core.readNamespacedPod({ name: 'reader', namespace: 'default' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 60_000, 250);
    const logs = await c.kubectl('logs', 'reader');
    assert.equal(reader.status!.phase, 'Succeeded', logs.stdout + logs.stderr);
    assert.equal(logs.stdout.trim(), 'written-by-writer\nand a configmap file');
  });
});
