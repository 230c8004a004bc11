/**
 * The model constraints a service's frontend enforces before the service sees a request:
 * `enum`, `pattern`, length (`min`/`max` of strings, lists, maps, blobs) and range
 * (`min`/`max` of numbers), with the error code and wording that frontend answers.
 *
 * The `@aws-sdk/client-*` v3 schemas Berth parses with carry no such traits, so they are
 * read from models/constraints/<service>.json, extracted from botocore's copy of the same
 * models by scripts/extract-constraints.mjs. A service's file is read on its first request.
 */
import { readFileSync } from 'node:fs';
import type { StructureShape } from './schema.js';

/** One shape's constraints, as the extraction script writes them. */
export interface Constraint {
  /** index into the file's enum table */
  e?: number;
  /** pattern as the model writes it (and AWS's message quotes it) */
  p?: string;
  /** its JavaScript translation, when it differs, and its flags */
  j?: string;
  x?: string;
  /** length bounds (strings in code points, lists, maps, blobs in bytes) */
  l?: [number | null, number | null];
  /** value bounds; f marks a float shape (Java prints 1.0, not 1) */
  r?: [number | null, number | null];
  f?: 1;
  /** list member, map key, map value */
  m?: Constraint;
  k?: Constraint;
  v?: Constraint;
  /** compiled pattern, cached on first use */
  re?: RegExp;
}

interface ConstraintFile {
  /** Operations that declare ValidationException and not InvalidParameterException. */
  validationOps: string[];
  enums: string[][];
  structures: Record<string, Record<string, Constraint>>;
}

/**
 * How a service's frontend reports a model violation. `coral` is the common wording
 * ("1 validation error detected: Value 'X' at 'path' failed to satisfy constraint: …", all
 * failures counted and joined with "; "); `ecr` is ECR's older frontend ("Invalid parameter
 * at 'path' failed to satisfy constraint: '…'", the first failure only).
 */
export interface Frontend {
  code: string;
  style: 'coral' | 'ecr';
  /**
   * A frontend that names missing members in its own words instead of the common "Value null at …"
   * (MISSING below); a request that lacks a required member gets that error, whatever else is wrong.
   */
  missing?: keyof typeof MISSING;
  /** Member paths as the model spells them (SQS), not the common camelCase. */
  modelPaths?: true;
}

/**
 * MissingParameter in the query-era wordings. CloudWatch lists every missing member, one per line, by its
 * query name ("The parameter Namespace is required.\nThe parameter Statistics is required.",
 * "The parameter MetricData.member.16.Dimensions.member.3.Value is required."); SQS names the first
 * ("The request must contain the parameter MessageBody.").
 */
export const MISSING = {
  cloudwatch: (paths: string[]) => paths.map((p) => `The parameter ${p} is required.`).join('\n'),
  sqs: (paths: string[]) => `The request must contain the parameter ${paths[0]}.`,
};

/**
 * Services whose frontends enforce the model's constraints. EC2 and S3 are absent on
 * purpose: AWS runs no such frontend for them (EC2 answers InvalidParameterValue in its own
 * words where it checks at all, and does not enforce e.g. filter enums; S3 checks little),
 * so Berth stays as lenient as they are.
 */
const FRONTENDS: Record<string, Frontend> = {
  ecs: { code: 'InvalidParameterException', style: 'coral' },
  // ECR: "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must …'"; the newer
  // operations in ECR_COMMON answer ValidationException in the common wording (frontendFor).
  ecr: { code: 'InvalidParameterException', style: 'ecr' },
  // CloudWatch Logs: InvalidParameterException with the common wording (moto's AWS-verified tests).
  logs: { code: 'InvalidParameterException', style: 'coral' },
  'elastic-load-balancing-v2': { code: 'ValidationError', style: 'coral' },
  iam: { code: 'ValidationError', style: 'coral' },
  sts: { code: 'ValidationError', style: 'coral' },
  ssm: { code: 'ValidationException', style: 'coral' },
  'secrets-manager': { code: 'ValidationException', style: 'coral' },
  acm: { code: 'ValidationException', style: 'coral' },
  // EFS moved from BadRequest to ValidationException for these in 2020 (aws-sdk-js#3321).
  efs: { code: 'ValidationException', style: 'coral' },
  'application-auto-scaling': { code: 'ValidationException', style: 'coral' },
  // CloudWatch: ValidationError in the common wording (PutMetricAlarm's unit, DescribeAlarms' and SetAlarmState's
  // stateValue, captured from AWS), except PutMetricData, whose older checks its provider keeps (LEFT_TO_PROVIDER);
  // missing members are MissingParameter. Over JSON and CBOR the code travels in x-amzn-query-error: the shape is
  // ValidationException, so the SDK v3 names the error ValidationException with Code ValidationError, as against AWS.
  cloudwatch: { code: 'ValidationError', style: 'coral', missing: 'cloudwatch' },
  // SQS enforces none of its model's constraints (its only ones are attribute-name enums, all LEFT_TO_PROVIDER): it
  // answers in its own words (InvalidAttributeName, InvalidParameterValue); missing members are MissingParameter.
  sqs: { code: 'InvalidParameterValue', style: 'coral', missing: 'sqs', modelPaths: true },
};

const COMMON: Frontend = { code: 'ValidationException', style: 'coral' };

/**
 * ECR operations whose frontend answers ValidationException in the common wording (account
 * settings, pull-time exclusions, creation templates, signing). Their models declare
 * ValidationException, but so do older operations that answer InvalidParameterException, so
 * the model alone cannot tell.
 */
const ECR_COMMON = new Set([
  'GetAccountSetting', 'PutAccountSetting', 'RegisterPullTimeUpdateExclusion', 'DeregisterPullTimeUpdateExclusion',
  'ListPullTimeUpdateExclusions', 'CreateRepositoryCreationTemplate', 'UpdateRepositoryCreationTemplate',
  'DeleteRepositoryCreationTemplate', 'DescribeRepositoryCreationTemplates', 'PutSigningConfiguration',
  'GetSigningConfiguration', 'DeleteSigningConfiguration', 'DescribeImageSigningStatus',
]);

const CW_UNITS_MODEL_ORDER = 'Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,' +
  'Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,' +
  'Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None';

/**
 * Enum value sets AWS prints in an order other than the model's (its frontends' own copy
 * of the model orders them differently); keyed by service and the model's order.
 */
const ENUM_ORDER: Record<string, string[]> = {
  // SSM PutParameter(Type=…): "Member must satisfy enum value set: [SecureString, StringList, String]".
  'ssm:String,StringList,SecureString': ['SecureString', 'StringList', 'String'],
  // CloudWatch DescribeAlarms/SetAlarmState(StateValue=…): "… enum value set: [INSUFFICIENT_DATA, ALARM, OK]".
  'cloudwatch:OK,ALARM,INSUFFICIENT_DATA': ['INSUFFICIENT_DATA', 'ALARM', 'OK'],
  // CloudWatch PutMetricAlarm(Unit=…), as captured from AWS (terraform-linters/tflint#101).
  [`cloudwatch:${CW_UNITS_MODEL_ORDER}`]: [
    'Gigabits/Second', 'Gigabits', 'Percent', 'Terabits', 'Bits', 'Kilobits', 'Megabytes/Second', 'Kilobytes', 'Megabits/Second',
    'Terabytes', 'Bytes', 'Count', 'Gigabytes', 'Milliseconds', 'Count/Second', 'Gigabytes/Second', 'None', 'Terabytes/Second',
    'Bytes/Second', 'Megabits', 'Kilobytes/Second', 'Megabytes', 'Microseconds', 'Kilobits/Second', 'Terabits/Second',
    'Bits/Second', 'Seconds',
  ],
};

/**
 * Members whose constraint Berth leaves to the provider, because the provider's own check
 * reproduces what AWS was seen to answer there; keyed `service:Structure.member`, or
 * `service:Operation` for every constraint of an operation's input, with the reason (the
 * constraint sweep lists them with it). Revisit with captures.
 */
const ECR_LIFECYCLE = 'ECR validates a lifecycle policy\'s text before its length (provider: lifecycle.ts)';
const ECR_UPLOAD = 'ECR answers UploadNotFoundException for a malformed upload id (provider: layers.ts)';
const EFS_BAD_REQUEST = 'EFS answers BadRequest for access-point root paths and POSIX ids (provider)';
const ECS_OWN = 'ECS answers with its own message (account-settings.ts, attributes.ts, capacity-providers.ts); the extracted setting-name enum also lags the settings ECS accepts (e.g. dualStackIPv6)';
export const LEFT_TO_PROVIDER: ReadonlyMap<string, string> = new Map([
  ['ecr:PutLifecyclePolicyRequest.lifecyclePolicyText', ECR_LIFECYCLE], ['ecr:StartLifecyclePolicyPreviewRequest.lifecyclePolicyText', ECR_LIFECYCLE],
  ['ecr:UploadLayerPartRequest.uploadId', ECR_UPLOAD], ['ecr:CompleteLayerUploadRequest.uploadId', ECR_UPLOAD],
  ...['RootDirectory.Path', 'CreationInfo.Permissions', 'CreationInfo.OwnerUid', 'CreationInfo.OwnerGid', 'PosixUser.Uid', 'PosixUser.Gid',
    'PosixUser.SecondaryGids'].map((m) => [`efs:${m}`, EFS_BAD_REQUEST] as const),
  ...['PutAccountSettingRequest.name', 'PutAccountSettingDefaultRequest.name', 'ListAccountSettingsRequest.name', 'DeleteAccountSettingRequest.name',
    'ListAttributesRequest.targetType', 'ManagedScaling.targetCapacity'].map((m) => [`ecs:${m}`, ECS_OWN] as const),
  ['cloudwatch:PutMetricData', 'CloudWatch checks PutMetricData in its older words: InvalidParameterValue "The parameter MetricData.member.1.Unit must be a value in the set [ … ]." and "The collection MetricData.member.1.Dimensions must not have a size greater than 30." (provider: metrics.ts, validation.ts)'],
  ...['CreateQueueRequest.Attributes', 'SetQueueAttributesRequest.Attributes', 'GetQueueAttributesRequest.AttributeNames']
    .map((m) => [`sqs:${m}`, 'SQS answers InvalidAttributeName "Unknown Attribute X." (provider: attributes.ts)'] as const),
  // The model long typed ReceiveMessage's AttributeNames as queue attribute names while SQS took message attribute names
  // there (aws/aws-sdk#56): SQS checks neither list against the model.
  ...['ReceiveMessageRequest.AttributeNames', 'ReceiveMessageRequest.MessageSystemAttributeNames']
    .map((m) => [`sqs:${m}`, 'SQS returns the system attributes it knows and ignores other names (provider: receive.ts)'] as const),
  ...['SendMessageRequest.MessageSystemAttributes', 'SendMessageBatchRequestEntry.MessageSystemAttributes']
    .map((m) => [`sqs:${m}`, 'SQS answers InvalidParameterValue "Message system attribute name \'X\' is invalid." (provider: send.ts)'] as const),
]);

/** Whether every constraint of an operation's input is left to its provider. */
export const operationLeftToProvider = (service: string | undefined, operation: string | undefined): boolean =>
  !!service && !!operation && LEFT_TO_PROVIDER.has(`${service}:${operation}`);

const files = new Map<string, ConstraintFile | null>();
const MODELS_DIR = new URL('../../models/constraints/', import.meta.url);

function fileFor(service: string): ConstraintFile | null {
  let f = files.get(service);
  if (f !== undefined) return f;
  f = FRONTENDS[service] ? JSON.parse(readFileSync(new URL(`${service}.json`, MODELS_DIR), 'utf8')) as ConstraintFile : null;
  for (const key of LEFT_TO_PROVIDER.keys()) {
    const [svc, rest] = key.split(':');
    const [structure, member] = rest.split('.');
    if (member && svc === service && f?.structures[structure]) delete f.structures[structure][member];
  }
  files.set(service, f);
  return f;
}

/** Whether a service's frontend writes member paths in camelCase (those that check the model's constraints, but SQS). */
export const enforcesConstraints = (service: string | undefined): boolean => !!service && service in FRONTENDS && !FRONTENDS[service].modelPaths;

export function frontendFor(service: string, operation?: string): Frontend | undefined {
  const fe = FRONTENDS[service];
  if (fe?.style === 'ecr' && operation && ECR_COMMON.has(operation)) return COMMON;
  // CloudWatch Logs' newer operations (deliveries, integrations, scheduled queries) declare only
  // ValidationException, and answer it; the older ones answer InvalidParameterException.
  if (service === 'logs' && operation && fileFor(service)?.validationOps.includes(operation)) return COMMON;
  return fe;
}

export interface ServiceConstraints {
  enums: string[][];
  /** A structure's members' constraints, or undefined when it has none. */
  of(shape: StructureShape): Record<string, Constraint> | undefined;
}

const tables = new Map<string, ServiceConstraints | null>();

export function constraintsFor(service: string | undefined): ServiceConstraints | null {
  if (!service) return null;
  let t = tables.get(service);
  if (t !== undefined) return t;
  const file = fileFor(service);
  t = file && {
    enums: file.enums.map((values) => ENUM_ORDER[`${service}:${values.join(',')}`] ?? values),
    of: (shape) => (Object.hasOwn(file.structures, shape.name) ? file.structures[shape.name] : undefined),
  };
  tables.set(service, t);
  return t;
}

/** The compiled pattern of a constraint: the model's regex, matched against the whole value as AWS does. */
export function patternOf(c: Constraint): RegExp {
  return (c.re ??= new RegExp(`^(?:${c.j ?? c.p})$`, c.x ?? ''));
}
