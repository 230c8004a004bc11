/**
 * EKS access entries with IAM enforcement on: a CONFIG_MAP cluster admits what its aws-auth ConfigMap maps; in
 * API_AND_CONFIG_MAP mode the creator has its bootstrap entry
 * with cluster admin; an IAM user's `get-token` token is refused 401 until the user has an access entry, and
 * again once it is deleted; policies are associated and listed; a CONFIG_MAP cluster refuses access entries,
 * and moving it to API_AND_CONFIG_MAP is an update that gives its creator an entry.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  AssociateAccessPolicyCommand, CreateAccessEntryCommand, CreateClusterCommand, DeleteAccessEntryCommand, DescribeAccessEntryCommand,
  DescribeUpdateCommand, EKSClient, ListAccessEntriesCommand, ListAccessPoliciesCommand, ListAssociatedAccessPoliciesCommand,
  UpdateClusterConfigCommand, type Cluster,
} from '@aws-sdk/client-eks';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { aws } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';
import { activeCluster, createActiveCluster, defaultSubnets, until } from './support.js';

/** The status of a request to the cluster's API (GET /api/v1/namespaces unless told). */
function status(cluster: Cluster, token: string, o: { method?: string; path?: string; body?: unknown } = {}): Promise<number> {
  const ca = Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString('utf8');
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.endpoint}${o.path ?? '/api/v1/namespaces'}`, {
      ca, method: o.method ?? 'GET', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000),
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}

const ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';

describe('EKS access entries', () => {
  const berth = useBerth({ runtime: 'fake', enforceIam: true, clients: { eks: EKSClient, ec2: EC2Client, iam: IAMClient } });

  it('a principal with an access entry is admitted, one without is refused; the creator has its bootstrap entry; CONFIG_MAP clusters have none', async () => {
    const cluster = await createActiveCluster(berth.eks, berth.ec2, 'api', { accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } });
    await berth.eks.send(new CreateClusterCommand({ name: 'cm', roleArn: 'arn:aws:iam::000000000000:role/eks', resourcesVpcConfig: { subnetIds: await defaultSubnets(berth.ec2) } }));

    const creator = 'arn:aws:iam::000000000000:root';
    assert.deepEqual((await berth.eks.send(new ListAccessEntriesCommand({ clusterName: 'api' }))).accessEntries, [creator]);
    const bootstrap = await berth.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'api', principalArn: creator }));
    assert.deepEqual(bootstrap.associatedAccessPolicies!.map((p) => [p.policyArn, p.accessScope!.type]), [[ADMIN, 'cluster']]);

    await berth.iam.send(new CreateUserCommand({ UserName: 'dev' }));
    const { AccessKey } = await berth.iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }));
    const devToken = async (clusterName = 'api') => {
      const r = await aws('v2', berth.endpoint, ['eks', 'get-token', '--cluster-name', clusterName], {
        AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId, AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey,
      });
      assert.equal(r.code, 0, r.stderr);
      return r.json.status.token as string;
    };
    assert.equal(await status(cluster!, await devToken()), 401, 'no access entry yet');

    const dev = 'arn:aws:iam::000000000000:user/dev';
    const { accessEntry } = await berth.eks.send(new CreateAccessEntryCommand({ clusterName: 'api', principalArn: dev, kubernetesGroups: ['viewers'] }));
    assert.equal(accessEntry!.type, 'STANDARD');
    assert.equal(accessEntry!.username, dev);
    assert.match(accessEntry!.accessEntryArn!, /^arn:aws:eks:us-east-1:000000000000:access-entry\/api\/user\/000000000000\/dev\/[0-9a-f-]{36}$/);
    await assert.rejects(berth.eks.send(new CreateAccessEntryCommand({ clusterName: 'api', principalArn: dev })), (e: any) => e.name === 'ResourceInUseException');
    const assoc = await berth.eks.send(new AssociateAccessPolicyCommand({
      clusterName: 'api', principalArn: dev, policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['default'] },
    }));
    assert.deepEqual(assoc.associatedAccessPolicy!.accessScope, { type: 'namespace', namespaces: ['default'] });
    assert.deepEqual((await berth.eks.send(new ListAccessEntriesCommand({ clusterName: 'api', associatedPolicyArn: VIEW }))).accessEntries, [dev]);
    assert.deepEqual((await berth.eks.send(new DescribeAccessEntryCommand({ clusterName: 'api', principalArn: dev }))).accessEntry!.kubernetesGroups, ['viewers']);
    assert.equal(await status(cluster!, await devToken()), 200, 'admitted by its access entry');

    await berth.eks.send(new DeleteAccessEntryCommand({ clusterName: 'api', principalArn: dev }));
    assert.equal(await status(cluster!, await devToken()), 401, 'refused again once the entry is gone');

    const policies = (await berth.eks.send(new ListAccessPoliciesCommand({}))).accessPolicies!;
    assert.ok(policies.some((p) => p.name === 'AmazonEKSClusterAdminPolicy' && p.arn === ADMIN));

    // CONFIG_MAP: the aws-auth ConfigMap maps IAM users and roles; no access entries until the mode moves on (an
    // update), which gives the creator its entry.
    const cm = await activeCluster(berth.eks, 'cm');
    assert.equal(await status(cm, await devToken('cm')), 401, 'not in aws-auth yet');
    const creatorToken = await aws('v2', berth.endpoint, ['eks', 'get-token', '--cluster-name', 'cm']);
    const awsAuth = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: { mapUsers: `- userarn: ${dev}\n  username: dev\n  groups:\n  - system:masters\n` },
    };
    assert.equal(await status(cm, creatorToken.json.status.token, { method: 'POST', path: '/api/v1/namespaces/kube-system/configmaps', body: awsAuth }), 201);
    assert.equal(await status(cm, await devToken('cm')), 200, 'mapped by aws-auth');
    await assert.rejects(
      berth.eks.send(new CreateAccessEntryCommand({ clusterName: 'cm', principalArn: dev })),
      (e: any) => e.name === 'InvalidRequestException' && /authentication mode must be set to one of \[API, API_AND_CONFIG_MAP\]/.test(e.message),
    );
    const { update } = await berth.eks.send(new UpdateClusterConfigCommand({ name: 'cm', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } }));
    assert.equal(update!.type, 'AccessConfigUpdate');
    assert.deepEqual(update!.params, [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }]);
    await until('update Successful', async () => {
      const r = await berth.eks.send(new DescribeUpdateCommand({ name: 'cm', updateId: update!.id }));
      return r.update!.status === 'Successful' ? true : undefined;
    });
    assert.equal((await activeCluster(berth.eks, 'cm')).accessConfig!.authenticationMode, 'API_AND_CONFIG_MAP');
    assert.deepEqual((await berth.eks.send(new ListAccessEntriesCommand({ clusterName: 'cm' }))).accessEntries, [creator]);
    await assert.rejects(
      berth.eks.send(new UpdateClusterConfigCommand({ name: 'cm', accessConfig: { authenticationMode: 'CONFIG_MAP' } })),
      (e: any) => e.name === 'InvalidParameterException' && e.message === 'Unsupported authentication mode update from API_AND_CONFIG_MAP to CONFIG_MAP',
    );
  });
});
