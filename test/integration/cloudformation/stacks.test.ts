/**
 * CloudFormation through the v3 SDK (query protocol, XML): a toolkit stack shaped like `cdk bootstrap`'s made by a
 * change set (REVIEW_IN_PROGRESS → CREATE_COMPLETE) whose resources are then read through their own services'
 * APIs; an update that changes, adds and removes resources; a YAML network stack with short-form tags, mappings,
 * rules, an SSM-typed parameter and an import, from a TemplateURL in Berth's S3; a failed create rolled back;
 * capabilities, termination protection, DeletionPolicy Retain and CloudFormation's errors. Fake runtime.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudFormationClient, CreateChangeSetCommand, CreateStackCommand, DeleteChangeSetCommand, DeleteStackCommand, DescribeChangeSetCommand,
  DescribeStackEventsCommand, DescribeStackResourceCommand, DescribeStacksCommand, ExecuteChangeSetCommand, GetTemplateCommand,
  GetTemplateSummaryCommand, ListChangeSetsCommand, ListExportsCommand, ListImportsCommand, ListStackResourcesCommand, ListStacksCommand, UpdateStackCommand,
  UpdateTerminationProtectionCommand, ValidateTemplateCommand, type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetBucketPolicyCommand, GetBucketVersioningCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { NETWORK_YAML, TOOLKIT } from './fixtures.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

async function rejects(p: Promise<unknown>, name: string, message: RegExp) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('CloudFormation stacks through the v3 SDK', () => {
  const berth = useBerth({
    runtime: 'fake',
    clients: {
      cfn: CloudFormationClient, s3: [S3Client, { forcePathStyle: true }], ecr: ECRClient, iam: IAMClient, ssm: SSMClient, ec2: EC2Client, logs: CloudWatchLogsClient,
    },
  });

  const stackOf = async (name: string) => (await berth.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0];
  async function settled(name: string): Promise<Stack> {
    for (let n = 0; n < 150; n++) {
      const s = await stackOf(name);
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`stack ${name} did not settle`);
  }
  const output = (s: Stack, key: string) => s.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  const statuses = async (name: string) => (await berth.cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!
    .map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();

  let toolkitId = '';

  it('a change set of type CREATE makes the toolkit stack; its resources are the services\' own', async () => {
    const body = JSON.stringify(TOOLKIT);
    await rejects(berth.cfn.send(new CreateChangeSetCommand({ StackName: 'CDKToolkit', ChangeSetName: 'cs1', ChangeSetType: 'CREATE', TemplateBody: body })),
      'InsufficientCapabilitiesException', /^Requires capabilities : \[CAPABILITY_NAMED_IAM\]$/);
    await rejects(berth.cfn.send(new CreateChangeSetCommand({
      StackName: 'CDKToolkit', ChangeSetName: 'cs1', ChangeSetType: 'CREATE', TemplateBody: body, Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [{ ParameterKey: 'Qualifier', ParameterValue: 'far-too-long-qualifier' }],
    })), 'ValidationError', /^Qualifier must be an alphanumeric identifier of at most 10 characters$/);
    const made = await berth.cfn.send(new CreateChangeSetCommand({
      StackName: 'CDKToolkit', ChangeSetName: 'cs1', ChangeSetType: 'CREATE', TemplateBody: body, Capabilities: ['CAPABILITY_NAMED_IAM'],
    }));
    toolkitId = made.StackId!;
    assert.match(toolkitId, /^arn:aws:cloudformation:us-east-1:000000000000:stack\/CDKToolkit\/[0-9a-f-]{36}$/);
    assert.match(made.Id!, /^arn:aws:cloudformation:us-east-1:000000000000:changeSet\/cs1\/[0-9a-f-]{36}$/);
    assert.equal((await stackOf('CDKToolkit')).StackStatus, 'REVIEW_IN_PROGRESS');
    const cs = await berth.cfn.send(new DescribeChangeSetCommand({ StackName: 'CDKToolkit', ChangeSetName: 'cs1' }));
    assert.equal(cs.Status, 'CREATE_COMPLETE');
    assert.equal(cs.ExecutionStatus, 'AVAILABLE');
    assert.deepEqual(cs.Changes!.map((c) => `${c.ResourceChange!.Action} ${c.ResourceChange!.LogicalResourceId}`).sort(), [
      'Add CdkBootstrapVersion', 'Add CloudFormationExecutionRole', 'Add ContainerAssetsRepository', 'Add ImagePublishingRole',
      'Add ImagePublishingRoleDefaultPolicy', 'Add LookupRole', 'Add StagingBucket', 'Add StagingBucketPolicy',
    ]);
    assert.equal((await berth.cfn.send(new ListChangeSetsCommand({ StackName: 'CDKToolkit' }))).Summaries!.length, 1);
    await berth.cfn.send(new ExecuteChangeSetCommand({ StackName: 'CDKToolkit', ChangeSetName: 'cs1' }));
    const stack = await settled('CDKToolkit');
    assert.equal(stack.StackStatus, 'CREATE_COMPLETE', stack.StackStatusReason);
    assert.equal(stack.Description, TOOLKIT.Description);
    const bucket = `cdk-tst0001-assets-${ACCOUNT}-${REGION}`;
    assert.equal(output(stack, 'BucketName'), bucket);
    assert.equal(output(stack, 'BucketDomainName'), `${bucket}.s3.${REGION}.amazonaws.com`);
    assert.equal(output(stack, 'BootstrapVersion'), '26');
    assert.deepEqual(stack.Parameters!.find((p) => p.ParameterKey === 'Qualifier'), { ParameterKey: 'Qualifier', ParameterValue: 'tst0001' });

    // Each resource, read through its own service.
    await berth.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    assert.equal((await berth.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, 'Enabled');
    const policy = JSON.parse((await berth.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!);
    assert.deepEqual(policy.Statement[0].Resource, [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
    const repoName = `cdk-tst0001-container-assets-${ACCOUNT}-${REGION}`;
    const repo = (await berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repoName] }))).repositories![0];
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.match((await berth.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repoName }))).lifecyclePolicyText!, /untagged/);
    const repoPolicy = JSON.parse((await berth.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repoName }))).policyText!);
    assert.equal(repoPolicy.Statement[0].Condition.StringLike['aws:sourceArn'], `arn:aws:lambda:${REGION}:${ACCOUNT}:function:*`);
    const role = (await berth.iam.send(new GetRoleCommand({ RoleName: `cdk-tst0001-image-publishing-role-${ACCOUNT}-${REGION}` }))).Role!;
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
    assert.equal(trust.Statement.length, 1, 'the Fn::If with AWS::NoValue drops the trusted-accounts statement');
    assert.deepEqual(role.Tags, [{ Key: 'aws-cdk:bootstrap-role', Value: 'image-publishing' }]);
    const inline = await berth.iam.send(new GetRolePolicyCommand({
      RoleName: role.RoleName, PolicyName: `cdk-tst0001-image-publishing-role-default-policy-${ACCOUNT}-${REGION}`,
    }));
    assert.equal(JSON.parse(decodeURIComponent(inline.PolicyDocument!)).Statement[0].Resource, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repoName}`);
    const attached = await berth.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `cdk-tst0001-cfn-exec-role-${ACCOUNT}-${REGION}` }));
    assert.deepEqual(attached.AttachedPolicies!.map((p) => p.PolicyArn), ['arn:aws:iam::aws:policy/AdministratorAccess']);
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/tst0001/version' }))).Parameter!.Value, '26');

    const resources = (await berth.cfn.send(new ListStackResourcesCommand({ StackName: 'CDKToolkit' }))).StackResourceSummaries!;
    assert.equal(resources.length, 8);
    assert.ok(resources.every((r) => r.ResourceStatus === 'CREATE_COMPLETE'));
    assert.equal(resources.find((r) => r.LogicalResourceId === 'ContainerAssetsRepository')!.PhysicalResourceId, repoName);
    const detail = await berth.cfn.send(new DescribeStackResourceCommand({ StackName: 'CDKToolkit', LogicalResourceId: 'StagingBucket' }));
    assert.equal(detail.StackResourceDetail!.PhysicalResourceId, bucket);
    const events = await statuses('CDKToolkit');
    assert.equal(events[0], 'CDKToolkit REVIEW_IN_PROGRESS');
    assert.equal(events[1], 'CDKToolkit CREATE_IN_PROGRESS');
    assert.equal(events.at(-1), 'CDKToolkit CREATE_COMPLETE');
    // The bucket policy waits for its bucket: created after it.
    assert.ok(events.indexOf('StagingBucket CREATE_COMPLETE') < events.indexOf('StagingBucketPolicy CREATE_IN_PROGRESS'));
    assert.equal((await berth.cfn.send(new GetTemplateCommand({ StackName: 'CDKToolkit' }))).TemplateBody, body);
    const exports = (await berth.cfn.send(new ListExportsCommand({}))).Exports!;
    assert.deepEqual(exports, [
      { ExportingStackId: toolkitId, Name: 'CdkBootstrap-tst0001-FileAssetKeyArn', Value: 'AWS_MANAGED_KEY' },
      { ExportingStackId: toolkitId, Name: 'CdkBootstrap-tst0001-Version', Value: '26' },
    ]);
    const cs2 = await berth.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: made.Id! }));
    assert.equal(cs2.ExecutionStatus, 'EXECUTE_COMPLETE');
  });

  it('an update changes a resource in place, adds one and removes one; an update without changes is refused', async () => {
    const next = structuredClone(TOOLKIT) as any;
    delete next.Resources.StagingBucketPolicy;
    next.Resources.Extra = { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'extra' } };
    const body = JSON.stringify(next);
    const same = await berth.cfn.send(new CreateChangeSetCommand({
      StackName: 'CDKToolkit', ChangeSetName: 'same', TemplateBody: JSON.stringify(TOOLKIT), Capabilities: ['CAPABILITY_NAMED_IAM'],
    }));
    const empty = await berth.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: same.Id! }));
    assert.equal(empty.Status, 'FAILED');
    assert.equal(empty.StatusReason, "The submitted information didn't contain changes. Submit different information to create a change set.");
    await berth.cfn.send(new DeleteChangeSetCommand({ ChangeSetName: same.Id! }));
    await rejects(berth.cfn.send(new UpdateStackCommand({ StackName: 'CDKToolkit', TemplateBody: JSON.stringify(TOOLKIT), Capabilities: ['CAPABILITY_NAMED_IAM'] })),
      'ValidationError', /^No updates are to be performed\.$/);

    await berth.cfn.send(new UpdateStackCommand({
      StackName: 'CDKToolkit', TemplateBody: body, Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [{ ParameterKey: 'Version', ParameterValue: '27' }, { ParameterKey: 'Qualifier', UsePreviousValue: true }],
    }));
    const stack = await settled('CDKToolkit');
    assert.equal(stack.StackStatus, 'UPDATE_COMPLETE', stack.StackStatusReason);
    assert.equal(output(stack, 'BootstrapVersion'), '27');
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/tst0001/version' }))).Parameter!.Value, '27');
    const bucket = `cdk-tst0001-assets-${ACCOUNT}-${REGION}`;
    await rejects(berth.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'NoSuchBucketPolicy', /policy does not exist/);
    const extra = (await berth.cfn.send(new DescribeStackResourceCommand({ StackName: 'CDKToolkit', LogicalResourceId: 'Extra' }))).StackResourceDetail!;
    assert.match(extra.PhysicalResourceId!, /^CFN-Extra-[A-Z0-9]{12}$/);
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: extra.PhysicalResourceId! }))).Parameter!.Value, 'extra');
    const events = await statuses('CDKToolkit');
    const tail = events.slice(events.lastIndexOf('CDKToolkit UPDATE_IN_PROGRESS'));
    assert.ok(tail.includes('CdkBootstrapVersion UPDATE_COMPLETE'), tail.join('\n'));
    assert.ok(tail.includes('Extra CREATE_COMPLETE'));
    assert.ok(tail.indexOf('CDKToolkit UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') < tail.indexOf('StagingBucketPolicy DELETE_COMPLETE'));
    assert.equal(tail.at(-1), 'CDKToolkit UPDATE_COMPLETE');
  });

  it('a YAML template from a TemplateURL: short-form tags, mappings, rules, an SSM-typed parameter, an import', async () => {
    await berth.ssm.send(new PutParameterCommand({ Name: '/test/cfn/ami', Type: 'String', Value: 'ami-0123456789abcdef0' }));
    await berth.s3.send(new CreateBucketCommand({ Bucket: 'templates' }));
    await berth.s3.send(new PutObjectCommand({ Bucket: 'templates', Key: 'net/network.yaml', Body: NETWORK_YAML }));
    const url = `https://templates.s3.${REGION}.amazonaws.com/net/network.yaml`;
    const checked = await berth.cfn.send(new ValidateTemplateCommand({ TemplateURL: url }));
    assert.equal(checked.Description, 'Network for the tests');
    assert.deepEqual(checked.Parameters!.map((p) => [p.ParameterKey, p.DefaultValue]), [['Env', 'dev'], ['Ami', '/test/cfn/ami']]);
    assert.deepEqual(checked.Capabilities, []);
    const summary = await berth.cfn.send(new GetTemplateSummaryCommand({ TemplateURL: `${berth.endpoint}/templates/net/network.yaml` }));
    assert.ok(summary.ResourceTypes!.includes('AWS::EC2::VPC'));
    await rejects(berth.cfn.send(new ValidateTemplateCommand({ TemplateBody: 'Resources:\n  A: [unclosed' })), 'ValidationError', /^Template format error: YAML not well-formed\./);
    await rejects(berth.cfn.send(new CreateStackCommand({ StackName: 'net', TemplateURL: url, Parameters: [{ ParameterKey: 'Env', ParameterValue: 'test' }] })),
      'ValidationError', /^Parameter 'Env' must be one of AllowedValues$/);
    await rejects(berth.cfn.send(new CreateStackCommand({ StackName: 'net', TemplateURL: url, Parameters: [{ ParameterKey: 'Nope', ParameterValue: 'x' }] })),
      'ValidationError', /^Parameters: \[Nope\] do not exist in the template$/);

    await berth.cfn.send(new CreateStackCommand({ StackName: 'net', TemplateURL: url, Tags: [{ Key: 'team', Value: 'infra' }] }));
    const stack = await settled('net');
    assert.equal(stack.StackStatus, 'CREATE_COMPLETE', stack.StackStatusReason);
    assert.deepEqual(stack.Parameters!.find((p) => p.ParameterKey === 'Ami'), { ParameterKey: 'Ami', ParameterValue: '/test/cfn/ami', ResolvedValue: 'ami-0123456789abcdef0' });
    const vpcId = output(stack, 'VpcId')!;
    const vpc = (await berth.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0];
    assert.equal(vpc.CidrBlock, '10.20.0.0/16');
    assert.deepEqual(vpc.Tags!.map((t) => `${t.Key}=${t.Value}`).sort(), ['Name=net-vpc', 'team=infra']);
    const subnets = (await berth.ec2.send(new DescribeSubnetsCommand({ SubnetIds: output(stack, 'Subnets')!.split(',') }))).Subnets!;
    assert.deepEqual(subnets.map((s) => s.CidrBlock).sort(), ['10.20.0.0/24', '10.20.1.0/24']);
    assert.deepEqual(subnets.map((s) => s.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b']);
    assert.equal(output(stack, 'Zone'), 'us-east-1b');
    const sg = (await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).SecurityGroups!
      .filter((g) => g.Description === 'web for dev');
    assert.equal(sg.length, 1);
    assert.equal(sg[0].IpPermissions![0].FromPort, 80);
    const groups = (await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'net-Logs-' }))).logGroups!;
    assert.equal(groups.length, 1);
    assert.equal(groups[0].retentionInDays, 7);
    assert.equal(output(stack, 'LogGroupArn'), groups[0].arn);
    const marker = (await berth.ssm.send(new GetParameterCommand({ Name: '/test/cfn/dev/marker' }))).Parameter!.Value!;
    assert.equal(Buffer.from(marker, 'base64').toString(), '27|ami-0123456789abcdef0|b');
    const resources = (await berth.cfn.send(new ListStackResourcesCommand({ StackName: 'net' }))).StackResourceSummaries!;
    assert.ok(!resources.some((r) => r.LogicalResourceId === 'ProdOnly'), 'a resource whose condition is false is not made');
    // The route waits for the gateway's attachment (DependsOn).
    const events = await statuses('net');
    assert.ok(events.indexOf('IgwAttachment CREATE_COMPLETE') < events.indexOf('DefaultRoute CREATE_IN_PROGRESS'));

    // While net imports the toolkit's export, the export can neither change (the update rolls back) nor go.
    assert.deepEqual((await berth.cfn.send(new ListImportsCommand({ ExportName: 'CdkBootstrap-tst0001-Version' }))).Imports, ['net']);
    await berth.cfn.send(new UpdateStackCommand({
      StackName: 'CDKToolkit', UsePreviousTemplate: true, Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [{ ParameterKey: 'Version', ParameterValue: '28' }, { ParameterKey: 'Qualifier', UsePreviousValue: true }],
    }));
    const rolledBack = await settled('CDKToolkit');
    assert.equal(rolledBack.StackStatus, 'UPDATE_ROLLBACK_COMPLETE');
    const toolkitEvents = (await berth.cfn.send(new DescribeStackEventsCommand({ StackName: 'CDKToolkit' }))).StackEvents!;
    assert.equal(toolkitEvents.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')!.ResourceStatusReason,
      'Cannot update export CdkBootstrap-tst0001-Version as it is in use by net');
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/tst0001/version' }))).Parameter!.Value, '27', 'the parameter updated back');
    assert.equal(output(rolledBack, 'BootstrapVersion'), '27');
    await berth.cfn.send(new DeleteStackCommand({ StackName: 'CDKToolkit' }));
    const refused = await settled('CDKToolkit');
    assert.equal(refused.StackStatus, 'DELETE_FAILED');
    assert.equal(refused.StackStatusReason, 'Export CdkBootstrap-tst0001-Version cannot be deleted as it is in use by net');

    await berth.cfn.send(new DeleteStackCommand({ StackName: 'net' }));
    const gone = await settled(stack.StackId!);
    assert.equal(gone.StackStatus, 'DELETE_COMPLETE', gone.StackStatusReason);
    assert.equal((await berth.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Vpcs!.length, 0);
  });

  it('a resource that fails rolls the create back; unsupported types fail honestly', async () => {
    const template = {
      Resources: {
        First: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Name: '/test/cfn/first', Value: 'one' } },
        Key: { Type: 'AWS::KMS::Key', DependsOn: 'First', Properties: { KeyPolicy: {} } },
      },
    };
    await berth.cfn.send(new CreateStackCommand({ StackName: 'fails', TemplateBody: JSON.stringify(template) }));
    const stack = await settled('fails');
    assert.equal(stack.StackStatus, 'ROLLBACK_COMPLETE');
    assert.equal(stack.StackStatusReason, undefined);
    const events = (await berth.cfn.send(new DescribeStackEventsCommand({ StackName: 'fails' }))).StackEvents!;
    const failed = events.find((e) => e.ResourceStatus === 'CREATE_FAILED')!;
    assert.equal(failed.LogicalResourceId, 'Key');
    assert.match(failed.ResourceStatusReason!, /Resource type AWS::KMS::Key is not supported/);
    const rollback = events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')!;
    assert.equal(rollback.ResourceStatusReason, 'The following resource(s) failed to create: [Key]. Rollback requested by user.');
    await rejects(berth.ssm.send(new GetParameterCommand({ Name: '/test/cfn/first' })), 'ParameterNotFound', /./);
    await rejects(berth.cfn.send(new UpdateStackCommand({ StackName: 'fails', UsePreviousTemplate: true })),
      'ValidationError', /^Stack:arn:aws:cloudformation:us-east-1:000000000000:stack\/fails\/[0-9a-f-]+ is in ROLLBACK_COMPLETE state and can not be updated\.$/);

    // A service's own refusal fails the resource with its message.
    await berth.cfn.send(new CreateStackCommand({
      StackName: 'refused', OnFailure: 'DO_NOTHING',
      TemplateBody: JSON.stringify({ Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'Not_Valid!' } } } }),
    }));
    const refused = await settled('refused');
    assert.equal(refused.StackStatus, 'CREATE_FAILED');
    const why = (await berth.cfn.send(new DescribeStackResourceCommand({ StackName: 'refused', LogicalResourceId: 'Repo' }))).StackResourceDetail!;
    assert.equal(why.ResourceStatus, 'CREATE_FAILED');
    assert.match(why.ResourceStatusReason!, /^Resource handler returned message: ".*" \(HandlerErrorCode: (InvalidParameterException|ValidationException)\)$/);
  });

  it('an ECS service is complete once stable; a new task definition replaces the old revision and rolls the service', async () => {
    const app = (command: string) => JSON.stringify({
      Parameters: { Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' } },
      Resources: {
        Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'cfn-apps' } },
        TaskDef: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            Family: 'cfn-app', NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'], Cpu: '256', Memory: '512',
            ContainerDefinitions: [{ Name: 'app', Image: 'busybox', Essential: true, Command: ['sh', '-c', command], DockerLabels: { 'com.example.Team': 'web' } }],
          },
        },
        Service: {
          Type: 'AWS::ECS::Service',
          Properties: {
            Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: 'TaskDef' }, DesiredCount: 2, LaunchType: 'FARGATE',
            NetworkConfiguration: { AwsvpcConfiguration: { Subnets: { Ref: 'Subnets' }, AssignPublicIp: 'ENABLED' } },
          },
        },
      },
      Outputs: { Service: { Value: { 'Fn::GetAtt': ['Service', 'Name'] } } },
    });
    const subnets = (await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!.map((x) => x.SubnetId!);
    const parameters = [{ ParameterKey: 'Subnets', ParameterValue: subnets.slice(0, 2).join(',') }];
    await berth.cfn.send(new CreateStackCommand({ StackName: 'apps', TemplateBody: app('sleep 3600'), Parameters: parameters }));
    const created = await settled('apps');
    assert.equal(created.StackStatus, 'CREATE_COMPLETE', created.StackStatusReason);
    const ecs = berth.client(ECSClient);
    const before = (await ecs.send(new DescribeServicesCommand({ cluster: 'cfn-apps', services: [output(created, 'Service')!] }))).services![0];
    assert.equal(before.runningCount, 2, 'the stack completed once the service was stable');
    assert.equal(before.taskDefinition, `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/cfn-app:1`);
    const labels = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'cfn-app:1' }))).taskDefinition!.containerDefinitions![0].dockerLabels;
    assert.deepEqual(labels, { 'com.example.Team': 'web' }, 'a map whose keys are data keeps them');

    await berth.cfn.send(new UpdateStackCommand({ StackName: 'apps', TemplateBody: app('sleep 7200'), Parameters: [{ ParameterKey: 'Subnets', UsePreviousValue: true }] }));
    const updated = await settled('apps');
    assert.equal(updated.StackStatus, 'UPDATE_COMPLETE', updated.StackStatusReason);
    const after = (await ecs.send(new DescribeServicesCommand({ cluster: 'cfn-apps', services: [output(updated, 'Service')!] }))).services![0];
    assert.equal(after.taskDefinition, `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/cfn-app:2`);
    assert.equal(after.runningCount, 2);
    assert.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'cfn-app:1' }))).taskDefinition!.status, 'INACTIVE', 'the replaced revision is deregistered at clean-up');
    const events = await statuses('apps');
    assert.ok(events.includes('TaskDef UPDATE_IN_PROGRESS') && events.includes('Service UPDATE_COMPLETE'), events.join('\n'));

    await berth.cfn.send(new DeleteStackCommand({ StackName: 'apps' }));
    assert.equal((await settled(updated.StackId!)).StackStatus, 'DELETE_COMPLETE');
    const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: ['cfn-apps'] }))).clusters![0];
    assert.equal(cluster.status, 'INACTIVE');
  });

  it('termination protection, DeletionPolicy Retain, and a deleted stack read by id only', async () => {
    await berth.cfn.send(new UpdateTerminationProtectionCommand({ StackName: 'CDKToolkit', EnableTerminationProtection: true }));
    await rejects(berth.cfn.send(new DeleteStackCommand({ StackName: 'CDKToolkit' })), 'ValidationError',
      /^Stack \[CDKToolkit\] cannot be deleted while TerminationProtection is enabled$/);
    await berth.cfn.send(new UpdateTerminationProtectionCommand({ StackName: 'CDKToolkit', EnableTerminationProtection: false }));
    await berth.cfn.send(new DeleteStackCommand({ StackName: 'CDKToolkit' }));
    const gone = await settled(toolkitId);
    assert.equal(gone.StackStatus, 'DELETE_COMPLETE', gone.StackStatusReason);
    await rejects(stackOf('CDKToolkit'), 'ValidationError', /^Stack with id CDKToolkit does not exist$/);
    const events = (await berth.cfn.send(new DescribeStackEventsCommand({ StackName: toolkitId }))).StackEvents!;
    assert.equal(events.find((e) => e.LogicalResourceId === 'StagingBucket')!.ResourceStatus, 'DELETE_SKIPPED');
    await berth.s3.send(new HeadBucketCommand({ Bucket: `cdk-tst0001-assets-${ACCOUNT}-${REGION}` }));
    await rejects(berth.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [`cdk-tst0001-container-assets-${ACCOUNT}-${REGION}`] })), 'RepositoryNotFoundException', /./);
    assert.deepEqual((await berth.cfn.send(new ListExportsCommand({}))).Exports, []);
    const listed = (await berth.cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }))).StackSummaries!;
    assert.ok(listed.some((s) => s.StackId === toolkitId));
    // Deleting what is not there succeeds, as on AWS.
    await berth.cfn.send(new DeleteStackCommand({ StackName: 'never-was' }));
  });
});
