/**
 * Honest refusals: a request for a service (or an API version) Berth does not
 * serve is answered in the protocol the client spoke, naming the service and the
 * operation it asked for, as a 501 NotImplemented every SDK surfaces as a service
 * error: query and EC2 XML, rest-xml, JSON 1.0/1.1, rest-json or rpc-v2-cbor.
 */
import { createRequire } from 'node:module';
import type { BotocoreProtocol, AwsServiceFacts } from './aws-service-facts.js';
import type { ProtocolName } from './catalog.js';
import type { ResponseContext, WireRequest, WireResponse } from './codec.js';
import { AwsError } from './errors.js';
import { matchOperation } from './http-bindings.js';
import { codecFor } from './index.js';
import type { Operation, ServiceModel } from './model.js';
import { serializeCborError, speaksRpcV2Cbor } from './rpc-v2-cbor.js';
import { operationOf } from './schema.js';

/** Every protocol Berth can answer in: its codecs'. */
export type WireProtocol = ProtocolName;

const FROM_BOTOCORE: Record<BotocoreProtocol, WireProtocol> = {
  query: 'awsQuery', ec2: 'ec2Query', json: 'awsJson1_1', 'rest-json': 'restJson1', 'rest-xml': 'restXml', 'smithy-rpc-v2-cbor': 'rpcV2Cbor',
};

/**
 * The protocol this request is written in, from the request itself (clients of
 * different ages speak different protocols to one service: awscli 2.9 speaks query
 * to CloudWatch, botocore 1.43 CBOR), else the service's current one.
 */
export function spokenProtocol(req: WireRequest, current?: BotocoreProtocol): WireProtocol {
  if (speaksRpcV2Cbor(req)) return 'rpcV2Cbor';
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (req.headers['x-amz-target']) return type.includes('json-1.0') ? 'awsJson1_0' : 'awsJson1_1';
  if (type.startsWith('application/x-www-form-urlencoded') || req.query.has('Action')) {
    return current === 'ec2' ? 'ec2Query' : 'awsQuery';
  }
  // Unknown service: JSON with __type, which every JSON client reads.
  return current ? FROM_BOTOCORE[current] : 'awsJson1_1';
}

export interface Refused {
  /** The service's name(s), e.g. "Amazon EC2 Auto Scaling". */
  name: string;
  signingName: string;
  operation?: string;
  /** A sentence to add, e.g. which API of this signing name Berth does serve. */
  hint?: string;
}

/** "Berth does not implement the Amazon EC2 Auto Scaling service (autoscaling:CreateAutoScalingGroup) yet." */
export function serviceNotImplemented(refused: Refused, req: WireRequest): AwsError {
  const what = /service$/i.test(refused.name) ? `the ${refused.name}` : `the ${refused.name} service`;
  const op = refused.operation ? `${refused.signingName}:${refused.operation}` : `${refused.signingName}: ${req.method} ${req.path}`;
  const hint = refused.hint ? ` ${refused.hint}` : '';
  return new AwsError('NotImplemented', `Berth does not implement ${what} (${op}) yet.${hint}`, { status: 501, sender: false });
}

/** A request that names no service Berth can find: 400, as AWS answers an unknown client. */
export function unrecognizedClient(message: string): AwsError {
  return new AwsError('UnrecognizedClientException', message, { status: 400 });
}

/**
 * Writes a refusal in `protocol`. `model` is the service's own when Berth has it
 * (a catalogued service without a provider), else a stand-in carrying what the
 * codecs read for errors (the signing name and API version for query namespaces).
 */
export function renderRefusal(
  err: AwsError, protocol: WireProtocol, ctx: ResponseContext,
  model: ServiceModel | { signingName: string; apiVersion?: string },
): WireResponse {
  if (protocol === 'rpcV2Cbor' && !('entry' in model)) return serializeCborError(err, ctx);
  const m = 'entry' in model ? model : standInModel(protocol, model.signingName, model.apiVersion);
  return codecFor(protocol).serializeError(err, m, ctx);
}

function standInModel(protocol: ProtocolName, signingName: string, version = ''): ServiceModel {
  return {
    entry: { id: signingName, sdkPackage: '', clientName: '', protocol, apiVersion: version, signingNames: [signingName], validationError: 'ValidationError' },
    protocol,
    namespace: '',
    version,
    queryCompatible: false,
    operations: new Map(),
    errors: new Map(),
    errorsByQueryCode: new Map(),
  };
}

const require = createRequire(import.meta.url);
const packageModels = new Map<string, ServiceModel | null>();

/**
 * A rest request's operation, read from the service's `@aws-sdk/client-*` package when
 * it is installed (the method and path alone do not name it); undefined otherwise.
 */
export function restOperationOf(req: WireRequest, facts: AwsServiceFacts, protocol: WireProtocol): string | undefined {
  if (protocol !== 'restJson1' && protocol !== 'restXml') return undefined;
  const pkg = `@aws-sdk/client-${facts.sdkId ?? facts.signingName}`;
  let model = packageModels.get(pkg);
  if (model === undefined) {
    const operations = readOperations(pkg);
    model = operations && { ...standInModel(protocol, facts.signingName), operations };
    packageModels.set(pkg, model);
  }
  return model ? matchOperation(req, model)?.name : undefined;
}

function readOperations(pkg: string): Map<string, Operation> | null {
  let mod: Record<string, unknown>;
  try {
    mod = require(pkg);
  } catch {
    return null;
  }
  const operations = new Map<string, Operation>();
  for (const [key, value] of Object.entries(mod)) {
    if (!key.endsWith('$') || !Array.isArray(value) || value[0] !== 9) continue;
    const op: Operation = operationOf(value);
    const http = op.traits.http;
    if (Array.isArray(http)) op.http = { method: http[0], uri: http[1], code: http[2] ?? 200 };
    operations.set(op.name, op);
  }
  return operations;
}
