/**
 * CloudFormation resource types beyond the ECS web stack, each through its service's own operations: a NAT gateway
 * with its Elastic IP and a private route through it (what a CDK Vpc with NAT gateways makes), a Secrets Manager secret
 * with a generated password in a JSON template, SQS queues with a redrive policy, and an EFS file system with a mount
 * target and an access point. The stack comes up, its resources read back through the services' APIs, and deleting it
 * removes them all. Fake runtime.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, ListStackResourcesCommand, type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { useBerth } from '../../helpers/use-berth.js';

const TEMPLATE = {
  Resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.40.0.0/16' } },
    Public: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.40.0.0/24', AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } } },
    Private: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.40.1.0/24', AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } } },
    Igw: { Type: 'AWS::EC2::InternetGateway' },
    Attach: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: 'Vpc' }, InternetGatewayId: { Ref: 'Igw' } } },
    Eip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc', Tags: [{ Key: 'Name', Value: 'nat' }] } },
    Nat: { Type: 'AWS::EC2::NatGateway', DependsOn: ['Attach'], Properties: { SubnetId: { Ref: 'Public' }, AllocationId: { 'Fn::GetAtt': ['Eip', 'AllocationId'] } } },
    PrivateTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
    PrivateAssoc: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { RouteTableId: { Ref: 'PrivateTable' }, SubnetId: { Ref: 'Private' } } },
    PrivateDefault: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: { Ref: 'PrivateTable' }, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: 'Nat' } } },
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { Description: 'db', GenerateSecretString: { SecretStringTemplate: '{"username":"app"}', GenerateStringKey: 'password', PasswordLength: 24, ExcludePunctuation: true } },
    },
    DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
    Jobs: {
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: 120, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] }, maxReceiveCount: 3 } },
    },
    Files: { Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true, FileSystemTags: [{ Key: 'Name', Value: 'files' }] } },
    FilesTarget: { Type: 'AWS::EFS::MountTarget', Properties: { FileSystemId: { Ref: 'Files' }, SubnetId: { Ref: 'Private' }, SecurityGroups: [{ 'Fn::GetAtt': ['Vpc', 'DefaultSecurityGroup'] }] } },
    FilesAccess: {
      Type: 'AWS::EFS::AccessPoint',
      Properties: { FileSystemId: { Ref: 'Files' }, PosixUser: { Uid: '1000', Gid: '1000' }, RootDirectory: { Path: '/app', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '755' } } },
    },
  },
  Outputs: {
    PublicIp: { Value: { Ref: 'Eip' } },
    SecretArn: { Value: { Ref: 'Secret' } },
    JobsUrl: { Value: { Ref: 'Jobs' } },
  },
};

describe('CloudFormation: NAT gateways and EIPs, secrets, queues and EFS', () => {
  const berth = useBerth({ runtime: 'fake', clients: { cfn: CloudFormationClient, ec2: EC2Client, efs: EFSClient, sm: SecretsManagerClient, sqs: SQSClient } });

  async function settled(id: string): Promise<Stack> {
    for (const end = Date.now() + 40_000; Date.now() < end;) {
      const s = (await berth.cfn.send(new DescribeStacksCommand({ StackName: id }))).Stacks![0];
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`stack ${id} did not settle`);
  }
  const reasons = async (id: string) => (await berth.cfn.send(new DescribeStackEventsCommand({ StackName: id }))).StackEvents!
    .filter((e) => e.ResourceStatusReason).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`).join('\n');

  it('creates each through its service, reads back as configured, and deletes them all', async () => {
    const { StackId } = await berth.cfn.send(new CreateStackCommand({ StackName: 'data', TemplateBody: JSON.stringify(TEMPLATE) }));
    const stack = await settled(StackId!);
    assert.equal(stack.StackStatus, 'CREATE_COMPLETE', await reasons(StackId!));
    const out = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    const physical = Object.fromEntries((await berth.cfn.send(new ListStackResourcesCommand({ StackName: 'data' }))).StackResourceSummaries!
      .map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));

    // The EIP's Ref is its public IP; the NAT gateway is available with it; the private table routes through it.
    const nat = (await berth.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [physical.Nat!] }))).NatGateways![0];
    assert.deepEqual([nat.State, nat.NatGatewayAddresses![0].PublicIp, nat.SubnetId], ['available', out.PublicIp, physical.Public]);
    const table = (await berth.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [physical.PrivateTable!] }))).RouteTables![0];
    assert.deepEqual(table.Routes!.filter((r) => r.NatGatewayId).map((r) => [r.DestinationCidrBlock, r.State]), [['0.0.0.0/0', 'active']]);

    const secret = JSON.parse((await berth.sm.send(new GetSecretValueCommand({ SecretId: out.SecretArn }))).SecretString!);
    assert.equal(secret.username, 'app');
    assert.match(secret.password, /^[A-Za-z0-9]{24}$/);

    const { Attributes } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: out.JobsUrl, AttributeNames: ['All'] }));
    assert.equal(Attributes!.VisibilityTimeout, '120');
    const redrive = JSON.parse(Attributes!.RedrivePolicy!);
    assert.match(redrive.deadLetterTargetArn, /^arn:aws:sqs:us-east-1:000000000000:data-DeadLetters-[A-Z0-9]{12}$/);
    assert.equal(Number(redrive.maxReceiveCount), 3);

    const fs = (await berth.efs.send(new DescribeFileSystemsCommand({ FileSystemId: physical.Files }))).FileSystems![0];
    assert.deepEqual([fs.LifeCycleState, fs.Encrypted, fs.Name], ['available', true, 'files']);
    const [mt] = (await berth.efs.send(new DescribeMountTargetsCommand({ FileSystemId: physical.Files }))).MountTargets!;
    assert.deepEqual([mt.MountTargetId, mt.LifeCycleState, mt.SubnetId], [physical.FilesTarget, 'available', physical.Private]);
    const [ap] = (await berth.efs.send(new DescribeAccessPointsCommand({ FileSystemId: physical.Files }))).AccessPoints!;
    assert.deepEqual([ap.AccessPointId, ap.RootDirectory?.Path, ap.PosixUser?.Uid], [physical.FilesAccess, '/app', 1000]);

    await berth.cfn.send(new DeleteStackCommand({ StackName: 'data' }));
    const gone = await settled(StackId!);
    assert.equal(gone.StackStatus, 'DELETE_COMPLETE', await reasons(StackId!));
    assert.deepEqual((await berth.ec2.send(new DescribeAddressesCommand({}))).Addresses, []);
    assert.deepEqual((await berth.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [physical.Nat!] }))).NatGateways!.map((g) => g.State), ['deleted']);
    assert.deepEqual((await berth.sm.send(new ListSecretsCommand({}))).SecretList, []);
    assert.equal((await berth.sqs.send(new ListQueuesCommand({}))).QueueUrls, undefined);
    assert.deepEqual((await berth.efs.send(new DescribeFileSystemsCommand({}))).FileSystems, []);
  });
});
