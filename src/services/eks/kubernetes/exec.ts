/**
 * `kubectl exec` (pods/exec): the command runs in the pod's container through the engine's exec, and its streams
 * travel over a WebSocket with the Kubernetes channel protocol kubectl 1.30+ speaks by default — `v5.channel.k8s.io`
 * (or v4): each binary message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal
 * resize; v5's 255 closes a channel, as stdin's EOF). The exit is reported as a Status on channel 3: Success, or
 * Failure with reason NonZeroExitCode and the code as kubectl reads it. SPDY (what kubectl falls back to against an
 * older server) is not served.
 * https://github.com/kubernetes/enhancements/tree/master/keps/sig-api-machinery/4006-transition-spdy-to-websockets
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from './objects.js';
import { badRequest, KubeError } from './status.js';
import { acceptWebSocket, isWebSocket, offeredProtocols } from './websocket.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

export interface PodExecQuery {
  cluster: string;
  pod: KubeObject;
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
}

/** A running exec (the engine's): what the stream feeds and waits on. */
export interface PodExecSession {
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  readonly exited: Promise<number>;
  close(): void;
}

/** Writes an HTTP error answer on a socket that was not upgraded. */
export function refuseUpgrade(socket: Duplex, err: KubeError) {
  const body = JSON.stringify(err.status());
  socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

const bool = (v: string | null) => v === 'true' || v === '1';

/** Serves one exec request on an upgraded connection; `exec` starts the command (undefined: the container is not running). */
export async function serveExec(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, q: URLSearchParams,
  exec: (q: Omit<PodExecQuery, 'cluster'>) => Promise<PodExecSession | undefined>): Promise<void> {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const container = q.get('container') ?? pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? containers[0];
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  const command = q.getAll('command');
  if (!command.length) throw badRequest('you must specify at least 1 command');
  if (!isWebSocket(req)) throw badRequest('Berth serves exec over WebSocket (v5.channel.k8s.io, kubectl 1.30 and later); SPDY is not implemented');
  const protocol = offeredProtocols(req).find((p) => PROTOCOLS.includes(p));
  if (!protocol) throw badRequest(`none of the offered subprotocols is served: Berth speaks ${PROTOCOLS.join(', ')}`);
  const stdin = bool(q.get('stdin'));
  const tty = bool(q.get('tty'));
  if (pod.status?.phase !== 'Running') throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
  const ws = acceptWebSocket(req, socket, head, protocol);
  const send = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
  const status = (s: Record<string, unknown>) => send(ERROR, JSON.stringify({ metadata: {}, ...s }));
  // What the client sends while the engine's exec starts (stdin, its EOF) waits for it.
  const early: Buffer[] = [];
  let deliver: (m: Buffer) => void = (m) => early.push(m);
  let gone = false;
  ws.onMessage((m) => deliver(m));
  ws.onClose(() => {
    gone = true;
    deliver = () => undefined;
  });
  let session: PodExecSession | undefined;
  try {
    session = await exec({ pod, container, command, stdin, tty, onOutput: (stream, data) => send(stream === 'stderr' ? STDERR : STDOUT, data) });
  } catch (err) {
    status({ status: 'Failure', message: String((err as Error).message ?? err), reason: 'InternalError', code: 500 });
    ws.close();
    return;
  }
  if (!session) {
    status({ status: 'Failure', message: `container ${container} is not running`, reason: 'BadRequest', code: 400 });
    ws.close();
    return;
  }
  const s = session;
  const handle = (m: Buffer) => {
    if (!m.length) return;
    const channel = m[0];
    const data = m.subarray(1);
    if (channel === STDIN && data.length) s.writeStdin(data);
    else if (channel === CLOSE && data[0] === STDIN) s.closeStdin();
    else if (channel === RESIZE) {
      try {
        const size = JSON.parse(data.toString('utf8')) as { Width: number; Height: number };
        s.resize(size.Width, size.Height);
      } catch {
        // A malformed resize is ignored, as the kubelet ignores it.
      }
    }
  };
  if (gone) return s.close();
  for (const m of early.splice(0)) handle(m);
  deliver = handle;
  ws.onClose(() => s.close());
  const code = await s.exited;
  if (code === 0) status({ status: 'Success' });
  else {
    status({
      status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
      reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
    });
  }
  ws.close();
}
