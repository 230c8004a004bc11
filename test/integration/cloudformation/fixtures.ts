/**
 * Templates for the CloudFormation tests, written for them: a toolkit stack shaped like `cdk bootstrap`'s (bucket
 * with its policy, container repository, publishing roles with their policies, version parameter; KMS-free, as the
 * CLI's default AWS_MANAGED_KEY choice), and a network stack in YAML with short-form tags.
 */
export const TOOLKIT = {
  Description: 'Toolkit stack for the tests (shaped like the CDK bootstrap stack)',
  Parameters: {
    Qualifier: { Type: 'String', Default: 'tst0001', AllowedPattern: '[A-Za-z0-9_-]{1,10}', ConstraintDescription: 'Qualifier must be an alphanumeric identifier of at most 10 characters' },
    TrustedAccounts: { Type: 'CommaDelimitedList', Default: '' },
    FileAssetsBucketKmsKeyId: { Type: 'String', Default: 'AWS_MANAGED_KEY' },
    PublicAccessBlockConfiguration: { Type: 'String', Default: 'true', AllowedValues: ['true', 'false'] },
    Version: { Type: 'String', Default: '26' },
  },
  Conditions: {
    HasTrustedAccounts: { 'Fn::Not': [{ 'Fn::Equals': ['', { 'Fn::Join': ['', { Ref: 'TrustedAccounts' }] }] }] },
    CreateNewKey: { 'Fn::Equals': ['', { Ref: 'FileAssetsBucketKmsKeyId' }] },
    UseAwsManagedKey: { 'Fn::Equals': ['AWS_MANAGED_KEY', { Ref: 'FileAssetsBucketKmsKeyId' }] },
    UsePublicAccessBlockConfiguration: { 'Fn::Equals': ['true', { Ref: 'PublicAccessBlockConfiguration' }] },
  },
  Resources: {
    // Only when a new key is asked for: absent here, as with the CLI's default.
    AssetsKey: { Type: 'AWS::KMS::Key', Condition: 'CreateNewKey', Properties: { KeyPolicy: {} } },
    StagingBucket: {
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketName: { 'Fn::Sub': 'cdk-${Qualifier}-assets-${AWS::AccountId}-${AWS::Region}' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::If': ['CreateNewKey', { 'Fn::Sub': '${AssetsKey.Arn}' }, { 'Fn::If': ['UseAwsManagedKey', { Ref: 'AWS::NoValue' }, { Ref: 'FileAssetsBucketKmsKeyId' }] }] },
            },
          }],
        },
        PublicAccessBlockConfiguration: {
          'Fn::If': ['UsePublicAccessBlockConfiguration', { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }, { Ref: 'AWS::NoValue' }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [{ Id: 'CleanupOldVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }],
        },
      },
    },
    StagingBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'StagingBucket' },
        PolicyDocument: {
          Id: 'AccessControl', Version: '2012-10-17',
          Statement: [{
            Sid: 'AllowSSLRequestsOnly', Action: 's3:*', Effect: 'Deny', Principal: '*',
            Resource: [{ 'Fn::Sub': '${StagingBucket.Arn}' }, { 'Fn::Sub': '${StagingBucket.Arn}/*' }],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }],
        },
      },
    },
    ContainerAssetsRepository: {
      Type: 'AWS::ECR::Repository',
      Properties: {
        ImageTagMutability: 'IMMUTABLE',
        RepositoryName: { 'Fn::Sub': 'cdk-${Qualifier}-container-assets-${AWS::AccountId}-${AWS::Region}' },
        RepositoryPolicyText: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'LambdaECRImageRetrievalPolicy', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Condition: { StringLike: { 'aws:sourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*' } } },
          }],
        },
        LifecyclePolicy: {
          LifecyclePolicyText: JSON.stringify({
            rules: [{ rulePriority: 1, description: 'expire untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 365 }, action: { type: 'expire' } }],
          }),
        },
      },
    },
    ImagePublishingRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'AWS::AccountId' } } },
            { 'Fn::If': ['HasTrustedAccounts', { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'TrustedAccounts' } } }, { Ref: 'AWS::NoValue' }] },
          ],
        },
        RoleName: { 'Fn::Sub': 'cdk-${Qualifier}-image-publishing-role-${AWS::AccountId}-${AWS::Region}' },
        Tags: [{ Key: 'aws-cdk:bootstrap-role', Value: 'image-publishing' }],
      },
    },
    ImagePublishingRoleDefaultPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'], Resource: { 'Fn::Sub': '${ContainerAssetsRepository.Arn}' }, Effect: 'Allow' },
            { Action: 'ecr:GetAuthorizationToken', Resource: '*', Effect: 'Allow' },
          ],
        },
        Roles: [{ Ref: 'ImagePublishingRole' }],
        PolicyName: { 'Fn::Sub': 'cdk-${Qualifier}-image-publishing-role-default-policy-${AWS::AccountId}-${AWS::Region}' },
      },
    },
    CloudFormationExecutionRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } }] },
        ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess' }],
        RoleName: { 'Fn::Sub': 'cdk-${Qualifier}-cfn-exec-role-${AWS::AccountId}-${AWS::Region}' },
        Policies: [{ PolicyName: 'default', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' }] } }],
      },
    },
    LookupRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'AWS::AccountId' } } }] },
        RoleName: { 'Fn::Sub': 'cdk-${Qualifier}-lookup-role-${AWS::AccountId}-${AWS::Region}' },
        ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess' }],
        Policies: [{ PolicyName: 'LookupRolePolicy', PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'DontReadSecrets', Effect: 'Deny', Action: ['kms:Decrypt'], Resource: '*' }] } }],
        Tags: [{ Key: 'aws-cdk:bootstrap-role', Value: 'lookup' }],
      },
    },
    CdkBootstrapVersion: {
      Type: 'AWS::SSM::Parameter',
      Properties: { Type: 'String', Name: { 'Fn::Sub': '/cdk-bootstrap/${Qualifier}/version' }, Value: { Ref: 'Version' } },
    },
  },
  Outputs: {
    BucketName: { Value: { 'Fn::Sub': '${StagingBucket}' } },
    BucketDomainName: { Value: { 'Fn::Sub': '${StagingBucket.RegionalDomainName}' } },
    ImageRepositoryName: { Value: { 'Fn::Sub': '${ContainerAssetsRepository}' } },
    FileAssetKeyArn: {
      Value: { 'Fn::If': ['CreateNewKey', { 'Fn::Sub': '${AssetsKey.Arn}' }, { 'Fn::Sub': '${FileAssetsBucketKmsKeyId}' }] },
      Export: { Name: { 'Fn::Sub': 'CdkBootstrap-${Qualifier}-FileAssetKeyArn' } },
    },
    BootstrapVersion: { Value: { 'Fn::GetAtt': ['CdkBootstrapVersion', 'Value'] }, Export: { Name: { 'Fn::Sub': 'CdkBootstrap-${Qualifier}-Version' } } },
  },
};

/** A network in YAML with short-form tags: mappings, Fn::GetAZs/Select/Cidr, an import from the toolkit stack. */
export const NETWORK_YAML = `
AWSTemplateFormatVersion: "2010-09-09"
Description: Network for the tests
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Ami:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /test/cfn/ami
Mappings:
  Sizes:
    dev: { Cidr: 10.20.0.0/16, Retention: 7 }
    prod: { Cidr: 10.30.0.0/16, Retention: 30 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Rules:
  KnownAmi:
    Assertions:
      - Assert: !Not [!Equals [!Ref Ami, ""]]
        AssertDescription: The AMI parameter must have a value
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !FindInMap [Sizes, !Ref Env, Cidr]
      EnableDnsHostnames: true
      Tags:
        - Key: Name
          Value: !Sub "\${AWS::StackName}-vpc"
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs ""]
      MapPublicIpOnLaunch: true
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [1, !GetAZs ""]
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Igw
  PublicRoutes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  DefaultRoute:
    Type: AWS::EC2::Route
    DependsOn: IgwAttachment
    Properties:
      RouteTableId: !Ref PublicRoutes
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw
  SubnetARoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref SubnetA
      RouteTableId: !Ref PublicRoutes
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Join [" ", [web, for, !Ref Env]]
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: 0.0.0.0/0
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !FindInMap [Sizes, !Ref Env, Retention]
  ProdOnly:
    Type: AWS::SSM::Parameter
    Condition: IsProd
    Properties:
      Type: String
      Value: prod
  Marker:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Name: !Sub /test/cfn/\${Env}/marker
      # A short-form function cannot take another short form directly: the long form inside.
      Value: !Base64
        Fn::Join: ["|", [!ImportValue CdkBootstrap-tst0001-Version, !Ref Ami, !Select [1, !Split [",", "a,b,c"]]]]
Outputs:
  VpcId:
    Value: !Ref Vpc
  Subnets:
    Value: !Join [",", [!Ref SubnetA, !Ref SubnetB]]
  LogGroupArn:
    Value: !GetAtt Logs.Arn
  Zone:
    Value: !GetAtt SubnetB.AvailabilityZone
`;
