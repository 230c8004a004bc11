/**
 * awsJson 1.0 and 1.1: POST / with X-Amz-Target "<ServiceTarget>.<Operation>",
 * JSON in and out, errors as {"__type": ..., "message": ...}.
 * For awsQueryCompatible services (SQS, CloudWatch) errors also carry the
 * x-amzn-query-error header so clients recover the query-era error code.
 */
import type { Codec, ResponseContext, WireRequest, WireResponse } from './codec.js';
import { AwsError, serializationError } from './errors.js';
import { readStructure, writeStructure } from './json-values.js';
import type { Operation, ServiceModel } from './model.js';
import { errorShape, errorStatus, messageMemberName } from './error-shapes.js';

export class AwsJsonCodec implements Codec {
  constructor(private readonly version: '1.0' | '1.1') {}

  private contentType() {
    return `application/x-amz-json-${this.version}`;
  }

  resolveOperation(req: WireRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (!target) return undefined;
    const dot = target.lastIndexOf('.');
    return dot >= 0 ? target.slice(dot + 1) : undefined;
  }

  parseInput(req: WireRequest, op: Operation): Record<string, any> {
    const text = req.body.length ? req.body.toString('utf8') : '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw serializationError('Start of structure or map found where not expected.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw serializationError('Start of structure or map found where not expected.');
    }
    return readStructure(op.input, parsed as Record<string, unknown>, false);
  }

  serializeOutput(output: unknown, op: Operation, _model: ServiceModel, ctx: ResponseContext): WireResponse {
    const body = JSON.stringify(writeStructure(op.output, (output ?? {}) as Record<string, unknown>, false));
    return { status: 200, headers: { 'content-type': this.contentType(), 'x-amzn-requestid': ctx.requestId }, body };
  }

  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const shape = errorShape(model, err.code);
    const status = errorStatus(err, shape);
    const code = shape?.name ?? err.code;
    const body: Record<string, unknown> = {
      // awsJson 1.0 services send the shape id; 1.1 services (ECS, ECR) the bare name.
      __type: this.version === '1.0' && shape ? shape.id : code,
    };
    if (shape && err.fields) Object.assign(body, writeStructure(shape, err.fields, false));
    else if (err.fields) Object.assign(body, err.fields);
    body[messageMemberName(shape)] = err.message;
    const headers: Record<string, string> = {
      'content-type': this.contentType(),
      'x-amzn-requestid': ctx.requestId,
      'x-amzn-errortype': code,
    };
    if (model.queryCompatible) {
      const queryCode = (shape?.traits.awsQueryError?.[0] as string | undefined) ?? err.code;
      headers['x-amzn-query-error'] = `${queryCode};${status < 500 ? 'Sender' : 'Receiver'}`;
    }
    return { status, headers, body: JSON.stringify(body) };
  }

  unknownOperation(name: string | undefined): AwsError {
    return new AwsError('UnknownOperationException', name ? `Unknown operation ${name}` : 'Missing X-Amz-Target header.', { status: 400 });
  }
}
