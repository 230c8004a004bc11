/**
 * Round trips through a real `@aws-sdk/client-*` v3 client without a socket:
 * the client's requestHandler hands the SDK's own HttpRequest to our codec
 * (resolve → parse → validate), records the parsed input, and answers with our
 * serializer's bytes, which the SDK's own deserializer then reads.
 */
import { HttpResponse, buildQueryString } from '@smithy/core/protocols';
import { Readable } from 'node:stream';
import type { ProtocolName } from '../catalog.js';
import type { WireRequest, WireResponse } from '../codec.js';
import { AwsError, serializationError } from '../errors.js';
import { codecFor } from '../index.js';
import type { Operation, ServiceModel } from '../model.js';
import { operationOf, shapeOf, type StructureShape } from '../schema.js';
import { validateInput, violationMessage } from '../validate.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface Exchange {
  operation?: string;
  input?: Record<string, any>;
  wire: WireRequest;
  response?: WireResponse;
}

export type Responder = (operation: string, input: Record<string, any>) => unknown;

export interface Harness {
  requestHandler: { handle(request: any): Promise<{ response: HttpResponse }>; updateHttpClientConfig(): void; httpHandlerConfigs(): object };
  /** Every request seen, newest last. */
  exchanges: Exchange[];
  last(): Exchange;
  respond: Responder;
}

export const CLIENT_BASE = {
  region: 'us-east-1',
  endpoint: 'http://localhost:4566',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
};

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof (body as any)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c as any));
    return Buffer.concat(chunks);
  }
  throw new Error(`unsupported request body ${typeof body}`);
}

/** The SDK's HttpRequest as the gateway would hand it to a codec. */
export async function toWire(request: any): Promise<WireRequest> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const qs = buildQueryString(request.query ?? {});
  const rawPath: string = request.path || '/';
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch { /* keep raw */ }
  return { method: request.method, path, rawPath, query: new URLSearchParams(qs), headers, body: await bodyBytes(request.body) };
}

/** What dispatch does between the socket and the provider (minus routing and transactions). */
export function runCodec(protocol: ProtocolName, model: ServiceModel, wire: WireRequest, respond: Responder, seen?: Exchange): WireResponse {
  const codec = codecFor(protocol);
  const ctx = { requestId: 'req-0001' };
  try {
    const name = codec.resolveOperation(wire, model);
    const op = name ? model.operations.get(name) : undefined;
    if (!op) throw codec.unknownOperation(name, model);
    const input = codec.parseInput(wire, op, model);
    if (seen) Object.assign(seen, { operation: op.name, input });
    const violations = validateInput(op.input, input);
    if (violations.length) {
      const typeError = violations.find((v) => v.kind === 'type');
      if ((protocol.startsWith('awsJson') || protocol === 'restJson1') && typeError) throw serializationError(typeError.message);
      throw new AwsError(model.entry.validationError, violationMessage(violations), { status: 400 });
    }
    return codec.serializeOutput(respond(op.name, input), op, model, ctx);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    return codec.serializeError(err, model, ctx);
  }
}

export function harness(protocol: ProtocolName, model: ServiceModel, respond: Responder = () => ({})): Harness {
  const h: Harness = {
    exchanges: [],
    respond,
    last: () => h.exchanges[h.exchanges.length - 1],
    requestHandler: {
      async handle(request: any) {
        const wire = await toWire(request);
        const seen: Exchange = { wire };
        h.exchanges.push(seen);
        const res = runCodec(protocol, model, wire, (op, input) => h.respond(op, input), seen);
        seen.response = res;
        const body = typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : res.body;
        return { response: new HttpResponse({ statusCode: res.status, headers: { ...res.headers }, body: Readable.from([body]) }) };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs() {
        return {};
      },
    },
  };
  return h;
}

/** A model extended with synthetic operations (schemas in the SDK's own static format). */
export function withOperations(model: ServiceModel, schemas: any[]): ServiceModel {
  const operations = new Map(model.operations);
  for (const s of schemas) {
    const op: Operation = operationOf(s);
    const http = op.traits.http;
    if (Array.isArray(http)) op.http = { method: http[0], uri: http[1], code: http[2] ?? 200 };
    operations.set(op.name, op);
  }
  return { ...model, operations };
}

/** A model extended with synthetic error shapes. */
export function withErrors(model: ServiceModel, schemas: any[]): ServiceModel {
  const errors = new Map(model.errors);
  for (const s of schemas) {
    const shape = shapeOf(s) as StructureShape;
    errors.set(shape.name, shape);
  }
  return { ...model, errors };
}
