/**
 * Just enough ASN.1 DER (ITU-T X.690) to write a minimal X.509 v3 certificate
 * and to read the few fields node:crypto's X509Certificate does not expose
 * (signature algorithm, key usage bits). Values are Buffers of whole TLVs.
 */

export const TAG = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31,
} as const;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const sequence = (...items: Buffer[]) => tlv(TAG.SEQUENCE, Buffer.concat(items));
export const set = (...items: Buffer[]) => tlv(TAG.SET, Buffer.concat(items));
export const octetString = (content: Buffer) => tlv(TAG.OCTET_STRING, content);
export const nullValue = () => tlv(TAG.NULL, Buffer.alloc(0));
export const boolean = (v: boolean) => tlv(TAG.BOOLEAN, Buffer.from([v ? 0xff : 0]));
export const utf8String = (s: string) => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printableString = (s: string) => tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'ascii'));
/** [n] EXPLICIT: a constructed context-specific wrapper. */
export const explicit = (n: number, content: Buffer) => tlv(0xa0 | n, content);
/** [n] IMPLICIT primitive (e.g. a GeneralName's dNSName is [2] IA5String). */
export const implicitPrimitive = (n: number, content: Buffer) => tlv(0x80 | n, content);

/** A non-negative INTEGER from its big-endian magnitude (a leading zero keeps it positive). */
export function unsignedInteger(magnitude: Buffer | number): Buffer {
  let bytes = magnitude;
  if (typeof bytes === 'number') {
    const hex = bytes.toString(16);
    bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  }
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  bytes = bytes.subarray(i);
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** A BIT STRING of whole bytes (no unused bits): keys and signatures. */
export const bitString = (content: Buffer) => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), content]));

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(TAG.UTC_TIME, Buffer.from(iso.slice(2), 'ascii')) : tlv(TAG.GENERALIZED_TIME, Buffer.from(iso, 'ascii'));
}

// ---- reading ------------------------------------------------------------------

export interface Node {
  tag: number;
  /** The content octets. */
  content: Buffer;
  /** Offset just past this node in the buffer it was read from. */
  end: number;
}

export function readNode(buf: Buffer, offset = 0): Node {
  if (offset + 2 > buf.length) throw new Error('truncated DER');
  const tag = buf[offset];
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    pos += n;
  }
  if (pos + len > buf.length) throw new Error('truncated DER');
  return { tag, content: buf.subarray(pos, pos + len), end: pos + len };
}

/** The nodes inside a constructed node. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let pos = 0; pos < node.content.length;) {
    const child = readNode(node.content, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function readOid(content: Buffer): string {
  const parts = [Math.floor(content[0] / 40), content[0] % 40];
  let v = 0;
  for (const b of content.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
