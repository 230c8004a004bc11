/**
 * The server name (SNI) a TLS client asks for, read from its ClientHello before the handshake starts, so that an
 * HTTPS or TLS listener can hand the connection to a TLS server whose only certificate is the one ELB picks for that
 * name (tls.ts). Node's SNICallback cannot do that: it adds the chosen certificate beside the server's default one
 * (OpenSSL keeps a certificate per key type), and OpenSSL may then still present the default, as it did for an RSA
 * certificate on a listener whose default is ECDSA (an App Runner custom domain on Express's shared listener).
 * https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2 and https://www.rfc-editor.org/rfc/rfc6066#section-3
 */
import type net from 'node:net';

/** The ClientHello was read (with the name it asks for, if any), or more bytes are needed. */
export type HelloName = { done: true; name?: string } | { done: false };

const HANDSHAKE = 22;
const CLIENT_HELLO = 1;
const SERVER_NAME = 0;
const HOST_NAME = 0;
/** A TLS record's largest plaintext, and its 5-byte header. */
const MAX_RECORD = 16_384 + 5;

/**
 * The name in the ClientHello at the start of `buf`. Anything that is not a well-formed ClientHello is done with
 * no name: the TLS server then refuses it as it would have. Only the first record is read: a ClientHello that
 * continues into a second one (tens of kilobytes of extensions) is served the default certificate.
 */
export function serverName(buf: Buffer): HelloName {
  if (buf.length < 5) return buf.length > 0 && buf[0] !== HANDSHAKE ? { done: true } : { done: false };
  if (buf[0] !== HANDSHAKE) return { done: true };
  const recordEnd = 5 + buf.readUInt16BE(3);
  if (buf.length < recordEnd && recordEnd <= MAX_RECORD) return { done: false };
  const body = buf.subarray(5, Math.min(recordEnd, buf.length));
  try {
    return { done: true, name: helloName(body) };
  } catch {
    return { done: true }; // read past the end: not a well-formed hello
  }
}

function helloName(body: Buffer): string | undefined {
  if (body[0] !== CLIENT_HELLO) return undefined;
  let p = 4 + 2 + 32; // handshake header, legacy version, random
  p += 1 + byte(body, p); // legacy session id
  p += 2 + body.readUInt16BE(p); // cipher suites
  p += 1 + byte(body, p); // legacy compression methods
  const end = Math.min(p + 2 + body.readUInt16BE(p), body.length);
  p += 2;
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p);
    const length = body.readUInt16BE(p + 2);
    p += 4;
    if (type === SERVER_NAME) {
      // server_name_list: a 2-byte length, then entries of a type byte and a 2-byte-length name.
      let q = p + 2;
      while (q + 3 <= p + length) {
        const nameLength = body.readUInt16BE(q + 1);
        if (body[q] === HOST_NAME && q + 3 + nameLength <= body.length) return body.toString('latin1', q + 3, q + 3 + nameLength);
        q += 3 + nameLength;
      }
      return undefined;
    }
    p += length;
  }
  return undefined;
}

function byte(buf: Buffer, at: number): number {
  if (at >= buf.length) throw new RangeError('past the end');
  return buf[at];
}

/** How long a client may take to send its ClientHello (Node's TLS servers allow the same by default). */
const HELLO_TIMEOUT_MS = 120_000;

/**
 * Reads the socket until its ClientHello is in, puts what was read back (the TLS server reads it first), pauses
 * the socket and calls `done` with the name asked for. A client that sends no hello in time is disconnected.
 */
export function readServerName(socket: net.Socket, done: (name: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
  timer.unref();
  const stop = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', stop);
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    const read = chunks.length === 1 ? chunk : Buffer.concat(chunks);
    const hello = serverName(read);
    if (!hello.done) return;
    stop();
    socket.pause();
    socket.unshift(read);
    done(hello.name);
  };
  socket.on('data', onData);
  socket.once('close', stop);
}
