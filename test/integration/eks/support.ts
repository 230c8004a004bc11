/**
 * What the EKS integration tests share: polling with a deadline, the default subnets a cluster goes in, and a
 * cluster made and waited for until ACTIVE.
 */
import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeClusterCommand, type Cluster, type CreateClusterRequest, type EKSClient } from '@aws-sdk/client-eks';

/** `fn` until it answers something, polled every 150 ms, at most `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Two default subnets (two zones, as a cluster needs). */
export async function defaultSubnets(ec2: EC2Client): Promise<string[]> {
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
  return Subnets!.slice(0, 2).map((s) => s.SubnetId!);
}

/** Waits until the cluster is ACTIVE. */
export const activeCluster = (eks: EKSClient, name: string): Promise<Cluster> => until(`${name} ACTIVE`, async () => {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
  return cluster!.status === 'ACTIVE' ? cluster : undefined;
});

/** A cluster in the default subnets, ACTIVE. */
export async function createActiveCluster(eks: EKSClient, ec2: EC2Client, name: string, extra: Partial<CreateClusterRequest> = {}): Promise<Cluster> {
  await eks.send(new CreateClusterCommand({
    name, roleArn: 'arn:aws:iam::000000000000:role/eks', resourcesVpcConfig: { subnetIds: await defaultSubnets(ec2) }, ...extra,
  }));
  return activeCluster(eks, name);
}
