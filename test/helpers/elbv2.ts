/** Helpers for ELBv2 tests: the default subnets to place load balancers in, free ports, small HTTP backends, an ALB set-up. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { EC2Client, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ModifyTargetGroupAttributesCommand,
  type CreateTargetGroupCommandInput, type ElasticLoadBalancingV2Client, type Listener, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig } from './berth.js';

/** The account's default subnets (one per zone), as EC2 describes them. */
export async function defaultSubnets(endpoint: string, region = 'us-east-1'): Promise<{ ids: string[]; vpcId: string; zones: string[] }> {
  const ec2 = new EC2Client(clientConfig(endpoint, region));
  try {
    const out = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const subnets = out.Subnets ?? [];
    return { ids: subnets.map((s) => s.SubnetId!), vpcId: subnets[0].VpcId!, zones: subnets.map((s) => s.AvailabilityZone!) };
  } finally {
    ec2.destroy();
  }
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Backend {
  name: string;
  port: number;
  server: http.Server;
  /** Requests seen, in order. */
  seen: http.IncomingHttpHeaders[];
  paths: string[];
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 answering `<name> <path>` (and 200 on /health),
 * or `handler` when given.
 */
export function startBackend(name: string, handler?: http.RequestListener, port = 0): Promise<Backend> {
  const seen: http.IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    paths.push(req.url ?? '');
    if (handler) return handler(req, res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${name} ${req.url}`);
  });
  // Upgraded sockets leave the server's bookkeeping: track every socket so close() ends them all.
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        name, port: (server.address() as net.AddressInfo).port, server, seen, paths,
        close: () => new Promise((ok) => {
          server.close(() => ok());
          for (const s of sockets) s.destroy();
        }),
      });
    });
  });
}

/** Polls `fn` until it returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false | 0 | ''>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Asserts a call fails with an ELBv2 error: `name` is the SDK's error name
 * (e.g. LoadBalancerNotFoundException, or ValidationError for the common
 * query error), with HTTP 400 unless given.
 */
export async function rejectsWith(p: Promise<unknown>, name: string, message?: string | RegExp, status = 400): Promise<void> {
  await assert.rejects(p, (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to 127.0.0.1:port (a fresh connection), optionally with a Host header. */
export function request(port: number, path: string, opts: { host?: string; method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path, method: opts.method ?? 'GET', agent: false,
      headers: { ...(opts.host ? { host: opts.host } : {}), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface AlbOptions {
  /** The load balancer's and target group's name. */
  name: string;
  /** Sent as the load balancer's Type only when given. */
  type?: 'application';
  /** Health-check settings of the target group (HTTP on port 8080, IP targets). */
  healthCheck?: Pick<CreateTargetGroupCommandInput, 'HealthCheckPath' | 'HealthCheckIntervalSeconds' | 'HealthCheckTimeoutSeconds' | 'HealthyThresholdCount' | 'UnhealthyThresholdCount'>;
  /** deregistration_delay.timeout_seconds of the target group. */
  deregistrationDelaySeconds: number;
}

export interface Alb {
  lb: LoadBalancer;
  tg: TargetGroup;
  tgArn: string;
  listener: Listener;
  /** The listener's port on 127.0.0.1. */
  port: number;
}

/**
 * An ALB on the first two default subnets, an IP target group (HTTP 8080) with the given health check and
 * deregistration delay, and an HTTP listener on a free port forwarding to it.
 */
export async function createAlb(berth: { elb: ElasticLoadBalancingV2Client; endpoint: string }, o: AlbOptions): Promise<Alb> {
  const { ids, vpcId } = await defaultSubnets(berth.endpoint);
  const lb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: o.name, Subnets: ids.slice(0, 2), ...(o.type ? { Type: o.type } : {}) }))).LoadBalancers![0];
  const tg = (await berth.elb.send(new CreateTargetGroupCommand({
    Name: o.name, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip', ...o.healthCheck,
  }))).TargetGroups![0];
  const tgArn = tg.TargetGroupArn!;
  await berth.elb.send(new ModifyTargetGroupAttributesCommand({
    TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(o.deregistrationDelaySeconds) }],
  }));
  const port = await freePort();
  const listener = (await berth.elb.send(new CreateListenerCommand({
    LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
  }))).Listeners![0];
  return { lb, tg, tgArn, listener, port };
}
