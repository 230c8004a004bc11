/**
 * Wires config → state → gateway (→ controllers and runtime, later) and owns
 * start and stop.
 */
import type http from 'node:http';
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './config/index.js';
import { dispatchAws } from './gateway/dispatch.js';
import { enforcementChecks, identify, loadEnforcement } from './gateway/identity.js';
import type { S3Service } from './gateway/s3.js';
import { internalRoutes } from './gateway/internal.js';
import { createServer, type StreamHandler } from './gateway/server.js';
import { stateRoutes, type StateOps } from './gateway/state-routes.js';
import { ecsTargetResolver } from './services/ecs/store/index.js';
import { eksTargetResolver } from './services/eks/store.js';
import { createRegistry } from './registry/index.js';
import { resolveTaskImage } from './registry/task-images.js';
import type { TokenPrincipal } from './registry/auth.js';
import { LoadBalancing } from './lb/index.js';
import { loadModel } from './protocol/model.js';
import { AwsError } from './protocol/errors.js';
import { internalDoor, providerFor } from './services/providers.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import type { Controllers } from './controllers/index.js';

/** What the app exposes of its controllers (they start just after Berth is ready). */
export type AppControllers = Pick<Controllers, 'idle' | 'resync' | 'stop'> & {
  /** Reconciles begun so far per controller (what an idle Berth still does shows here). */
  passes(): Promise<Record<string, number>>;
};
import type { RuntimeDriver } from './runtime/driver.js';
import { ChangeFeed } from './state/change-feed.js';
import { getOrCreateMeta, instanceId } from './state/meta.js';
import { MetadataServer } from './metadata/server.js';
import { taskEnvironment } from './metadata/environment.js';
import { CredentialsEndpoint, taskInstanceRole, type InstanceRoleLookup } from './metadata/credentials.js';
import { ContainerApi } from './metadata/container-api.js';
import { randomBytes } from 'node:crypto';
import { openDb, Statements } from './state/db.js';
import { VERSION } from './version.js';
import { accountOf, stsArn } from './shared/arns.js';

/** App Runner's service URLs (`<id>.<region>.awsapprunner.localhost`, AWS's `….awsapprunner.com`). */
const APP_RUNNER_HOST = /\.awsapprunner\.localhost(:\d+)?$/i;

export interface App {
  endpoint: string;
  port: number;
  /** The public registry's (ECR Public's public.ecr.aws): http://127.0.0.1:<its port>. */
  publicEndpoint: string;
  dataDir: string;
  driver: RuntimeDriver;
  controllers: AppControllers;
  /** Reset and snapshots (also served under /_berth/). */
  state: StateOps;
  /** True until init scripts have run once for this data dir (`berth up --init`). */
  needsInit(): boolean;
  markInitialized(): void;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  /** A runtime driver to use instead of the configured one (tests). */
  driver?: RuntimeDriver;
}

async function makeDriver(config: Config): Promise<RuntimeDriver> {
  if (config.runtime === 'fake') {
    const { FakeDriver } = await import('./runtime/fake/driver.js');
    return new FakeDriver();
  }
  const { DockerDriver } = await import('./runtime/docker/driver.js');
  const { engineEndpoint } = await import('./runtime/docker/engine-client.js');
  const { MultiEngineDriver } = await import('./runtime/multi/driver.js');
  // The local engine, plus the remote engines of external container instances (the task lifecycle names each one).
  return new MultiEngineDriver(new DockerDriver(), (url) => new DockerDriver(engineEndpoint(url)));
}

/** The execution role of a task as the principal ECS pulls and reads secrets as: `assumed-role/<role>/<task id>`. */
/**
 * The public registry's listener. Its port: the configured one (must bind), else Berth's + 1 when free (a stable
 * address for image references across restarts), else any free one.
 */
async function listenPublicRegistry(config: Config, berthPort: number, handle: StreamHandler, log: Logger): Promise<http.Server> {
  const { createServer: createHttpServer } = await import('node:http');
  const listen = (port: number) => new Promise<http.Server>((ok, fail) => {
    const server = createHttpServer({ keepAlive: true }, (req, res) => {
      handle(req, res).catch((err) => {
        log.error('public registry handler failed', { error: (err as Error)?.stack ?? String(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('InternalFailure');
      });
    });
    // A push sends a whole layer in one request (as on Berth's own port).
    server.requestTimeout = 0;
    server.once('error', fail);
    server.listen(port, config.host, () => ok(server));
  });
  if (config.publicRegistryPort !== undefined) return listen(config.publicRegistryPort);
  if (config.port === 0) return listen(0);
  try {
    return await listen(berthPort + 1);
  } catch (err) {
    log.warn('the public registry\'s port is taken; it listens on another', { port: berthPort + 1, error: String(err) });
    return listen(0);
  }
}

function executionRolePrincipal(task: Task, def: TaskDefinition | undefined): TokenPrincipal | undefined {
  const roleArn = task.overrides?.executionRoleArn ?? def?.executionRoleArn;
  if (!roleArn) return undefined;
  const [, , , , account, resource] = roleArn.split(':');
  const taskId = task.taskArn!.slice(task.taskArn!.lastIndexOf('/') + 1);
  return { principalArn: `arn:aws:sts::${account}:assumed-role/${resource.slice(resource.lastIndexOf('/') + 1)}/${taskId}`, accessKeyId: '', roleArn };
}

/** Without an execution role, the agent on an EC2 container instance pulls as the instance: `assumed-role/<role>/<instance id>`. */
function instanceRolePrincipal(sql: Statements, task: Task, lookup: InstanceRoleLookup): TokenPrincipal | undefined {
  const role = taskInstanceRole(sql, task, lookup);
  if (!role) return undefined;
  return { principalArn: stsArn.assumedRole(accountOf(role.roleArn), role.roleName, role.instanceId), accessKeyId: '', roleArn: role.roleArn };
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const startedAt = Date.now();
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const dataDir = config.ephemeral ? mkdtempSync(join(tmpdir(), 'berth-')) : resolve(config.dataDir);
  const db = openDb(config.ephemeral ? ':memory:' : join(dataDir, 'state.db'), undefined, { log });
  const sql = new Statements(db);
  const changes = new ChangeFeed();
  const deps = { config, db, sql, clock, log, changes };
  if (config.enforceIam) await loadEnforcement();
  // The policy evaluator (issue 23): loaded only with enforcement on, and handed to every front that authorizes.
  const authorizer = config.enforceIam ? (await import('./services/iam/index.js')).createAuthorizer(sql) : undefined;

  let endpoint = '';
  let publicEndpoint = '';
  // Bound once the controllers exist (below); until then it waits for them.
  let background: Promise<{ controllers: Controllers; state: StateOps }> | undefined;
  let stateHandler: StreamHandler = async (req, res) => {
    const ok = background ? await background.then(() => true, () => false) : false;
    if (!ok) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Berth controllers failed to start; see the log.');
      return;
    }
    return stateHandler(req, res);
  };
  const registry = await createRegistry({
    config, db, sql, clock, log, dataDir, endpoint: () => endpoint, publicEndpoint: () => publicEndpoint, changes,
    upstreamCredentials: async () => (await import('./services/ecr/index.js')).pullThroughCredentials(sql),
    authorize: authorizer && ((caller, action, resource, policy, sourceIp) =>
      enforcementChecks()!.registryDenial(authorizer, { clock, log }, caller, action, resource, policy, sourceIp)),
  });
  // The ECR API shares the registry's blob store and upload sessions (its layer API, download URLs, repository URIs).
  const doorDeps = { ...deps, registry };
  const loadBalancing = new LoadBalancing({ db, sql, clock, log, changes, host: config.host, workers: config.lbWorkers, logLevel: config.logLevel,
    metricsPeriod: config.metricsPeriod,
  });
  // S3 streams object bodies itself (gateway/s3.ts); loaded on its first request, to keep start-up fast.
  let s3: Promise<S3Service> | undefined;
  const s3Service = () => (s3 ??= import('./gateway/s3.js').then((m) => m.createS3({
    db, sql, clock, log, dataDir, identify: (scope, signed) => identify(config, scope, { sql, clock }, signed),
    authorize: authorizer && ((id, operation, input, sourceIp) => enforcementChecks()!.authorizeOperation(authorizer, { clock, log }, id, {
      protocol: 's3', serviceId: 's3', operation, input, sourceIp,
    })),
  })));
  const s3Handler: StreamHandler = async (req, res) => (await s3Service()).handle(req, res);
  // How one service runs another's operations (CloudFormation's resource providers): the API's own implementation.
  // Internal calls are not authorized again: the request that led to them was.
  const invoke = internalDoor({
    ...doorDeps, metricsPeriod: config.metricsPeriod,
    frontDoors: { s3: async (ctx, operation, input) => (await s3Service()).invoke(ctx, operation, input) },
  });
  const apiDeps = { ...doorDeps, authorizer, invoke };
  // The console (/_berth/ui/, /_berth/api/) loads on its first request: nothing before the ready line waits for it.
  let consoleApp: Promise<import('./console/index.js').BerthConsole> | undefined;
  let engineStatus: { at: number; value: Promise<{ name: string; status: 'up' | 'down'; error?: string }> } | undefined;
  const consoleHandler: StreamHandler = async (req, res) => {
    consoleApp ??= import('./console/index.js').then((m) => m.createConsole({
      sql, changes, version: VERSION, startedAt, host: config.host, endpoint: () => endpoint, metricsPeriod: config.metricsPeriod,
      dataDir: config.ephemeral ? null : dataDir,
      token: () => getOrCreateMeta(db, 'console-token', () => randomBytes(24).toString('base64url')),
      // Console actions run the AWS operation they stand for, as the account's root user (console/actions.ts).
      act: async (account, region, service, operation, input) => {
        try {
          return { output: await invoke({ account, region }, service, operation, input) };
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          return { error: { code: err.code, message: err.message, status: err.status ?? (err.sender === false ? 500 : 400) } };
        }
      },
      engine: () => {
        // One ping per few seconds however many pages ask.
        if (!engineStatus || Date.now() - engineStatus.at > 5_000) {
          const d = driverRef;
          engineStatus = {
            at: Date.now(),
            value: !d ? Promise.resolve({ name: 'starting', status: 'down' as const, error: 'the runtime is starting' })
              : d.ping().then(() => ({ name: d.name, status: 'up' as const }), (err: Error) => ({ name: d.name, status: 'down' as const, error: err.message })),
          };
        }
        return engineStatus.value;
      },
    }));
    return (await consoleApp).handle(req, res);
  };
  // App Runner URLs go through its gate (429 when saturated), loaded with the first one.
  let appRunnerGate: Promise<import('./lb/app-runner-gate.js').AppRunnerGate> | undefined;
  const routeLoadBalanced = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (!APP_RUNNER_HOST.test(req.headers.host ?? '')) return loadBalancing.route(req, res);
    appRunnerGate ??= import('./lb/app-runner-gate.js').then((m) => new m.AppRunnerGate({ sql, loadBalancing }));
    req.pause();
    appRunnerGate.then((g) => g.handle(req, res), (err) => {
      log.error('app runner gate failed to load', { error: String(err) });
      res.writeHead(503).end();
    });
    return true;
  };
  let driverRef: RuntimeDriver | undefined;
  // ECS tasks registered as ip targets are reached through their published ports.
  const unregisterResolver = loadBalancing.resolvers.register(ecsTargetResolver(sql));
  // EKS pods registered as ip targets (LoadBalancer Services) are reached through their sandbox's published ports.
  const unregisterEksResolver = loadBalancing.resolvers.register(eksTargetResolver(sql));
  // Built twice: Berth's own listener and the one task containers reach (metadata/container-api.ts).
  const makeServer = () => createServer(
    {
      registry: registry.handle,
      s3: s3Handler,
      console: consoleHandler,
      loadBalancer: routeLoadBalanced,
      loadBalancerUpgrade: (req, socket, head) => loadBalancing.routeUpgrade(req, socket, head),
      internal: internalRoutes({
        version: VERSION, startedAt, dataDir: config.ephemeral ? null : dataDir, endpoint: () => endpoint,
        loadBalancers: () => loadBalancing.status(endpoint),
        localCa: async () => {
          const { localCaCertificate } = await import('./services/acm/operations.js');
          const certificate = localCaCertificate(db, Date.now());
          // Kept as a file in the data dir, where `berth status` shows it: `curl --cacert <path>`.
          const path = join(dataDir, 'local-ca.pem');
          if ((await readFile(path, 'utf8').catch(() => '')) !== certificate) await writeFile(path, certificate);
          return { path, certificate };
        },
      }),
      aws: (req) => dispatchAws(apiDeps, req),
      state: (req, res) => stateHandler(req, res),
    },
    log,
  );
  const server = makeServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  endpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  // ECR Public's registry: a host of its own for docker (registry/http/public-handler.ts), bound before listeners.
  const publicServer = await listenPublicRegistry(config, port, registry.handlePublic, log);
  publicEndpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(publicServer.address() as AddressInfo).port}`;
  // Listeners bind after Berth's own port, so a listener can never take it.
  loadBalancing.start();

  const driver = opts.driver ?? (await makeDriver(config));
  driverRef = driver;
  const metadata = new MetadataServer({ sql, driver, log, secret: getOrCreateMeta(db, 'metadata-secret', () => randomBytes(32).toString('hex')) });
  const credentials = new CredentialsEndpoint({ sql, clock, log, driver });
  const containerApi = new ContainerApi({ driver, log, host: config.host, port, makeServer });
  // EKS's Pod Identity Agent, made when the first pod needs it (its module loads EKS's, which start-up does not need).
  let podIdentity: Promise<import('./metadata/pod-identity-agent.js').PodIdentityAgent> | undefined;
  const podIdentityAgent = () => (podIdentity ??= import('./metadata/pod-identity-agent.js').then((m) => new m.PodIdentityAgent({ sql, clock, log, driver })));
  // Controllers (and reset/snapshots, which need them) load right after Berth is ready: answering
  // API calls does not need them, and their modules are a large part of start-up time.
  const started = (async () => {
    const { startControllers } = await import('./controllers/index.js');
    const { presignedCallerVerifier } = await import('./gateway/presigned-caller.js');
    const { instanceRole } = await import('./services/ec2/index.js');
    const controllers = startControllers({
      db, sql, clock, log, changes, driver, instanceId: instanceId(db), dataDir, invoke,
      blobs: registry.blobs, vulnerabilityDb: config.vulnerabilityDb, metricsPeriod: config.metricsPeriod,
      injectedEnv: async (task, containerName) => ({
        ...taskEnvironment(task, await metadata.urlFor(task.taskArn!, containerName)),
        ...(await containerApi.env()),
        ...(await credentials.envFor(task)),
      }),
      authorizeExecutionRole: authorizer && ((task, def, serviceId, operation, input, where) => {
        const role = executionRolePrincipal(task, def);
        if (!role) return undefined;
        const checks = authorizer.checksFor(serviceId, operation, input, { ...where, principalArn: role.principalArn });
        const caller = { ...role, account: role.principalArn.split(':')[4] };
        return authorizer.authorize(caller, checks, { now: clock.now(), region: where.region })?.message;
      }),
      // With --enforce-iam an image in Berth's ECR is pulled as the task's execution role (its policies decide).
      resolveImage: (task, image, def) => resolveTaskImage(registry, accountOf(task.taskArn!), image,
        authorizer && (executionRolePrincipal(task, def) ?? instanceRolePrincipal(sql, task, instanceRole))),
      groupLoad: (targetGroupArn) => ({ peak: loadBalancing.groupLoad(targetGroupArn, true).peak }),
      // EKS pods pull images in Berth's ECR with a token for the cluster's account, as nodes pull with their role.
      registryImage: (account, image) => resolveTaskImage(registry, account, image),
      appRunnerRuntimeImages: config.appRunnerRuntimeImages,
      // EKS clusters' Kubernetes APIs bind Berth's host and authenticate get-token tokens with Berth's STS.
      eks: { host: config.host, verify: presignedCallerVerifier(config, { sql, clock }) },
      // EKS pods reach Berth's API as tasks do, and get their Pod Identity credentials from the agent.
      podEnv: { env: () => containerApi.env(), podIdentityUri: async () => (await podIdentityAgent()).uri() },
    });
    const { stateControl } = await import('./state-control.js');
    const state = stateControl({
      db, sql, dataDir, version: VERSION, log, driver, instanceId: instanceId(db), controllers, registry,
      reloadLoadBalancers: () => loadBalancing.refresh(),
    });
    stateHandler = stateRoutes(state);
    return { controllers, state };
  })();
  background = started;
  started.catch((err) => log.error('controllers failed to start', { error: (err as Error)?.stack ?? String(err) }));
  const controllers: AppControllers = {
    idle: async () => (await started).controllers.idle(),
    resync: () => void started.then((b) => b.controllers.resync()),
    stop: async () => (await started).controllers.stop(),
    passes: async () => (await started).controllers.runtime.passes(),
  };
  const state: StateOps = {
    reset: async (services) => (await started).state.reset(services),
    save: async (out) => (await started).state.save(out),
    load: async (input) => (await started).state.load(input),
  };

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
    publicEndpoint,
    dataDir,
    driver,
    controllers,
    state,
    needsInit: () => !db.prepare("SELECT 1 FROM berth_meta WHERE key = 'initialized-at'").get(),
    markInitialized: () => void getOrCreateMeta(db, 'initialized-at', () => new Date().toISOString()),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(warm);
      await controllers.stop();
      if (consoleApp) (await consoleApp).close();
      // An ephemeral Berth's state dies with it, so its containers must too (a persistent one leaves them to adopt).
      if (config.ephemeral) {
        const mine = await driver.listContainers({ 'berth.instance': instanceId(db) }).catch(() => []);
        await Promise.all(mine.map((c) => driver.removeContainer(c.id).catch(() => undefined)));
      }
      await loadBalancing.stop();
      unregisterResolver();
      unregisterEksResolver();
      metadata.close();
      credentials.close();
      containerApi.close();
      void podIdentity?.then((a) => a.close());
      await Promise.all([server, publicServer].map((s) => new Promise<void>((ok) => {
        s.close(() => ok());
        s.closeAllConnections();
      })));
      (driver as { close?: () => void }).close?.();
      db.close();
      if (config.ephemeral) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
