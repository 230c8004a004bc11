/**
 * An ACTIVE EKS cluster for tests, and the clients EKS users point at it: `aws eks get-token`'s token (made
 * once: it is good for 15 minutes), a kubeconfig holding it for kubectl (no exec plugin, so each kubectl call
 * costs kubectl alone), and @kubernetes/client-node's KubeConfig with the same server, CA and token.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeClusterCommand, type Cluster, type EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import { aws } from './cli.js';

export interface TestCluster {
  cluster: Cluster;
  token: string;
  /** A kubeconfig file naming the cluster with the token in it. */
  kubeconfig: string;
  kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** client-node's configuration for the cluster. */
  kc(): Promise<KubeConfig>;
  dispose(): void;
}

export async function createTestCluster(endpoint: string, eks: EKSClient, ec2: EC2Client, name: string): Promise<TestCluster> {
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
  await eks.send(new CreateClusterCommand({
    name, roleArn: 'arn:aws:iam::000000000000:role/eks', resourcesVpcConfig: { subnetIds: Subnets!.slice(0, 2).map((s) => s.SubnetId!) },
  }));
  const got = await aws('v2', endpoint, ['eks', 'get-token', '--cluster-name', name]);
  if (got.code !== 0) throw new Error(`get-token: ${got.stderr}`);
  const token: string = got.json.status.token;
  let cluster: Cluster | undefined;
  const until = Date.now() + 30_000;
  while ((cluster = (await eks.send(new DescribeClusterCommand({ name }))).cluster)?.status !== 'ACTIVE') {
    if (Date.now() > until) throw new Error(`cluster ${name} is ${cluster?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const dir = mkdtempSync(join(tmpdir(), 'berth-eks-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const options = {
    clusters: [{ name, server: cluster!.endpoint!, caData: cluster!.certificateAuthority!.data! }],
    users: [{ name, token }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  };
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{ name, cluster: { server: cluster!.endpoint, 'certificate-authority-data': cluster!.certificateAuthority!.data } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
  }));
  return {
    cluster: cluster!, token, kubeconfig,
    kubectl: (...args) => new Promise((resolve) => {
      execFile('/usr/bin/kubectl', args, { env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    }),
    kc: async () => {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions(options);
      return kc;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Polls `probe` until it returns a value other than undefined (kubectl.ts's `until`, under the name the EKS tests use). */
export { until as eventually } from './kubectl.js';
