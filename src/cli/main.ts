/**
 * `berth up | status | env | doctor | logs | instances | reset | state | version`: parse flags, call the app.
 */
import { configFromEnv, ConfigError, resolveConfig, type Config } from '../config/index.js';
import { VERSION } from '../version.js';
import { createReadStream } from 'node:fs';
import { ArgsError, parseArgs, type FlagSpec } from './args.js';
import type { LoadBalancerStatus } from '../lb/index.js';
// Each command's own module is loaded when it runs (`berth up` starts faster without the others').

const HELP = `berth ${VERSION}: the AWS container platform on one machine

Usage:
  berth up [--host H] [--port N] [--data-dir D] [--ephemeral] [--log-level L] [--load FILE] [--init DIR]
           [--metrics-period 5s] [--enforce-iam]
                                    --load starts from a snapshot; --init runs DIR/*.sh once for a new state;
                                    --metrics-period: how long one CloudWatch minute lasts (default 60s);
                                    --enforce-iam: verify request signatures (root keys sign with secret "test")
  berth status [--endpoint URL]     is a Berth answering, and which; its load balancers and local CA file
  berth env [--endpoint URL]        shell exports for the AWS CLI and SDKs
  berth doctor [--host H] [--port N] [--data-dir D]   check the container engine, port and data dir
  berth logs <task> [--cluster C] [--container NAME] [-f|--follow] [--endpoint URL]
                                    a task's awslogs output (CloudWatch Logs)
  berth instances add|list|remove [INSTANCE] --cluster C [--cpu N] [--memory MiB] [--az ZONE] [--instance-type T]
                  [--attributes k=v,…] [--engine URL] [--force] [--region R] [--endpoint URL]
                                    container instances: virtual (local engine, EC2) or a remote engine (EXTERNAL):
                                    --engine unix:///path.sock | tcp://host:port | ssh://[user@]host[:port] (ssh uses
                                    ~/.ssh/config, ssh-agent and BERTH_SSH_OPTIONS, e.g. "-i ~/.ssh/berth_ed25519")
  berth reset [--service ecs,ecr,…] [--endpoint URL]   back to a fresh start (all or some services)
  berth state save|load FILE [--endpoint URL]           snapshot the state to FILE, or replace it from FILE
  berth version

Environment: BERTH_HOST, BERTH_PORT, BERTH_DATA_DIR, BERTH_EPHEMERAL, BERTH_LOG_LEVEL,
BERTH_DEFAULT_ACCOUNT, BERTH_DEFAULT_REGION, BERTH_ACCESS_KEYS (KEY=ACCOUNT,...), BERTH_RUNTIME,
BERTH_REGISTRY_ANONYMOUS_PULL, BERTH_VULN_DB, BERTH_LB_WORKERS, BERTH_METRICS_PERIOD, DOCKER_HOST, BERTH_SSH_OPTIONS.
`;

class UsageError extends Error {}

/** Where `berth up` listens, which also locates the Berth the client commands talk to. */
const WHERE: FlagSpec = { host: 'value', port: 'value' };
const CLIENT: FlagSpec = { endpoint: 'value', ...WHERE };

/** Every command's flags; a flag not listed for its command is a usage error (exit 2). */
const COMMANDS: Record<string, FlagSpec> = {
  up: { ...WHERE, 'data-dir': 'value', ephemeral: 'boolean', 'log-level': 'value', load: 'value', init: 'value', 'metrics-period': 'value', 'enforce-iam': 'boolean' },
  status: CLIENT,
  env: CLIENT,
  doctor: { ...WHERE, 'data-dir': 'value' },
  logs: { ...CLIENT, cluster: 'value', container: 'value', follow: 'boolean', region: 'value' },
  instances: {
    ...CLIENT, cluster: 'value', region: 'value', cpu: 'value', memory: 'value', az: 'value', 'instance-type': 'value',
    attributes: 'value', engine: 'value', force: 'boolean',
  },
  reset: { ...CLIENT, service: 'value' },
  state: CLIENT,
  version: {},
  help: {},
};

class UnknownCommandError extends ArgsError {}

function specOf(command: string | undefined) {
  if (command === undefined) return { flags: {} };
  if (!Object.hasOwn(COMMANDS, command)) throw new UnknownCommandError(`unknown command "${command}"`);
  // `-f` is the short form of `berth logs --follow`.
  return { flags: COMMANDS[command], short: command === 'logs' ? { '-f': 'follow' } : undefined };
}

function configFromFlags(flags: Record<string, string | boolean>): Partial<Config> {
  const out: Record<string, unknown> = {};
  if (flags.host !== undefined) out.host = String(flags.host);
  if (flags.port !== undefined) out.port = String(flags.port);
  if (flags['data-dir'] !== undefined) out.dataDir = String(flags['data-dir']);
  if (flags.ephemeral) out.ephemeral = true;
  if (flags['log-level'] !== undefined) out.logLevel = String(flags['log-level']);
  if (flags['metrics-period'] !== undefined) out.metricsPeriod = String(flags['metrics-period']);
  if (flags['enforce-iam']) out.enforceIam = true;
  return out as Partial<Config>;
}

function endpointOf(flags: Record<string, string | boolean>): string {
  if (typeof flags.endpoint === 'string') return flags.endpoint.replace(/\/$/, '');
  const cfg = resolveConfig(configFromEnv(), configFromFlags(flags));
  return `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${cfg.port}`;
}

export async function main(argv: string[]): Promise<void> {
  // The AWS SDK's documented switch for its multi-line "will require node >=22" notice, which every `berth logs` and
  // `berth instances` run would print on the Node 20 Berth supports; other warnings still show. A user's own setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let parsed;
  try {
    parsed = parseArgs(argv, specOf);
  } catch (err) {
    if (!(err instanceof ArgsError)) throw err;
    console.error(`berth: ${err.message}${err instanceof UnknownCommandError ? `\n\n${HELP}` : ''}`);
    process.exitCode = 2;
    return;
  }
  const { command, flags } = parsed;
  if (flags.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  try {
    switch (command) {
      case 'up':
        return await up(flags);
      case 'status':
        return await status(endpointOf(flags));
      case 'env':
        return env(endpointOf(flags));
      case 'doctor': {
        const { doctor } = await import('./doctor.js');
        process.exitCode = await doctor(resolveConfig(configFromEnv(), configFromFlags(flags)));
        return;
      }
      case 'logs': {
        const positional = parsed.rest;
        if (positional.length !== 1) {
          console.error('berth logs: give one task ARN or id\n\nUsage: berth logs <task> [--cluster C] [--container NAME] [-f|--follow]');
          process.exitCode = 2;
          return;
        }
        const { logs } = await import('./logs.js');
        process.exitCode = await logs({
          endpoint: endpointOf(flags), task: positional[0], follow: flags.follow === true,
          cluster: typeof flags.cluster === 'string' ? flags.cluster : undefined,
          container: typeof flags.container === 'string' ? flags.container : undefined,
          region: typeof flags.region === 'string' ? flags.region : undefined,
        });
        return;
      }
      case 'instances': {
        const [verb, target] = parsed.rest;
        const f = {
          endpoint: endpointOf(flags), region: String(flags.region ?? process.env.BERTH_DEFAULT_REGION ?? 'us-east-1'),
          cluster: String(flags.cluster ?? 'default'), cpu: flags.cpu as string | undefined, memory: flags.memory as string | undefined,
          az: flags.az as string | undefined, instanceType: flags['instance-type'] as string | undefined, attributes: flags.attributes as string | undefined,
          engine: flags.engine as string | undefined,
        };
        // Loaded on use: the SDK client it needs would slow every other command's start.
        const { addInstance, listInstances, removeInstance } = await import('./instances.js');
        if (verb === 'add') return await addInstance(f);
        if (verb === 'list') return await listInstances(f);
        if (verb === 'remove' && target) return await removeInstance(f, target, !!flags.force);
        throw new UsageError('usage: berth instances add|list|remove [INSTANCE] --cluster C [--cpu N] [--memory MiB] [--az ZONE] [--instance-type T] [--attributes k=v,…] [--engine URL]');
      }
      case 'reset': {
        const { resetCommand } = await import('./state.js');
        return await resetCommand(endpointOf(flags), typeof flags.service === 'string' ? flags.service : undefined);
      }
      case 'state': {
        const [verb, file] = parsed.rest;
        if (!file || (verb !== 'save' && verb !== 'load')) throw new UsageError('usage: berth state save|load FILE');
        const { loadCommand, saveCommand } = await import('./state.js');
        return await (verb === 'save' ? saveCommand : loadCommand)(endpointOf(flags), file);
      }
      case 'version':
        console.log(VERSION);
        return;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`berth: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    if (command === 'reset' || command === 'state' || command === 'instances') {
      console.error(`berth ${command}: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    if (err instanceof ConfigError) {
      console.error(`berth: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

async function up(flags: Record<string, string | boolean>) {
  const config = resolveConfig(configFromEnv(), configFromFlags(flags));
  const { startApp } = await import('../app.js');
  let app;
  try {
    app = await startApp(config);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      console.error(`berth: port ${config.port} on ${config.host} is in use (another Berth? try \`berth status\`, or --port)`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`berth: ${signal} received, shutting down\n`);
    app.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (typeof flags.load === 'string') {
    try {
      await app.state.load(createReadStream(flags.load));
    } catch (err) {
      console.error(`berth: cannot load ${flags.load}: ${(err as Error).message}`);
      await app.stop();
      process.exit(2);
    }
  }
  // Ready means ready: a new state's --init scripts have run (they call this very process) before the line is printed.
  if (typeof flags.init === 'string' && app.needsInit()) {
    const { runInitScripts } = await import('./state.js');
    const failed = await runInitScripts(flags.init, app.endpoint, config.defaultRegion);
    app.markInitialized();
    if (failed.length) console.error(`berth: init scripts failed: ${failed.join(', ')}`);
  }
  // Signal handlers are in place already: whoever reads the ready line may signal at once.
  const where = config.ephemeral ? 'ephemeral (in memory)' : app.dataDir;
  process.stdout.write(`Berth ${VERSION} ready on ${app.endpoint} (data: ${where})\n`);
}

async function status(endpoint: string) {
  try {
    const res = await fetch(`${endpoint}/_berth/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as Record<string, unknown>;
    console.log(`Berth ${body.version} ${body.status} on ${endpoint}, up ${body.uptimeSeconds}s, data: ${body.dataDir ?? 'ephemeral'}`);
    const { loadBalancerStatusLines } = await import('../lb/status-text.js');
    const lbs = await fetch(`${endpoint}/_berth/load-balancers`, { signal: AbortSignal.timeout(2000) }).then((r) => (r.ok ? r.json() : { loadBalancers: [] }), () => ({ loadBalancers: [] }));
    for (const line of loadBalancerStatusLines((lbs as { loadBalancers: LoadBalancerStatus[] }).loadBalancers ?? [])) console.log(line);
    // The console's URL, with its token when Berth listens beyond loopback (Berth tells only a caller on its machine).
    const access: { url?: string } = await fetch(`${endpoint}/_berth/api/access`, { signal: AbortSignal.timeout(2000) })
      .then((r) => (r.ok ? (r.json() as Promise<{ url?: string }>) : {}), () => ({}));
    if (access.url) console.log(`console: ${access.url}`);
    // The local CA that issues the load balancers' certificates (ACM, ECS Express and App Runner URLs): trust it by its file.
    const ca: { path?: string } = await fetch(`${endpoint}/_berth/local-ca`, { signal: AbortSignal.timeout(5000) })
      .then((r) => (r.ok ? (r.json() as Promise<{ path?: string }>) : {}), () => ({}));
    if (ca.path) console.log(`local CA: ${ca.path} (HTTPS listeners: curl --cacert ${ca.path} https://…)`);
  } catch {
    console.error(`berth: nothing answers on ${endpoint} (start one with \`berth up\`)`);
    process.exitCode = 1;
  }
}

function env(endpoint: string) {
  const lines = [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    'export AWS_ACCESS_KEY_ID=test',
    'export AWS_SECRET_ACCESS_KEY=test',
    `export AWS_DEFAULT_REGION=${process.env.BERTH_DEFAULT_REGION ?? 'us-east-1'}`,
    `export AWS_REGION=${process.env.BERTH_DEFAULT_REGION ?? 'us-east-1'}`,
  ];
  console.log(lines.join('\n'));
}
