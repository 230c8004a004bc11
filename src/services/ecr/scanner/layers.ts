/**
 * Reading an image's filesystem the way a container runtime would assemble
 * it, but only for the few files the scanner needs: layers are streamed in
 * order (gzip or plain tar; nothing is held but the wanted files), later layers
 * replace earlier files, and OCI/AUFS whiteouts (`.wh.<name>`, and the opaque
 * `.wh..wh..opq`) hide what lower layers had.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readTar } from '../../../shared/tar-stream.js';

/** The most a wanted file may weigh; larger ones are skipped (a lockfile this big is not a lockfile). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Files the inventory reads: package databases, lockfiles, os-release. */
export function isWanted(path: string): boolean {
  if (path === 'var/lib/dpkg/status' || path === 'lib/apk/db/installed') return true;
  if (path === 'etc/os-release' || path === 'usr/lib/os-release') return true;
  if (path.startsWith('var/lib/dpkg/status.d/') && !path.endsWith('.md5sums')) return true;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'package-lock.json' && !path.includes('node_modules/');
}

export class UnsupportedLayerError extends Error {}

const normalize = (name: string) => name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');

/** A layer's bytes, decompressed by what its first bytes say it is. */
async function tarStream(raw: Readable): Promise<Readable> {
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  const whole = Readable.from((async function* () {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })());
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    whole.on('error', (err) => gunzip.destroy(err));
    return whole.pipe(gunzip);
  }
  if (head.readUInt32LE(0) === 0xfd2fb528) throw new UnsupportedLayerError('zstd-compressed layers are not supported');
  return whole;
}

async function collect(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) return undefined;
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** PAX extended header records: "<len> key=value\n". */
function paxPath(record: Buffer): string | undefined {
  let rest = record.toString('utf8');
  while (rest.length) {
    const m = /^(\d+) /.exec(rest);
    if (!m) return undefined;
    const len = Number(m[1]);
    const entry = rest.slice(m[0].length, len - 1);
    if (entry.startsWith('path=')) return entry.slice(5);
    rest = rest.slice(len);
  }
  return undefined;
}

/** Applies one layer's whiteouts to the files below it. */
function applyWhiteouts(files: Map<string, Buffer>, whiteouts: string[], opaqueDirs: string[]) {
  for (const path of files.keys()) {
    const hidden = whiteouts.some((w) => path === w || path.startsWith(`${w}/`)) ||
      opaqueDirs.some((d) => d === '' || path.startsWith(`${d}/`));
    if (hidden) files.delete(path);
  }
}

/**
 * The wanted files of the image whose layers `openLayer(i)` streams (lowest
 * first), as the merged filesystem has them.
 */
export async function readImageFiles(layerCount: number, openLayer: (index: number) => Promise<Readable>): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < layerCount; i++) {
    const added = new Map<string, Buffer>();
    const whiteouts: string[] = [];
    const opaqueDirs: string[] = [];
    let longName: string | undefined;
    await readTar(await tarStream(await openLayer(i)), async (h, body) => {
      if (h.flag === 'x' || h.flag === 'L') {
        const data = await collect(body, 1024 * 1024);
        longName = data && (h.flag === 'L' ? data.toString('utf8').replace(/\0.*$/s, '') : paxPath(data));
        return;
      }
      const path = normalize(longName ?? h.name);
      longName = undefined;
      const slash = path.lastIndexOf('/');
      const dir = slash < 0 ? '' : path.slice(0, slash);
      const base = path.slice(slash + 1);
      if (base === OPAQUE) {
        opaqueDirs.push(dir);
      } else if (base.startsWith(WHITEOUT)) {
        whiteouts.push(dir ? `${dir}/${base.slice(WHITEOUT.length)}` : base.slice(WHITEOUT.length));
      } else if ((h.type === 'file' || h.flag === '7') && isWanted(path)) {
        const data = await collect(body, MAX_FILE_BYTES);
        if (data) added.set(path, data);
      } else if (h.type !== 'dir' && files.has(path)) {
        // Something else (a symlink, an oversized file) in place of a wanted file hides the lower copy.
        whiteouts.push(path);
      }
    });
    applyWhiteouts(files, whiteouts, opaqueDirs);
    for (const [path, data] of added) files.set(path, data);
  }
  return files;
}
