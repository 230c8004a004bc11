/**
 * The one error type providers throw for AWS-visible failures. Only the protocol
 * serializers turn it into bytes; the status comes from the service model's error
 * shape when the thrower does not set it.
 */
export interface AwsErrorOptions {
  /** HTTP status; defaults to the model's httpError trait, else 400. */
  status?: number;
  /** Sender (client) fault vs. Receiver (server) fault; defaults from the status. */
  sender?: boolean;
  /** Extra members of the error shape (e.g. ECS ConflictException.resourceIds). */
  fields?: Record<string, unknown>;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly sender?: boolean;
  readonly fields?: Record<string, unknown>;

  constructor(code: string, message: string, opts: AwsErrorOptions = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = opts.status;
    this.sender = opts.sender;
    this.fields = opts.fields;
  }
}

/** A declared operation Berth does not implement yet (LocalStack's rule: 501). */
export function notImplemented(service: string, operation: string): AwsError {
  return new AwsError(
    'InternalFailure',
    `The operation ${operation} of service ${service} is not implemented in Berth yet.`,
    { status: 501, sender: false },
  );
}

/** An unexpected exception: always a bug, logged with the request id, never sent. */
export function internalFailure(requestId: string): AwsError {
  return new AwsError('InternalFailure', `Berth encountered an internal error (request ${requestId}).`, {
    status: 500,
    sender: false,
  });
}

/** Malformed body or wrong JSON types: AWS's frontends answer SerializationException. */
export function serializationError(message: string): AwsError {
  return new AwsError('SerializationException', message, { status: 400 });
}
