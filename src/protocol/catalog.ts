/**
 * The AWS services Berth speaks, with just enough to route a request before the
 * service's model is loaded. Everything else (operations, shapes, protocol
 * settings) comes from the service's `@aws-sdk/client-*` package, lazily.
 * `catalog.test.ts` checks these entries against the clients themselves.
 */
export type ProtocolName = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2Query' | 'restJson1' | 'restXml';

export interface ServiceEntry {
  /** Berth's folder name under services/ (the SDK service id in kebab-case). */
  id: string;
  /** Package whose static schemas are the model of this service. */
  sdkPackage: string;
  /** Client class exported by the package (read once for protocol settings). */
  clientName: string;
  protocol: ProtocolName;
  /** SigV4 credential-scope service names that route here. */
  signingNames: string[];
  /** X-Amz-Target prefix (json protocols). */
  targetPrefix?: string;
  /** The error code this service answers for a request that fails model validation. */
  validationError: string;
}

export const SERVICES: readonly ServiceEntry[] = [
  {
    id: 'ecs', sdkPackage: '@aws-sdk/client-ecs', clientName: 'ECSClient', protocol: 'awsJson1_1',
    signingNames: ['ecs'], targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    // ECS reports bad parameters as InvalidParameterException (a ClientException subtype).
    validationError: 'InvalidParameterException',
  },
  {
    id: 'ecr', sdkPackage: '@aws-sdk/client-ecr', clientName: 'ECRClient', protocol: 'awsJson1_1',
    signingNames: ['ecr'], targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    validationError: 'InvalidParameterException',
  },
  {
    id: 'sts', sdkPackage: '@aws-sdk/client-sts', clientName: 'STSClient', protocol: 'awsQuery',
    signingNames: ['sts'], validationError: 'ValidationError',
  },
  {
    // IAM is global: clients sign for us-east-1 and its ARNs have no region (state is keyed by account only).
    id: 'iam', sdkPackage: '@aws-sdk/client-iam', clientName: 'IAMClient', protocol: 'awsQuery',
    signingNames: ['iam'], validationError: 'ValidationError',
  },
  {
    id: 'elastic-load-balancing-v2', sdkPackage: '@aws-sdk/client-elastic-load-balancing-v2',
    clientName: 'ElasticLoadBalancingV2Client', protocol: 'awsQuery',
    signingNames: ['elasticloadbalancing'], validationError: 'ValidationError',
  },
  {
    id: 'ec2', sdkPackage: '@aws-sdk/client-ec2', clientName: 'EC2Client', protocol: 'ec2Query',
    signingNames: ['ec2'], validationError: 'InvalidParameterValue',
  },
  {
    id: 'sqs', sdkPackage: '@aws-sdk/client-sqs', clientName: 'SQSClient', protocol: 'awsJson1_0',
    signingNames: ['sqs'], targetPrefix: 'AmazonSQS', validationError: 'InvalidParameterValue',
  },
  {
    id: 'cloudwatch', sdkPackage: '@aws-sdk/client-cloudwatch', clientName: 'CloudWatchClient', protocol: 'awsJson1_0',
    signingNames: ['monitoring'], targetPrefix: 'GraniteServiceVersion20100801', validationError: 'InvalidParameterValue',
  },
  {
    id: 'eks', sdkPackage: '@aws-sdk/client-eks', clientName: 'EKSClient', protocol: 'restJson1',
    signingNames: ['eks'], validationError: 'InvalidParameterException',
  },
  {
    id: 'route-53', sdkPackage: '@aws-sdk/client-route-53', clientName: 'Route53Client', protocol: 'restXml',
    signingNames: ['route53'], validationError: 'InvalidInput',
  },
  {
    id: 'logs', sdkPackage: '@aws-sdk/client-cloudwatch-logs', clientName: 'CloudWatchLogsClient', protocol: 'awsJson1_1',
    signingNames: ['logs'], targetPrefix: 'Logs_20140328', validationError: 'InvalidParameterException',
  },
  {
    id: 'efs', sdkPackage: '@aws-sdk/client-efs', clientName: 'EFSClient', protocol: 'restJson1',
    // EFS answers malformed requests with BadRequest (HTTP 400, with an ErrorCode member).
    signingNames: ['elasticfilesystem'], validationError: 'BadRequest',
  },
  {
    id: 'ssm', sdkPackage: '@aws-sdk/client-ssm', clientName: 'SSMClient', protocol: 'awsJson1_1',
    signingNames: ['ssm'], targetPrefix: 'AmazonSSM', validationError: 'ValidationException',
  },
  {
    id: 'secrets-manager', sdkPackage: '@aws-sdk/client-secrets-manager', clientName: 'SecretsManagerClient', protocol: 'awsJson1_1',
    signingNames: ['secretsmanager'], targetPrefix: 'secretsmanager',
    // Its frontend answers model violations with the common ValidationException ("1 validation error detected: …").
    validationError: 'ValidationException',
  },
  {
    id: 'acm', sdkPackage: '@aws-sdk/client-acm', clientName: 'ACMClient', protocol: 'awsJson1_1',
    signingNames: ['acm'], targetPrefix: 'CertificateManager', validationError: 'ValidationException',
  },
  {
    // S3 requests never reach the buffered AWS pipeline: the gateway hands them to services/s3's
    // streaming front door (object bodies go to disk), which uses this entry's model and codec.
    // Its model's URIs leave the bucket out ("/{Key+}"): the front door takes it from the path or Host.
    id: 's3', sdkPackage: '@aws-sdk/client-s3', clientName: 'S3Client', protocol: 'restXml',
    signingNames: ['s3'], validationError: 'InvalidArgument',
  },
];

export const BY_ID = new Map(SERVICES.map((s) => [s.id, s]));
export const BY_TARGET = new Map(SERVICES.filter((s) => s.targetPrefix).map((s) => [s.targetPrefix!, s]));
export const BY_SIGNING_NAME = new Map(SERVICES.flatMap((s) => s.signingNames.map((n) => [n, s] as const)));
