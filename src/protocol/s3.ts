/**
 * S3's variant of restXml. The generic codec does the bindings and bodies; S3
 * differs in three places, kept here:
 *
 * - Addressing: the model's URIs leave the bucket out (`PUT /{Key+}?x-id=PutObject`);
 *   clients put it in the path (`/bucket/key`, path style: the SDKs with
 *   forcePathStyle or an IP endpoint, the CLIs with --endpoint-url) or in the
 *   Host (`bucket.s3.localhost`, virtual-hosted style). `s3Address` takes it out.
 * - Operation names: the v3 SDKs add `?x-id=GetObject` to tell operations with
 *   the same method and path apart; botocore does not, so S3's own rules
 *   (x-amz-copy-source, uploadId, partNumber) stand in for it.
 * - Errors: `<Error><Code/><Message/>…<RequestId/><HostId/></Error>` without the
 *   ErrorResponse wrapper, and x-amz-request-id / x-amz-id-2 headers.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { createHash } from 'node:crypto';
import type { ResponseContext, WireRequest, WireResponse } from './codec.js';
import { errorShape, errorStatus } from './error-shapes.js';
import { AwsError } from './errors.js';
import { matchOperation } from './http-bindings.js';
import type { Operation, ServiceModel } from './model.js';
import { RestXmlCodec } from './rest-xml.js';
import { element, escapeText, textElement, XML_DECLARATION } from './xml.js';

export interface S3WireRequest extends WireRequest {
  /** The addressed bucket (undefined for service-level requests such as ListBuckets). */
  bucket?: string;
}

// Credential=AKID/20261127/us-east-1/s3/aws4_request
const S3_SCOPE_RE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/s3\/aws4_request/;

/**
 * A request for S3, told before its body is read:
 * - signed for S3 (SigV4 scope `…/s3/aws4_request` in the Authorization header or a presigned query); signature
 *   version 2 (`AWS AKID:sig`, or `?AWSAccessKeyId=…&Signature=…` as botocore still presigns) is S3's alone;
 * - or unsigned (`--no-sign-request`, curl) and addressed as S3 addresses: a virtual-hosted bucket in the Host,
 *   or a path naming a bucket, without the marks of another API (X-Amz-Target, a query-protocol form post) or
 *   of Berth's own routes (`/_berth/`).
 */
export function isS3Request(url: string, headers: Record<string, string | string[] | undefined>, method = 'GET'): boolean {
  const authorization = headers.authorization as string | undefined;
  if (authorization) return S3_SCOPE_RE.test(authorization) || authorization.startsWith('AWS ');
  const q = url.indexOf('?');
  if (q >= 0 && url.includes('X-Amz-Credential')) {
    const credential = new URLSearchParams(url.slice(q + 1)).get('X-Amz-Credential') ?? '';
    return credential.split('/')[3] === 's3';
  }
  if (q >= 0 && url.includes('AWSAccessKeyId')) {
    const query = new URLSearchParams(url.slice(q + 1));
    if (query.has('AWSAccessKeyId') && query.has('Signature')) return true;
  }
  return isUnsignedS3(url, headers, method);
}

function isUnsignedS3(url: string, headers: Record<string, string | string[] | undefined>, method: string): boolean {
  if (headers['x-amz-target'] !== undefined) return false;
  const host = String(headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  if (VHOST_S3_RE.test(host)) return true;
  if (url.startsWith('/_berth')) return false;
  // A query-protocol API's unsigned call (STS AssumeRoleWithWebIdentity) is a form post.
  if (method === 'POST' && String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return false;
  return /^\/[^/?]+/.test(url);
}

// bucket.s3.localhost, bucket.s3.us-east-1.localhost, bucket.s3.localhost.localstack.cloud, bucket.s3.amazonaws.com
const VHOST_S3_RE = /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.(?:localhost|localhost\.localstack\.cloud|amazonaws\.com)$/;
const VHOST_LOCAL_RE = /^(.+)\.localhost$/;

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AwsError('InvalidURI', `Couldn't parse the specified URI: "${raw.slice(0, 64)}" is not valid percent-encoding.`, { status: 400 });
  }
}

/** The bucket a request addresses, and the request with the path the model's URIs expect. */
export function s3Address(req: WireRequest): S3WireRequest {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  const vhost = VHOST_S3_RE.exec(host)?.[1] ?? VHOST_LOCAL_RE.exec(host)?.[1];
  if (vhost && !/^s3([.-]|$)/.test(vhost)) return { ...req, bucket: vhost };
  const m = /^\/([^/]+)(\/.*)?$/.exec(req.rawPath);
  if (!m) return { ...req, bucket: undefined, rawPath: '/', path: '/' };
  const rest = m[2] ?? '/';
  return { ...req, bucket: decodeSegment(m[1]), rawPath: rest, path: decodeSegment(rest) };
}

const SERVICE_LEVEL = new Set(['ListBuckets', 'ListDirectoryBuckets', 'WriteGetObjectResponse']);

/** What `?x-id=` would say, by S3's own rules, for a request that does not carry it. */
function impliedOperation(req: S3WireRequest): string | undefined {
  const method = req.method.toUpperCase();
  if (!req.bucket) return method === 'GET' ? 'ListBuckets' : undefined;
  if (req.rawPath === '/') return undefined;
  const copy = req.headers['x-amz-copy-source'] !== undefined;
  const upload = req.query.has('uploadId');
  switch (method) {
    case 'PUT':
      if (upload && req.query.has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'GET':
      return upload ? 'ListParts' : 'GetObject';
    case 'DELETE':
      return upload ? 'AbortMultipartUpload' : 'DeleteObject';
    default:
      return undefined;
  }
}

/** S3 keeps a request id and an extended host id in every response. */
function idHeaders(requestId: string): Record<string, string> {
  return {
    'x-amz-request-id': requestId,
    'x-amz-id-2': createHash('sha256').update(requestId).digest('base64'),
    'x-amzn-requestid': requestId,
  };
}

export class S3Codec extends RestXmlCodec {
  override resolveOperation(req: WireRequest, model: ServiceModel): string | undefined {
    const s3req = req as S3WireRequest;
    // Bucket operations share "/" with ListBuckets: which one is meant depends on whether a bucket is named.
    const fits = (name: string | undefined) => name !== undefined && SERVICE_LEVEL.has(name) === !s3req.bucket;
    let name = matchOperation(s3req, model)?.name;
    if (!fits(name) && !s3req.query.has('x-id')) {
      const implied = impliedOperation(s3req);
      if (implied) {
        const query = new URLSearchParams(s3req.query);
        query.set('x-id', implied);
        name = matchOperation({ ...s3req, query }, model)?.name;
      }
    }
    return fits(name) ? name : undefined;
  }

  override serializeOutput(output: unknown, op: Operation, model: ServiceModel, ctx: ResponseContext): WireResponse {
    let res: WireResponse;
    if (op.name === 'GetBucketLocation') {
      // The constraint is the root element's text (<LocationConstraint>eu-west-1</LocationConstraint>), not a child.
      const value = (output as { LocationConstraint?: string } | undefined)?.LocationConstraint;
      const body = XML_DECLARATION + element('LocationConstraint', value ? escapeText(value) : '', { xmlns: model.xmlNamespace });
      res = { status: 200, headers: { 'content-type': 'application/xml' }, body };
    } else {
      res = super.serializeOutput(output, op, model, ctx);
    }
    Object.assign(res.headers, idHeaders(ctx.requestId));
    if (res.headers['content-type'] === 'text/xml') res.headers['content-type'] = 'application/xml';
    return res;
  }

  override serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const status = errorStatus(err, errorShape(model, err.code));
    let fields = '';
    for (const [name, value] of Object.entries(err.fields ?? {})) {
      if (value !== undefined && value !== null && /^[A-Za-z][A-Za-z0-9]*$/.test(name)) fields += textElement(name, String(value));
    }
    const body = XML_DECLARATION + element(
      'Error',
      textElement('Code', err.code) + textElement('Message', err.message) + fields + textElement('RequestId', ctx.requestId),
    );
    return { status, headers: { 'content-type': 'application/xml', ...idHeaders(ctx.requestId) }, body };
  }

  override unknownOperation(_name: string | undefined, _model: ServiceModel): AwsError {
    return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', { status: 405 });
  }
}
