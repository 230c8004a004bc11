import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { LogLine } from '../driver.js';
import { demuxLogFrames } from './log-frames.js';

const KIB = 1024;
const T1 = '2026-01-02T03:04:05.123456789Z';
const T2 = '2026-01-02T03:04:06.000000001Z';

/** One frame of the multiplexed stream: stream 1 = stdout, 2 = stderr. */
function frame(stream: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** A line as Docker sends it with timestamps=1: cut every 16 KiB (bytes), each part with the line's time, the last with "\n". */
function messages(stream: 1 | 2, ts: string, line: string): Buffer[] {
  const bytes = Buffer.from(line, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 16 * KIB) {
    const part = bytes.subarray(i, i + 16 * KIB);
    const last = i + 16 * KIB >= bytes.length;
    out.push(frame(stream, Buffer.concat([Buffer.from(`${ts} `), part, Buffer.from(last ? '\n' : '')])));
  }
  return out;
}

async function demux(chunks: Buffer[], maxLineBytes?: number): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  await demuxLogFrames(Readable.from(chunks), (l) => lines.push(l), maxLineBytes);
  return lines;
}

/** The same bytes, re-cut into chunks of `size` (as the network delivers them). */
const rechunk = (bufs: Buffer[], size: number) => {
  const all = Buffer.concat(bufs);
  return Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.subarray(i * size, (i + 1) * size));
};

describe('Docker log frames → lines', () => {
  it('a 40 KiB line the engine cut into 16 KiB partial messages is one line with its own time, then the next line', async () => {
    const long = 'x'.repeat(40 * KIB);
    const lines = await demux([...messages(1, T1, long), ...messages(1, T2, 'short')]);
    assert.equal(lines.length, 2);
    assert.equal(lines[0].message, long);
    assert.equal(lines[0].timestamp.toISOString(), '2026-01-02T03:04:05.123Z');
    assert.equal(lines[0].stream, 'stdout');
    assert.deepEqual([lines[1].message, lines[1].timestamp.toISOString()], ['short', '2026-01-02T03:04:06.000Z']);
  });

  it('stdout and stderr are joined separately when their partial messages interleave', async () => {
    const out = 'o'.repeat(20 * KIB);
    const err = 'e'.repeat(33 * KIB);
    const [o1, o2] = messages(1, T1, out);
    const [e1, e2, e3] = messages(2, T2, err);
    const lines = await demux([o1, e1, o2, e2, e3]);
    assert.deepEqual(lines.map((l) => [l.stream, l.message]), [['stdout', out], ['stderr', err]]);
    assert.deepEqual(lines.map((l) => l.timestamp.toISOString()), ['2026-01-02T03:04:05.123Z', '2026-01-02T03:04:06.000Z']);
  });

  it('a cut inside a UTF-8 character and frames split anywhere by the network still give the exact text', async () => {
    // 3-byte characters: 16 KiB is not a multiple of 3, so the engine's cuts fall inside characters.
    const long = '€'.repeat(12 * KIB);
    const lines = await demux(rechunk([...messages(1, T1, long), ...messages(2, T2, 'ünïcode')], 1000));
    assert.deepEqual(lines.map((l) => l.message), [long, 'ünïcode']);
  });

  it('output without a final newline and empty lines are delivered as they are', async () => {
    const lines = await demux([frame(1, `${T1} \n`), frame(1, `${T1} a\n`), frame(2, `${T2} no newline`)]);
    assert.deepEqual(lines.map((l) => [l.stream, l.message]), [['stdout', ''], ['stdout', 'a'], ['stderr', 'no newline']]);
  });

  it('a line longer than the bound is delivered in pieces no larger than it, never cutting a character', async () => {
    const long = `${'a'.repeat(9)}${'€'.repeat(20)}`; // 69 bytes
    const lines = await demux(messages(1, T1, long).concat(messages(1, T2, 'next')), 16);
    assert.equal(lines.map((l) => l.message).join(''), `${long}next`);
    for (const l of lines) assert.ok(Buffer.byteLength(l.message) <= 16, `${Buffer.byteLength(l.message)} bytes`);
    assert.ok(lines.slice(0, -1).every((l) => l.timestamp.toISOString() === '2026-01-02T03:04:05.123Z'), 'every piece carries the line time');
    assert.equal(lines.at(-1)!.message, 'next');
  });
});
