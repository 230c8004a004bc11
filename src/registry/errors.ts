/**
 * The registry's error codes, as the OCI Distribution Spec (and Docker's
 * Registry V2 API before it) defines them: one table of code → HTTP status and
 * default message. Domain code throws RegistryError; only http/respond.ts
 * writes the `{"errors":[…]}` body. `kind` marks the few errors the ECR API
 * reports under a different name (ImageTagAlreadyExistsException, …).
 */
export const ERROR_CODES = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'manifest references a manifest or blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown to registry'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNSUPPORTED: [405, 'the operation is unsupported'],
  TOOMANYREQUESTS: [429, 'too many requests'],
  TAG_INVALID: [400, 'manifest tag did not match URI'],
  // distribution's code for a chunk that does not continue the upload.
  RANGE_INVALID: [416, 'invalid content range'],
} as const satisfies Record<string, readonly [number, string]>;

export type RegistryErrorCode = keyof typeof ERROR_CODES;

/** Why an error happened, where the ECR API names it differently from the registry. */
export type RegistryErrorKind =
  | 'immutable-tag'
  | 'unchanged-image'
  | 'missing-layers'
  | 'missing-manifests'
  | 'referenced-by-index'
  | 'digest-mismatch';

export interface RegistryErrorOptions {
  detail?: unknown;
  /** Overrides the table's status (e.g. 413 for an oversized manifest). */
  status?: number;
  kind?: RegistryErrorKind;
  headers?: Record<string, string>;
}

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly detail?: unknown;
  readonly kind?: RegistryErrorKind;
  readonly headers?: Record<string, string>;

  constructor(code: RegistryErrorCode, message?: string, opts: RegistryErrorOptions = {}) {
    super(message ?? ERROR_CODES[code][1]);
    this.name = code;
    this.code = code;
    this.status = opts.status ?? ERROR_CODES[code][0];
    this.detail = opts.detail;
    this.kind = opts.kind;
    this.headers = opts.headers;
  }
}

/** ECR's wording for a repository that does not exist (docker prints it after "name unknown:"). */
export const repositoryNotFound = (account: string, name: string) =>
  new RegistryError('NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '${account}'`);

export function errorBody(err: RegistryError): string {
  const entry: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.detail !== undefined) entry.detail = err.detail;
  return JSON.stringify({ errors: [entry] });
}
