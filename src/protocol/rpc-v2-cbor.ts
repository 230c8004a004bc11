/**
 * Smithy RPC v2 CBOR (botocore ≥ 1.40 speaks it to CloudWatch; the SDK v3 when
 * configured with its CBOR protocol): POST /service/<ServiceName>/operation/<Operation>
 * with `smithy-protocol: rpc-v2-cbor` and a CBOR body (content-type application/cbor;
 * an empty body is an empty input). Responses carry the same header and a CBOR body;
 * errors are a CBOR map {__type: <shape id>, message, …members} with the error's status
 * and, for awsQueryCompatible services (CloudWatch), the x-amzn-query-error header
 * naming the query-era code, which both botocore and the SDK prefer.
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
import { CborError, decodeCbor, encodeCbor } from './cbor.js';
import { CBOR_DOUBLES } from './cbor-doubles.js';
import { readCborStructure, writeCborStructure } from './cbor-values.js';
import type { Codec, ResponseContext, WireRequest, WireResponse } from './codec.js';
import { AwsError, serializationError } from './errors.js';
import { errorShape, errorStatus, messageMemberName } from './error-shapes.js';
import type { Operation, ServiceModel } from './model.js';

const PATH = /^\/service\/([^/]+)\/operation\/([^/]+)$/;
const CONTENT_TYPE = 'application/cbor';

export function speaksRpcV2Cbor(req: WireRequest): boolean {
  return req.headers['smithy-protocol'] === 'rpc-v2-cbor';
}

/** The service shape name and operation a request's path names. */
export function rpcV2Target(req: WireRequest): { service: string; operation: string } | undefined {
  const m = PATH.exec(req.path);
  return m ? { service: m[1], operation: m[2] } : undefined;
}

export class RpcV2CborCodec implements Codec {
  resolveOperation(req: WireRequest): string | undefined {
    return rpcV2Target(req)?.operation;
  }

  parseInput(req: WireRequest, op: Operation): Record<string, any> {
    if (!req.body.length) return {};
    let parsed: unknown;
    try {
      parsed = decodeCbor(req.body);
    } catch (err) {
      if (err instanceof CborError) throw serializationError(`Malformed CBOR body: ${err.message}`);
      throw err;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Buffer.isBuffer(parsed) || parsed instanceof Date) {
      throw serializationError('Expected a CBOR map as the request body.');
    }
    return readCborStructure(op.input, parsed as Record<string, unknown>);
  }

  serializeOutput(output: unknown, op: Operation, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const doubles = CBOR_DOUBLES[model.entry.id];
    const body = encodeCbor(writeCborStructure(op.output, (output ?? {}) as Record<string, unknown>, doubles));
    return { status: 200, headers: headers(ctx), body };
  }

  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const shape = errorShape(model, err.code);
    const status = errorStatus(err, shape);
    const body: Record<string, unknown> = { __type: shape ? shape.id : err.code };
    if (shape && err.fields) Object.assign(body, writeCborStructure(shape, err.fields));
    else if (err.fields) Object.assign(body, err.fields);
    body[messageMemberName(shape)] = err.message;
    const h = headers(ctx);
    if (model.queryCompatible) {
      const queryCode = (shape?.traits.awsQueryError?.[0] as string | undefined) ?? err.code;
      h['x-amzn-query-error'] = `${queryCode};${status < 500 ? 'Sender' : 'Receiver'}`;
    }
    return { status, headers: h, body: encodeCbor(body) };
  }

  unknownOperation(name: string | undefined): AwsError {
    return new AwsError('UnknownOperationException', name ? `Unknown operation ${name}` : 'The request path names no operation.', { status: 404 });
  }
}

function headers(ctx: ResponseContext): Record<string, string> {
  return { 'content-type': CONTENT_TYPE, 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-requestid': ctx.requestId };
}

/** A CBOR map of text strings to text strings (refusals of services Berth has no model for). */
export function encodeTextMap(map: Record<string, string>): Buffer {
  return encodeCbor(map);
}

/** An error without a service model: {__type, message}, the protocol's headers. */
export function serializeCborError(err: AwsError, ctx: ResponseContext): WireResponse {
  return { status: err.status ?? 400, headers: headers(ctx), body: encodeCbor({ __type: err.code, message: err.message }) };
}
