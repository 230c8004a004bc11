/**
 * Launch templates through the v3 SDK: versions ($Latest, $Default, SourceVersion), describing and deleting them, and
 * RunInstances merging a template's data under its own parameters.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, DeleteLaunchTemplateCommand, DeleteLaunchTemplateVersionsCommand,
  DescribeInstanceAttributeCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client, ModifyLaunchTemplateCommand,
  RunInstancesCommand, TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsWith } from './support.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('EC2 launch templates through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client, ssm: SSMClient } });
  let ami: string;
  before(async () => {
    ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
  });

  it('versions: $Latest, $Default, SourceVersion, ModifyLaunchTemplate and deleting versions', async () => {
    const { LaunchTemplate: lt } = await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'ecs-nodes', VersionDescription: 'v1',
      LaunchTemplateData: { ImageId: ami, InstanceType: 't3.medium', UserData: b64('echo ECS_CLUSTER=a >> /etc/ecs/ecs.config') },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'infra' }] }],
    }));
    assert.match(lt!.LaunchTemplateId!, /^lt-0[0-9a-f]{16}$/);
    assert.equal(lt!.DefaultVersionNumber, 1);
    assert.equal(lt!.LatestVersionNumber, 1);
    assert.equal(lt!.CreatedBy, 'arn:aws:iam::000000000000:root');
    assert.deepEqual(lt!.Tags, [{ Key: 'team', Value: 'infra' }]);
    await rejectsWith(berth.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'ecs-nodes', LaunchTemplateData: { InstanceType: 't3.micro' } })), 'InvalidLaunchTemplateName.AlreadyExistsException');

    const v2 = await berth.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: lt!.LaunchTemplateId, SourceVersion: '1', LaunchTemplateData: { InstanceType: 'm5.large' } }));
    assert.equal(v2.LaunchTemplateVersion!.VersionNumber, 2);
    assert.equal(v2.LaunchTemplateVersion!.DefaultVersion, false);
    assert.equal(v2.LaunchTemplateVersion!.LaunchTemplateData!.ImageId, ami, 'kept from the source version');
    assert.equal(v2.LaunchTemplateVersion!.LaunchTemplateData!.InstanceType, 'm5.large');

    const latest = await berth.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'ecs-nodes', Versions: ['$Latest', '$Default'] }));
    assert.deepEqual(latest.LaunchTemplateVersions!.map((v) => [v.VersionNumber, v.DefaultVersion]), [[2, false], [1, true]]);
    const all = await berth.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt!.LaunchTemplateId }));
    assert.deepEqual(all.LaunchTemplateVersions!.map((v) => v.VersionNumber), [2, 1]);

    const mod = await berth.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: lt!.LaunchTemplateId, DefaultVersion: '2' }));
    assert.equal(mod.LaunchTemplate!.DefaultVersionNumber, 2);
    await rejectsWith(berth.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: lt!.LaunchTemplateId, DefaultVersion: '9' })), 'InvalidLaunchTemplateId.VersionNotFound');

    const del = await berth.ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: lt!.LaunchTemplateId, Versions: ['1', '2', '7'] }));
    assert.deepEqual(del.SuccessfullyDeletedLaunchTemplateVersions!.map((v) => v.VersionNumber), [1]);
    assert.deepEqual(del.UnsuccessfullyDeletedLaunchTemplateVersions!.map((v) => [v.VersionNumber, v.ResponseError!.Code]), [[2, 'unexpectedError'], [7, 'launchTemplateVersionDoesNotExist']]);

    const described = await berth.ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:team', Values: ['infra'] }] }));
    assert.deepEqual(described.LaunchTemplates!.map((t) => [t.LaunchTemplateName, t.LatestVersionNumber, t.DefaultVersionNumber]), [['ecs-nodes', 2, 2]]);
    await rejectsWith(berth.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })), 'InvalidLaunchTemplateName.NotFoundException');
    await berth.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'ecs-nodes' }));
    await rejectsWith(berth.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [lt!.LaunchTemplateId!] })), 'InvalidLaunchTemplateId.NotFound',
      `The specified launch template, with template ID ${lt!.LaunchTemplateId}, does not exist.`);
  });

  it('RunInstances takes a template\'s data, under the request\'s own parameters; tags merge', async () => {
    const { LaunchTemplate: lt } = await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'merge',
      LaunchTemplateData: {
        ImageId: ami, InstanceType: 't3.small', UserData: b64('#!/bin/bash\necho one'),
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'from', Value: 'template' }, { Key: 'both', Value: 'template' }] }],
      },
    }));
    await berth.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: lt!.LaunchTemplateId, SourceVersion: '$Latest', LaunchTemplateData: { InstanceType: 'c5.large' } }));
    const byDefault = await berth.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: 'merge' } }));
    assert.equal(byDefault.Instances![0].InstanceType, 't3.small', '$Default is version 1');
    assert.equal(byDefault.Instances![0].ImageId, ami);
    const latest = await berth.ec2.send(new RunInstancesCommand({
      MinCount: 1, MaxCount: 1, InstanceType: 'm5.large', LaunchTemplate: { LaunchTemplateId: lt!.LaunchTemplateId, Version: '$Latest' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'both', Value: 'request' }] }],
    }));
    const i = latest.Instances![0];
    assert.equal(i.InstanceType, 'm5.large', 'the request wins');
    assert.deepEqual(Object.fromEntries(i.Tags!.map((t) => [t.Key, t.Value])), { from: 'template', both: 'request' });
    const ud = await berth.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: i.InstanceId, Attribute: 'userData' }));
    assert.equal(Buffer.from(ud.UserData!.Value!, 'base64').toString(), '#!/bin/bash\necho one');
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateId: lt!.LaunchTemplateId, Version: '5' } })),
      'InvalidLaunchTemplateId.VersionNotFound');
    // A reference names the template by ID or by name, never both.
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateId: lt!.LaunchTemplateId, LaunchTemplateName: 'merge' } })),
      'InvalidParameterCombination', 'You must specify either the launch template ID or the launch template name in the request, but not both.');
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [byDefault.Instances![0].InstanceId!, i.InstanceId!] }));
  });
});
