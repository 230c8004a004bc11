/**
 * The contract every AWS protocol implements: find the operation a request
 * names, read its input by the model, and write an output or an error the way
 * that protocol's clients expect. Nothing outside protocol/ writes wire bytes.
 */
import type { AwsError } from './errors.js';
import type { Operation, ServiceModel } from './model.js';

export interface WireRequest {
  method: string;
  /** Decoded path without the query string. */
  path: string;
  /** The raw path as sent (percent-encoded), used for label matching. */
  rawPath: string;
  query: URLSearchParams;
  /** The query string as sent (without `?`), for signature verification. */
  rawQuery?: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The client's address (aws:SourceIp with --enforce-iam); absent for requests made inside Berth. */
  sourceIp?: string;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface ResponseContext {
  requestId: string;
}

export interface Codec {
  /** The operation this request invokes; undefined when it names none. */
  resolveOperation(req: WireRequest, model: ServiceModel): string | undefined;
  /** Reads the input; throws AwsError for a malformed body. */
  parseInput(req: WireRequest, op: Operation, model: ServiceModel): Record<string, any>;
  serializeOutput(output: unknown, op: Operation, model: ServiceModel, ctx: ResponseContext): WireResponse;
  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse;
  /** The protocol's answer to an operation name the model does not declare. */
  unknownOperation(name: string | undefined, model: ServiceModel): AwsError;
}
