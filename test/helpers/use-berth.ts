/**
 * `useBerth()`: one Berth per describe block, with the SDK clients its tests name.
 *
 *   describe('ECS clusters', () => {
 *     const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient, ec2: EC2Client } });
 *     it('…', async () => { await berth.ecs.send(new ListClustersCommand({})); });
 *   });
 *
 * It registers a node:test `before` that starts Berth (in this process with `startBerth`, or `bin/berth.js up` in a
 * child process with `spawn`) and an `after` that destroys the clients and stops it. Clients are made on first use,
 * pointed at Berth with the test credentials and region, so a client a test never touches costs nothing.
 *
 * node:test runs `before` and `after` hooks in the order they were registered. A describe's own `before` registered
 * after `useBerth()` sees a started Berth, and its own `after` registered after it runs once Berth has stopped; what
 * must happen before Berth starts (an engine it is configured with) or while it still runs (clean-up through its API)
 * is registered before `useBerth()`.
 */
import { after, before } from 'node:test';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config/index.js';
import { clientConfig, spawnBerth, startBerth, TEST_CREDENTIALS, type SpawnedBerth, type TestBerth } from './berth.js';

/** Any `@aws-sdk/client-*` v3 client class. */
export type ClientClass<T extends { destroy(): void } = { destroy(): void }> = new (...args: any[]) => T;
/** A client class, or one with extra client settings (`[S3Client, { forcePathStyle: true }]`). */
export type ClientSpec = ClientClass | readonly [ClientClass, Record<string, unknown>];
type ClientOf<S> = S extends readonly [ClientClass<infer T>, unknown] ? T : S extends ClientClass<infer T> ? T : never;

export interface ClientOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  [setting: string]: unknown;
}

export interface UseBerthOptions<C extends Record<string, ClientSpec>> extends Partial<Config> {
  /** The clients the tests use, by the name they are reached under (`berth.ecs`). */
  clients?: C;
  /** Region and credentials of those clients (default us-east-1 and the test credentials). */
  region?: string;
  credentials?: ClientOptions['credentials'];
  /** Settings known only once earlier hooks have run (an engine's socket), merged over the others at start. */
  settings?: () => Partial<Config>;
  /** Run `bin/berth.js up --port 0 --log-level warn ARGS` as a child process instead of Berth in this process. */
  spawn?: string[] | (() => string[]);
  /** With `spawn`: extra environment, and how long to wait for its ready line. */
  env?: NodeJS.ProcessEnv;
  readyMs?: number;
}

export interface BerthFixture {
  readonly endpoint: string;
  readonly port: number;
  /** The running Berth (in this process, or the child process with `spawn`). */
  readonly instance: TestBerth;
  /** The app of an in-process Berth. */
  readonly app: App;
  /** The child process of a spawned Berth. */
  readonly spawned: SpawnedBerth;
  /** One more client (another region or account, extra settings), made now and destroyed at tear-down. */
  client<T extends { destroy(): void }>(Client: ClientClass<T>, options?: ClientOptions): T;
  /** Stops Berth now (the `after` hook then does nothing more than destroy the clients). */
  stop(): Promise<void>;
}

export type Berth<C extends Record<string, ClientSpec> = {}> = BerthFixture & { readonly [N in keyof C]: ClientOf<C[N]> };

const RESERVED = new Set(['endpoint', 'port', 'instance', 'app', 'spawned', 'client', 'stop']);

export function useBerth<const C extends Record<string, ClientSpec> = {}>(options: UseBerthOptions<C> = {}): Berth<C> {
  const { clients = {} as C, region = 'us-east-1', credentials = TEST_CREDENTIALS, settings, spawn, env, readyMs, ...config } = options;
  let running: (TestBerth & { app?: App; child?: SpawnedBerth['child'] }) | undefined;
  let stopped: Promise<void> | undefined;
  const made = new Map<string, { destroy(): void }>();
  const extra: { destroy(): void }[] = [];

  const started = () => {
    if (!running) throw new Error('useBerth: Berth is not running here (use it inside a test or a hook registered after useBerth())');
    return running;
  };
  const make = <T extends { destroy(): void }>(Client: ClientClass<T>, opts: ClientOptions = {}) => {
    const { region: r = region, credentials: c = credentials, ...rest } = opts;
    return new Client({ ...clientConfig(started().endpoint, r, c as typeof TEST_CREDENTIALS), ...rest });
  };

  const fixture: BerthFixture = {
    get endpoint() { return started().endpoint; },
    get port() { return started().port; },
    get instance() { return started(); },
    get app() {
      const app = started().app;
      if (!app) throw new Error('useBerth: a spawned Berth has no app in this process');
      return app;
    },
    get spawned() {
      const b = started();
      if (!b.child) throw new Error('useBerth: this Berth runs in this process (no spawn option)');
      return b as SpawnedBerth;
    },
    client(Client, opts) {
      const client = make(Client, opts);
      extra.push(client);
      return client;
    },
    stop() {
      if (!running) return Promise.resolve();
      return (stopped ??= running.stop());
    },
  };
  for (const name of Object.keys(clients)) {
    if (RESERVED.has(name)) throw new Error(`useBerth: a client cannot be called ${name}`);
    Object.defineProperty(fixture, name, {
      enumerable: true,
      get() {
        let client = made.get(name);
        if (!client) {
          const spec = clients[name];
          const [Client, opts] = Array.isArray(spec) ? spec : [spec as ClientClass, {}];
          client = make(Client, opts);
          made.set(name, client);
        }
        return client;
      },
    });
  }

  before(async () => {
    running = spawn
      ? await spawnBerth(typeof spawn === 'function' ? spawn() : spawn, env, readyMs)
      : await startBerth({ ...config, ...settings?.() });
  });
  after(async () => {
    for (const client of [...made.values(), ...extra]) client.destroy();
    made.clear();
    extra.length = 0;
    await fixture.stop();
  });
  return fixture as Berth<C>;
}
