/**
 * Wires config → state → gateway (→ controllers and runtime, later) and owns
 * start and stop.
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './config/index.js';
import { dispatchAws } from './gateway/dispatch.js';
import { internalRoutes } from './gateway/internal.js';
import { createServer } from './gateway/server.js';
import { loadModel } from './protocol/model.js';
import { providerFor } from './services/registry.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { openDb, Statements } from './state/db.js';
import { VERSION } from './version.js';

export interface App {
  endpoint: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const startedAt = Date.now();
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const dataDir = config.ephemeral ? mkdtempSync(join(tmpdir(), 'berth-')) : resolve(config.dataDir);
  const db = openDb(config.ephemeral ? ':memory:' : join(dataDir, 'state.db'));
  const sql = new Statements(db);
  const deps = { config, db, sql, clock, log };

  let endpoint = '';
  const server = createServer(
    {
      internal: internalRoutes({ version: VERSION, startedAt, dataDir: config.ephemeral ? null : dataDir, endpoint: () => endpoint }),
      aws: (req) => dispatchAws(deps, req),
    },
    log,
  );
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  endpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  // Warm the hot services after we are ready, so the first ECS call is fast too.
  const warm = setTimeout(() => {
    try {
      loadModel('ecs');
      loadModel('sts');
      void providerFor('ecs');
      void providerFor('sts');
    } catch (err) {
      log.warn('warm-up failed', { error: String(err) });
    }
  }, 50);
  warm.unref();

  let stopped = false;
  return {
    endpoint,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(warm);
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      db.close();
      if (config.ephemeral) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
