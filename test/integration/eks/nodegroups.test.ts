/**
 * EKS managed node groups through the AWS CLI v2 and the SDK v3: a node group is a real Auto Scaling group of
 * Berth's EC2 instances, each a Kubernetes Node with its instance type's allocatable resources, its labels and
 * taints; pods are scheduled onto them by nodeSelector, tolerations and requests; UpdateNodegroupConfig is an
 * update that ends Successful with the group resized and relabelled; DeleteCluster is refused while the node
 * group exists; DeleteNodegroup terminates the instances and gives the cluster its stand-in node back. A Fargate
 * profile places the pods it selects on Fargate nodes of their own.
 * The fake runtime: pods' containers are not the point here (the e2e test runs them).
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateNodegroupCommand, CreateFargateProfileCommand, DeleteFargateProfileCommand, DescribeFargateProfileCommand, ListFargateProfilesCommand, DeleteClusterCommand,
  DeleteNodegroupCommand, DescribeNodegroupCommand, DescribeUpdateCommand, EKSClient, ListNodegroupsCommand, ListUpdatesCommand,
  ListTagsForResourceCommand, TagResourceCommand, UpdateNodegroupConfigCommand, UpdateNodegroupVersionCommand, type Cluster,
} from '@aws-sdk/client-eks';
import { aws } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';
import { createActiveCluster, defaultSubnets, until } from './support.js';

type Kube = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

function kubeClient(cluster: Cluster, token: string): Kube {
  const ca = Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString('utf8');
  return (method, path, body) => new Promise((resolve, reject) => {
    const req = request(`${cluster.endpoint}${path}`, {
      ca, method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000),
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pod = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

describe('EKS managed node groups', () => {
  const berth = useBerth({ runtime: 'fake', clients: { eks: EKSClient, ec2: EC2Client, asg: AutoScalingClient } });

  it('a node group of 2 is an Auto Scaling group whose instances are Nodes; pods land by selector, toleration and requests; updates resize and relabel', async () => {
    const subnetIds = await defaultSubnets(berth.ec2);
    const cluster = await createActiveCluster(berth.eks, berth.ec2, 'ng');

    const bad = { clusterName: 'ng', nodegroupName: 'bad', nodeRole: 'arn:aws:iam::000000000000:role/node', subnets: subnetIds };
    await assert.rejects(berth.eks.send(new CreateNodegroupCommand({ ...bad, scalingConfig: { minSize: 3, maxSize: 2, desiredSize: 2 } })),
      (e: any) => e.name === 'InvalidParameterException' && e.message === "Minimum capacity 3 can't be greater than max size 2");
    await assert.rejects(berth.eks.send(new CreateNodegroupCommand({ ...bad, instanceTypes: ['m6g.large'], amiType: 'AL2023_x86_64_STANDARD' })),
      (e: any) => e.name === 'InvalidParameterException' && /not a valid instance type for requested amiType/.test(e.message));
    await assert.rejects(berth.eks.send(new CreateNodegroupCommand({ ...bad, clusterName: 'nope' })), (e: any) => e.name === 'ResourceNotFoundException');

    // The AWS CLI v2 makes the node group, as `aws eks create-nodegroup` users do.
    const created = await aws('v2', berth.endpoint, [
      'eks', 'create-nodegroup', '--cluster-name', 'ng', '--nodegroup-name', 'workers', '--node-role', 'arn:aws:iam::000000000000:role/node',
      '--subnets', ...subnetIds, '--instance-types', 't3.large', '--scaling-config', 'minSize=1,maxSize=4,desiredSize=2',
      '--labels', 'tier=web', '--taints', 'key=dedicated,value=web,effect=NO_SCHEDULE',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const ng0 = created.json.nodegroup;
    assert.equal(ng0.status, 'CREATING');
    assert.match(ng0.nodegroupArn, /^arn:aws:eks:us-east-1:000000000000:nodegroup\/ng\/workers\/[0-9a-f-]{36}$/);
    assert.deepEqual(ng0.scalingConfig, { minSize: 1, maxSize: 4, desiredSize: 2 });
    assert.equal(ng0.amiType, 'AL2023_x86_64_STANDARD');
    assert.deepEqual(ng0.taints, [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }]);

    const ng = await until('node group ACTIVE', async () => {
      const { nodegroup } = await berth.eks.send(new DescribeNodegroupCommand({ clusterName: 'ng', nodegroupName: 'workers' }));
      return nodegroup!.status === 'ACTIVE' ? nodegroup : undefined;
    });
    const asgName = ng!.resources!.autoScalingGroups![0].name!;
    assert.match(asgName, /^eks-workers-[0-9a-f-]{36}$/);
    const { AutoScalingGroups } = await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
    assert.equal(AutoScalingGroups![0].DesiredCapacity, 2);
    const ids = AutoScalingGroups![0].Instances!.map((i) => i.InstanceId!);
    assert.equal(ids.length, 2);
    const { Reservations } = await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const instances = Reservations!.flatMap((r) => r.Instances!);
    assert.ok(instances.every((i) => i.InstanceType === 't3.large' && i.Tags!.some((t) => t.Key === 'eks:nodegroup-name' && t.Value === 'workers')));
    assert.deepEqual((await berth.eks.send(new ListNodegroupsCommand({ clusterName: 'ng' }))).nodegroups, ['workers']);

    const token = await aws('v2', berth.endpoint, ['eks', 'get-token', '--cluster-name', 'ng']);
    assert.equal(token.code, 0, token.stderr);
    const kube = kubeClient(cluster!, token.json.status.token);
    const nodes = await until('2 nodes', async () => {
      const r = await kube('GET', '/api/v1/nodes');
      return r.body.items.length === 2 && r.body.items.every((n: any) => n.metadata.labels['eks.amazonaws.com/nodegroup']) ? r.body.items : undefined;
    });
    const names = instances.map((i) => i.PrivateDnsName).sort();
    assert.deepEqual(nodes.map((n: any) => n.metadata.name).sort(), names, 'nodes are named by private DNS, the stand-in node is gone');
    for (const n of nodes) {
      assert.equal(n.metadata.labels['node.kubernetes.io/instance-type'], 't3.large');
      assert.equal(n.metadata.labels.tier, 'web');
      assert.match(n.metadata.labels['topology.kubernetes.io/zone'], /^us-east-1[a-f]$/);
      assert.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }]);
      // t3.large: 2 vCPU, 8 GiB, 35 pods (3 ENIs × 11 + 2): allocatable 1930m and 8192 − 255 − 385 − 100 MiB.
      assert.deepEqual(n.status.allocatable && [n.status.allocatable.cpu, n.status.allocatable.memory, n.status.allocatable.pods], ['1930m', `${(8192 - 740) * 1024}Ki`, '35']);
      assert.ok(ids.some((id) => n.spec.providerID.endsWith(`/${id}`)));
    }

    // Tolerating the taint and selecting the label: bound to one of them. Not tolerating it, or asking for more CPU than a node has: Pending.
    const toleration = { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }], nodeSelector: { tier: 'web' } };
    assert.equal((await kube('POST', '/api/v1/namespaces/default/pods', pod('fits', toleration))).status, 201);
    assert.equal((await kube('POST', '/api/v1/namespaces/default/pods', pod('untolerated', {}))).status, 201);
    const big = pod('too-big', toleration);
    (big.spec.containers[0] as any).resources = { requests: { cpu: '3' } };
    assert.equal((await kube('POST', '/api/v1/namespaces/default/pods', big)).status, 201);
    const bound = await until('pod bound', async () => (await kube('GET', '/api/v1/namespaces/default/pods/fits')).body.spec.nodeName);
    assert.ok(names.includes(bound));
    const unschedulable = async (name: string) => until(`${name} Unschedulable`, async () => {
      const p = (await kube('GET', `/api/v1/namespaces/default/pods/${name}`)).body;
      return p.status?.conditions?.find((c: any) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')?.message as string | undefined;
    });
    assert.match(await unschedulable('untolerated'), /^0\/2 nodes are available: 2 node\(s\) had untolerated taint \{dedicated: web\}\./);
    assert.match(await unschedulable('too-big'), /^0\/2 nodes are available: 2 Insufficient cpu\./);

    // Scale to 3 and add a label: an update, InProgress until the group has its third node, then Successful.
    const { update } = await berth.eks.send(new UpdateNodegroupConfigCommand({
      clusterName: 'ng', nodegroupName: 'workers', scalingConfig: { desiredSize: 3 }, labels: { addOrUpdateLabels: { release: 'v2' } },
    }));
    assert.equal(update!.type, 'ConfigUpdate');
    assert.equal(update!.status, 'InProgress');
    assert.deepEqual(update!.params, [{ type: 'DesiredSize', value: '3' }, { type: 'LabelsToAdd', value: '{"release":"v2"}' }]);
    await until('update Successful', async () => {
      const r = await berth.eks.send(new DescribeUpdateCommand({ name: 'ng', nodegroupName: 'workers', updateId: update!.id }));
      return r.update!.status === 'Successful' ? true : undefined;
    });
    const after = (await kube('GET', '/api/v1/nodes')).body.items;
    assert.equal(after.length, 3);
    assert.ok(after.every((n: any) => n.metadata.labels.release === 'v2'));
    assert.deepEqual((await berth.eks.send(new ListUpdatesCommand({ name: 'ng', nodegroupName: 'workers' }))).updateIds, [update!.id]);
    assert.deepEqual((await berth.eks.send(new ListUpdatesCommand({ name: 'ng' }))).updateIds, [], 'the cluster has no updates of its own');
    const { update: version } = await berth.eks.send(new UpdateNodegroupVersionCommand({ clusterName: 'ng', nodegroupName: 'workers' }));
    assert.deepEqual(version!.params, [{ type: 'Version', value: '1.32' }, { type: 'ReleaseVersion', value: '1.32.9-20251120' }]);
    await assert.rejects(
      berth.eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'ng', nodegroupName: 'workers', scalingConfig: { desiredSize: 9 } })),
      (e: any) => e.name === 'ResourceInUseException' || (e.name === 'InvalidParameterException' && e.message === "Desired capacity 9 can't be greater than max size 4"),
    );
    await until('version update Successful', async () => {
      const r = await berth.eks.send(new DescribeUpdateCommand({ name: 'ng', nodegroupName: 'workers', updateId: version!.id }));
      return r.update!.status === 'Successful' ? true : undefined;
    });
    await assert.rejects(
      berth.eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'ng', nodegroupName: 'workers', scalingConfig: { desiredSize: 9 } })),
      (e: any) => e.name === 'InvalidParameterException' && e.message === "Desired capacity 9 can't be greater than max size 4",
    );
    const { tags } = await berth.eks.send(new ListTagsForResourceCommand({ resourceArn: ng!.nodegroupArn }));
    assert.deepEqual(tags, {});
    await berth.eks.send(new TagResourceCommand({ resourceArn: ng!.nodegroupArn, tags: { team: 'web' } }));
    assert.deepEqual((await berth.eks.send(new ListTagsForResourceCommand({ resourceArn: ng!.nodegroupArn }))).tags, { team: 'web' });

    await assert.rejects(berth.eks.send(new DeleteClusterCommand({ name: 'ng' })), (e: any) => e.name === 'ResourceInUseException' && e.message === 'Cluster has nodegroups attached');

    const { nodegroup: deleting } = await berth.eks.send(new DeleteNodegroupCommand({ clusterName: 'ng', nodegroupName: 'workers' }));
    assert.equal(deleting!.status, 'DELETING');
    await until('node group gone', async () => {
      try {
        await berth.eks.send(new DescribeNodegroupCommand({ clusterName: 'ng', nodegroupName: 'workers' }));
        return undefined;
      } catch (e: any) {
        assert.equal(e.name, 'ResourceNotFoundException');
        return true;
      }
    });
    const left = await until('stand-in node back', async () => {
      const items = (await kube('GET', '/api/v1/nodes')).body.items;
      return items.length === 1 ? items : undefined;
    });
    assert.equal(left[0].metadata.name, 'berth-node');
    const { Reservations: gone } = await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    assert.ok(gone!.flatMap((r) => r.Instances!).every((i) => i.State!.Name === 'terminated' || i.State!.Name === 'shutting-down'));
    await berth.eks.send(new DeleteClusterCommand({ name: 'ng' }));
  });

  it('a Fargate profile places a pod it selects on a Fargate node of its own, sized from its requests; other pods stay on the stand-in node', async () => {
    const subnetIds = await defaultSubnets(berth.ec2);
    const cluster = await createActiveCluster(berth.eks, berth.ec2, 'fg');
    const { fargateProfile } = await berth.eks.send(new CreateFargateProfileCommand({
      clusterName: 'fg', fargateProfileName: 'serverless', podExecutionRoleArn: 'arn:aws:iam::000000000000:role/pod-exec',
      selectors: [{ namespace: 'default', labels: { compute: 'fargate' } }], subnets: subnetIds,
    }));
    assert.equal(fargateProfile!.status, 'CREATING');
    assert.match(fargateProfile!.fargateProfileArn!, /^arn:aws:eks:us-east-1:000000000000:fargateprofile\/fg\/serverless\/[0-9a-f-]{36}$/);
    await until('profile ACTIVE', async () => {
      const r = await berth.eks.send(new DescribeFargateProfileCommand({ clusterName: 'fg', fargateProfileName: 'serverless' }));
      return r.fargateProfile!.status === 'ACTIVE' ? true : undefined;
    });
    assert.deepEqual((await berth.eks.send(new ListFargateProfilesCommand({ clusterName: 'fg' }))).fargateProfileNames, ['serverless']);

    const token = await aws('v2', berth.endpoint, ['eks', 'get-token', '--cluster-name', 'fg']);
    const kube = kubeClient(cluster!, token.json.status.token);
    const selected = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-fargate', labels: { compute: 'fargate' } },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '300m', memory: '700Mi' } } }] } };
    assert.equal((await kube('POST', '/api/v1/namespaces/default/pods', selected)).status, 201);
    assert.equal((await kube('POST', '/api/v1/namespaces/default/pods', pod('plain', {}))).status, 201);
    const nodeName = await until('fargate pod bound', async () => (await kube('GET', '/api/v1/namespaces/default/pods/on-fargate')).body.spec.nodeName as string | undefined);
    assert.match(nodeName, /^fargate-ip-\d+-\d+-\d+-\d+\.ec2\.internal$/);
    const bound = (await kube('GET', '/api/v1/namespaces/default/pods/on-fargate')).body;
    assert.equal(bound.metadata.annotations.CapacityProvisioned, '0.5vCPU 1GB', '300m and 700Mi + 256Mi: the 0.5 vCPU / 1 GB combination');
    assert.equal(bound.metadata.labels['eks.amazonaws.com/fargate-profile'], 'serverless');
    const node = (await kube('GET', `/api/v1/nodes/${nodeName}`)).body;
    assert.equal(node.metadata.labels['eks.amazonaws.com/compute-type'], 'fargate');
    assert.deepEqual(node.spec.taints, [{ key: 'eks.amazonaws.com/compute-type', value: 'fargate', effect: 'NoSchedule' }]);
    assert.equal(await until('plain pod bound', async () => (await kube('GET', '/api/v1/namespaces/default/pods/plain')).body.spec.nodeName), 'berth-node');

    await assert.rejects(berth.eks.send(new DeleteClusterCommand({ name: 'fg' })), (e: any) => e.name === 'ResourceInUseException');
    assert.equal((await kube('DELETE', '/api/v1/namespaces/default/pods/on-fargate?gracePeriodSeconds=0')).status, 200);
    await until('fargate node gone with its pod', async () => ((await kube('GET', `/api/v1/nodes/${nodeName}`)).status === 404 ? true : undefined));
    await berth.eks.send(new DeleteFargateProfileCommand({ clusterName: 'fg', fargateProfileName: 'serverless' }));
    await until('profile gone', async () => {
      const r = await berth.eks.send(new ListFargateProfilesCommand({ clusterName: 'fg' }));
      return r.fargateProfileNames!.length === 0 ? true : undefined;
    });
    await berth.eks.send(new DeleteClusterCommand({ name: 'fg' }));
  });
});
