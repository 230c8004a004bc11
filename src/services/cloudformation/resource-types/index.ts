/**
 * The resource types Berth's CloudFormation creates, by their CloudFormation type name. Each is built on its
 * service's own operations (the internal door): one implementation of each resource. README.md lists them.
 */
import { SCALABLE_TARGET, SCALING_POLICY } from './application-auto-scaling.js';
import * as ec2 from './ec2.js';
import { EIP, EIP_ASSOCIATION, NAT_GATEWAY } from './ec2-addresses.js';
import { REPOSITORY } from './ecr.js';
import { ACCESS_POINT, FILE_SYSTEM, MOUNT_TARGET } from './efs.js';
import { CLUSTER, SERVICE, TASK_DEFINITION } from './ecs.js';
import { LISTENER, LISTENER_RULE, LOAD_BALANCER, TARGET_GROUP } from './elbv2.js';
import { INSTANCE_PROFILE, MANAGED_POLICY, POLICY, ROLE } from './iam.js';
import { LOG_GROUP } from './logs.js';
import { BUCKET, BUCKET_POLICY } from './s3.js';
import { SECRET } from './secrets-manager.js';
import { QUEUE } from './sqs.js';
import { PARAMETER } from './ssm.js';
import { shortId, type ResourceType } from './types.js';

export type { Made, Props, ResourceContext, ResourceType } from './types.js';

/** AWS::CDK::Metadata: CDK's analytics record; nothing to make. */
const CDK_METADATA: ResourceType = {
  async create(ctx) {
    return { physicalId: shortId(ctx) };
  },
  async update(_ctx, id) {
    return { physicalId: id };
  },
  async delete() {},
};

/** AWS::CloudFormation::WaitConditionHandle: a URL nobody signals; it exists and that is all it does. */
const WAIT_CONDITION_HANDLE: ResourceType = {
  async create(ctx) {
    return { physicalId: `https://cloudformation-waitcondition-${ctx.region}.s3.amazonaws.com/${encodeURIComponent(ctx.stackId)}/${shortId(ctx)}` };
  },
  async delete() {},
};

export const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  'AWS::ApplicationAutoScaling::ScalableTarget': SCALABLE_TARGET,
  'AWS::ApplicationAutoScaling::ScalingPolicy': SCALING_POLICY,
  'AWS::CDK::Metadata': CDK_METADATA,
  'AWS::CloudFormation::WaitConditionHandle': WAIT_CONDITION_HANDLE,
  'AWS::EC2::EIP': EIP,
  'AWS::EC2::EIPAssociation': EIP_ASSOCIATION,
  'AWS::EC2::InternetGateway': ec2.INTERNET_GATEWAY,
  'AWS::EC2::NatGateway': NAT_GATEWAY,
  'AWS::EC2::Route': ec2.ROUTE,
  'AWS::EC2::RouteTable': ec2.ROUTE_TABLE,
  'AWS::EC2::SecurityGroup': ec2.SECURITY_GROUP,
  'AWS::EC2::SecurityGroupEgress': ec2.SECURITY_GROUP_EGRESS,
  'AWS::EC2::SecurityGroupIngress': ec2.SECURITY_GROUP_INGRESS,
  'AWS::EC2::Subnet': ec2.SUBNET,
  'AWS::EC2::SubnetRouteTableAssociation': ec2.SUBNET_ROUTE_TABLE_ASSOCIATION,
  'AWS::EC2::VPC': ec2.VPC,
  'AWS::EC2::VPCGatewayAttachment': ec2.GATEWAY_ATTACHMENT,
  'AWS::ECR::Repository': REPOSITORY,
  'AWS::ECS::Cluster': CLUSTER,
  'AWS::ECS::Service': SERVICE,
  'AWS::ECS::TaskDefinition': TASK_DEFINITION,
  'AWS::EFS::AccessPoint': ACCESS_POINT,
  'AWS::EFS::FileSystem': FILE_SYSTEM,
  'AWS::EFS::MountTarget': MOUNT_TARGET,
  'AWS::ElasticLoadBalancingV2::Listener': LISTENER,
  'AWS::ElasticLoadBalancingV2::ListenerRule': LISTENER_RULE,
  'AWS::ElasticLoadBalancingV2::LoadBalancer': LOAD_BALANCER,
  'AWS::ElasticLoadBalancingV2::TargetGroup': TARGET_GROUP,
  'AWS::IAM::InstanceProfile': INSTANCE_PROFILE,
  'AWS::IAM::ManagedPolicy': MANAGED_POLICY,
  'AWS::IAM::Policy': POLICY,
  'AWS::IAM::Role': ROLE,
  'AWS::Logs::LogGroup': LOG_GROUP,
  'AWS::S3::Bucket': BUCKET,
  'AWS::S3::BucketPolicy': BUCKET_POLICY,
  'AWS::SQS::Queue': QUEUE,
  'AWS::SSM::Parameter': PARAMETER,
  'AWS::SecretsManager::Secret': SECRET,
};
