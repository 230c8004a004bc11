/**
 * The task metadata endpoint v4 (task role credentials: credentials.ts):
 * an HTTP listener on an address containers can reach (Docker's bridge
 * gateway), started on first need. Each container gets its own signed URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeDriver } from '../runtime/driver.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import { findTaskDefinitionByArn, loadTaskByArn } from '../services/ecs/store/index.js';
import { containerDocument, taskDocument } from './documents.js';
import { makeToken, readToken } from './tokens.js';

export interface MetadataDeps {
  sql: Statements;
  driver: RuntimeDriver;
  log: Logger;
  secret: string;
}

export class MetadataServer {
  private server?: http.Server;
  private base?: Promise<string | undefined>;

  constructor(private readonly d: MetadataDeps) {}

  /** The base URL containers use, or undefined if no container-reachable address exists. */
  baseUrl(): Promise<string | undefined> {
    this.base ??= this.listen().catch((err) => {
      this.d.log.warn('task metadata endpoint unavailable', { error: (err as Error).message });
      this.base = undefined;
      return undefined;
    });
    return this.base;
  }

  async urlFor(taskArn: string, containerName: string): Promise<string | undefined> {
    const base = await this.baseUrl();
    return base ? `${base}/v4/${makeToken(this.d.secret, { taskArn, containerName })}` : undefined;
  }

  private async listen(): Promise<string | undefined> {
    const host = await this.d.driver.hostAddressForContainers();
    if (!host) return undefined;
    const server = http.createServer((req, res) => {
      this.handle(req.url ?? '/').then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err) => {
          this.d.log.error('metadata request failed', { error: (err as Error)?.stack ?? String(err) });
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"internal"}');
        },
      );
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, host, () => ok());
    });
    this.server = server;
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  private async handle(url: string): Promise<{ status: number; body: unknown }> {
    const m = /^\/v4\/([^/?]+)(\/task)?(\/stats)?\/?(\?.*)?$/.exec(url);
    const subject = m ? readToken(this.d.secret, m[1]) : undefined;
    if (!m || !subject) return { status: 404, body: { error: 'not found' } };
    const row = loadTaskByArn(this.d.sql, subject.taskArn);
    const def = row ? findTaskDefinitionByArn(this.d.sql, row.task.taskDefinitionArn!) : undefined;
    if (!row || !def) return { status: 404, body: { error: 'task not found' } };
    const task = row.task;
    const isTask = !!m[2];
    const isStats = !!m[3];
    if (isStats) {
      const containers = (task.containers ?? []).filter((c) => c.runtimeId && (isTask || c.name === subject.containerName));
      const stats = await Promise.all(containers.map(async (c) => [c.runtimeId!, (await this.d.driver.stats(c.runtimeId!))?.raw ?? null] as const));
      return { status: 200, body: isTask ? Object.fromEntries(stats) : stats[0]?.[1] ?? {} };
    }
    if (isTask) return { status: 200, body: taskDocument(task, def) };
    const c = task.containers?.find((x) => x.name === subject.containerName);
    if (!c) return { status: 404, body: { error: 'container not found' } };
    return { status: 200, body: containerDocument(task, c, def.containerDefinitions?.find((x) => x.name === c.name)) };
  }

  close() {
    this.server?.close();
    this.server?.closeAllConnections();
  }
}
