/**
 * Docker's multiplexed log stream (containers without a TTY): frames of an
 * 8-byte header [stream, 0, 0, 0, size (uint32 BE)] then `size` bytes. Each
 * frame is one log message; with timestamps=1 it starts with an RFC 3339 time
 * and a space.
 *
 * A message is one line with its newline, except that the engine cuts a line
 * longer than 16 KiB into several "partial" messages: each carries the line's
 * timestamp, and only the last one ends in "\n" (Podman's compatible API does
 * the same). They are joined back into one line per stream (a cut may fall
 * inside a UTF-8 character), as the awslogs driver ships them; a line longer
 * than MAX_LINE_BYTES is delivered in pieces of at most that size, so one
 * endless line cannot hold unbounded memory.
 */
import type { Readable } from 'node:stream';
import type { LogLine } from '../driver.js';

/** Above CloudWatch's 256 KiB event limit, so the awslogs shipper decides how such a line is split. */
export const MAX_LINE_BYTES = 1024 * 1024;

type StreamName = LogLine['stream'];

export async function demuxLogFrames(stream: Readable, onLine: (line: LogLine) => void, maxLineBytes = MAX_LINE_BYTES): Promise<void> {
  const lines = { stdout: new LineJoiner('stdout', onLine, maxLineBytes), stderr: new LineJoiner('stderr', onLine, maxLineBytes) };
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    let at = 0;
    while (buf.length - at >= 8) {
      const size = buf.readUInt32BE(at + 4);
      if (buf.length - at < 8 + size) break;
      lines[buf[at] === 2 ? 'stderr' : 'stdout'].message(buf.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    buf = buf.subarray(at);
  }
  // The container's last output may have no newline.
  lines.stdout.end();
  lines.stderr.end();
}

/** One stream's line being assembled from messages. */
class LineJoiner {
  private parts: Buffer[] = [];
  private bytes = 0;
  private timestamp?: Date;

  constructor(
    private readonly stream: StreamName,
    private readonly onLine: (line: LogLine) => void,
    private readonly maxBytes: number,
  ) {}

  message(payload: Buffer) {
    let { timestamp, text } = splitTimestamp(payload);
    for (let nl = text.indexOf(0x0a); nl >= 0; nl = text.indexOf(0x0a)) {
      this.append(timestamp, text.subarray(0, nl));
      this.flush();
      // Engines send one line per message; should one hold several, each line may carry its own time.
      const next = splitTimestamp(text.subarray(nl + 1));
      timestamp = next.timestamp ?? timestamp;
      text = next.text;
    }
    if (text.length) this.append(timestamp, text);
  }

  end() {
    if (this.parts.length) this.flush();
  }

  private append(timestamp: Date | undefined, part: Buffer) {
    this.timestamp ??= timestamp;
    while (this.bytes + part.length > this.maxBytes) {
      let cut = this.maxBytes - this.bytes;
      // Not inside a UTF-8 character (continuation bytes are 10xxxxxx).
      while (cut > 0 && (part[cut] & 0xc0) === 0x80) cut--;
      if (cut === 0 && !this.bytes) cut = this.maxBytes; // not UTF-8 at all: cut anyway
      if (cut > 0) {
        this.parts.push(part.subarray(0, cut));
        this.bytes += cut;
        part = part.subarray(cut);
      }
      const timestamp = this.timestamp;
      this.flush();
      this.timestamp = timestamp;
    }
    if (part.length) {
      this.parts.push(part);
      this.bytes += part.length;
    }
  }

  private flush() {
    const message = (this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts)).toString('utf8');
    this.onLine({ stream: this.stream, timestamp: this.timestamp ?? new Date(), message });
    this.parts = [];
    this.bytes = 0;
    this.timestamp = undefined;
  }
}

const RFC3339_START = /^\d{4}-\d\d-\d\dT/;

function splitTimestamp(payload: Buffer): { timestamp?: Date; text: Buffer } {
  const sp = payload.indexOf(0x20);
  if (sp > 0 && sp <= 40) {
    const head = payload.toString('latin1', 0, sp);
    const ts = RFC3339_START.test(head) ? new Date(head) : undefined;
    if (ts && !Number.isNaN(ts.getTime())) return { timestamp: ts, text: payload.subarray(sp + 1) };
  }
  return { text: payload };
}
