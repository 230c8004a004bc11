/**
 * EC2 instances through the v3 SDK: launch, describe (reservations, filters, pagination), the state machine the
 * controller runs (pending → running, stopping → stopped, shutting-down → terminated with EC2's reasons), instance
 * attributes, instance types, ClientToken and DryRun, and the errors EC2 gives.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, DescribeInstanceAttributeCommand,
  DescribeInstancesCommand, DescribeInstanceStatusCommand, DescribeInstanceTypesCommand, DescribeNetworkInterfacesCommand, EC2Client,
  ModifyInstanceAttributeCommand, RebootInstancesCommand, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsWith, waitForState } from './support.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('EC2 instances through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client, ssm: SSMClient, iam: IAMClient } });
  let al2023: string;
  let arm: string;
  before(async () => {
    const p = await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }));
    al2023 = p.Parameter!.Value!;
    arm = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' }))).Parameter!.Value!;
  });

  it('RunInstances launches MinCount..MaxCount pending instances in one reservation, each with an interface from the subnet', async () => {
    const vpc = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.9.1.0/24', AvailabilityZone: 'us-east-1c' }))).Subnet!.SubnetId!;
    const sg = (await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpc }))).GroupId!;
    const r = await berth.ec2.send(new RunInstancesCommand({
      ImageId: al2023, InstanceType: 't3.micro', MinCount: 2, MaxCount: 3, SubnetId: subnet, SecurityGroupIds: [sg],
      UserData: Buffer.from('#!/bin/bash\necho hi\n').toString('base64'),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }, { ResourceType: 'network-interface', Tags: [{ Key: 'eni', Value: 'yes' }] }],
    }));
    assert.match(r.ReservationId!, /^r-0[0-9a-f]{16}$/);
    assert.equal(r.OwnerId, '000000000000');
    assert.equal(r.Instances!.length, 3);
    const first = r.Instances![0];
    assert.match(first.InstanceId!, /^i-0[0-9a-f]{16}$/);
    assert.deepEqual(first.State, { Code: 0, Name: 'pending' });
    assert.deepEqual(r.Instances!.map((i) => i.AmiLaunchIndex), [0, 1, 2]);
    assert.equal(first.SubnetId, subnet);
    assert.equal(first.VpcId, vpc);
    assert.equal(first.Placement!.AvailabilityZone, 'us-east-1c');
    assert.match(first.PrivateIpAddress!, /^10\.9\.1\.\d+$/);
    assert.deepEqual(first.SecurityGroups, [{ GroupId: sg, GroupName: 'web' }]);
    assert.deepEqual(first.Tags, [{ Key: 'Name', Value: 'web' }]);
    assert.equal(first.Architecture, 'x86_64');
    assert.deepEqual(first.CpuOptions, { CoreCount: 1, ThreadsPerCore: 2 });
    const eniId = first.NetworkInterfaces![0].NetworkInterfaceId!;
    const { NetworkInterfaces } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    assert.equal(NetworkInterfaces![0].Status, 'in-use');
    assert.equal(NetworkInterfaces![0].Attachment!.InstanceId, first.InstanceId);
    assert.equal(NetworkInterfaces![0].Attachment!.DeviceIndex, 0);
    assert.deepEqual(NetworkInterfaces![0].TagSet, [{ Key: 'eni', Value: 'yes' }]);

    const running = await waitForState(berth.ec2, first.InstanceId!, 'running');
    assert.deepEqual(running.State, { Code: 16, Name: 'running' });
    const ud = await berth.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: first.InstanceId, Attribute: 'userData' }));
    assert.equal(Buffer.from(ud.UserData!.Value!, 'base64').toString(), '#!/bin/bash\necho hi\n');

    // Filters as EC2 applies them, and pagination over instances.
    const byTag = await berth.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['web'] }, { Name: 'subnet-id', Values: [subnet] }] }));
    assert.equal(byTag.Reservations!.length, 1);
    assert.equal(byTag.Reservations![0].Instances!.length, 3);
    const byType = await berth.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-type', Values: ['t3.*'] }, { Name: 'reservation-id', Values: [r.ReservationId!] }] }));
    assert.equal(byType.Reservations![0].Instances!.length, 3);
    const page1 = await berth.ec2.send(new DescribeInstancesCommand({ MaxResults: 5, Filters: [{ Name: 'reservation-id', Values: [r.ReservationId!] }] }));
    assert.equal(page1.NextToken, undefined);
    await rejectsWith(berth.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })), 'InvalidParameterValue', "The filter 'no-such-filter' is invalid");
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: r.Instances!.map((i) => i.InstanceId!) }));
  });

  it('DescribeInstances pages by instance with MaxResults and NextToken, not with InstanceIds', async () => {
    const r = await berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, InstanceType: 't3.nano', MinCount: 7, MaxCount: 7 }));
    const filter = [{ Name: 'reservation-id', Values: [r.ReservationId!] }];
    const first = await berth.ec2.send(new DescribeInstancesCommand({ Filters: filter, MaxResults: 5 }));
    assert.equal(first.Reservations![0].Instances!.length, 5);
    assert.ok(first.NextToken);
    const second = await berth.ec2.send(new DescribeInstancesCommand({ Filters: filter, MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.Reservations![0].Instances!.length, 2);
    assert.equal(second.NextToken, undefined);
    const all = [...first.Reservations![0].Instances!, ...second.Reservations![0].Instances!].map((i) => i.InstanceId);
    assert.deepEqual(all, r.Instances!.map((i) => i.InstanceId));
    await rejectsWith(berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: [all[0]!], MaxResults: 5 })), 'InvalidParameterCombination');
    await rejectsWith(berth.ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })), 'InvalidParameterValue');
    await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: all as string[] }));
  });

  it('stop, start, reboot and terminate move through EC2\'s states with its codes and reasons', async () => {
    const r = await berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, InstanceType: 't3.small', MinCount: 1, MaxCount: 1 }));
    const id = r.Instances![0].InstanceId!;
    await rejectsWith(berth.ec2.send(new StopInstancesCommand({ InstanceIds: [id] })), 'IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be stopped.`);
    await waitForState(berth.ec2, id, 'running');
    await berth.ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }));
    const stop = await berth.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(stop.StoppingInstances, [{ InstanceId: id, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } }]);
    const stopped = await waitForState(berth.ec2, id, 'stopped');
    assert.deepEqual(stopped.State, { Code: 80, Name: 'stopped' });
    assert.deepEqual(stopped.StateReason, { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
    assert.match(stopped.StateTransitionReason!, /^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
    // Stopped: the type and user data may change.
    await berth.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.large' } }));
    assert.equal((await berth.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'instanceType' }))).InstanceType!.Value, 't3.large');
    await rejectsWith(berth.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't4g.large' } })), 'InvalidParameterValue', /architecture/);
    const start = await berth.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(start.StartingInstances![0].CurrentState, { Code: 0, Name: 'pending' });
    await waitForState(berth.ec2, id, 'running');
    await rejectsWith(berth.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.micro' } })), 'IncorrectInstanceState', `The instance '${id}' is not in the 'stopped' state.`);

    const status = await berth.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    assert.equal(status.InstanceStatuses![0].InstanceStatus!.Status, 'ok');
    assert.equal(status.InstanceStatuses![0].InstanceState!.Name, 'running');

    await berth.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true } }));
    await rejectsWith(berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })), 'OperationNotPermitted', /may not be terminated/);
    await berth.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: false } }));
    const eni = (await waitForState(berth.ec2, id, 'running')).NetworkInterfaces![0].NetworkInterfaceId!;
    const term = await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(term.TerminatingInstances![0].CurrentState, { Code: 32, Name: 'shutting-down' });
    const gone = await waitForState(berth.ec2, id, 'terminated');
    assert.deepEqual(gone.State, { Code: 48, Name: 'terminated' });
    assert.deepEqual(gone.NetworkInterfaces, []);
    // Its interface was deleted on termination; the instance stays visible (for an hour).
    await rejectsWith(berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })), 'InvalidNetworkInterfaceID.NotFound');
    const again = await berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(again.TerminatingInstances![0].PreviousState, { Code: 48, Name: 'terminated' });
    assert.equal((await berth.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id], IncludeAllInstances: true }))).InstanceStatuses!.length, 0);
  });

  it('an instance profile is resolved by name or ARN; an unknown one is refused as EC2 does', async () => {
    await berth.iam.send(new CreateRoleCommand({ RoleName: 'ecsInstanceRole', AssumeRolePolicyDocument: TRUST }));
    const { InstanceProfile } = await berth.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' }));
    await berth.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', RoleName: 'ecsInstanceRole' }));
    const r = await berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, InstanceType: 't3.nano', MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'ecsInstanceProfile' } }));
    assert.deepEqual(r.Instances![0].IamInstanceProfile, { Arn: InstanceProfile!.Arn, Id: InstanceProfile!.InstanceProfileId });
    const byArn = await berth.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'iam-instance-profile.arn', Values: [InstanceProfile!.Arn!] }] }));
    assert.equal(byArn.Reservations!.length, 1);
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'nope' } })),
      'InvalidParameterValue', 'Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Arn: 'arn:aws:iam::000000000000:instance-profile/nope' } })),
      'InvalidParameterValue', /iamInstanceProfile\.arn is invalid/);
  });

  it('ClientToken makes RunInstances idempotent; DryRun answers DryRunOperation and launches nothing', async () => {
    const input = { ImageId: al2023, InstanceType: 't3.micro' as const, MinCount: 1, MaxCount: 1, ClientToken: 'token-1' };
    const a = await berth.ec2.send(new RunInstancesCommand(input));
    const b = await berth.ec2.send(new RunInstancesCommand(input));
    assert.equal(b.ReservationId, a.ReservationId);
    assert.equal(b.Instances![0].InstanceId, a.Instances![0].InstanceId);
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ...input, InstanceType: 't3.small' })), 'IdempotentParameterMismatch');
    const before = await berth.ec2.send(new DescribeInstancesCommand({}));
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ...input, ClientToken: undefined, DryRun: true })), 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    const after = await berth.ec2.send(new DescribeInstancesCommand({}));
    assert.equal(after.Reservations!.length, before.Reservations!.length);
  });

  it('refuses what EC2 refuses: unknown image, type, mismatched architecture, bad user data, unknown ids', async () => {
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 })), 'InvalidAMIID.NotFound', "The image id '[ami-0123456789abcdef0]' does not exist");
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1 })), 'MissingParameter', 'The request must contain the parameter ImageId');
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, InstanceType: 'x9.huge' as never, MinCount: 1, MaxCount: 1 })), 'InvalidParameterValue', "Invalid value 'x9.huge' for InstanceType.");
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ImageId: arm, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 })), 'InvalidParameterValue',
      /^The architecture 'x86_64' of the specified instance type does not match the architecture 'arm64' of the specified AMI/);
    await rejectsWith(berth.ec2.send(new RunInstancesCommand({ ImageId: al2023, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, UserData: 'not base64!' })), 'InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
    await rejectsWith(berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef1'] })), 'InvalidInstanceID.NotFound',
      "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist");
    await rejectsWith(berth.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['bogus'] })), 'InvalidInstanceID.Malformed', 'Invalid id: "bogus" (expecting "i-...")');
  });

  it('DescribeInstanceTypes knows the common types with their vCPUs and memory, and DescribeImages the AMIs it launches', async () => {
    const { InstanceTypes } = await berth.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.medium', 'c6i.large', 'r5.2xlarge', 't4g.nano'] }));
    const got = Object.fromEntries(InstanceTypes!.map((t) => [t.InstanceType, [t.VCpuInfo!.DefaultVCpus, t.MemoryInfo!.SizeInMiB, t.ProcessorInfo!.SupportedArchitectures![0]]]));
    assert.deepEqual(got, { 't3.medium': [2, 4096, 'x86_64'], 'c6i.large': [2, 4096, 'x86_64'], 'r5.2xlarge': [8, 65536, 'x86_64'], 't4g.nano': [2, 512, 'arm64'] });
    const arm64 = await berth.ec2.send(new DescribeInstanceTypesCommand({ Filters: [{ Name: 'processor-info.supported-architecture', Values: ['arm64'] }, { Name: 'vcpu-info.default-vcpus', Values: ['16'] }] }));
    assert.deepEqual(arm64.InstanceTypes!.map((t) => t.InstanceType).sort(), ['c6g.4xlarge', 'c7g.4xlarge', 'm6g.4xlarge', 'm7g.4xlarge', 'r6g.4xlarge', 'r7g.4xlarge']);
    const paged = await berth.ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));
    assert.equal(paged.InstanceTypes!.length, 5);
    assert.ok(paged.NextToken);
    await rejectsWith(berth.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['q1.tiny' as never] })), 'InvalidInstanceType', 'The following supplied instance types do not exist: [q1.tiny]');
    const { Images } = await berth.ec2.send(new DescribeImagesCommand({ ImageIds: [al2023] }));
    assert.equal(Images![0].Architecture, 'x86_64');
  });
});
