/**
 * S3's streaming handler, beside the generic dispatch (app.ts loads it on S3's
 * first request). The server hands it every request signed for S3 before any
 * body is read (object bodies can be gigabytes): it routes by S3's addressing,
 * parses and validates with S3's model and the S3 codec, runs the operation
 * (S3's provider.ts) in one transaction, and streams object bodies to and from files.
 *
 *   PutObject / UploadPart   request body → (aws-chunked decoding) → MD5 + checksum → staging file,
 *                            verified (Content-MD5, x-amz-checksum-* header or trailer), then committed
 *   GetObject                committed file → response (opened before anything else can run, so a
 *                            concurrent overwrite never truncates what is being sent)
 *   CompleteMultipartUpload  part files concatenated into a staging file, then committed
 *   everything else          small XML bodies, read whole
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import { Transform, type Writable } from 'node:stream';
import { AwsChunkedDecoder, isAwsChunked, type ChunkSigning } from '../protocol/aws-chunked.js';
import type { WireRequest, WireResponse } from '../protocol/codec.js';
import { AwsError, internalFailure, notImplemented } from '../protocol/errors.js';
import { loadModel, type Operation } from '../protocol/model.js';
import { S3Codec, s3Address, type S3WireRequest } from '../protocol/s3.js';
import { credentialScope, type CredentialScope } from '../protocol/sigv4.js';
import type { Identity, SignedInput, VerifiedIdentity } from './identity.js';
import { clientAddress } from './server.js';
import { validateInput, violationMessage } from '../protocol/validate.js';
import type { Clock } from '../shared/clock.js';
import { requestId as newRequestId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Statements } from '../state/db.js';
import { lowerCamel, type RequestContext } from '../services/provider.js';
import { ObjectFiles } from '../services/s3/index.js';
import {
  asAlgorithm, badDigest, BODY_OPERATIONS, CHECKSUM_ALGORITHMS, checksumDigest, checksumHeader, completeMultipartUpload, entityTooLarge,
  anonymousAccount, incompleteBody, invalidDigest, malformedXml, planCompletion, provider,
  type AssembledBody, type BodyRef, type ChecksumAlgorithm, type CompletionPlan, type ReceivedBody, type S3Context,
} from '../services/s3/provider.js';

/** S3's largest single PUT (5 GiB). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
/** Non-object request bodies (XML: DeleteObjects of 1000 keys, CompleteMultipartUpload of 10,000 parts) stay far below this. */
const MAX_XML_BODY = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface S3Deps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  dataDir: string;
  /** Account, region and principal of a request's credential scope (gateway/identity.ts). */
  identify(scope: CredentialScope | undefined, signed?: SignedInput): VerifiedIdentity;
  /** With --enforce-iam: throws S3's AccessDenied unless the signed caller's policies allow the operation (issue 23). */
  authorize?(identity: Identity, operation: string, input: Record<string, unknown>, sourceIp: string | undefined): void;
}

export interface S3Service {
  files: ObjectFiles;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * An operation run for an internal caller (services/providers.ts `internalDoor`, which validated the input): in one
   * transaction with this handler's object files and commit hooks. GetObject's Body is the object's bytes. Operations
   * whose request is a body (PutObject, UploadPart) are not offered.
   */
  invoke(ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<unknown>;
}

export function createS3(deps: S3Deps): S3Service {
  const files = new ObjectFiles(deps.dataDir);
  files.purgeUploads();
  const codec = new S3Codec();
  const runner = deps.db.transaction((work: () => unknown) => work());

  /** Runs an operation in one transaction; the context's commit / rollback hooks run after it. */
  function run<T>(ctx: S3Context, work: () => T): T {
    const commits: (() => void)[] = [];
    const rollbacks: (() => void)[] = [];
    ctx.afterCommit = (fn) => commits.push(fn);
    ctx.onRollback = (fn) => rollbacks.push(fn);
    let result: T;
    try {
      result = runner(work) as T;
    } catch (err) {
      for (const fn of rollbacks) quietly(fn);
      throw err;
    }
    for (const fn of commits) quietly(fn);
    return result;
  }

  const quietly = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      deps.log.warn('s3 file clean-up failed', { error: String(err) });
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const model = loadModel('s3');
    const method = (req.method ?? 'GET').toUpperCase();
    let bodyRead = false;
    let staged: string | undefined;
    let opName: string | undefined;
    try {
      const wire = s3Address(wireRequest(req));
      opName = codec.resolveOperation(wire, model);
      const op = opName ? model.operations.get(opName) : undefined;
      if (!op) throw codec.unknownOperation(opName, model);
      const fn = provider[lowerCamel(op.name)];
      if (!fn) throw notImplemented('s3', op.name);
      // A SigV2 presigned URL names only the access key.
      const v2Key = wire.query.get('AWSAccessKeyId');
      const scope = credentialScope(wire.headers.authorization, wire.query) ?? (v2Key ? { accessKeyId: v2Key, region: '', service: 's3' } : undefined);
      // An unsigned request acts as the bucket's owner where the bucket's policy makes it public, else AccessDenied.
      const { chunkSigning, ...identity } = scope ? deps.identify(scope, signedInput(req, wire.query)) : { ...deps.identify(undefined), accessKeyId: 'anonymous', principalArn: '*' };
      if (!scope) identity.account = anonymousAccount(deps.sql, op.name, wire.bucket, wire.path.slice(1) || undefined);
      const ctx: S3Context = {
        ...identity, requestId, db: deps.db, sql: deps.sql, clock: deps.clock, log: deps.log,
        changed: () => undefined, files, afterCommit: () => undefined, onRollback: () => undefined,
      };
      let input: any;
      const before = BODY_OPERATIONS[op.name];
      const sourceIp = clientAddress(req);
      if (before) {
        input = parse(op, { ...wire, body: EMPTY });
        if (scope) deps.authorize?.(identity, op.name, input, sourceIp);
        run(ctx, () => before(ctx, input));
        bodyRead = true;
        const body = await receiveBody(req, wire.headers, files, chunkSigning);
        staged = body.staged;
        input.Body = body;
      } else {
        const body = await readSmallBody(req);
        bodyRead = true;
        input = parse(op, { ...wire, body });
        if (scope) deps.authorize?.(identity, op.name, input, sourceIp);
        if (op.name === 'CompleteMultipartUpload') {
          const plan = run(ctx, () => planCompletion(ctx, input));
          const assembled = await assemble(files, plan);
          staged = assembled.staged;
          input.Body = assembled;
        }
      }
      const output = run(ctx, () => (op.name === 'CompleteMultipartUpload' ? completeMultipartUpload(ctx, input) : fn(ctx, input))) as Record<string, any>;
      staged = undefined;
      if (deps.log.enabled('debug')) deps.log.debug('request', { requestId, service: 's3', operation: op.name });
      if (op.name === 'GetObject') return await sendObject(res, op, output, requestId);
      const out = codec.serializeOutput(output, op, model, { requestId });
      // A ranged HEAD answers like a ranged GET.
      if (op.name === 'HeadObject' && output.ContentRange) out.status = 206;
      send(res, out, method === 'HEAD');
    } catch (err) {
      if (staged) files.removeStaged(staged);
      if (!bodyRead) await drain(req);
      let aws: AwsError;
      if (err instanceof AwsError) aws = err;
      else {
        deps.log.error('unexpected exception', { requestId, service: 's3', operation: opName, error: (err as Error)?.stack ?? String(err) });
        aws = internalFailure(requestId);
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // S3 answers a failed HEAD with the status and no body; a 304 has none either.
      send(res, codec.serializeError(aws, model, { requestId }), method === 'HEAD' || aws.status === 304);
    }
  }

  /** Input from the request by the model; the bucket from S3's addressing; then checked against the model. */
  function parse(op: Operation, wire: S3WireRequest): Record<string, any> {
    const model = loadModel('s3');
    let input: Record<string, any>;
    try {
      input = codec.parseInput(wire, op, model);
    } catch (err) {
      // The generic codec reports unreadable XML as the service's validation error; S3 calls it MalformedXML.
      if (err instanceof AwsError && err.code === model.entry.validationError) throw malformedXml();
      throw err;
    }
    if (wire.bucket !== undefined && op.input.byName.has('Bucket')) input.Bucket = wire.bucket;
    const violations = validateInput(op.input, input);
    if (violations.length) throw new AwsError(model.entry.validationError, violationMessage(violations), { status: 400 });
    return input;
  }

  async function sendObject(res: ServerResponse, op: Operation, output: Record<string, any>, requestId: string) {
    const { Body, ...meta } = output as { Body: BodyRef; ContentRange?: string };
    // Opened in the same tick as the transaction that found it: no later overwrite or delete can take it away.
    const fd = files.open(Body.file);
    try {
      const out = codec.serializeOutput(meta, op, loadModel('s3'), { requestId });
      res.writeHead(meta.ContentRange ? 206 : 200, { ...out.headers, 'content-length': String(Body.end - Body.start + 1) });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    if (Body.end < Body.start) {
      closeSync(fd);
      res.end();
      return;
    }
    await pipeline(createReadStream('', { fd, start: Body.start, end: Body.end, highWaterMark: 1024 * 1024 }), res);
  }

  async function invoke(base: RequestContext, operation: string, input: Record<string, unknown>): Promise<unknown> {
    const fn = provider[lowerCamel(operation)];
    if (!fn) throw notImplemented('s3', operation);
    if (BODY_OPERATIONS[operation] || operation === 'CompleteMultipartUpload') throw new Error(`S3 ${operation} is not offered to internal callers`);
    const ctx: S3Context = { ...base, files, afterCommit: () => undefined, onRollback: () => undefined };
    const output = run(ctx, () => fn(ctx, input)) as Record<string, any>;
    if (operation !== 'GetObject') return output;
    const ref = output.Body as BodyRef;
    const bytes = ref.start > ref.end ? EMPTY : await readRange(files.path(ref.file), ref.start, ref.end);
    return { ...output, Body: bytes };
  }

  return { files, handle, invoke };
}

/**
 * The request as the client signed it (verified when enforcement is on): S3 signs the path as sent, and states
 * its payload's hash (a digest, UNSIGNED-PAYLOAD, or STREAMING-AWS4-HMAC-SHA256-PAYLOAD whose seed signature
 * is the header's) in x-amz-content-sha256.
 */
function signedInput(req: IncomingMessage, query: URLSearchParams): SignedInput {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    request: { method: req.method ?? 'GET', rawPath: q >= 0 ? url.slice(0, q) : url, rawQuery: q >= 0 ? url.slice(q + 1) : '', headers: req.headers, s3: true },
    query,
    protocol: 's3',
  };
}

function wireRequest(req: IncomingMessage): WireRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch { /* the codec reports bad labels */ }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  return { method: req.method ?? 'GET', path, rawPath, query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''), headers, body: EMPTY };
}

function send(res: ServerResponse, out: WireResponse, noBody: boolean) {
  const bytes = typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : out.body;
  const headers = { ...out.headers };
  // A HEAD's Content-Length is the object's (from the output); anything else's is the body's.
  if (!noBody || headers['content-length'] === undefined) headers['content-length'] = String(noBody ? 0 : bytes.length);
  res.writeHead(out.status, headers);
  res.end(noBody ? undefined : bytes);
}

/** Reads and discards the rest of a request body, so the connection stays usable for the client's next request. */
async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await Promise.race([once(req, 'end'), once(req, 'close'), once(req, 'error')]).catch(() => undefined);
}

async function readSmallBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_XML_BODY) tooBig = true;
    else chunks.push(c);
  }
  if (tooBig) throw new AwsError('MaxMessageLengthExceeded', 'Your request was too big.', { status: 400 });
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** The checksum algorithm a request's body is to be checked (or summed) with: named by a header, trailer or the SDK. */
function requestedChecksum(headers: Record<string, string | undefined>): ChecksumAlgorithm | undefined {
  const trailers = (headers['x-amz-trailer'] ?? '').split(',').map((s) => s.trim().toLowerCase());
  return CHECKSUM_ALGORITHMS.find((a) => headers[checksumHeader(a)] !== undefined || trailers.includes(checksumHeader(a)))
    ?? asAlgorithm(headers['x-amz-sdk-checksum-algorithm'] ?? headers['x-amz-checksum-algorithm']);
}

/**
 * Receives an object body into a staging file: aws-chunked framing decoded, MD5 and the requested checksum
 * computed on the way, the length and every digest the client sent verified.
 */
async function receiveBody(
  req: IncomingMessage, headers: Record<string, string | undefined>, files: ObjectFiles, chunkSigning?: ChunkSigning,
): Promise<ReceivedBody> {
  const chunked = isAwsChunked(headers);
  const declared = chunked ? headers['x-amz-decoded-content-length'] : headers['content-length'];
  const expected = declared !== undefined && /^\d+$/.test(declared.trim()) ? Number(declared) : undefined;
  if (expected !== undefined && expected > MAX_PUT_BYTES) {
    await drain(req);
    throw entityTooLarge(MAX_PUT_BYTES);
  }
  const algorithm = requestedChecksum(headers);
  const digest = algorithm ? checksumDigest(algorithm) : undefined;
  const md5 = createHash('md5');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > MAX_PUT_BYTES) return done(entityTooLarge(MAX_PUT_BYTES));
      md5.update(chunk);
      digest?.update(chunk);
      done(null, chunk);
    },
  });
  const decoder = chunked ? new AwsChunkedDecoder(chunkSigning) : undefined;
  const staged = files.stagingPath();
  const stages: (Transform | Writable)[] = [...(decoder ? [decoder] : []), meter, createWriteStream(staged)];
  const head = stages[0];
  let failure: unknown;
  let aborted = false;
  // The request is fed by hand rather than piped: a failed stage must not destroy the request (and its socket),
  // or the client would never see the error. The rest of the body is read and dropped instead.
  const sink = (pipeline as (...s: (Transform | Writable)[]) => Promise<void>)(...stages).catch((err) => {
    failure ??= err;
  });
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (failure !== undefined) continue;
      // A stage that fails mid-body (a chunk signature, broken framing) errors `head`: that is the stage's failure
      // (the sink records it), not the request's.
      if (!head.write(chunk)) await Promise.race([once(head, 'drain').catch(() => undefined), sink]);
    }
  } catch {
    aborted = true;
  }
  if (aborted) head.destroy();
  else if (failure === undefined) head.end();
  await sink;
  try {
    if (aborted) throw incompleteBody();
    if (failure !== undefined) throw failure;
    if (expected !== undefined && size !== expected) throw incompleteBody();
    const md5Hex = md5.digest('hex');
    const contentMd5 = headers['content-md5'];
    if (contentMd5 !== undefined) {
      const given = Buffer.from(contentMd5.trim(), 'base64');
      if (given.length !== 16) throw invalidDigest();
      if (given.toString('hex') !== md5Hex) throw badDigest('Content-MD5');
    }
    let checksum: ReceivedBody['checksum'];
    if (algorithm) {
      const value = digest!.digest();
      const header = checksumHeader(algorithm);
      const given = headers[header] ?? decoder?.trailers[header];
      if (given !== undefined && given.trim() !== value) badChecksum(algorithm);
      checksum = { algorithm, value };
    }
    return { staged, size, md5: md5Hex, checksum };
  } catch (err) {
    files.removeStaged(staged);
    throw err;
  }
}

function badChecksum(algorithm: ChecksumAlgorithm): never {
  // S3's wording for a flexible checksum that does not match.
  throw new AwsError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, { status: 400 });
}

/** CompleteMultipartUpload: the parts' files, in order, into one staging file (with the full-object checksum, if asked). */
async function assemble(files: ObjectFiles, plan: CompletionPlan): Promise<AssembledBody> {
  const staged = files.stagingPath();
  const out = createWriteStream(staged, { highWaterMark: 1024 * 1024 });
  const digest = plan.fullObjectChecksum ? checksumDigest(plan.fullObjectChecksum) : undefined;
  let size = 0;
  try {
    for (const p of plan.parts) {
      for await (const chunk of createReadStream(files.path(p.file), { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
        digest?.update(chunk);
        size += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
      }
    }
    out.end();
    await finished(out);
  } catch (err) {
    out.destroy();
    files.removeStaged(staged);
    // A part file vanished: the upload was aborted or completed meanwhile.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AwsError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { status: 404 });
    }
    throw err;
  }
  return {
    staged, size, md5: '', from: plan.parts.map((p) => p.file),
    checksum: digest ? { algorithm: plan.fullObjectChecksum!, value: digest.digest() } : undefined,
  };
}

/** Bytes start..end (inclusive) of a file. */
async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start, end }) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
