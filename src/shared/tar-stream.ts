/**
 * Streaming ustar: write entries whose bodies are streams (a snapshot's blobs
 * can be gigabytes), and read an archive entry by entry without holding it in
 * memory. Names up to 255 bytes (the ustar prefix field); regular files and
 * directories only.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

const BLOCK = 512;

function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  const cut = name.lastIndexOf('/', 155);
  if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar: name too long: ${name}`);
  return [name.slice(0, cut), name.slice(cut + 1)];
}

export function tarHeader(name: string, size: number, type: 'file' | 'dir', mode = type === 'dir' ? 0o755 : 0o644, mtime = Date.now()): Buffer {
  const h = Buffer.alloc(BLOCK);
  const [prefix, base] = splitName(name);
  h.write(base, 0, 100, 'utf8');
  h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(`${Math.floor(mtime / 1000).toString(8).padStart(11, '0')}\0`, 136);
  h.write('        ', 148);
  h.write(type === 'dir' ? '5' : '0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

async function write(out: Writable, chunk: Buffer) {
  if (!out.write(chunk)) await once(out, 'drain');
}

export class TarWriter {
  constructor(private readonly out: Writable) {}

  async file(name: string, size: number, body: Readable | Buffer, mode?: number) {
    await write(this.out, tarHeader(name, size, 'file', mode));
    let written = 0;
    if (Buffer.isBuffer(body)) {
      await write(this.out, body);
      written = body.length;
    } else {
      for await (const chunk of body) {
        written += (chunk as Buffer).length;
        await write(this.out, chunk as Buffer);
      }
    }
    if (written !== size) throw new Error(`tar: ${name} changed while archiving (${written} of ${size} bytes)`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad) await write(this.out, Buffer.alloc(pad));
  }

  async dir(name: string) {
    await write(this.out, tarHeader(name.endsWith('/') ? name : `${name}/`, 0, 'dir'));
  }

  async end() {
    await write(this.out, Buffer.alloc(BLOCK * 2));
    this.out.end();
    await once(this.out, 'finish');
  }
}

export interface TarEntryHeader {
  name: string;
  size: number;
  type: 'file' | 'dir' | 'other';
  mode: number;
  /** The raw typeflag ('0' file, '5' dir, '2' symlink, 'x' PAX header, 'L' GNU long name, …). */
  flag: string;
}

const octal = (b: Buffer, start: number, len: number) => parseInt(b.toString('ascii', start, start + len).replace(/\0.*$/, '').trim() || '0', 8);

function parseHeader(h: Buffer): TarEntryHeader | null {
  if (h.every((x) => x === 0)) return null;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  if (sum !== octal(h, 148, 8)) throw new Error('tar: bad header checksum (not a tar archive, or corrupt)');
  const base = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
  const prefix = h.toString('ascii', 257, 262) === 'ustar' ? h.toString('utf8', 345, 500).replace(/\0.*$/s, '') : '';
  const flag = String.fromCharCode(h[156] || 48);
  return {
    name: prefix ? `${prefix}/${base}` : base,
    size: octal(h, 124, 12),
    type: flag === '0' ? 'file' : flag === '5' ? 'dir' : 'other',
    mode: octal(h, 100, 8),
    flag,
  };
}

/**
 * Reads entries in order; `onEntry` consumes each body (an async iterable of
 * chunks that must be drained). Throws on truncation or a corrupt header.
 */
export async function readTar(input: Readable, onEntry: (h: TarEntryHeader, body: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buf: Buffer = Buffer.alloc(0);
  let done = false;
  const fill = async (n: number) => {
    while (buf.length < n && !done) {
      const r = await it.next();
      if (r.done) done = true;
      else buf = buf.length ? Buffer.concat([buf, r.value]) : r.value;
    }
    if (buf.length < n) throw new Error('tar: archive is truncated');
  };
  for (;;) {
    await fill(BLOCK);
    const header = parseHeader(buf.subarray(0, BLOCK));
    buf = buf.subarray(BLOCK);
    if (!header) return;
    let left = header.size;
    async function* body(): AsyncGenerator<Buffer> {
      while (left > 0) {
        if (!buf.length) await fill(1);
        const take = Math.min(left, buf.length);
        const chunk = buf.subarray(0, take);
        buf = buf.subarray(take);
        left -= take;
        yield chunk;
      }
    }
    await onEntry(header, body());
    // Drain whatever the consumer left, then the padding.
    for await (const _ of body()) { /* skip */ }
    const pad = (BLOCK - (header.size % BLOCK)) % BLOCK;
    if (pad) {
      await fill(pad);
      buf = buf.subarray(pad);
    }
  }
}
