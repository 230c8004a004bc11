/**
 * A stack of the resources CDK's `ecs_patterns.ApplicationLoadBalancedFargateService` synthesizes (a VPC with two
 * public subnets, internet gateway and routes, the load balancer's and the service's security groups, an ALB with
 * its target group and listener, a cluster, execution and task roles, a log group, a Fargate task definition and
 * service, AWS::CDK::Metadata), created by CloudFormation on real Docker: the stack completes once the service is
 * stable, the service answers through the load balancer, and deleting the stack stops the tasks and removes it all.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStackResourceCommand, DescribeStacksCommand, type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeClustersCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { useBerth } from '../helpers/use-berth.js';
import { freePort } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const curl = promisify(execFile);

function template(image: string) {
  const tags = [{ Key: 'Name', Value: 'web/Vpc' }];
  return {
    Parameters: { ListenerPort: { Type: 'Number' } },
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true, InstanceTenancy: 'default', Tags: tags } },
      PublicSubnet1: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/18', AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, MapPublicIpOnLaunch: true } },
      PublicSubnet2: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.64.0/18', AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }, MapPublicIpOnLaunch: true } },
      PublicRouteTable1: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
      PublicRouteTable2: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
      Assoc1: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { RouteTableId: { Ref: 'PublicRouteTable1' }, SubnetId: { Ref: 'PublicSubnet1' } } },
      Assoc2: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { RouteTableId: { Ref: 'PublicRouteTable2' }, SubnetId: { Ref: 'PublicSubnet2' } } },
      Igw: { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: tags } },
      VpcGw: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: 'Vpc' }, InternetGatewayId: { Ref: 'Igw' } } },
      DefaultRoute1: { Type: 'AWS::EC2::Route', DependsOn: ['VpcGw'], Properties: { RouteTableId: { Ref: 'PublicRouteTable1' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' } } },
      DefaultRoute2: { Type: 'AWS::EC2::Route', DependsOn: ['VpcGw'], Properties: { RouteTableId: { Ref: 'PublicRouteTable2' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' } } },
      Cluster: { Type: 'AWS::ECS::Cluster' },
      LBSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'Automatically created Security Group for ELB web', VpcId: { Ref: 'Vpc' },
          SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', Description: 'Allow from anyone on port 80', FromPort: 80, IpProtocol: 'tcp', ToPort: 80 }],
        },
      },
      LBSecurityGroupEgress: {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: {
          GroupId: { 'Fn::GetAtt': ['LBSecurityGroup', 'GroupId'] }, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080,
          DestinationSecurityGroupId: { 'Fn::GetAtt': ['ServiceSecurityGroup', 'GroupId'] }, Description: 'Load balancer to target',
        },
      },
      LB: {
        Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', DependsOn: ['DefaultRoute1', 'DefaultRoute2'],
        Properties: {
          Scheme: 'internet-facing', Type: 'application', Subnets: [{ Ref: 'PublicSubnet1' }, { Ref: 'PublicSubnet2' }],
          SecurityGroups: [{ 'Fn::GetAtt': ['LBSecurityGroup', 'GroupId'] }],
          LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
        },
      },
      TargetGroup: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: {
          Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: { Ref: 'Vpc' },
          HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2,
          TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }, { Key: 'stickiness.enabled', Value: 'false' }],
        },
      },
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: { LoadBalancerArn: { Ref: 'LB' }, Port: { Ref: 'ListenerPort' }, Protocol: 'HTTP', DefaultActions: [{ TargetGroupArn: { Ref: 'TargetGroup' }, Type: 'forward' }] },
      },
      TaskRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }], Version: '2012-10-17' } },
      },
      ExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }], Version: '2012-10-17' } },
      },
      ExecutionRoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyDocument: { Statement: [{ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': ['LogGroup', 'Arn'] } }], Version: '2012-10-17' },
          PolicyName: 'ExecutionRoleDefaultPolicy', Roles: [{ Ref: 'ExecutionRole' }],
        },
      },
      LogGroup: { Type: 'AWS::Logs::LogGroup', UpdateReplacePolicy: 'Retain', DeletionPolicy: 'Delete' },
      TaskDef: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          ContainerDefinitions: [{
            Essential: true, Image: image, Name: 'web', PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }], StopTimeout: 2,
            Command: ['sh', '-c', 'echo "served by $(hostname)" > /var/www/index.html; exec httpd -f -p 8080 -h /var/www'],
            LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-group': { Ref: 'LogGroup' }, 'awslogs-stream-prefix': 'web', 'awslogs-region': { Ref: 'AWS::Region' } } },
          }],
          Cpu: '256', Memory: '512', NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'], Family: 'webTaskDef',
          ExecutionRoleArn: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] }, TaskRoleArn: { 'Fn::GetAtt': ['TaskRole', 'Arn'] },
        },
      },
      Service: {
        Type: 'AWS::ECS::Service', DependsOn: ['Listener', 'TaskRole'],
        Properties: {
          Cluster: { Ref: 'Cluster' }, DesiredCount: 2, LaunchType: 'FARGATE', EnableECSManagedTags: false, HealthCheckGracePeriodSeconds: 60,
          DeploymentConfiguration: { MaximumPercent: 200, MinimumHealthyPercent: 50, DeploymentCircuitBreaker: { Enable: false, Rollback: false } },
          LoadBalancers: [{ ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: 'TargetGroup' } }],
          NetworkConfiguration: {
            AwsvpcConfiguration: { AssignPublicIp: 'ENABLED', SecurityGroups: [{ 'Fn::GetAtt': ['ServiceSecurityGroup', 'GroupId'] }], Subnets: [{ Ref: 'PublicSubnet1' }, { Ref: 'PublicSubnet2' }] },
          },
          TaskDefinition: { Ref: 'TaskDef' },
        },
      },
      ServiceSecurityGroup: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'web/Service/SecurityGroup', VpcId: { Ref: 'Vpc' } } },
      ServiceSecurityGroupIngress: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, GroupId: { 'Fn::GetAtt': ['ServiceSecurityGroup', 'GroupId'] },
          SourceSecurityGroupId: { 'Fn::GetAtt': ['LBSecurityGroup', 'GroupId'] }, Description: 'Load balancer to target',
        },
      },
      CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:H4sIAAAAAAAA' } },
    },
    Outputs: {
      LoadBalancerDNS: { Value: { 'Fn::GetAtt': ['LB', 'DNSName'] } },
      ServiceURL: { Value: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': ['LB', 'DNSName'] }]] } },
    },
  };
}

describe('an ApplicationLoadBalancedFargateService stack on real Docker', () => {
  const berth = useBerth({ clients: { cfn: CloudFormationClient, ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  let port = 0;
  before(async () => {
    port = await freePort();
  });

  async function settled(id: string, ms = 50_000): Promise<Stack> {
    for (const end = Date.now() + ms; Date.now() < end;) {
      const s = (await berth.cfn.send(new DescribeStacksCommand({ StackName: id }))).Stacks![0];
      if (!s.StackStatus!.endsWith('_IN_PROGRESS')) return s;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`stack ${id} did not settle`);
  }

  it('comes up once the service is stable, serves through the load balancer, and is deleted with its tasks', { timeout: 58_000 }, async () => {
    const { StackId } = await berth.cfn.send(new CreateStackCommand({
      StackName: 'web', TemplateBody: JSON.stringify(template(ensureBusyboxImage())), Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'ListenerPort', ParameterValue: String(port) }],
    }));
    const stack = await settled(StackId!);
    const events = (await berth.cfn.send(new DescribeStackEventsCommand({ StackName: StackId }))).StackEvents!;
    assert.equal(stack.StackStatus, 'CREATE_COMPLETE', events.filter((e) => e.ResourceStatusReason).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`).join('\n'));
    const dns = stack.Outputs!.find((o) => o.OutputKey === 'LoadBalancerDNS')!.OutputValue!;
    const lb = (await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.find((l) => l.DNSName === dns)!;
    assert.equal(lb.Scheme, 'internet-facing');

    // The service was stable when the stack completed: both tasks answer through the listener, at once.
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      seen.add((await res.text()).trim());
    }
    assert.equal(seen.size, 2, [...seen].join(', '));
    // And by its DNS name on Berth's own port, as CDK's ServiceURL output names it.
    const { stdout } = await curl('curl', ['-s', '--resolve', `${dns}:${berth.port}:127.0.0.1`, `http://${dns}:${berth.port}/`]);
    assert.match(stdout, /^served by /);

    const clusterName = (await berth.cfn.send(new DescribeStackResourceCommand({ StackName: 'web', LogicalResourceId: 'Cluster' }))).StackResourceDetail!.PhysicalResourceId!;
    assert.match(clusterName, /^web-Cluster-[A-Z0-9]{12}$/);
    assert.equal((await berth.ecs.send(new ListTasksCommand({ cluster: clusterName, desiredStatus: 'RUNNING' }))).taskArns!.length, 2);
    await berth.cfn.send(new DeleteStackCommand({ StackName: 'web' }));
    const gone = await settled(StackId!);
    assert.equal(gone.StackStatus, 'DELETE_COMPLETE', gone.StackStatusReason);
    const left = (await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.filter((l) => l.DNSName === dns);
    assert.deepEqual(left, []);
    // The service was INACTIVE (its tasks stopped) before its cluster went.
    const after = await berth.ecs.send(new DescribeClustersCommand({ clusters: [clusterName] }));
    assert.ok(after.clusters!.every((c) => c.status === 'INACTIVE') && (after.clusters!.length || after.failures!.length), JSON.stringify(after));
  });
});
