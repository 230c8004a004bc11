/**
 * Docker's multiplexed log stream (containers without a TTY): frames of an
 * 8-byte header [stream, 0, 0, 0, size (uint32 BE)] then `size` bytes. With
 * timestamps=1 every line starts with an RFC 3339 time and a space.
 */
import type { Readable } from 'node:stream';
import type { LogLine } from '../driver.js';

export async function demuxLogFrames(stream: Readable, onLine: (line: LogLine) => void): Promise<void> {
  let buf: Buffer = Buffer.alloc(0);
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const emit = (which: 'stdout' | 'stderr', text: string) => {
    const lines = (partial[which] + text).split('\n');
    partial[which] = lines.pop() ?? '';
    for (const raw of lines) emitLine(which, raw, onLine);
  };
  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const which = buf[0] === 2 ? 'stderr' : 'stdout';
      emit(which, buf.subarray(8, 8 + size).toString('utf8'));
      buf = buf.subarray(8 + size);
    }
  }
  for (const which of ['stdout', 'stderr'] as const) if (partial[which]) emitLine(which, partial[which], onLine);
}

function emitLine(stream: 'stdout' | 'stderr', raw: string, onLine: (line: LogLine) => void) {
  const sp = raw.indexOf(' ');
  const ts = sp > 0 ? new Date(raw.slice(0, sp)) : new Date(NaN);
  if (Number.isNaN(ts.getTime())) onLine({ stream, timestamp: new Date(), message: raw });
  else onLine({ stream, timestamp: ts, message: raw.slice(sp + 1) });
}
