/**
 * An EKS cluster for kubectl: `createKubeCluster` makes a cluster through the AWS CLI, waits for ACTIVE and writes
 * its kubeconfig with `aws eks update-kubeconfig`; the returned `kubectl` runs /usr/bin/kubectl 1.32 with that
 * kubeconfig only (its exec plugin runs `aws eks get-token` with the test credentials), and `ok` asserts it succeeded.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aws } from './cli.js';

export interface KubeResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubeCluster {
  name: string;
  endpoint: string;
  dir: string;
  kubeconfig: string;
  env(): NodeJS.ProcessEnv;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubeResult>;
  /** kubectl that must succeed: its stdout. */
  ok(...args: string[]): Promise<string>;
  /** kubectl apply -f of a manifest (YAML text). */
  apply(manifest: string): Promise<string>;
  /**
   * GET of an API path with a token `aws eks get-token` made once (polls: a kubectl per poll costs an AWS CLI start).
   */
  get(path: string): Promise<any>;
  /** A long-running kubectl (port-forward, logs -f): the caller kills it. */
  start(args: string[]): ChildProcess;
  cleanup(): void;
}

export async function createKubeCluster(berthEndpoint: string, subnetIds: string[], name = 'demo'): Promise<KubeCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const created = await aws('v2', berthEndpoint, ['eks', 'create-cluster', '--name', name, '--role-arn', 'arn:aws:iam::000000000000:role/eks',
    '--resources-vpc-config', `subnetIds=${subnetIds.join(',')}`]);
  assert.equal(created.code, 0, created.stderr);
  const deadline = Date.now() + 30_000;
  let cluster: any;
  while (Date.now() < deadline) {
    cluster = (await aws('v2', berthEndpoint, ['eks', 'describe-cluster', '--name', name])).json.cluster;
    if (cluster.status === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(cluster.status, 'ACTIVE');
  const written = await aws('v2', berthEndpoint, ['eks', 'update-kubeconfig', '--name', name, '--kubeconfig', kubeconfig]);
  assert.equal(written.code, 0, written.stderr);
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache'),
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  const kubectl = (args: string[], opts: { input?: string; timeoutMs?: number } = {}) => new Promise<KubeResult>((resolve) => {
    const child = execFile('/usr/bin/kubectl', args, { env: env(), timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
  const ok = async (...args: string[]) => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  let n = 0;
  let token: string | undefined;
  const ca = Buffer.from(cluster.certificateAuthority.data, 'base64').toString('utf8');
  const get = async (path: string) => {
    if (!token) {
      const t = await aws('v2', berthEndpoint, ['eks', 'get-token', '--cluster-name', name]);
      assert.equal(t.code, 0, t.stderr);
      token = t.json.status.token as string;
    }
    return new Promise<any>((resolve, reject) => {
      const req = request(`${cluster.endpoint}${path}`, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`))));
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
      req.on('error', reject);
      req.end();
    });
  };
  return {
    get,
    name, endpoint: cluster.endpoint, dir, kubeconfig, env, kubectl, ok,
    apply: (manifest) => {
      const file = join(dir, `manifest-${n++}.yaml`);
      writeFileSync(file, manifest);
      return ok('apply', '-f', file);
    },
    start: (args) => spawn('/usr/bin/kubectl', args, { env: env(), stdio: ['pipe', 'pipe', 'pipe'] }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails with the last thing it saw. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
