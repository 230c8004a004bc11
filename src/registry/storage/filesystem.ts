/**
 * The default storage driver: plain files under <dataDir>/registry.
 *
 *     registry/
 *       blobs/sha256/<first two hex>/<hex>   committed blobs, content-addressed
 *       blobs/sha512/<first two hex>/<hex>   (the same, for sha512 digests)
 *       uploads/<id>                         uploads in progress (appended to)
 *
 * Uploads live on the same filesystem as blobs, so a commit is one rename(2):
 * atomic, and never a copy.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync, renameSync, openSync, writeSync, closeSync, existsSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  BlobNotFoundError, UploadNotFoundError, type ByteRange, type OpenBlob, type StorageDriver, type SyncOperations,
} from './driver.js';

/** The algorithms blobs are stored under, each with its hex length. */
const ALGORITHMS = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ } as const;
type Algorithm = keyof typeof ALGORITHMS;

/**
 * Serving buffers, reused across requests: a pull reads the file into one
 * while the socket drains the other, so no chunk is ever allocated (1 MiB
 * buffers allocated per chunk made V8 collect garbage for a third of a pull's
 * CPU time). At most POOL_MAX idle buffers are kept.
 */
const COPY_CHUNK = 2 * 1024 * 1024;
const POOL_MAX = 8;
const pool: Buffer[] = [];
const takeBuffer = () => pool.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK);
const giveBuffer = (b: Buffer) => {
  if (pool.length < POOL_MAX) pool.push(b);
};

/** Resolves once `dest` has taken the chunk (its write callback), rejects if it closes first. */
function writeChunk(dest: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (dest.destroyed || dest.writableEnded) return reject(new Error('the destination closed before the blob was sent'));
    const onClose = () => reject(new Error('the destination closed before the blob was sent'));
    dest.once('close', onClose);
    dest.write(chunk, (err) => {
      dest.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}
const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

export class FilesystemDriver implements StorageDriver {
  readonly name = 'filesystem';
  private readonly blobsDir: string;
  private readonly uploadsDir: string;
  readonly sync: SyncOperations;

  constructor(root: string) {
    this.blobsDir = join(root, 'blobs');
    this.uploadsDir = join(root, 'uploads');
    mkdirSync(join(this.blobsDir, 'sha256'), { recursive: true });
    mkdirSync(this.uploadsDir, { recursive: true });
    this.sync = {
      createUpload: (id) => closeSync(openSync(this.uploadPath(id), 'wx')),
      appendUpload: (id, offset, bytes) => {
        const fd = openSync(this.existingUpload(id), 'r+');
        try {
          writeSync(fd, bytes, 0, bytes.length, offset);
        } finally {
          closeSync(fd);
        }
      },
      commitUpload: (id, digest) => {
        const from = this.existingUpload(id);
        const to = this.blobPath(digest);
        if (existsSync(to)) return unlinkSync(from);
        mkdirSync(join(to, '..'), { recursive: true });
        renameSync(from, to);
      },
      deleteUpload: (id) => rmSync(this.uploadPath(id), { force: true }),
      deleteBlob: (digest) => rmSync(this.blobPath(digest), { force: true }),
    };
  }

  /** Paths are only ever built from validated digests and ids: no traversal. */
  private blobPath(digest: string): string {
    const colon = digest.indexOf(':');
    const algorithm = digest.slice(0, colon) as Algorithm;
    const hex = digest.slice(colon + 1);
    if (!Object.hasOwn(ALGORITHMS, algorithm) || !ALGORITHMS[algorithm].test(hex)) throw new Error(`invalid digest ${digest}`);
    return join(this.blobsDir, algorithm, hex.slice(0, 2), hex);
  }

  private uploadPath(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`invalid upload id ${id}`);
    return join(this.uploadsDir, id);
  }

  private existingUpload(id: string): string {
    const p = this.uploadPath(id);
    if (!existsSync(p)) throw new UploadNotFoundError(id, this.name);
    return p;
  }

  async stat(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const path = this.blobPath(digest);
    // Open before returning so a missing blob is an error here, not a stream error later.
    const stream = createReadStream(path, { ...(range ?? {}), highWaterMark: 1024 * 1024 });
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? new BlobNotFoundError(digest, this.name) : err));
    });
    return stream;
  }

  async open(digest: string): Promise<OpenBlob> {
    let fh: FileHandle;
    try {
      fh = await open(this.blobPath(digest), 'r');
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? new BlobNotFoundError(digest, this.name) : err;
    }
    let size: number;
    try {
      size = (await fh.stat()).size;
    } catch (err) {
      await fh.close();
      throw err;
    }
    const name = this.name;
    return {
      size,
      close: () => fh.close(),
      async copyTo(dest: Writable, range?: ByteRange) {
        let writing: Promise<void> | undefined;
        try {
          let pos = range?.start ?? 0;
          const end = range ? range.end + 1 : size;
          while (pos < end) {
            const buf = takeBuffer();
            let n: number;
            try {
              ({ bytesRead: n } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos));
              if (n === 0) throw new Error(`${name}: blob ${digest} ended at byte ${pos}, before ${end}`);
              // The previous chunk must be taken before this one goes: two buffers in flight at most.
              await writing;
            } catch (err) {
              giveBuffer(buf);
              throw err;
            }
            pos += n;
            writing = writeChunk(dest, buf.subarray(0, n)).finally(() => giveBuffer(buf));
            writing.catch(() => undefined);
          }
          await writing;
        } finally {
          await writing?.catch(() => undefined);
          await fh.close();
        }
      },
    };
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async *list(): AsyncIterable<string> {
    for (const algorithm of Object.keys(ALGORITHMS) as Algorithm[]) {
      const dir = join(this.blobsDir, algorithm);
      for (const prefix of await readdir(dir).catch(() => [] as string[])) {
        for (const hex of await readdir(join(dir, prefix)).catch(() => [] as string[])) {
          if (ALGORITHMS[algorithm].test(hex)) yield `${algorithm}:${hex}`;
        }
      }
    }
  }

  async createUpload(id: string): Promise<void> {
    await writeFile(this.uploadPath(id), '', { flag: 'wx' });
  }

  async uploadSize(id: string): Promise<number | undefined> {
    try {
      return (await stat(this.uploadPath(id))).size;
    } catch {
      return undefined;
    }
  }

  async readUpload(id: string): Promise<Readable> {
    return createReadStream(this.existingUpload(id), { highWaterMark: 1024 * 1024 });
  }

  uploadWriter(id: string, offset: number): Writable {
    return createWriteStream(this.existingUpload(id), { flags: 'r+', start: offset, highWaterMark: 1024 * 1024 });
  }

  async truncateUpload(id: string, size: number): Promise<void> {
    await truncate(this.existingUpload(id), size);
  }

  async commitUpload(id: string, digest: string): Promise<void> {
    const from = this.existingUpload(id);
    const to = this.blobPath(digest);
    if (existsSync(to)) return unlink(from);
    await mkdir(join(to, '..'), { recursive: true });
    await rename(from, to);
  }

  async deleteUpload(id: string): Promise<void> {
    await rm(this.uploadPath(id), { force: true });
  }

  async purgeUploads(): Promise<void> {
    await rm(this.uploadsDir, { recursive: true, force: true });
    await mkdir(this.uploadsDir, { recursive: true });
  }
}
