/**
 * PersistentVolumeClaims on the builtin Kubernetes API, on the fake runtime: an EFS StorageClass
 * (`efs.csi.aws.com`, provisioningMode efs-ap) provisions an access point on Berth's EFS per claim and a PV
 * bound to it; two pods on the claim mount the same host directory; deleting the claim deletes the PV and the
 * access point. An EBS class makes an engine volume; a static PV binds a claim that fits it; a claim of an
 * unknown provisioner stays Pending; kubectl shows them. emptyDir, configMap and secret volumes are a pod's own files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, DescribeAccessPointsCommand, EFSClient } from '@aws-sdk/client-efs';
import { EKSClient } from '@aws-sdk/client-eks';
import type { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import type { ContainerSpec } from '../../../src/runtime/driver.js';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { createTestCluster, eventually, type TestCluster } from '../../helpers/eks-cluster.js';
import { useBerth } from '../../helpers/use-berth.js';

const NS = 'default';

describe('EKS storage: PVCs with the EFS and EBS CSI drivers', () => {
  const berth = useBerth({ runtime: 'fake', clients: { eks: EKSClient, ec2: EC2Client, efs: EFSClient } });
  let c: TestCluster;
  let core: CoreV1Api;
  let storage: StorageV1Api;
  const specs = new Map<string, ContainerSpec>();

  before(async () => {
    const driver = berth.app.driver as FakeDriver;
    const create = driver.createContainer.bind(driver);
    driver.createContainer = async (spec: ContainerSpec) => {
      const id = await create(spec);
      specs.set(id, spec);
      return id;
    };
    c = await createTestCluster(berth.endpoint, berth.eks, berth.ec2, 'storage');
    const k8s = await import('@kubernetes/client-node');
    const kc = await c.kc();
    core = kc.makeApiClient(k8s.CoreV1Api);
    storage = kc.makeApiClient(k8s.StorageV1Api);
  });
  after(() => c?.dispose());

  const claim = (name: string, storageClassName: string | undefined, accessModes = ['ReadWriteMany'], size = '5Gi') =>
    core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: {
      metadata: { name }, spec: { accessModes, resources: { requests: { storage: size } }, ...(storageClassName !== undefined ? { storageClassName } : {}) },
    } });
  const bound = (name: string) => eventually(`${name} Bound`, async () => {
    const p = await core.readNamespacedPersistentVolumeClaim({ name, namespace: NS });
    return p.status?.phase === 'Bound' ? p : undefined;
  });
  const pod = (name: string, claimName: string) => core.createNamespacedPod({ namespace: NS, body: {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: 'berth-test/busybox:2', command: ['sleep', '600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  } });

  it('an EFS class provisions an access point per claim; two pods share its directory; deleting the claim deletes both', async () => {
    const fsId = (await berth.efs.send(new CreateFileSystemCommand({ CreationToken: 'eks-efs' }))).FileSystemId!;
    await storage.createStorageClass({ body: {
      metadata: { name: 'efs-sc' }, provisioner: 'efs.csi.aws.com',
      parameters: { provisioningMode: 'efs-ap', fileSystemId: fsId, directoryPerms: '700', basePath: '/dynamic' },
    } });
    await claim('shared', 'efs-sc');
    const pvc = await bound('shared');
    const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    assert.equal(pv.metadata!.name, `pvc-${pvc.metadata!.uid}`);
    assert.equal(pv.spec!.csi!.driver, 'efs.csi.aws.com');
    const [handleFs, , apId] = pv.spec!.csi!.volumeHandle.split(':');
    assert.equal(handleFs, fsId);
    assert.equal(pv.spec!.claimRef!.name, 'shared');
    assert.equal(pv.spec!.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.status!.phase, 'Bound');
    assert.equal(pvc.status!.capacity!.storage, '5Gi');
    const { AccessPoints } = await berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fsId }));
    assert.equal(AccessPoints!.length, 1);
    assert.equal(AccessPoints![0].AccessPointId, apId);
    assert.equal(AccessPoints![0].RootDirectory!.Path, `/dynamic/${pv.metadata!.name}`);
    assert.equal(AccessPoints![0].PosixUser!.Gid, 50000);

    await pod('writer', 'shared');
    await pod('reader', 'shared');
    const mounts = await eventually('both pods running with the volume', async () => {
      const out: string[] = [];
      for (const name of ['writer', 'reader']) {
        const p = await core.readNamespacedPod({ name, namespace: NS });
        if (p.status?.phase !== 'Running') return undefined;
        const [ctr] = await (berth.app.driver as FakeDriver).listContainers({ 'berth.kube-pod-uid': p.metadata!.uid!, 'berth.role': 'container' });
        out.push(JSON.stringify(specs.get(ctr.id)?.mounts ?? []));
      }
      return out;
    });
    assert.equal(mounts[0], mounts[1], 'the same mount in both pods');
    assert.match(mounts[0], new RegExp(`efs/000000000000/us-east-1/${fsId}/dynamic/${pv.metadata!.name}`));
    const table = await c.kubectl('get', 'pvc', 'shared');
    assert.match(table.stdout, new RegExp(`^shared\\s+Bound\\s+${pv.metadata!.name}\\s+5Gi\\s+RWX\\s+efs-sc\\s`, 'm'));

    await core.deleteNamespacedPod({ name: 'writer', namespace: NS });
    await core.deleteNamespacedPod({ name: 'reader', namespace: NS });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'shared', namespace: NS });
    await eventually('the PV and the access point gone', async () => {
      const pvs = (await core.listPersistentVolume()).items.filter((x) => x.metadata!.name === pv.metadata!.name);
      const aps = (await berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fsId }))).AccessPoints!;
      return pvs.length === 0 && aps.length === 0 ? true : undefined;
    });
  });

  it('an EBS class makes an engine volume; a static PV binds a claim that fits; an unknown provisioner leaves a claim Pending', async () => {
    await storage.createStorageClass({ body: {
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer', parameters: { type: 'gp3' },
    } });
    // No storageClassName: the default class (gp3) provisions it.
    await claim('disk', undefined, ['ReadWriteOnce'], '1Gi');
    const disk = await bound('disk');
    assert.equal(disk.spec!.storageClassName, 'gp3');
    const pv = await core.readPersistentVolume({ name: disk.spec!.volumeName! });
    assert.match(pv.spec!.csi!.volumeHandle, /^vol-[0-9a-f]{17}$/);
    assert.ok(await berth.app.driver.inspectVolume(`berth-ebs-${pv.spec!.csi!.volumeHandle}`), 'an engine volume');

    await core.createPersistentVolume({ body: {
      metadata: { name: 'static-pv' },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany'], storageClassName: '', csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-00000000000000000' } },
    } });
    await claim('static', '', ['ReadWriteMany'], '2Gi');
    const s = await bound('static');
    assert.equal(s.spec!.volumeName, 'static-pv');
    assert.equal((await core.readPersistentVolume({ name: 'static-pv' })).spec!.persistentVolumeReclaimPolicy, 'Retain');

    await storage.createStorageClass({ body: { metadata: { name: 'other' }, provisioner: 'example.com/none' } });
    await claim('waits', 'other');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await core.readNamespacedPersistentVolumeClaim({ name: 'waits', namespace: NS })).status!.phase, 'Pending');
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'static', namespace: NS });
    await eventually('the static PV Released', async () => ((await core.readPersistentVolume({ name: 'static-pv' })).status?.phase === 'Released' ? true : undefined));
  });

  it('emptyDir, configMap and secret volumes: files written for the pod, configMap/secret read-only, gone with the pod', async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'app-config' }, data: { 'app.conf': 'mode=fast\n', other: 'x' } } });
    await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'app-secret' }, stringData: { password: 's3cret' } } });
    await core.createNamespacedPod({ namespace: NS, body: {
      metadata: { name: 'files' },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'main', image: 'berth-test/busybox:2', command: ['sleep', '600'], volumeMounts: [
          { name: 'scratch', mountPath: '/scratch' }, { name: 'config', mountPath: '/etc/app' }, { name: 'secret', mountPath: '/etc/secret' },
          { name: 'ram', mountPath: '/ram' },
        ] }],
        volumes: [
          { name: 'scratch', emptyDir: {} }, { name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          { name: 'config', configMap: { name: 'app-config', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
          { name: 'secret', secret: { secretName: 'app-secret', defaultMode: 0o400 } },
        ],
      },
    } });
    const p = await eventually('files Running', async () => {
      const x = await core.readNamespacedPod({ name: 'files', namespace: NS });
      return x.status?.phase === 'Running' ? x : undefined;
    });
    const [ctr] = await (berth.app.driver as FakeDriver).listContainers({ 'berth.kube-pod-uid': p.metadata!.uid!, 'berth.role': 'container' });
    const mounts = specs.get(ctr.id)!.mounts!;
    const at = (target: string) => mounts.find((m) => m.target === target)!;
    assert.equal(at('/scratch').type, 'bind');
    assert.equal((statSync(at('/scratch').source!).mode & 0o777), 0o777);
    assert.deepEqual({ ...at('/ram') }, { type: 'tmpfs', target: '/ram', tmpfsSizeBytes: 16 * 1024 * 1024 });
    assert.equal(at('/etc/app').readOnly, true);
    assert.equal(readFileSync(join(at('/etc/app').source!, 'conf/app.conf'), 'utf8'), 'mode=fast\n');
    assert.ok(!existsSync(join(at('/etc/app').source!, 'other')), 'only the items chosen');
    const secretFile = join(at('/etc/secret').source!, 'password');
    assert.equal(readFileSync(secretFile, 'utf8'), 's3cret');
    assert.equal(statSync(secretFile).mode & 0o777, 0o400);
    await core.deleteNamespacedPod({ name: 'files', namespace: NS });
    await eventually('the pod’s directories removed', async () => (existsSync(at('/scratch').source!) ? undefined : true));
  });
});
