/**
 * Smithy RPC v2 CBOR (botocore ≥ 1.40 speaks it to CloudWatch): POST
 * /service/<ServiceName>/operation/<Operation> with `smithy-protocol: rpc-v2-cbor`
 * and a CBOR body. Berth serves no operation over it yet; it only recognises such
 * requests and writes their errors: a CBOR map {__type, message} with the same
 * headers, which clients read as a service error.
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
 */
import type { ResponseContext, WireRequest, WireResponse } from './codec.js';
import type { AwsError } from './errors.js';

const PATH = /^\/service\/([^/]+)\/operation\/([^/]+)$/;

export function speaksRpcV2Cbor(req: WireRequest): boolean {
  return req.headers['smithy-protocol'] === 'rpc-v2-cbor';
}

/** The service shape name and operation a request's path names. */
export function rpcV2Target(req: WireRequest): { service: string; operation: string } | undefined {
  const m = PATH.exec(req.path);
  return m ? { service: m[1], operation: m[2] } : undefined;
}

export function serializeCborError(err: AwsError, ctx: ResponseContext): WireResponse {
  const status = err.status ?? 400;
  const body = encodeTextMap({ __type: err.code, message: err.message });
  const headers: Record<string, string> = {
    'content-type': 'application/cbor',
    'smithy-protocol': 'rpc-v2-cbor',
    'x-amzn-requestid': ctx.requestId,
  };
  return { status, headers, body };
}

/** A CBOR map of text strings to text strings (RFC 8949, definite lengths). */
export function encodeTextMap(map: Record<string, string>): Buffer {
  const entries = Object.entries(map);
  const parts: Buffer[] = [head(5, entries.length)];
  for (const [k, v] of entries) parts.push(text(k), text(v));
  return Buffer.concat(parts);
}

function text(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([head(3, bytes.length), bytes]);
}

function head(major: number, n: number): Buffer {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) return Buffer.from([m | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = m | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
