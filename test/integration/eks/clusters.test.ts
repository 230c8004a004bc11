/**
 * EKS clusters through the SDK v3: CreateCluster validated as EKS validates it, CREATING → ACTIVE with a
 * real HTTPS endpoint served with the cluster's own CA, ListClusters paging, tags, DeleteCluster to gone.
 * The fake runtime: nothing here runs a pod.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, DeleteClusterCommand, DescribeClusterCommand, DescribeClusterVersionsCommand, EKSClient, ListClustersCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, type Cluster,
} from '@aws-sdk/client-eks';
import { useBerth } from '../../helpers/use-berth.js';

const ROLE = 'arn:aws:iam::000000000000:role/eks-cluster';

async function subnets(ec2: EC2Client): Promise<string[]> {
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
  return Subnets!.slice(0, 2).map((s) => s.SubnetId!);
}

async function waitFor(eks: EKSClient, name: string, status: string): Promise<Cluster> {
  const end = Date.now() + 15_000;
  for (;;) {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    if (cluster!.status === status) return cluster!;
    if (Date.now() > end) throw new Error(`cluster ${name} is ${cluster!.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET /version with the cluster's CA as the only trusted root (no token: /version needs one, so 401). */
function getWithCa(endpoint: string, ca: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}${path}`, { ca, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('EKS clusters', () => {
  const berth = useBerth({ runtime: 'fake', clients: { eks: EKSClient, ec2: EC2Client } });

  it('CreateCluster is CREATING, then ACTIVE within seconds with an HTTPS endpoint its CA vouches for', async (t) => {
    const subnetIds = await subnets(berth.ec2);
    const started = Date.now();
    const { cluster } = await berth.eks.send(new CreateClusterCommand({
      name: 'demo', roleArn: ROLE, resourcesVpcConfig: { subnetIds }, tags: { team: 'a' },
    }));
    assert.equal(cluster!.status, 'CREATING');
    assert.equal(cluster!.endpoint, undefined, 'no endpoint while CREATING, as on EKS');
    assert.equal(cluster!.version, '1.32');
    assert.equal(cluster!.arn, 'arn:aws:eks:us-east-1:000000000000:cluster/demo');
    assert.match(cluster!.identity!.oidc!.issuer!, /^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    assert.deepEqual(cluster!.accessConfig, { authenticationMode: 'CONFIG_MAP' });
    assert.match(cluster!.resourcesVpcConfig!.clusterSecurityGroupId!, /^sg-/);
    assert.equal(cluster!.kubernetesNetworkConfig!.ipFamily, 'ipv4');
    assert.ok(cluster!.createdAt instanceof Date);

    // Two RSA keys and a listener: about a second on an idle machine; the bound allows a loaded CI machine.
    const active = await waitFor(berth.eks, 'demo', 'ACTIVE');
    t.diagnostic(`ACTIVE ${Date.now() - started} ms after CreateCluster was sent`);
    assert.ok(Date.now() - started < 15_000, `ACTIVE after ${Date.now() - started} ms`);
    assert.match(active.endpoint!, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(active.platformVersion!, /^eks\.\d+$/);
    const caPem = Buffer.from(active.certificateAuthority!.data!, 'base64').toString('utf8');
    const ca = new X509Certificate(caPem);
    assert.ok(ca.ca, 'a CA certificate');
    assert.match(ca.subject, /CN=kubernetes/);
    const res = await getWithCa(active.endpoint!, caPem, '/version');
    assert.equal(res.status, 401, 'the TLS handshake holds with the cluster CA; the API wants a token');
    assert.equal(JSON.parse(res.body).reason, 'Unauthorized');
    const health = await getWithCa(active.endpoint!, caPem, '/healthz');
    assert.equal(health.body, 'ok');
  });

  it('CreateCluster refuses what EKS refuses', async () => {
    const ids = await subnets(berth.ec2);
    const refused = async (input: Record<string, unknown>, code: string, message: RegExp) => {
      await assert.rejects(berth.eks.send(new CreateClusterCommand({ name: 'x', roleArn: ROLE, resourcesVpcConfig: { subnetIds: ids }, ...input } as never)),
        (err: Error & { $metadata: { httpStatusCode: number } }) => {
          assert.equal(err.name, code);
          assert.match(err.message, message);
          return true;
        });
    };
    await refused({ name: 'demo' }, 'ResourceInUseException', /Cluster already exists with name: demo/);
    await refused({ resourcesVpcConfig: { subnetIds: [ids[0]] } }, 'InvalidParameterException', /at least two different AZs/);
    await refused({ resourcesVpcConfig: { subnetIds: [ids[0], 'subnet-0123456789abcdef0'] } }, 'InvalidParameterException', /subnet-0123456789abcdef0/);
    await refused({ version: '1.19' }, 'InvalidParameterException', /unsupported Kubernetes version 1.19/);
    await refused({ roleArn: 'not-an-arn' }, 'InvalidParameterException', /role/i);
  });

  it('ListClusters pages; DescribeCluster of a missing cluster is ResourceNotFoundException', async () => {
    const ids = await subnets(berth.ec2);
    for (const name of ['p1', 'p2']) await berth.eks.send(new CreateClusterCommand({ name, roleArn: ROLE, resourcesVpcConfig: { subnetIds: ids } }));
    const first = await berth.eks.send(new ListClustersCommand({ maxResults: 2 }));
    assert.deepEqual(first.clusters, ['demo', 'p1']);
    assert.ok(first.nextToken);
    const second = await berth.eks.send(new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken }));
    assert.deepEqual(second.clusters, ['p2']);
    assert.equal(second.nextToken, undefined);
    await assert.rejects(berth.eks.send(new DescribeClusterCommand({ name: 'nope' })), (err: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, 'No cluster found for name: nope.');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
  });

  it('tags: TagResource, UntagResource, ListTagsForResource', async () => {
    const arn = 'arn:aws:eks:us-east-1:000000000000:cluster/demo';
    await berth.eks.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev' } }));
    await berth.eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    const { tags } = await berth.eks.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(tags, { env: 'dev' });
    const { cluster } = await berth.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    assert.deepEqual(cluster!.tags, { env: 'dev' });
    await assert.rejects(berth.eks.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:eks:us-east-1:000000000000:cluster/nope' })), { name: 'NotFoundException' });
  });

  it('DescribeClusterVersions names the default version', async () => {
    const { clusterVersions } = await berth.eks.send(new DescribeClusterVersionsCommand({ defaultOnly: true }));
    assert.deepEqual(clusterVersions!.map((v) => [v.clusterVersion, v.defaultVersion]), [['1.32', true]]);
  });

  it('DeleteCluster is DELETING, then the cluster is gone and its endpoint closed', async () => {
    const { cluster: before } = await berth.eks.send(new DescribeClusterCommand({ name: 'p1' }));
    const active = before!.status === 'ACTIVE' ? before! : await waitFor(berth.eks, 'p1', 'ACTIVE');
    const { cluster } = await berth.eks.send(new DeleteClusterCommand({ name: 'p1' }));
    assert.equal(cluster!.status, 'DELETING');
    const end = Date.now() + 10_000;
    for (;;) {
      const gone = await berth.eks.send(new DescribeClusterCommand({ name: 'p1' })).then(() => false, (err: Error) => err.name === 'ResourceNotFoundException');
      if (gone) break;
      assert.ok(Date.now() < end, 'the cluster was not deleted');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ca = Buffer.from(active.certificateAuthority!.data!, 'base64').toString('utf8');
    await assert.rejects(getWithCa(active.endpoint!, ca, '/healthz'), /ECONNREFUSED/);
  });
});
