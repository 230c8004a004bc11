/**
 * A service's model, read lazily from its `@aws-sdk/client-*` package: the
 * operations (with their input/output/HTTP binding), the error shapes and the
 * protocol settings (xml namespace, API version, JSON target).
 *
 * Why the v3 client schemas and not the aws-sdk v2 `apis/*.json`: they are current
 * (v2 stopped in 2024 and lacks e.g. ECS's service-deployment operations), and they
 * are exactly what the clients we must be compatible with serialize. They carry
 * required members, types, timestamp formats and every wire trait; they do not
 * carry enum values or length/range constraints, so providers check those where
 * AWS's service (not its frontend) does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BY_ID, type ProtocolName, type ServiceEntry } from './catalog.js';
import { operationOf, shapeOf, type Member, type OperationSchema, type Shape, type StructureShape, type Traits } from './schema.js';

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
  const mod = entry.botocoreModel && !installed(entry.sdkPackage) ? undefined : require(entry.sdkPackage);
  if (!mod) {
    const model = botocoreModel(entry);
    loaded.set(serviceId, model);
    return model;
  }
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

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** botocore's shape JSON (models/services/<id>.json). */
interface BotocoreMember { shape: string; timestampFormat?: string; location?: string; locationName?: string; idempotencyToken?: boolean }

interface BotocoreShape {
  type: string;
  members?: Record<string, BotocoreMember>;
  payload?: string;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  required?: string[];
  exception?: boolean;
  fault?: boolean;
  error?: { httpStatusCode?: number; code?: string; senderFault?: boolean };
  timestampFormat?: string;
  sensitive?: boolean;
}

const SIMPLE_KINDS: Record<string, Shape['kind']> = {
  string: 'string', integer: 'number', long: 'number', float: 'number', double: 'number', boolean: 'boolean', blob: 'blob', timestamp: 'timestamp',
};

/**
 * A service model read from botocore's JSON (a service whose `@aws-sdk/client-*` package Berth does not
 * depend on yet): the same shapes the v3 schemas give, built from the same Smithy model.
 */
function botocoreModel(entry: ServiceEntry): ServiceModel {
  const file = new URL(`../../models/services/${entry.botocoreModel}`, import.meta.url);
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    metadata: { apiVersion: string; targetPrefix?: string; uid?: string; serviceId: string; xmlNamespace?: string; awsQueryCompatible?: object };
    operations: Record<string, {
      name: string; input?: { shape: string }; output?: { shape: string }; errors?: { shape: string }[];
      http?: { method: string; requestUri: string; responseCode?: number };
    }>;
    shapes: Record<string, BotocoreShape>;
  };
  const namespace = `com.amazonaws.${json.metadata.serviceId.toLowerCase().replace(/\s+/g, '')}`;
  const shapes = new Map<string, Shape>();
  const member = (name: string, target: string, own: Traits = {}): Member => {
    let traits: Traits | undefined;
    return {
      name,
      get shape() { return shape(target); },
      get traits() { return (traits ??= { ...this.shape.traits, ...own }); },
    };
  };
  const shape = (name: string): Shape => {
    const cached = shapes.get(name);
    if (cached) return cached;
    const b = json.shapes[name];
    if (!b) throw new Error(`${entry.botocoreModel}: no shape ${name}`);
    const traits: Traits = {};
    if (b.sensitive) traits.sensitive = 1;
    if (b.timestampFormat) traits.timestampFormat = b.timestampFormat === 'iso8601' ? 'date-time' : b.timestampFormat === 'unixTimestamp' ? 'epoch-seconds' : 'http-date';
    if (b.exception) {
      traits.error = b.fault ? 'server' : 'client';
      if (b.error?.httpStatusCode) traits.httpError = b.error.httpStatusCode;
    }
    let out: Shape;
    if (b.type === 'structure') {
      const members: Member[] = [];
      const s: StructureShape = {
        kind: 'structure', name, id: `${namespace}#${name}`, traits, isError: !!b.exception, isUnion: false,
        members, byName: new Map(), required: b.required ?? [],
      };
      shapes.set(name, s);
      for (const [m, ref] of Object.entries(b.members ?? {})) {
        const mm = member(m, ref.shape, memberTraits(ref, b.payload === m));
        members.push(mm);
        s.byName.set(m, mm);
      }
      return s;
    } else if (b.type === 'list') {
      out = { kind: 'list', name, traits, member: member('member', b.member!.shape) };
    } else if (b.type === 'map') {
      out = { kind: 'map', name, traits, key: member('key', b.key!.shape), value: member('value', b.value!.shape) };
    } else if (b.type === 'timestamp') {
      out = { kind: 'timestamp', name, traits, format: 'default' };
    } else {
      out = { kind: (SIMPLE_KINDS[b.type] ?? 'string') as 'string', name, traits };
    }
    shapes.set(name, out);
    return out;
  };
  // botocore's member locations as the Smithy HTTP traits the codecs read.
  const memberTraits = (ref: BotocoreMember, payload: boolean): Traits => {
    const t: Traits = {};
    if (ref.timestampFormat) t.timestampFormat = ref.timestampFormat === 'iso8601' ? 'date-time' : ref.timestampFormat === 'unixTimestamp' ? 'epoch-seconds' : 'http-date';
    if (ref.idempotencyToken) t.idempotencyToken = 1;
    if (payload) t.httpPayload = 1;
    switch (ref.location) {
      case 'uri': t.httpLabel = 1; break;
      case 'querystring': t.httpQuery = ref.locationName; break;
      case 'header': t.httpHeader = ref.locationName; break;
      case 'headers': t.httpPrefixHeaders = ref.locationName ?? ''; break;
      case 'statusCode': t.httpResponseCode = 1; break;
      default: if (ref.locationName && entry.protocol === 'restJson1') t.jsonName = ref.locationName;
    }
    return t;
  };
  const empty = (name: string): StructureShape => ({ kind: 'structure', name, id: name, traits: {}, isError: false, isUnion: false, members: [], byName: new Map(), required: [] });
  const operations = new Map<string, Operation>();
  const errors = new Map<string, StructureShape>();
  for (const op of Object.values(json.operations)) {
    operations.set(op.name, {
      name: op.name, traits: {},
      ...(op.http ? { http: { method: op.http.method, uri: op.http.requestUri, code: op.http.responseCode ?? 200 } } : {}),
      input: op.input ? (shape(op.input.shape) as StructureShape) : empty(`${op.name}Input`),
      output: op.output ? (shape(op.output.shape) as StructureShape) : empty(`${op.name}Output`),
    });
  }
  for (const [name, b] of Object.entries(json.shapes)) if (b.exception) errors.set(name, shape(name) as StructureShape);
  return {
    entry, protocol: entry.protocol, namespace, version: json.metadata.apiVersion, xmlNamespace: json.metadata.xmlNamespace,
    serviceTarget: json.metadata.targetPrefix, queryCompatible: !!json.metadata.awsQueryCompatible, operations, errors, errorsByQueryCode: new Map(),
  };
}
