/**
 * `aws eks get-token` tokens against a cluster's Kubernetes API with IAM enforcement on: a token signed
 * with the right secret for this cluster lists namespaces; one signed with a wrong secret, or made for
 * another cluster (its signature covers x-k8s-aws-id), or by a principal that is not the cluster's
 * creator, is refused 401 Unauthorized, as EKS refuses it.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient, type Cluster } from '@aws-sdk/client-eks';
import { aws } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

function get(cluster: Cluster, path: string, token: string): Promise<{ status: number; body: any }> {
  const ca = Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString('utf8');
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.endpoint}${path}`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('EKS get-token tokens with IAM enforcement on', () => {
  const berth = useBerth({ runtime: 'fake', enforceIam: true, clients: { eks: EKSClient, ec2: EC2Client } });

  it('the creator’s token works; a wrong secret, another cluster’s token or another principal get 401', async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    await berth.eks.send(new CreateClusterCommand({
      name: 'secure', roleArn: 'arn:aws:iam::000000000000:role/eks', resourcesVpcConfig: { subnetIds: Subnets!.slice(0, 2).map((s) => s.SubnetId!) },
    }));
    let cluster: Cluster | undefined;
    for (let i = 0; i < 100 && cluster?.status !== 'ACTIVE'; i++) {
      cluster = (await berth.eks.send(new DescribeClusterCommand({ name: 'secure' }))).cluster;
      if (cluster?.status !== 'ACTIVE') await new Promise((r) => setTimeout(r, 100));
    }
    const token = async (cli: 'v1' | 'v2', name: string, env: NodeJS.ProcessEnv = {}) => {
      const res = await aws(cli, berth.endpoint, ['eks', 'get-token', '--cluster-name', name], env);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.json.kind, 'ExecCredential');
      return res.json.status.token as string;
    };
    for (const cli of ['v2', 'v1'] as const) {
      const ok = await get(cluster!, '/api/v1/namespaces', await token(cli, 'secure'));
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.ok(ok.body.items.some((n: any) => n.metadata.name === 'kube-system'));
    }
    const wrongSecret = await get(cluster!, '/api/v1/namespaces', await token('v2', 'secure', { AWS_SECRET_ACCESS_KEY: 'wrong' }));
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.reason, 'Unauthorized');
    const otherCluster = await get(cluster!, '/api/v1/namespaces', await token('v2', 'another'));
    assert.equal(otherCluster.status, 401);
    // A 12-digit key is its own account's root: a principal the cluster does not know.
    const stranger = await get(cluster!, '/api/v1/namespaces', await token('v2', 'secure', { AWS_ACCESS_KEY_ID: '111111111111' }));
    assert.equal(stranger.status, 401);
    assert.equal((await get(cluster!, '/api/v1/namespaces', 'k8s-aws-v1.bm90LWEtdXJs')).status, 401);
  });
});
