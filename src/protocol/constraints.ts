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
}

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

/**
 * Enum value sets AWS prints in an order other than the model's (its frontends' own copy
 * of the model orders them differently); keyed by service and the model's order.
 */
const ENUM_ORDER: Record<string, string[]> = {
  // SSM PutParameter(Type=…): "Member must satisfy enum value set: [SecureString, StringList, String]".
  'ssm:String,StringList,SecureString': ['SecureString', 'StringList', 'String'],
};

/**
 * Members whose constraint Berth leaves to the provider, because the provider's own check
 * reproduces what AWS was seen to answer there; keyed `service:Structure.member`, with the
 * reason (the constraint sweep lists them with it). Revisit with captures.
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
]);

const files = new Map<string, ConstraintFile | null>();
const MODELS_DIR = new URL('../../models/constraints/', import.meta.url);

function fileFor(service: string): ConstraintFile | null {
  let f = files.get(service);
  if (f !== undefined) return f;
  f = FRONTENDS[service] ? JSON.parse(readFileSync(new URL(`${service}.json`, MODELS_DIR), 'utf8')) as ConstraintFile : null;
  for (const key of LEFT_TO_PROVIDER.keys()) {
    const [svc, rest] = key.split(':');
    const [structure, member] = rest.split('.');
    if (svc === service && f?.structures[structure]) delete f.structures[structure][member];
  }
  files.set(service, f);
  return f;
}

/** Whether a service's frontend enforces model constraints (and writes paths in camelCase). */
export const enforcesConstraints = (service: string | undefined): boolean => !!service && service in FRONTENDS;

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
