/**
 * CBOR (RFC 8949), the subset Smithy RPC v2 uses and everything a decoder must
 * accept from it: unsigned and negative integers (beyond 2^53 as bigint), byte and
 * text strings (definite and indefinite length), arrays and maps (both lengths),
 * tags (1 = epoch-seconds timestamp, 2/3 = bignums; others kept as `Tagged`),
 * half/single/double floats, true/false/null/undefined.
 *
 * Decoded values: numbers (or bigint), Buffer for byte strings, string, arrays,
 * plain objects for maps (Smithy maps are keyed by strings), Date for tag 1,
 * bigint for tags 2/3, `Tagged` for any other tag.
 * Encoding writes definite lengths and the shortest integer heads; a non-integer
 * number as a double (botocore and the SDK both send doubles), a Date as tag 1
 * over an integer or a double.
 */

export class Tagged {
  constructor(readonly tag: number, readonly value: unknown) {}
}

export class CborError extends Error {}

/** A number to write as a double even when it is integral (a double member's 42 is 42.0 on AWS's wire). */
export class CborDouble {
  constructor(readonly value: number) {}
}

const MAX_DEPTH = 64;

// ---------------------------------------------------------------- decoding

export function decodeCbor(bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const value = r.item(0);
  if (r.pos !== bytes.length) throw new CborError(`trailing bytes after the CBOR item at offset ${r.pos}`);
  return value;
}

/** Marks the end of an indefinite-length item (the 0xff "break"). */
const BREAK = Symbol('break');

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number) {
    if (this.pos + n > this.bytes.length) throw new CborError('unexpected end of CBOR input');
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  /** The argument of a head: the value of additional info 0..27 (bigint past 2^53). */
  private argument(info: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24: return this.byte();
      case 25: this.need(2); this.pos += 2; return this.view.getUint16(this.pos - 2);
      case 26: this.need(4); this.pos += 4; return this.view.getUint32(this.pos - 4);
      case 27: {
        this.need(8);
        const n = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      default: throw new CborError(`reserved additional information ${info}`);
    }
  }

  private length(info: number): number {
    const n = this.argument(info);
    if (typeof n === 'bigint' || n > this.bytes.length) throw new CborError('CBOR length exceeds the input');
    return n;
  }

  item(depth: number): unknown {
    const v = this.itemOrBreak(depth);
    if (v === BREAK) throw new CborError('unexpected break');
    return v;
  }

  private itemOrBreak(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new CborError('CBOR nesting too deep');
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0: return this.argument(info);
      case 1: {
        const n = this.argument(info);
        return typeof n === 'bigint' ? -1n - n : -1 - n;
      }
      case 2: return info === 31 ? this.chunks(2, depth) : Buffer.from(this.slice(this.length(info)));
      case 3: return info === 31 ? this.chunks(3, depth) : Buffer.from(this.slice(this.length(info))).toString('utf8');
      case 4: {
        const out: unknown[] = [];
        if (info === 31) {
          for (let v = this.itemOrBreak(depth + 1); v !== BREAK; v = this.itemOrBreak(depth + 1)) out.push(v);
        } else {
          const n = this.length(info);
          for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        }
        return out;
      }
      case 5: {
        const out: Record<string, unknown> = {};
        if (info === 31) {
          for (let k = this.itemOrBreak(depth + 1); k !== BREAK; k = this.itemOrBreak(depth + 1)) {
            out[keyOf(k)] = this.item(depth + 1);
          }
        } else {
          const n = this.length(info);
          for (let i = 0; i < n; i++) {
            const k = keyOf(this.item(depth + 1));
            out[k] = this.item(depth + 1);
          }
        }
        return out;
      }
      case 6: {
        const tag = this.argument(info);
        const value = this.item(depth + 1);
        return tagged(Number(tag), value);
      }
      default: return this.simple(info);
    }
  }

  private slice(n: number): Uint8Array {
    this.need(n);
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  /** An indefinite-length byte or text string: definite chunks of the same major type until break. */
  private chunks(major: 2 | 3, depth: number): Buffer | string {
    const parts: Buffer[] = [];
    for (;;) {
      const head = this.byte();
      if (head === 0xff) break;
      if (head >> 5 !== major || (head & 0x1f) === 31) throw new CborError('bad chunk in an indefinite-length string');
      parts.push(Buffer.from(this.slice(this.length(head & 0x1f))));
      if (parts.length > this.bytes.length) throw new CborError('too many chunks');
    }
    void depth;
    const all = Buffer.concat(parts);
    return major === 3 ? all.toString('utf8') : all;
  }

  private simple(info: number): unknown {
    switch (info) {
      case 20: return false;
      case 21: return true;
      case 22: return null;
      case 23: return undefined;
      case 24: this.byte(); return undefined; // an unassigned simple value
      case 25: { this.need(2); this.pos += 2; return halfToNumber(this.view.getUint16(this.pos - 2)); }
      case 26: { this.need(4); this.pos += 4; return this.view.getFloat32(this.pos - 4); }
      case 27: { this.need(8); this.pos += 8; return this.view.getFloat64(this.pos - 8); }
      case 31: return BREAK;
      default:
        if (info < 20) return undefined;
        throw new CborError(`reserved simple value ${info}`);
    }
  }
}

function keyOf(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  throw new CborError('map keys must be strings');
}

function tagged(tag: number, value: unknown): unknown {
  if (tag === 1) {
    if (typeof value !== 'number') throw new CborError('tag 1 must wrap a number');
    return new Date(Math.round(value * 1000));
  }
  if (tag === 2 || tag === 3) {
    if (!Buffer.isBuffer(value)) throw new CborError('bignum tags wrap a byte string');
    const n = value.length ? BigInt(`0x${value.toString('hex')}`) : 0n;
    return tag === 2 ? n : -1n - n;
  }
  return new Tagged(tag, value);
}

/** IEEE 754 binary16 → number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// ---------------------------------------------------------------- encoding

/** Encodes a value: see the module comment for the mapping. `undefined` members of objects are skipped. */
export function encodeCbor(value: unknown): Buffer {
  const w = new Writer();
  w.item(value, 0);
  return w.done();
}

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private room(n: number) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private head(major: number, n: number | bigint) {
    const m = major << 5;
    this.room(9);
    if (typeof n === 'bigint' || n > 0xffffffff) {
      this.buf[this.pos++] = m | 27;
      this.buf.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    } else if (n < 24) {
      this.buf[this.pos++] = m | n;
    } else if (n < 0x100) {
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      this.buf[this.pos++] = m | 26;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  private bytes(major: 2 | 3, b: Uint8Array) {
    this.head(major, b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private number(n: number) {
    if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) {
      if (n >= 0) this.head(0, n);
      else this.head(1, -1 - n);
      return;
    }
    this.room(9);
    if (Number.isNaN(n) || !Number.isFinite(n)) {
      // NaN and the infinities are exact as halves, as botocore writes them.
      this.buf[this.pos++] = 0xf9;
      this.buf.writeUInt16BE(Number.isNaN(n) ? 0x7e00 : n > 0 ? 0x7c00 : 0xfc00, this.pos);
      this.pos += 2;
      return;
    }
    this.double(n);
  }

  private double(n: number) {
    this.room(9);
    this.buf[this.pos++] = 0xfb;
    this.buf.writeDoubleBE(n, this.pos);
    this.pos += 8;
  }

  private bigint(n: bigint) {
    const max = 0xffffffffffffffffn;
    if (n >= 0n && n <= max) return this.head(0, n);
    if (n < 0n && -1n - n <= max) return this.head(1, -1n - n);
    const magnitude = n >= 0n ? n : -1n - n;
    let hex = magnitude.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    this.head(6, n >= 0n ? 2 : 3);
    this.bytes(2, Buffer.from(hex, 'hex'));
  }

  item(value: unknown, depth: number): void {
    if (depth > MAX_DEPTH) throw new CborError('value nested too deep to encode');
    if (value === null) return this.simpleByte(0xf6);
    if (value === undefined) return this.simpleByte(0xf7);
    switch (typeof value) {
      case 'boolean': return this.simpleByte(value ? 0xf5 : 0xf4);
      case 'number': return this.number(value);
      case 'bigint': return this.bigint(value);
      case 'string': return this.bytes(3, Buffer.from(value, 'utf8'));
      default: break;
    }
    if (value instanceof Date) {
      this.head(6, 1);
      return this.number(value.getTime() / 1000);
    }
    if (value instanceof Uint8Array) return this.bytes(2, value);
    if (value instanceof CborDouble) return this.double(value.value);
    if (value instanceof Tagged) {
      this.head(6, value.tag);
      return this.item(value.value, depth + 1);
    }
    if (Array.isArray(value)) {
      this.head(4, value.length);
      for (const v of value) this.item(v, depth + 1);
      return;
    }
    if (value instanceof Map) {
      this.head(5, value.size);
      for (const [k, v] of value) {
        this.item(k, depth + 1);
        this.item(v, depth + 1);
      }
      return;
    }
    if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      this.head(5, entries.length);
      for (const [k, v] of entries) {
        this.bytes(3, Buffer.from(k, 'utf8'));
        this.item(v, depth + 1);
      }
      return;
    }
    throw new CborError(`cannot encode a ${typeof value} as CBOR`);
  }

  private simpleByte(b: number) {
    this.room(1);
    this.buf[this.pos++] = b;
  }
}
