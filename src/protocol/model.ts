/**
 * A service's model, read lazily from its `@aws-sdk/client-*` package: the
 * operations (with their input/output/HTTP binding), the error shapes and the
 * protocol settings (xml namespace, API version, JSON target).
 *
 * Why the v3 client schemas and not the aws-sdk v2 `apis/*.json`: they are current
 * (v2 stopped in 2024 and lacks e.g. ECS's service-deployment operations), and they
 * are exactly what the clients we must be compatible with serialize. They carry
 * required members, types, timestamp formats and every wire trait; they do not
 * carry enum values or length/range/pattern constraints: those come from the
 * models' constraint tables (models/constraints, scripts/extract-constraints.mjs),
 * which the wire layer enforces (constraints.ts).
 */
import { createRequire } from 'node:module';
import { BY_ID, type ProtocolName, type ServiceEntry } from './catalog.js';
import { operationOf, shapeOf, type OperationSchema, type StructureShape } from './schema.js';

// The SDK warns once that future releases need Node 22; Berth pins its versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const require = createRequire(import.meta.url);

export interface HttpBinding {
  method: string;
  /** URI pattern, e.g. /clusters/{name} or /{Bucket}/{Key+}?tagging */
  uri: string;
  code: number;
}

export interface Operation extends OperationSchema {
  http?: HttpBinding;
}

export interface ServiceModel {
  entry: ServiceEntry;
  protocol: ProtocolName;
  /** e.g. com.amazonaws.ecs */
  namespace: string;
  version: string;
  xmlNamespace?: string;
  serviceTarget?: string;
  /** awsJson service that also speaks awsQuery (SQS, CloudWatch). */
  queryCompatible: boolean;
  operations: Map<string, Operation>;
  errors: Map<string, StructureShape>;
  /** Error shapes by their awsQueryError code (e.g. AWS.SimpleQueueService.NonExistentQueue). */
  errorsByQueryCode: Map<string, StructureShape>;
}

const loaded = new Map<string, ServiceModel>();

/** A catalogued service's model (`byId`: the catalogue it is in, Berth's by default), loaded once. */
export function loadModel(serviceId: string, byId: ReadonlyMap<string, ServiceEntry> = BY_ID): ServiceModel {
  const cached = loaded.get(serviceId);
  if (cached) return cached;
  const entry = byId.get(serviceId);
  if (!entry) throw new Error(`unknown service ${serviceId}`);
  const mod = require(entry.sdkPackage);
  const Client = mod[entry.clientName];
  const settings = new Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
    .config.protocolSettings ?? {};
  const operations = new Map<string, Operation>();
  const errors = new Map<string, StructureShape>();
  const errorsByQueryCode = new Map<string, StructureShape>();
  for (const [key, value] of Object.entries(mod)) {
    if (!key.endsWith('$') || !Array.isArray(value)) continue;
    if (value[0] === 9) {
      const op: Operation = operationOf(value);
      const http = op.traits.http;
      if (Array.isArray(http)) op.http = { method: http[0], uri: http[1], code: http[2] ?? 200 };
      operations.set(op.name, op);
    } else if (value[0] === -3) {
      const shape = shapeOf(value) as StructureShape;
      errors.set(shape.name, shape);
      const q = shape.traits.awsQueryError;
      if (Array.isArray(q)) errorsByQueryCode.set(q[0], shape);
    }
  }
  const model: ServiceModel = {
    entry,
    protocol: entry.protocol,
    namespace: settings.defaultNamespace ?? '',
    version: settings.version ?? '',
    xmlNamespace: settings.xmlNamespace,
    serviceTarget: settings.serviceTarget,
    queryCompatible: !!settings.awsQueryCompatible,
    operations,
    errors,
    errorsByQueryCode,
  };
  loaded.set(serviceId, model);
  return model;
}
