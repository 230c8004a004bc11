/**
 * EKS add-ons and pod identity associations through the SDK v3: the add-on catalogue (versions per Kubernetes
 * version, defaults, configuration schema), CreateAddon CREATING → ACTIVE with its default version and its pod
 * identity associations, UpdateAddon as an update that ends Successful, configuration values checked against the
 * schema; associations one per service account, listed by namespace, updated and deleted; UpdateClusterVersion
 * one minor version up, Successful with the cluster at the new version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAddonCommand, CreatePodIdentityAssociationCommand, DeleteAddonCommand, DeletePodIdentityAssociationCommand, DescribeAddonCommand,
  DescribeAddonConfigurationCommand, DescribeAddonVersionsCommand, DescribeClusterCommand, DescribePodIdentityAssociationCommand,
  DescribeUpdateCommand, EKSClient, ListAddonsCommand, ListPodIdentityAssociationsCommand, ListUpdatesCommand, UpdateAddonCommand,
  UpdateClusterVersionCommand, UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import { useBerth } from '../../helpers/use-berth.js';
import { createActiveCluster, until } from './support.js';

describe('EKS add-ons and pod identity associations', () => {
  const berth = useBerth({ runtime: 'fake', clients: { eks: EKSClient, ec2: EC2Client } });

  it('add-ons are recorded with versions and settle ACTIVE; pod identity associations map a service account to a role', async () => {
    const versions = await berth.eks.send(new DescribeAddonVersionsCommand({ kubernetesVersion: '1.32' }));
    assert.deepEqual(versions.addons!.map((a) => a.addonName).sort(),
      ['aws-ebs-csi-driver', 'aws-efs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    const proxy = versions.addons!.find((a) => a.addonName === 'kube-proxy')!;
    assert.deepEqual(proxy.addonVersions!.map((v) => v.addonVersion), ['v1.32.9-eksbuild.2']);
    assert.equal(proxy.addonVersions![0].compatibilities![0].defaultVersion, true);
    const config = await berth.eks.send(new DescribeAddonConfigurationCommand({ addonName: 'aws-ebs-csi-driver', addonVersion: 'v1.38.1-eksbuild.1' }));
    assert.equal(JSON.parse(config.configurationSchema!).definitions.Config.type, 'object');
    assert.deepEqual(config.podIdentityConfiguration!.map((p) => p.serviceAccount), ['ebs-csi-controller-sa']);

    await createActiveCluster(berth.eks, berth.ec2, 'ad');

    const role = 'arn:aws:iam::000000000000:role/ebs-csi';
    const { addon } = await berth.eks.send(new CreateAddonCommand({
      clusterName: 'ad', addonName: 'aws-ebs-csi-driver', podIdentityAssociations: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: role }],
      configurationValues: '{"defaultStorageClass":{"enabled":true}}',
    }));
    assert.equal(addon!.status, 'CREATING');
    assert.equal(addon!.addonVersion, 'v1.38.1-eksbuild.1', 'the default version');
    assert.match(addon!.addonArn!, /^arn:aws:eks:us-east-1:000000000000:addon\/ad\/aws-ebs-csi-driver\/[0-9a-f-]{36}$/);
    await until('add-on ACTIVE', async () => ((await berth.eks.send(new DescribeAddonCommand({ clusterName: 'ad', addonName: 'aws-ebs-csi-driver' }))).addon!.status === 'ACTIVE' ? true : undefined));
    await assert.rejects(berth.eks.send(new CreateAddonCommand({ clusterName: 'ad', addonName: 'aws-ebs-csi-driver' })), (e: any) => e.name === 'ResourceInUseException');
    await assert.rejects(berth.eks.send(new CreateAddonCommand({ clusterName: 'ad', addonName: 'nope' })), (e: any) => e.name === 'InvalidParameterException');
    await assert.rejects(
      berth.eks.send(new CreateAddonCommand({ clusterName: 'ad', addonName: 'coredns', configurationValues: '{"bogus":1}' })),
      (e: any) => e.name === 'InvalidParameterException' && /\$\.bogus: is not defined in the schema/.test(e.message),
    );
    await berth.eks.send(new CreateAddonCommand({ clusterName: 'ad', addonName: 'coredns' }));
    assert.deepEqual((await berth.eks.send(new ListAddonsCommand({ clusterName: 'ad' }))).addons, ['aws-ebs-csi-driver', 'coredns']);

    const { update } = await berth.eks.send(new UpdateAddonCommand({ clusterName: 'ad', addonName: 'aws-ebs-csi-driver', addonVersion: 'v1.37.0-eksbuild.1' }));
    assert.equal(update!.type, 'AddonUpdate');
    assert.deepEqual(update!.params, [{ type: 'AddonVersion', value: 'v1.37.0-eksbuild.1' }]);
    await until('add-on update Successful', async () => {
      const r = await berth.eks.send(new DescribeUpdateCommand({ name: 'ad', addonName: 'aws-ebs-csi-driver', updateId: update!.id }));
      return r.update!.status === 'Successful' ? true : undefined;
    });
    assert.deepEqual((await berth.eks.send(new ListUpdatesCommand({ name: 'ad', addonName: 'aws-ebs-csi-driver' }))).updateIds, [update!.id]);

    // The add-on's association, and one of the user's own.
    const listed = await berth.eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'ad', namespace: 'kube-system' }));
    assert.equal(listed.associations!.length, 1);
    assert.equal(listed.associations![0].ownerArn, addon!.addonArn);
    const { association } = await berth.eks.send(new CreatePodIdentityAssociationCommand({
      clusterName: 'ad', namespace: 'default', serviceAccount: 'app', roleArn: 'arn:aws:iam::000000000000:role/app',
    }));
    assert.match(association!.associationId!, /^a-[a-z0-9]{17}$/);
    assert.equal(association!.associationArn, `arn:aws:eks:us-east-1:000000000000:podidentityassociation/ad/${association!.associationId}`);
    await assert.rejects(
      berth.eks.send(new CreatePodIdentityAssociationCommand({ clusterName: 'ad', namespace: 'default', serviceAccount: 'app', roleArn: 'arn:aws:iam::000000000000:role/x' })),
      (e: any) => e.name === 'ResourceInUseException',
    );
    const updated = await berth.eks.send(new UpdatePodIdentityAssociationCommand({
      clusterName: 'ad', associationId: association!.associationId, roleArn: 'arn:aws:iam::000000000000:role/app-v2',
    }));
    assert.equal(updated.association!.roleArn, 'arn:aws:iam::000000000000:role/app-v2');
    assert.equal((await berth.eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'ad', associationId: association!.associationId }))).association!.serviceAccount, 'app');
    await berth.eks.send(new DeletePodIdentityAssociationCommand({ clusterName: 'ad', associationId: association!.associationId }));

    // The cluster's own update: one minor version up, InProgress (UPDATING) until the controller applies it.
    await assert.rejects(berth.eks.send(new UpdateClusterVersionCommand({ name: 'ad', version: '1.30' })), (e: any) => e.name === 'InvalidParameterException');
    const { update: upgrade } = await berth.eks.send(new UpdateClusterVersionCommand({ name: 'ad', version: '1.33' }));
    assert.equal(upgrade!.type, 'VersionUpdate');
    assert.deepEqual(upgrade!.params!.map((p) => p.type), ['Version', 'PlatformVersion']);
    await until('version update Successful', async () => {
      const r = await berth.eks.send(new DescribeUpdateCommand({ name: 'ad', updateId: upgrade!.id }));
      return r.update!.status === 'Successful' ? true : undefined;
    });
    const upgraded = (await berth.eks.send(new DescribeClusterCommand({ name: 'ad' }))).cluster!;
    assert.deepEqual([upgraded.status, upgraded.version, upgraded.platformVersion], ['ACTIVE', '1.33', 'eks.10']);
    assert.deepEqual((await berth.eks.send(new ListUpdatesCommand({ name: 'ad' }))).updateIds, [upgrade!.id]);

    await berth.eks.send(new DeleteAddonCommand({ clusterName: 'ad', addonName: 'aws-ebs-csi-driver' }));
    await until('add-on and its association gone', async () => {
      const a = await berth.eks.send(new ListAddonsCommand({ clusterName: 'ad' }));
      const p = await berth.eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'ad' }));
      return a.addons!.length === 1 && p.associations!.length === 0 ? true : undefined;
    });
  });
});
