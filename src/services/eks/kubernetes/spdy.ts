/**
 * SPDY/3.1 framing, as much as the server side of `kubectl port-forward` needs (port-forward.ts): the frame
 * header, the control frames a Go `spdystream` peer sends or reads (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS,
 * PING, GOAWAY, HEADERS, WINDOW_UPDATE) and data frames; name/value header blocks and their zlib compression with
 * SPDY/3's fixed dictionary. Each direction of a connection keeps one compression context for all its header
 * blocks (a block is a sync-flushed continuation of the same zlib stream), so compressing and decompressing are
 * stateful and in order. (No npm package: the `spdy` package is an HTTP server, not a framer, and this is small.)
 * https://www.chromium.org/spdy/spdy-protocol/spdy-protocol-draft3-1/
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

export const SPDY_VERSION = 3;

/** Control frame types (section 2.6). */
export const FRAME = {
  SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9,
} as const;

/** FLAG_FIN: the sender's last frame on the stream (data frames, SYN_STREAM, SYN_REPLY, HEADERS). */
export const FLAG_FIN = 0x01;
/** SYN_STREAM's FLAG_UNIDIRECTIONAL: the receiver may not send on it. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes used here (section 2.6.3). */
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;

/** A frame's length field is 24 bits; Berth refuses anything larger than this from a peer (Go's io.Copy writes ≤ 32 KiB). */
export const MAX_FRAME_LENGTH = 1 << 24;

/**
 * A decoded frame. Header blocks stay compressed here: decompressing them is stateful (HeaderDecompressor), so the
 * session does it in frame order.
 */
export type SpdyFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'syn_stream'; flags: number; streamId: number; associatedId: number; priority: number; headerBlock: Buffer }
  | { kind: 'syn_reply'; flags: number; streamId: number; headerBlock: Buffer }
  | { kind: 'headers'; flags: number; streamId: number; headerBlock: Buffer }
  | { kind: 'rst_stream'; streamId: number; status: number }
  | { kind: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { kind: 'ping'; id: number }
  | { kind: 'goaway'; lastGoodStreamId: number; status: number }
  | { kind: 'window_update'; streamId: number; delta: number }
  /** A control frame type this module does not know (CREDENTIAL…): skipped, as the spec says to. */
  | { kind: 'unknown'; type: number };

const STREAM_ID = 0x7fffffff;

function controlHeader(type: number, flags: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE(length, 4);
  b[4] = flags;
  return b;
}

const u32 = (...values: number[]) => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};

/** Encodes one frame (header blocks already compressed). */
export function encodeFrame(f: SpdyFrame): Buffer {
  const control = (type: number, flags: number, payload: Buffer) => Buffer.concat([controlHeader(type, flags, payload.length), payload]);
  switch (f.kind) {
    case 'data': {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & STREAM_ID, 0);
      h.writeUInt32BE(f.data.length, 4);
      h[4] = f.flags;
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream':
      return control(FRAME.SYN_STREAM, f.flags, Buffer.concat([u32(f.streamId & STREAM_ID, f.associatedId & STREAM_ID), Buffer.from([(f.priority & 7) << 5, 0]), f.headerBlock]));
    case 'syn_reply':
      return control(FRAME.SYN_REPLY, f.flags, Buffer.concat([u32(f.streamId & STREAM_ID), f.headerBlock]));
    case 'headers':
      return control(FRAME.HEADERS, f.flags, Buffer.concat([u32(f.streamId & STREAM_ID), f.headerBlock]));
    case 'rst_stream':
      return control(FRAME.RST_STREAM, 0, u32(f.streamId & STREAM_ID, f.status));
    case 'settings':
      return control(FRAME.SETTINGS, f.flags, Buffer.concat([u32(f.entries.length), ...f.entries.map((e) => u32(((e.flags & 0xff) << 24) | (e.id & 0xffffff), e.value))]));
    case 'ping':
      return control(FRAME.PING, 0, u32(f.id));
    case 'goaway':
      return control(FRAME.GOAWAY, 0, u32(f.lastGoodStreamId & STREAM_ID, f.status));
    case 'window_update':
      return control(FRAME.WINDOW_UPDATE, 0, u32(f.streamId & STREAM_ID, f.delta & STREAM_ID));
    case 'unknown':
      throw new Error(`cannot encode an unknown frame type ${f.type}`);
  }
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const need = (n: number) => {
    if (p.length < n) throw new SpdyProtocolError(`control frame type ${type} too short (${p.length} bytes)`);
  };
  switch (type) {
    case FRAME.SYN_STREAM:
      need(10);
      return { kind: 'syn_stream', flags, streamId: p.readUInt32BE(0) & STREAM_ID, associatedId: p.readUInt32BE(4) & STREAM_ID, priority: p[8] >> 5, headerBlock: p.subarray(10) };
    case FRAME.SYN_REPLY:
      need(4);
      return { kind: 'syn_reply', flags, streamId: p.readUInt32BE(0) & STREAM_ID, headerBlock: p.subarray(4) };
    case FRAME.HEADERS:
      need(4);
      return { kind: 'headers', flags, streamId: p.readUInt32BE(0) & STREAM_ID, headerBlock: p.subarray(4) };
    case FRAME.RST_STREAM:
      need(8);
      return { kind: 'rst_stream', streamId: p.readUInt32BE(0) & STREAM_ID, status: p.readUInt32BE(4) };
    case FRAME.SETTINGS: {
      need(4);
      const n = p.readUInt32BE(0);
      need(4 + 8 * n);
      const entries = Array.from({ length: n }, (_, i) => ({ flags: p[4 + 8 * i], id: p.readUInt32BE(4 + 8 * i) & 0xffffff, value: p.readUInt32BE(8 + 8 * i) }));
      return { kind: 'settings', flags, entries };
    }
    case FRAME.PING:
      need(4);
      return { kind: 'ping', id: p.readUInt32BE(0) };
    case FRAME.GOAWAY:
      need(8);
      return { kind: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & STREAM_ID, status: p.readUInt32BE(4) };
    case FRAME.WINDOW_UPDATE:
      need(8);
      return { kind: 'window_update', streamId: p.readUInt32BE(0) & STREAM_ID, delta: p.readUInt32BE(4) & STREAM_ID };
    default:
      return { kind: 'unknown', type };
  }
}

/** A peer broke the protocol (wrong version, oversized frame, bad header block): the session ends. */
export class SpdyProtocolError extends Error {}

/** Splits a byte stream into frames, whatever the chunking of the transport (TCP or WebSocket messages). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns the frames now complete. Throws SpdyProtocolError on a frame Berth cannot read. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + length) break;
      const flags = this.buf[4];
      const payload = Buffer.from(this.buf.subarray(8, 8 + length));
      if (this.buf[0] & 0x80) {
        const version = this.buf.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(this.buf.readUInt16BE(2), flags, payload));
      } else {
        frames.push({ kind: 'data', streamId: this.buf.readUInt32BE(0) & STREAM_ID, flags, data: payload });
      }
      this.buf = this.buf.subarray(8 + length);
    }
    return frames;
  }
}

/** Header names are lowercase in SPDY/3; several values of one name travel NUL-separated in one value. */
export type SpdyHeaders = Map<string, string[]>;

/** The uncompressed name/value block (section 2.6.10): a 32-bit pair count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: Iterable<[string, string | string[]]>): Buffer {
  const parts: Buffer[] = [];
  let count = 0;
  for (const [name, value] of headers) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(Array.isArray(value) ? value.join('\0') : value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
    count++;
  }
  return Buffer.concat([u32(count), ...parts]);
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  let at = 0;
  const read = () => {
    if (at + 4 > b.length) throw new SpdyProtocolError('truncated header block');
    const len = b.readUInt32BE(at);
    if (at + 4 + len > b.length) throw new SpdyProtocolError('truncated header block');
    const s = b.toString('utf8', at + 4, at + 4 + len);
    at += 4 + len;
    return s;
  };
  if (b.length < 4) throw new SpdyProtocolError('truncated header block');
  const count = b.readUInt32BE(0);
  at = 4;
  const out: SpdyHeaders = new Map();
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    const value = read();
    out.set(name, [...(out.get(name) ?? []), ...value.split('\0')]);
  }
  return out;
}

/**
 * SPDY/3's zlib dictionary (section 2.6.10.1), 1,423 bytes: the length-prefixed words below, then the text after
 * them with no prefixes. Both ends prime their compression contexts with it.
 */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date',
  'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate',
  'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'user-agent', 'vary', 'via', 'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1',
  'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
  + '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden'
  + '404 Not Found500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug '
  + 'Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,'
  + 'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch'
  + 'charset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const HEADER_DICTIONARY = Buffer.concat([
  ...DICTIONARY_WORDS.flatMap((w) => [u32(w.length), Buffer.from(w, 'latin1')]),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

/**
 * Runs one zlib stream in "one block in, everything it produced out" steps: write, sync flush, collect. The flush
 * callback runs after the output of what was written before it, so each step's output is exactly that block's.
 * Steps are chained, so callers may start the next before the previous resolved and order is kept.
 */
class ZlibSteps {
  private out: Buffer[] = [];
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly z: Deflate | Inflate) {
    z.on('data', (d: Buffer) => this.out.push(d));
    // A corrupt input fails the step that fed it (below); the stream's own 'error' must not crash the process.
    z.on('error', () => undefined);
  }

  step(input: Buffer): Promise<Buffer> {
    const run = () => new Promise<Buffer>((resolve, reject) => {
      const onError = (err: Error) => reject(new SpdyProtocolError(`header block compression: ${err.message}`));
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(constants.Z_SYNC_FLUSH, () => {
        this.z.off('error', onError);
        resolve(Buffer.concat(this.out.splice(0)));
      });
    });
    const p = this.last.then(run, run);
    this.last = p.catch(() => undefined);
    return p;
  }

  close() {
    this.z.close();
  }
}

/** Compresses this side's header blocks (one context for the connection's outgoing direction). */
export class HeaderCompressor {
  private readonly steps = new ZlibSteps(createDeflate({ dictionary: HEADER_DICTIONARY }));
  compress(headers: Iterable<[string, string | string[]]>): Promise<Buffer> {
    return this.steps.step(encodeHeaderBlock(headers));
  }
  close() {
    this.steps.close();
  }
}

/** Decompresses the peer's header blocks (one context for the incoming direction; the dictionary as zlib asks). */
export class HeaderDecompressor {
  private readonly steps = new ZlibSteps(createInflate({ dictionary: HEADER_DICTIONARY }));
  async decompress(block: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.steps.step(block));
  }
  close() {
    this.steps.close();
  }
}
