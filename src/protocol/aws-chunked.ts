/**
 * The `aws-chunked` content encoding S3 clients use to stream a body whose
 * checksum is only known at its end (flexible checksums) or whose chunks are
 * signed one by one:
 *
 *     <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n   … repeated …
 *     0[;chunk-signature=<sig>]\r\n
 *     [x-amz-checksum-crc32:<base64>\r\n x-amz-trailer-signature:<sig>\r\n]
 *     \r\n
 *
 * The decoder passes the payload bytes through and collects the trailer
 * headers; the framing is never stored. Chunk signatures are checked when
 * the caller passes the seed (signatures enforced, STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
 * each chunk's signature chains from the previous one over the chunk's SHA-256;
 * a trailer signature is not checked. A body that ends early or breaks the framing fails
 * the stream with IncompleteBody / InvalidRequest, as S3 answers.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
import { createHash, createHmac, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from './errors.js';

/** Longest chunk-header or trailer line accepted (a signature extension is ~100 bytes). */
const MAX_LINE = 8 * 1024;
/** S3's largest single PUT is 5 GiB; a chunk cannot be larger. */
const MAX_CHUNK = 5 * 1024 ** 3;

/** Is this request body aws-chunked (by Content-Encoding or the streaming x-amz-content-sha256 values)? */
export function isAwsChunked(headers: Record<string, string | undefined>): boolean {
  const sha = headers['x-amz-content-sha256'] ?? '';
  if (sha.startsWith('STREAMING-')) return true;
  return (headers['content-encoding'] ?? '').split(',').some((e) => e.trim().toLowerCase() === 'aws-chunked');
}

/** Content-Encoding without the transport's aws-chunked token (what the object keeps). */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const rest = value.split(',').map((e) => e.trim()).filter((e) => e && e.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(', ') : undefined;
}

const malformed = (why: string) => new AwsError('InvalidRequest', `The aws-chunked body is malformed: ${why}.`, { status: 400 });

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/** What chunk signatures chain from: the request's signing key, date, scope and (seed) signature. */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

export class AwsChunkedDecoder extends Transform {
  /** Trailer headers by lower-cased name (e.g. x-amz-checksum-crc32), once the body has ended. */
  readonly trailers: Record<string, string> = {};
  private state: State = 'size';
  private line = '';
  private remaining = 0;
  private previous: string | undefined;
  private given = '';
  private hash: Hash | undefined;

  constructor(private readonly signing?: ChunkSigning) {
    super();
    this.previous = signing?.seedSignature;
  }

  /** Checks the chunk just read against its chunk-signature (when verifying). */
  private checkChunk(): void {
    if (!this.signing) return;
    const s = this.signing;
    const text = ['AWS4-HMAC-SHA256-PAYLOAD', s.amzDate, s.scope, this.previous, EMPTY_SHA256, this.hash!.digest('hex')].join('\n');
    const expected = createHmac('sha256', s.signingKey).update(text).digest();
    const given = Buffer.from(this.given, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { status: 403 });
    }
    this.previous = this.given;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // A client may end right after the trailer lines, without the final empty line.
    if (this.state === 'done' || (this.state === 'trailer' && this.line === '')) return done();
    done(new AwsError('IncompleteBody', 'The request body ended before the last aws-chunked chunk.', { status: 400 }));
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'done') return;
      if (this.state === 'data') {
        const n = Math.min(this.remaining, buf.length - i);
        this.hash?.update(buf.subarray(i, i + n));
        this.push(buf.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      // Line-oriented states: read up to the next LF.
      const lf = buf.indexOf(0x0a, i);
      const end = lf === -1 ? buf.length : lf;
      this.line += buf.toString('latin1', i, end);
      if (this.line.length > MAX_LINE) throw malformed('a chunk header line is too long');
      i = end;
      if (lf === -1) return;
      i++;
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'data-end':
        if (line !== '') throw malformed('a chunk is longer than its declared size');
        this.checkChunk();
        this.state = 'size';
        return;
      case 'size': {
        const hex = line.split(';', 1)[0].trim();
        if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw malformed(`"${line.slice(0, 40)}" is not a chunk size`);
        const size = parseInt(hex, 16);
        if (size > MAX_CHUNK) throw malformed('a chunk is larger than 5 GiB');
        if (this.signing) {
          const sig = /;\s*chunk-signature=([0-9a-f]{64})/.exec(line);
          if (!sig) throw malformed('a chunk has no chunk-signature');
          this.given = sig[1];
          this.hash = createHash('sha256');
        }
        if (size === 0) {
          this.checkChunk();
          this.state = 'trailer';
        }
        else {
          this.remaining = size;
          this.state = 'data';
        }
        return;
      }
      case 'trailer': {
        if (line === '') {
          this.state = 'done';
          return;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) throw malformed(`"${line.slice(0, 40)}" is not a trailer header`);
        this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        return;
      }
      default:
        return;
    }
  }
}
