/**
 * The server side of RFC 6455 WebSockets, as much as the Kubernetes stream protocols need: the handshake with a
 * subprotocol the client offered, binary and text messages (fragments joined), ping answered, close answered.
 * Messages Berth sends are single unmasked frames. (No npm package: the server side is this small.)
 * https://www.rfc-editor.org/rfc/rfc6455
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE = 16 * 1024 * 1024;

export interface WebSocketConn {
  readonly protocol: string;
  send(data: Buffer): void;
  onMessage(fn: (data: Buffer) => void): void;
  onClose(fn: () => void): void;
  /** Sends a close frame (normal closure) and ends the connection. */
  close(): void;
}

/** The subprotocols a client offered, in its order of preference. */
export const offeredProtocols = (req: IncomingMessage) => String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);

export const isWebSocket = (req: IncomingMessage) => String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && !!req.headers['sec-websocket-key'];

/** Completes the handshake with `protocol` (one the client offered) and returns the connection. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): WebSocketConn {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`,
    `Sec-WebSocket-Protocol: ${protocol}`, '', ''].join('\r\n'));
  const listeners: ((d: Buffer) => void)[] = [];
  const closers: (() => void)[] = [];
  let closed = false;
  const frame = (opcode: number, payload: Buffer) => {
    if (closed || socket.destroyed) return;
    const len = payload.length;
    const header = len < 126 ? Buffer.from([0x80 | opcode, len])
      : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
    socket.write(Buffer.concat([header, payload]));
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const fn of closers) fn();
  };
  let buf: Buffer = head.length ? Buffer.from(head) : Buffer.alloc(0);
  let fragments: Buffer[] = [];
  const parse = () => {
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (len > MAX_MESSAGE) {
        socket.destroy();
        return;
      }
      const maskAt = at;
      if (masked) at += 4;
      if (buf.length < at + len) return;
      const payload = Buffer.from(buf.subarray(at, at + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buf[maskAt + (i % 4)];
      buf = buf.subarray(at + len);
      if (opcode === 0x8) {
        frame(0x8, payload.subarray(0, 2));
        socket.end();
        finish();
        return;
      }
      if (opcode === 0x9) frame(0xa, payload);
      else if (opcode === 0x0 || opcode === 0x1 || opcode === 0x2) {
        fragments.push(payload);
        if (fin) {
          const message = Buffer.concat(fragments);
          fragments = [];
          for (const fn of listeners) fn(message);
        }
      }
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    parse();
  });
  socket.on('close', finish);
  socket.on('error', finish);
  if (buf.length) setImmediate(parse);
  return {
    protocol,
    send: (data) => frame(0x2, data),
    onMessage: (fn) => listeners.push(fn),
    onClose: (fn) => closers.push(fn),
    close: () => {
      frame(0x8, Buffer.from([0x03, 0xe8]));
      socket.end();
      finish();
    },
  };
}
