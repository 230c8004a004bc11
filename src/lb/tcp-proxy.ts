/**
 * The Network Load Balancer's TCP path: each client connection is paired with
 * a connection to one target (healthy ones, else all: fail open; source_ip
 * stickiness hashes the client address) and bytes are piped both ways.
 * proxy_protocol_v2.enabled prepends a PROXY v2 header naming the client.
 * Connections to a target whose deregistration delay ends are closed when
 * deregistration_delay.connection_termination.enabled is true. The client's
 * address cannot be preserved (Berth is a user-space proxy): targets see
 * Berth's, as with preserve_client_ip off.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import { Balancer } from './balancer.js';
import { normalizeIp } from './rule-matcher.js';
import type { ListenerView, TargetGroupView, TargetView } from './snapshot.js';
import type { TrafficMeter } from './traffic-meter.js';

const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** A PROXY protocol v2 header for a TCP over IPv4 connection (LOCAL when the addresses are not IPv4). */
export function proxyV2Header(src: string, srcPort: number, dst: string, dstPort: number): Buffer {
  if (!net.isIPv4(src) || !net.isIPv4(dst)) return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
  const body = Buffer.alloc(12);
  src.split('.').forEach((o, i) => body.writeUInt8(Number(o), i));
  dst.split('.').forEach((o, i) => body.writeUInt8(Number(o), 4 + i));
  body.writeUInt16BE(srcPort, 8);
  body.writeUInt16BE(dstPort, 10);
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 12]), body]);
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class TcpProxy {
  /** Open connections per target key, for connection termination at the end of draining. */
  private open = new Map<string, Set<net.Socket>>();

  constructor(private readonly balancer: Balancer, private readonly clock: Clock, private readonly log: Logger, private readonly meter: TrafficMeter) {}

  handle(listener: ListenerView, client: net.Socket): void {
    const lb = listener.lb.arn;
    client.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') this.meter.reset(lb, 'client');
      client.destroy();
    });
    const action = listener.rules.find((r) => r.priority === 'default')?.action;
    const group = action?.type === 'forward' ? action.groups[0]?.group : undefined;
    if (!group) {
      this.meter.reset(lb, 'elb');
      client.resetAndDestroy();
      return;
    }
    const clientIp = normalizeIp(client.remoteAddress ?? '');
    let sticky: string | undefined;
    if (group.attributes['stickiness.enabled'] === 'true') {
      const pool = this.balancer.pool(group);
      if (pool.length) sticky = pool[hashOf(clientIp) % pool.length].key;
    }
    const target = this.balancer.pick(group, this.clock.now(), sticky);
    if (!target) {
      this.meter.reset(lb, 'elb');
      client.resetAndDestroy();
      return;
    }
    this.connect(listener, group, target, client, clientIp);
  }

  private connect(listener: ListenerView, group: TargetGroupView, target: TargetView, client: net.Socket, clientIp: string): void {
    const addr = this.balancer.address(target)!;
    client.pause();
    // TLS target groups get TLS from the load balancer, which does not verify target certificates (as ELB).
    const secure = group.doc.Protocol === 'TLS';
    const upstream = secure ? tls.connect({ host: addr.host, port: addr.port, rejectUnauthorized: false }) : net.connect({ host: addr.host, port: addr.port });
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    const idleMs = Number(listener.attributes['tcp.idle_timeout.seconds'] ?? '350') * 1000;
    client.setTimeout(idleMs, () => client.destroy());
    this.balancer.acquire(target);
    let set = this.open.get(target.key);
    if (!set) this.open.set(target.key, (set = new Set()));
    set.add(upstream);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.balancer.release(target);
      set!.delete(upstream);
      if (!set!.size) this.open.delete(target.key);
      client.destroy();
      upstream.destroy();
    };
    let connected = false;
    upstream.on(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      if (group.attributes['proxy_protocol_v2.enabled'] === 'true') {
        upstream.write(proxyV2Header(clientIp, client.remotePort ?? 0, normalizeIp(client.localAddress ?? ''), listener.port));
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // A target that reset an established connection (TCP_Target_Reset_Count).
      if (err.code === 'ECONNRESET' && connected) this.meter.reset(listener.lb.arn, 'target');
      if (this.log.enabled('debug')) this.log.debug('load balancer target connection failed', { target: `${addr.host}:${addr.port}`, error: err.message });
      finish();
    });
    upstream.on('close', finish);
    client.on('close', finish);
  }

  /** Closes connections to targets no longer registered (end of draining), when the group asks for it. */
  terminateGone(groups: Map<string, TargetGroupView>): void {
    for (const [key, sockets] of this.open) {
      const tgArn = key.slice(0, key.indexOf('|'));
      const group = groups.get(tgArn);
      const present = group?.targets.some((t) => t.key === key);
      if (present) continue;
      if (group && group.attributes['deregistration_delay.connection_termination.enabled'] !== 'true') continue;
      for (const s of sockets) s.destroy();
    }
  }

  closeAll(): void {
    for (const sockets of this.open.values()) for (const s of sockets) s.destroy();
    this.open.clear();
  }
}
