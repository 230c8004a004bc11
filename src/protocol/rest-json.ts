/**
 * restJson1 (EKS): operations routed by method and URI template, members bound
 * to labels, query, headers and status code, the rest in a JSON body whose keys
 * honour jsonName. Errors: status from the error shape, the code in
 * x-amzn-ErrorType, the message and the error's other members in the body.
 * https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 */
import type { Codec, ResponseContext, WireRequest, WireResponse } from './codec.js';
import { AwsError, serializationError } from './errors.js';
import { errorShape, errorStatus, messageMemberName } from './error-shapes.js';
import { bodyMembers, isBound, matchOperation, payloadMember, readBindings, writeBindings } from './http-bindings.js';
import { readJson, readStructure, writeJson, writeStructure } from './json-values.js';
import type { Operation, ServiceModel } from './model.js';
import type { Member, StructureShape } from './schema.js';

const JSON_TYPE = 'application/json';

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw serializationError('The request body is not valid JSON.');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Members a JSON body must not carry (they travel in the URI or headers). */
const boundNames = (shape: StructureShape) => {
  const names = new Set(shape.members.filter(isBound).map((m) => m.name));
  return (name: string) => names.has(name);
};

/** An httpPayload member read from the raw body: bytes, text, or JSON. */
function readPayload(member: Member, body: Buffer): unknown {
  if (!body.length) return undefined;
  if (member.shape.kind === 'blob') return body;
  if (member.shape.kind === 'string') return body.toString('utf8');
  const parsed = parseJson(body);
  if (member.shape.kind === 'structure' && parsed !== undefined && !isObject(parsed)) {
    throw serializationError('Start of structure or map found where not expected.');
  }
  return readJson(member.shape, parsed, true);
}

/** An httpPayload member as the response body, with its content type. */
function writePayload(member: Member, value: unknown): { body: string | Buffer; type: string } {
  const media: string | undefined = member.traits.mediaType;
  if (value === undefined || value === null) return { body: '', type: media ?? JSON_TYPE };
  if (member.shape.kind === 'blob') {
    return { body: typeof value === 'string' ? Buffer.from(value) : Buffer.from(value as Uint8Array), type: media ?? 'application/octet-stream' };
  }
  if (member.shape.kind === 'string') return { body: String(value), type: media ?? 'text/plain' };
  return { body: JSON.stringify(writeJson(member.shape, value, true)), type: media ?? JSON_TYPE };
}

export class RestJsonCodec implements Codec {
  resolveOperation(req: WireRequest, model: ServiceModel): string | undefined {
    return matchOperation(req, model)?.name;
  }

  parseInput(req: WireRequest, op: Operation): Record<string, any> {
    const input = readBindings(req, op);
    const payload = payloadMember(op.input);
    if (payload) {
      const v = readPayload(payload, req.body);
      if (v !== undefined) input[payload.name] = v;
      return input;
    }
    const members = bodyMembers(op.input);
    if (!members.length) return input;
    const parsed = parseJson(req.body);
    if (parsed === undefined) return input;
    if (!isObject(parsed)) throw serializationError('Start of structure or map found where not expected.');
    const body = readStructure(op.input, parsed, true);
    for (const m of members) if (body[m.name] !== undefined) input[m.name] = body[m.name];
    return input;
  }

  serializeOutput(output: unknown, op: Operation, _model: ServiceModel, ctx: ResponseContext): WireResponse {
    const value = (output ?? {}) as Record<string, unknown>;
    const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-amzn-requestid': ctx.requestId };
    const payload = payloadMember(op.output);
    const written = payload ? writePayload(payload, value[payload.name]) : undefined;
    if (written) headers['content-type'] = written.type;
    // After the payload's default content type, so a bound Content-Type member wins.
    const status = writeBindings(op.output, value, headers) ?? op.http?.code ?? 200;
    if (written) return { status, headers, body: written.body };
    const body = JSON.stringify(writeStructure(op.output, value, true, boundNames(op.output)));
    return { status, headers, body };
  }

  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const shape = errorShape(model, err.code);
    const status = errorStatus(err, shape);
    const code = shape?.name ?? err.code;
    const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'x-amzn-requestid': ctx.requestId, 'x-amzn-errortype': code };
    const body: Record<string, unknown> = {};
    if (shape && err.fields) {
      writeBindings(shape, err.fields, headers);
      Object.assign(body, writeStructure(shape, err.fields, true, boundNames(shape)));
    } else if (err.fields) {
      Object.assign(body, err.fields);
    }
    const messageName = messageMemberName(shape);
    body[shape?.byName.get(messageName)?.traits.jsonName ?? messageName] = err.message;
    return { status, headers, body: JSON.stringify(body) };
  }

  unknownOperation(_name: string | undefined, model: ServiceModel): AwsError {
    return new AwsError('UnknownOperationException', `No ${model.entry.id} operation matches this method and path.`, { status: 404 });
  }
}
