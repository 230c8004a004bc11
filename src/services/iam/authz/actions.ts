/**
 * What a request asks IAM for (issue 23): the action(s) and resource ARN(s)
 * each operation Berth serves is authorized as, following the Service
 * Authorization Reference.
 *
 * The action is `<service prefix>:<OperationName>` for nearly every operation
 * (the SDK models' operation names are IAM's action names); the exceptions are
 * listed in ACTION_EXCEPTIONS (S3's object and bucket sub-resource operations,
 * SQS's batch operations) and NO_PERMISSION_NEEDED (sts:GetCallerIdentity,
 * sts:GetSessionToken).
 * The resource is the ARN the reference names for the operation where the
 * request carries it (a repository, cluster, service, task definition, secret,
 * parameter, bucket/object, queue, log group/stream, role, user, policy, load
 * balancer, …), and `*` where the reference lists no resource type or the
 * request names none. Extra checks: `iam:PassRole` with `iam:PassedToService`
 * where a role is handed to ECS.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import type { ContextValue } from './conditions.js';

export interface Check {
  action: string;
  resource: string;
  /** Condition keys this check adds (ecs:cluster, iam:PassedToService, aws:RequestTag/…, aws:TagKeys). */
  context?: Record<string, ContextValue>;
  /** The resource's policy when the caller has already read the resource (null: it has none); else looked up. */
  resourcePolicy?: string | null;
}

export interface Where {
  account: string;
  region: string;
  /** The caller's ARN (operations on "the caller" when no user is named). */
  principalArn: string;
}

/** Names the request gives that only stored state can turn into ARNs (a secret's suffix, a role's path). */
export interface ResourceNames {
  secretArn(where: Where, secretId: string): string | undefined;
  roleArn(account: string, name: string): string | undefined;
  userArn(account: string, name: string): string | undefined;
}

/** Catalogue id → IAM service prefix (where the signing name is not it). */
const PREFIX: Record<string, string> = {
  'application-auto-scaling': 'application-autoscaling', 'auto-scaling': 'autoscaling', cloudwatch: 'cloudwatch', efs: 'elasticfilesystem',
  'elastic-load-balancing-v2': 'elasticloadbalancing', eventbridge: 'events', 'route-53': 'route53', 'secrets-manager': 'secretsmanager',
};

/** Operations whose IAM action is not their own name. */
export const ACTION_EXCEPTIONS: Record<string, Record<string, string>> = {
  s3: {
    HeadObject: 'GetObject', HeadBucket: 'ListBucket', ListObjects: 'ListBucket', ListObjectsV2: 'ListBucket', ListBuckets: 'ListAllMyBuckets',
    ListObjectVersions: 'ListBucketVersions', CopyObject: 'PutObject', CreateMultipartUpload: 'PutObject', UploadPart: 'PutObject',
    UploadPartCopy: 'PutObject', CompleteMultipartUpload: 'PutObject', ListParts: 'ListMultipartUploadParts',
    ListMultipartUploads: 'ListBucketMultipartUploads', DeleteObjects: 'DeleteObject', GetObjectAttributes: 'GetObjectAttributes',
    PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration', GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
    DeleteBucketLifecycle: 'PutLifecycleConfiguration', PutBucketNotificationConfiguration: 'PutBucketNotification',
    GetBucketNotificationConfiguration: 'GetBucketNotification', PutBucketEncryption: 'PutEncryptionConfiguration',
    GetBucketEncryption: 'GetEncryptionConfiguration', DeleteBucketEncryption: 'PutEncryptionConfiguration', PutBucketCors: 'PutBucketCORS',
    GetBucketCors: 'GetBucketCORS', DeleteBucketCors: 'PutBucketCORS', PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
    GetPublicAccessBlock: 'GetBucketPublicAccessBlock', DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
    DeleteBucketTagging: 'PutBucketTagging', DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
    GetBucketPolicyStatus: 'GetBucketPolicyStatus', DeleteBucketWebsite: 'DeleteBucketWebsite',
    PutBucketReplication: 'PutReplicationConfiguration', GetBucketReplication: 'GetReplicationConfiguration',
    DeleteBucketReplication: 'PutReplicationConfiguration', PutObjectLockConfiguration: 'PutBucketObjectLockConfiguration',
    GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
  },
  sqs: { SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility' },
  logs: { StartLiveTail: 'StartLiveTail' },
};

/**
 * Operations any authenticated caller may call: IAM cannot deny them (GetSessionToken: "No permissions are required
 * for users to perform this operation", STS API reference).
 */
export const NO_PERMISSION_NEEDED = new Set(['sts:GetCallerIdentity', 'sts:GetSessionToken']);

export const prefixOf = (serviceId: string) => PREFIX[serviceId] ?? serviceId;

export function actionOf(serviceId: string, operation: string): string {
  return `${prefixOf(serviceId)}:${ACTION_EXCEPTIONS[serviceId]?.[operation] ?? operation}`;
}

type Input = Record<string, any>;
const arnOf = (service: string, w: Where, resource: string, region = w.region, account = w.account) => `arn:aws:${service}:${region}:${account}:${resource}`;
const isArn = (s: unknown): s is string => typeof s === 'string' && s.startsWith('arn:');
const last = (s: string) => s.slice(s.lastIndexOf('/') + 1);

/** aws:RequestTag/<key> and aws:TagKeys from the request's tags, whatever their shape. */
function tagContext(input: Input): Record<string, ContextValue> | undefined {
  const tags = input.tags ?? input.Tags;
  if (!tags || typeof tags !== 'object') return undefined;
  const pairs: [string, string][] = Array.isArray(tags)
    ? tags.map((t: Input) => [String(t.key ?? t.Key ?? ''), String(t.value ?? t.Value ?? '')])
    : Object.entries(tags).map(([k, v]) => [k, String(v)]);
  if (!pairs.length) return undefined;
  const ctx: Record<string, ContextValue> = { 'aws:TagKeys': pairs.map(([k]) => k) };
  for (const [k, v] of pairs) ctx[`aws:RequestTag/${k}`] = v;
  return ctx;
}

// ---- per service: the resources an operation names

function ecr(op: string, input: Input, w: Where): string[] {
  if (isArn(input.resourceArn)) return [input.resourceArn];
  const account = input.registryId ?? w.account;
  const repo = (name: string) => arnOf('ecr', w, `repository/${name}`, w.region, account);
  if (typeof input.repositoryName === 'string') return [repo(input.repositoryName)];
  if (op === 'DescribeRepositories') return input.repositoryNames?.length ? input.repositoryNames.map(repo) : [repo('*')];
  return ['*'];
}

const ECS_CLUSTER_OPS = new Set([
  'CreateCluster', 'DeleteCluster', 'UpdateCluster', 'UpdateClusterSettings', 'PutClusterCapacityProviders', 'RegisterContainerInstance',
  'DeregisterContainerInstance', 'ListContainerInstances', 'ExecuteCommand',
]);
const ECS_SERVICE_OPS = new Set(['CreateService', 'UpdateService', 'DeleteService', 'DescribeServiceDeployments', 'ListServiceDeployments']);

function ecsCluster(input: Input, w: Where): { arn: string; name: string } {
  const c = typeof input.cluster === 'string' ? input.cluster : typeof input.clusterName === 'string' ? input.clusterName : 'default';
  return isArn(c) ? { arn: c, name: last(c) } : { arn: arnOf('ecs', w, `cluster/${c}`), name: c };
}

function ecs(op: string, input: Input, w: Where): string[] {
  if (isArn(input.resourceArn)) return [input.resourceArn];
  const cluster = ecsCluster(input, w);
  const service = (s: string) => (s.startsWith('arn:') ? s : arnOf('ecs', w, `service/${cluster.name}/${s}`));
  const task = (t: string) => (t.startsWith('arn:') ? t : arnOf('ecs', w, `task/${cluster.name}/${t}`));
  const taskDef = (td: string) => (td.startsWith('arn:') ? td : arnOf('ecs', w, `task-definition/${td.includes(':') ? td : `${td}:*`}`));
  if (ECS_CLUSTER_OPS.has(op)) return [cluster.arn];
  if (op === 'DescribeClusters') return (input.clusters?.length ? input.clusters : ['default']).map((c: string) => ecsCluster({ cluster: c }, w).arn);
  if (ECS_SERVICE_OPS.has(op)) return [service(input.service ?? input.serviceName ?? '*')];
  if (op === 'DescribeServices') return (input.services ?? []).map(service);
  if (op === 'RunTask' || op === 'StartTask') return [taskDef(input.taskDefinition ?? '*')];
  if (op === 'StopTask') return [task(input.task ?? '*')];
  if (op === 'DescribeTasks') return (input.tasks ?? []).map(task);
  if (op === 'CreateTaskSet' || op === 'UpdateServicePrimaryTaskSet') return [service(input.service ?? '*')];
  return ['*'];
}

function secretsManager(op: string, input: Input, w: Where, names: ResourceNames): string[] {
  if (typeof input.SecretId === 'string') return [names.secretArn(w, input.SecretId) ?? (isArn(input.SecretId) ? input.SecretId : arnOf('secretsmanager', w, `secret:${input.SecretId}`))];
  if (op === 'CreateSecret' && typeof input.Name === 'string') return [arnOf('secretsmanager', w, `secret:${input.Name}-??????`)];
  return ['*'];
}

function ssm(op: string, input: Input, w: Where): string[] {
  const param = (n: string) => (n.startsWith('arn:') ? n : arnOf('ssm', w, `parameter/${n.replace(/^\//, '')}`));
  if (typeof input.Name === 'string' && op !== 'DescribeDocument' && !op.includes('Document')) return [param(input.Name.split(':')[0])];
  if (Array.isArray(input.Names)) return input.Names.map((n: string) => param(n.split(':')[0]));
  if (op === 'GetParametersByPath' && typeof input.Path === 'string') return [param(input.Path.replace(/\/$/, '') || '/')];
  if (input.ResourceType === 'Parameter' && typeof input.ResourceId === 'string') return [param(input.ResourceId)];
  return ['*'];
}

function s3Resources(op: string, input: Input): string[] {
  const bucket = input.Bucket as string | undefined;
  if (!bucket) return ['*'];
  if (op === 'DeleteObjects') return (input.Delete?.Objects ?? []).map((o: Input) => `arn:aws:s3:::${bucket}/${o.Key}`);
  // Object operations name a key; everything else acts on the bucket.
  return [input.Key !== undefined ? `arn:aws:s3:::${bucket}/${input.Key}` : `arn:aws:s3:::${bucket}`];
}

function sqs(op: string, input: Input, w: Where): string[] {
  if (typeof input.QueueUrl === 'string') {
    const parts = input.QueueUrl.replace(/\/+$/, '').split('/');
    const name = parts.at(-1)!;
    const account = /^\d{12}$/.test(parts.at(-2) ?? '') ? parts.at(-2)! : w.account;
    return [arnOf('sqs', w, name, w.region, account)];
  }
  if (typeof input.QueueName === 'string') return [arnOf('sqs', w, input.QueueName, w.region, input.QueueOwnerAWSAccountId ?? w.account)];
  return ['*'];
}

function logs(op: string, input: Input, w: Where): string[] {
  if (isArn(input.resourceArn)) return [input.resourceArn];
  const groupId = input.logGroupName ?? input.logGroupIdentifier;
  if (typeof groupId !== 'string') return ['*'];
  const group = isArn(groupId) ? groupId.replace(/:\*$/, '') : arnOf('logs', w, `log-group:${groupId}`);
  if (typeof input.logStreamName === 'string') return [`${group}:log-stream:${input.logStreamName}`];
  // Log group ARNs end in ":*", as DescribeLogGroups reports them and policies grant them.
  return [`${group}:*`];
}

function iam(op: string, input: Input, w: Where, names: ResourceNames): string[] {
  const iamArn = (r: string) => `arn:aws:iam::${w.account}:${r}`;
  if (typeof input.RoleName === 'string') return [names.roleArn(w.account, input.RoleName) ?? iamArn(`role/${input.RoleName}`)];
  if (typeof input.UserName === 'string') return [names.userArn(w.account, input.UserName) ?? iamArn(`user/${input.UserName}`)];
  if (typeof input.PolicyArn === 'string') return [input.PolicyArn];
  if (typeof input.PolicySourceArn === 'string') return [input.PolicySourceArn];
  if (typeof input.InstanceProfileName === 'string') return [iamArn(`instance-profile/${input.InstanceProfileName}`)];
  if (op === 'CreatePolicy' && typeof input.PolicyName === 'string') return [iamArn(`policy${input.Path ?? '/'}${input.PolicyName}`)];
  // Users' own keys and details: without a user name the caller is the user.
  if (/AccessKey|^GetUser$/.test(op) && w.principalArn.includes(':user/')) return [w.principalArn];
  return ['*'];
}

function fromArnMembers(input: Input): string[] {
  const arns = ['ResourceArn', 'ResourceARN', 'resourceArn', 'LoadBalancerArn', 'TargetGroupArn', 'ListenerArn', 'RuleArn', 'AlarmArn', 'Arn', 'CertificateArn']
    .map((k) => input[k]).filter(isArn);
  return arns.length ? [arns[0]] : ['*'];
}

/** ECS hands roles to tasks: the caller must be allowed iam:PassRole on them, for ecs-tasks.amazonaws.com. */
function passedRoles(serviceId: string, op: string, input: Input): string[] {
  if (serviceId !== 'ecs') return [];
  if (op === 'RegisterTaskDefinition') return [input.taskRoleArn, input.executionRoleArn].filter(isArn);
  if (op === 'RunTask' || op === 'StartTask') return [input.overrides?.taskRoleArn, input.overrides?.executionRoleArn].filter(isArn);
  return [];
}

/** The checks one request needs (empty: nothing to authorize). */
export function checksFor(serviceId: string, op: string, input: Input, w: Where, names: ResourceNames): Check[] {
  const action = actionOf(serviceId, op);
  if (NO_PERMISSION_NEEDED.has(action)) return [];
  let resources: string[];
  let context: Record<string, ContextValue> | undefined = tagContext(input);
  switch (serviceId) {
    case 'ecr': resources = ecr(op, input, w); break;
    case 'ecs': {
      resources = ecs(op, input, w);
      // ecs:cluster: the cluster the request acts in (RunTask's condition key, and every clustered operation's).
      if (input.cluster !== undefined || ECS_CLUSTER_OPS.has(op) || op === 'RunTask' || op === 'StartTask') {
        context = { ...context, 'ecs:cluster': ecsCluster(input, w).arn };
      }
      break;
    }
    case 'secrets-manager': resources = secretsManager(op, input, w, names); break;
    case 'ssm': resources = ssm(op, input, w); break;
    case 's3': resources = s3Resources(op, input); break;
    case 'sqs': resources = sqs(op, input, w); break;
    case 'logs': resources = logs(op, input, w); break;
    case 'iam': resources = iam(op, input, w, names); break;
    case 'sts': resources = typeof input.RoleArn === 'string' ? [input.RoleArn] : ['*']; break;
    default: resources = fromArnMembers(input);
  }
  if (!resources.length) resources = ['*'];
  const checks: Check[] = resources.map((resource) => ({ action, resource, ...(context ? { context } : {}) }));
  for (const role of passedRoles(serviceId, op, input)) {
    checks.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  }
  return checks;
}
