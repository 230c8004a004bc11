/**
 * AWS managed policies Berth evaluates by name (issue 23): the default
 * version's document of each, as AWS publishes it.
 *
 * Source: github.com/zoph-io/MAMIP ("Monitor AWS Managed IAM Policies"), which
 * records every AWS managed policy's default version from the IAM API as it
 * changes — `policies/<PolicyName>`, `PolicyVersion.Document`. No package in
 * Berth's dependencies carries these documents, so the set is the smallest one
 * the container workflows need; each entry names the version and the MAMIP
 * commit it was taken from. To add or refresh one, take the document from the
 * same file at a newer commit; do not edit a document by hand.
 */
import type { PolicyDocument } from './evaluate.js';

export interface ManagedPolicy {
  name: string;
  /** The default version's id and creation date, as the IAM API reports them. */
  versionId: string;
  createDate: string;
  /** The MAMIP commit the document was taken from. */
  source: string;
  document: PolicyDocument;
}

const LIST: ManagedPolicy[] = [
  {
    name: 'AdministratorAccess', versionId: 'v1', createDate: '2015-02-06T18:39:46+00:00', source: '1b36617981d5e8905ceb82b8dcbd892340a023ba',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  },
  {
    name: 'AmazonECSTaskExecutionRolePolicy', versionId: 'v1', createDate: '2017-11-16T18:48:22+00:00', source: '1b36617981d5e8905ceb82b8dcbd892340a023ba',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: [
          'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
          'logs:CreateLogStream', 'logs:PutLogEvents',
        ],
        Resource: '*',
      }],
    },
  },
  {
    // The ECS container instance role's policy: what the agent on an EC2 instance may do as the instance.
    name: 'AmazonEC2ContainerServiceforEC2Role', versionId: 'v7', createDate: '2023-03-06T22:19:04+00:00', source: '24b649d3de6c701785bb4af34462aa8ee26f1528',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: [
          'ec2:DescribeTags', 'ecs:CreateCluster', 'ecs:DeregisterContainerInstance', 'ecs:DiscoverPollEndpoint', 'ecs:Poll',
          'ecs:RegisterContainerInstance', 'ecs:StartTelemetrySession', 'ecs:UpdateContainerInstancesState', 'ecs:Submit*',
          'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
          'logs:CreateLogStream', 'logs:PutLogEvents',
        ],
        Resource: '*',
      }, {
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: '*',
        Condition: { StringEquals: { 'ecs:CreateAction': ['CreateCluster', 'RegisterContainerInstance'] } },
      }],
    },
  },
  {
    name: 'AmazonEC2ContainerRegistryReadOnly', versionId: 'v3', createDate: '2019-12-10T20:56:32+00:00', source: '24b649d3de6c701785bb4af34462aa8ee26f1528',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: [
          'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
          'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
          'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings',
        ],
        Resource: '*',
      }],
    },
  },
  {
    name: 'AmazonEC2ContainerRegistryPowerUser', versionId: 'v3', createDate: '2019-12-10T20:48:08+00:00', source: '24b649d3de6c701785bb4af34462aa8ee26f1528',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: [
          'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
          'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
          'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings', 'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
        ],
        Resource: '*',
      }],
    },
  },
  {
    name: 'AmazonEC2ContainerRegistryFullAccess', versionId: 'v3', createDate: '2020-12-05T00:04:19+00:00', source: '24b649d3de6c701785bb4af34462aa8ee26f1528',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['ecr:*', 'cloudtrail:LookupEvents'], Resource: '*' },
        {
          Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole'], Resource: '*',
          Condition: { StringEquals: { 'iam:AWSServiceName': ['replication.ecr.amazonaws.com'] } },
        },
      ],
    },
  },
  {
    name: 'AmazonS3ReadOnlyAccess', versionId: 'v3', createDate: '2023-08-10T21:31:39+00:00', source: '24b649d3de6c701785bb4af34462aa8ee26f1528',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'], Resource: '*' }],
    },
  },
  {
    name: 'AmazonS3FullAccess', versionId: 'v2', createDate: '2021-09-27T20:16:37+00:00', source: '1b36617981d5e8905ceb82b8dcbd892340a023ba',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }] },
  },
  {
    name: 'SecretsManagerReadWrite', versionId: 'v6', createDate: '2026-08-25T23:37:10+00:00', source: '109ff1300f8492bb2e6b0bd2322335cd3f8293bf',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'BasePermissions', Effect: 'Allow',
          Action: [
            'secretsmanager:*', 'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:DescribeStackResource',
            'cloudformation:DescribeStacks', 'cloudformation:ExecuteChangeSet', 'docdb-elastic:GetCluster', 'docdb-elastic:ListClusters',
            'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'kms:DescribeKey', 'kms:ListAliases', 'kms:ListKeys',
            'lambda:ListFunctions', 'rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'redshift:DescribeClusters',
            'redshift-serverless:ListWorkgroups', 'redshift-serverless:GetNamespace', 'tag:GetResources',
          ],
          Resource: '*',
        },
        {
          Sid: 'LambdaPermissions', Effect: 'Allow',
          Action: ['lambda:AddPermission', 'lambda:CreateFunction', 'lambda:GetFunction', 'lambda:InvokeFunction', 'lambda:UpdateFunctionConfiguration'],
          Resource: 'arn:aws:lambda:*:*:function:SecretsManager*',
        },
        {
          Sid: 'SARPermissions', Effect: 'Allow',
          Action: ['serverlessrepo:CreateCloudFormationChangeSet', 'serverlessrepo:GetApplication'],
          Resource: 'arn:aws:serverlessrepo:*:*:applications/SecretsManager*',
        },
        {
          Sid: 'S3Permissions', Effect: 'Allow', Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::awsserverlessrepo-changesets*', 'arn:aws:s3:::secrets-manager-rotation-apps-*/*'],
        },
        {
          Sid: 'CloudFormationTagOnCreate', Effect: 'Allow', Action: ['cloudformation:TagResource', 'cloudformation:UntagResource'], Resource: '*',
          Condition: { StringEquals: { 'cloudformation:CreateAction': ['CreateChangeSet', 'ExecuteChangeSet'] } },
        },
      ],
    },
  },
  {
    name: 'AmazonECS_FullAccess', versionId: 'v20', createDate: '2023-01-04T16:26:05Z', source: '067b455c8c5a578e3a4b02f47ae3d393b9d977ea',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:DeregisterScalableTarget',
            'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingActivities',
            'application-autoscaling:DescribeScalingPolicies', 'application-autoscaling:PutScalingPolicy',
            'application-autoscaling:RegisterScalableTarget', 'appmesh:DescribeVirtualGateway', 'appmesh:DescribeVirtualNode',
            'appmesh:ListMeshes', 'appmesh:ListVirtualGateways', 'appmesh:ListVirtualNodes', 'autoscaling:CreateAutoScalingGroup',
            'autoscaling:CreateLaunchConfiguration', 'autoscaling:DeleteAutoScalingGroup', 'autoscaling:DeleteLaunchConfiguration',
            'autoscaling:Describe*', 'autoscaling:UpdateAutoScalingGroup', 'cloudformation:CreateStack', 'cloudformation:DeleteStack',
            'cloudformation:DescribeStack*', 'cloudformation:UpdateStack', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms',
            'cloudwatch:GetMetricStatistics', 'cloudwatch:PutMetricAlarm', 'codedeploy:BatchGetApplicationRevisions',
            'codedeploy:BatchGetApplications', 'codedeploy:BatchGetDeploymentGroups', 'codedeploy:BatchGetDeployments',
            'codedeploy:ContinueDeployment', 'codedeploy:CreateApplication', 'codedeploy:CreateDeployment',
            'codedeploy:CreateDeploymentGroup', 'codedeploy:GetApplication', 'codedeploy:GetApplicationRevision',
            'codedeploy:GetDeployment', 'codedeploy:GetDeploymentConfig', 'codedeploy:GetDeploymentGroup',
            'codedeploy:GetDeploymentTarget', 'codedeploy:ListApplicationRevisions', 'codedeploy:ListApplications',
            'codedeploy:ListDeploymentConfigs', 'codedeploy:ListDeploymentGroups', 'codedeploy:ListDeployments',
            'codedeploy:ListDeploymentTargets', 'codedeploy:RegisterApplicationRevision', 'codedeploy:StopDeployment',
            'ec2:AssociateRouteTable', 'ec2:AttachInternetGateway', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:CancelSpotFleetRequests',
            'ec2:CreateInternetGateway', 'ec2:CreateLaunchTemplate', 'ec2:CreateRoute', 'ec2:CreateRouteTable', 'ec2:CreateSecurityGroup',
            'ec2:CreateSubnet', 'ec2:CreateVpc', 'ec2:DeleteLaunchTemplate', 'ec2:DeleteSubnet', 'ec2:DeleteVpc', 'ec2:Describe*',
            'ec2:DetachInternetGateway', 'ec2:DisassociateRouteTable', 'ec2:ModifySubnetAttribute', 'ec2:ModifyVpcAttribute',
            'ec2:RequestSpotFleet', 'ec2:RunInstances', 'ecs:*', 'elasticfilesystem:DescribeAccessPoints',
            'elasticfilesystem:DescribeFileSystems', 'elasticloadbalancing:CreateListener', 'elasticloadbalancing:CreateLoadBalancer',
            'elasticloadbalancing:CreateRule', 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteListener',
            'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:DeleteTargetGroup',
            'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeRules',
            'elasticloadbalancing:DescribeTargetGroups', 'events:DeleteRule', 'events:DescribeRule', 'events:ListRuleNamesByTarget',
            'events:ListTargetsByRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets', 'fsx:DescribeFileSystems',
            'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfiles', 'iam:ListRoles', 'lambda:ListFunctions', 'logs:CreateLogGroup',
            'logs:DescribeLogGroups', 'logs:FilterLogEvents', 'route53:CreateHostedZone', 'route53:DeleteHostedZone',
            'route53:GetHealthCheck', 'route53:GetHostedZone', 'route53:ListHostedZonesByName',
            'servicediscovery:CreatePrivateDnsNamespace', 'servicediscovery:CreateService', 'servicediscovery:DeleteService',
            'servicediscovery:GetNamespace', 'servicediscovery:GetOperation', 'servicediscovery:GetService',
            'servicediscovery:ListNamespaces', 'servicediscovery:ListServices', 'servicediscovery:UpdateService', 'sns:ListTopics',
          ],
          Resource: ['*'],
        },
        {
          Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
          Resource: 'arn:aws:ssm:*:*:parameter/aws/service/ecs*',
        },
        {
          Effect: 'Allow', Action: ['ec2:DeleteInternetGateway', 'ec2:DeleteRoute', 'ec2:DeleteRouteTable', 'ec2:DeleteSecurityGroup'],
          Resource: ['*'],
          Condition: { StringLike: { 'ec2:ResourceTag/aws:cloudformation:stack-name': 'EC2ContainerService-*' } },
        },
        {
          Action: 'iam:PassRole', Effect: 'Allow', Resource: ['*'],
          Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        {
          Action: 'iam:PassRole', Effect: 'Allow', Resource: ['arn:aws:iam::*:role/ecsInstanceRole*'],
          Condition: { StringLike: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
        },
        {
          Action: 'iam:PassRole', Effect: 'Allow', Resource: ['arn:aws:iam::*:role/ecsAutoscaleRole*'],
          Condition: { StringLike: { 'iam:PassedToService': ['application-autoscaling.amazonaws.com', 'application-autoscaling.amazonaws.com.cn'] } },
        },
        {
          Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*',
          Condition: {
            StringLike: {
              'iam:AWSServiceName': [
                'autoscaling.amazonaws.com', 'ecs.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com', 'spot.amazonaws.com',
                'spotfleet.amazonaws.com',
              ],
            },
          },
        },
        {
          Effect: 'Allow', Action: ['elasticloadbalancing:AddTags'], Resource: '*',
          Condition: {
            StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateRule', 'CreateListener', 'CreateLoadBalancer'] },
          },
        },
      ],
    },
  },
];

const BY_NAME = new Map(LIST.map((p) => [p.name, p]));

/** `arn:aws:iam::aws:policy/<path><name>`: the AWS managed policy Berth has the document of, if any. */
export function awsManagedPolicy(arn: string): ManagedPolicy | undefined {
  const m = /^arn:aws[\w-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? BY_NAME.get(m[1]) : undefined;
}

export const AWS_MANAGED_POLICY_NAMES: readonly string[] = LIST.map((p) => p.name);
