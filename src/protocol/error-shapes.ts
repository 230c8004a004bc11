/** Looking up a thrown AwsError in the service model, shared by all protocols. */
import type { AwsError } from './errors.js';
import type { ServiceModel } from './model.js';
import type { StructureShape } from './schema.js';

/** The model's error shape for a code, also when the code is an awsQueryError code. */
export function errorShape(model: ServiceModel, code: string): StructureShape | undefined {
  return model.errors.get(code) ?? model.errorsByQueryCode.get(code);
}

/**
 * The HTTP status of an error: the thrower's, else the model's. An awsQueryError
 * status applies only when the error is spoken as query (JSON services such as
 * SSM declare query-era statuses they no longer send).
 */
export function errorStatus(err: AwsError, shape: StructureShape | undefined, asQuery = false): number {
  if (err.status) return err.status;
  const q = shape?.traits.awsQueryError;
  if (asQuery && Array.isArray(q) && q[1]) return q[1];
  if (shape?.traits.httpError) return shape.traits.httpError;
  return shape?.traits.error === 'server' ? 500 : 400;
}

/** Most services name the member "message"; some (IAM, SQS query era) "Message". */
export function messageMemberName(shape: StructureShape | undefined): string {
  if (shape?.byName.has('Message')) return 'Message';
  return 'message';
}

/** The code a query-protocol client should see. */
export function queryErrorCode(err: AwsError, shape: StructureShape | undefined): string {
  const q = shape?.traits.awsQueryError;
  return Array.isArray(q) ? q[0] : (shape?.name ?? err.code);
}
