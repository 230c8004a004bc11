/**
 * Smithy's requestCompression: clients gzip large request bodies of the operations that declare it
 * (CloudWatch PutMetricData: the SDK v3 and botocore compress bodies over 10 KiB) and say so with
 * `Content-Encoding: gzip`. S3 never reaches here (its bodies are the user's bytes).
 * https://smithy.io/2.0/spec/behavior-traits.html#requestcompression-trait
 */
import { gunzipSync } from 'node:zlib';
import type { WireRequest } from './codec.js';

/** A decompressed body is capped: a compressed bomb fails as a malformed body instead of taking memory. */
const MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** The request with its body decoded when it is gzip-encoded; unchanged otherwise or when the bytes are not gzip. */
export function decodeRequestBody(req: WireRequest): WireRequest {
  const encodings = (req.headers['content-encoding'] ?? '').split(',').map((e) => e.trim().toLowerCase());
  if (!encodings.includes('gzip') || !req.body.length) return req;
  try {
    return { ...req, body: gunzipSync(req.body, { maxOutputLength: MAX_DECODED_BYTES }) };
  } catch {
    return req;
  }
}
