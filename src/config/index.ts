/**
 * Berth's own settings in one typed place. Precedence: CLI flags, then BERTH_*
 * environment variables, then defaults.
 *
 * Validated by a small table of field checkers rather than a schema library:
 * this module is on the start-up path, and zod alone cost ~55 ms of the
 * 300 ms ready budget (97 files to load).
 */

import { availableParallelism } from 'node:os';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
const RUNTIMES = ['docker', 'fake'] as const;
const ACCOUNT = /^\d{12}$/;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Keep state in memory and files in a temp dir; for tests. */
  ephemeral: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  defaultAccount: string;
  defaultRegion: string;
  /** Container engine: docker (Docker Engine API or Podman's socket) or fake (in memory, tests). */
  runtime: (typeof RUNTIMES)[number];
  /** Access key id → account id. A 12-digit access key is itself the account. */
  accessKeys: Record<string, string>;
  /**
   * Verify SigV4 signatures against the secrets Berth holds (issue 23): root keys sign with the secret `test`,
   * IAM users' and STS sessions' keys with the secrets Berth issued. Off: any signature and any key are accepted.
   */
  enforceIam: boolean;
  /** Let unauthenticated clients pull from the registry (local convenience; ECR never does). */
  registryAnonymousPull: boolean;
  /**
   * The port of the public registry (ECR Public's public.ecr.aws: anonymous pulls, its own host for docker). Unset:
   * Berth's port + 1 when that is free, else any free port (0 with Berth's port 0).
   */
  publicRegistryPort?: number;
  /** Directory of OSV JSON records that ECR image scanning matches packages against (none: scans fail saying so). */
  vulnerabilityDb?: string;
  /** Worker processes serving load balancer listener ports (started with the first listener); 0 serves them in Berth's process. */
  lbWorkers: number;
  /**
   * How many real seconds one CloudWatch "minute" lasts (`--metrics-period 5s`): metric periods, alarm
   * evaluation and retention run on it, while every API keeps AWS's units. 60 is real time.
   */
  metricsPeriod: number;
  /** App Runner's base image per runtime for source code builds (`NODEJS_22=…,PYTHON_3=…`): offline, nothing is pulled from AWS. */
  appRunnerRuntimeImages?: Record<string, string>;
}

export class ConfigError extends Error {}

/** A field checker returns the typed value or throws a message (a string) saying what is wrong. */
type Check<T> = (v: unknown) => T;

const text: Check<string> = (v) => {
  if (typeof v !== 'string') throw 'expected a string';
  if (v.length === 0) throw 'must not be empty';
  return v;
};
const flag: Check<boolean> = (v) => {
  if (typeof v !== 'boolean') throw 'expected a boolean';
  return v;
};
const oneOf = <T extends string>(values: readonly T[]): Check<T> => (v) => {
  if (!values.includes(v as T)) throw `must be one of ${values.join(', ')}`;
  return v as T;
};
const matching = (re: RegExp, message: string): Check<string> => (v) => {
  if (!re.test(text(v))) throw message;
  return v as string;
};
const port: Check<number> = (v) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw 'must be an integer from 0 to 65535';
  return n;
};
const workers: Check<number> = (v) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 64) throw 'must be an integer from 0 to 64';
  return n;
};
/** Seconds, from a number or "5s", "1m", "500ms"; from 0.05 s to 1 h. */
const duration: Check<number> = (v) => {
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(v));
    if (!m) throw 'expected seconds, e.g. 5s, 1m or 500ms';
    n = Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
  }
  if (!Number.isFinite(n) || n < 0.05 || n > 3600) throw 'must be from 50ms to 1h';
  return n;
};
const imageMap: Check<Record<string, string>> = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw 'expected a map of App Runner runtime to image';
  for (const [k, image] of Object.entries(v)) {
    if (!/^[A-Z]+_\d+$/.test(k)) throw `${k}: not an App Runner runtime (NODEJS_22, PYTHON_3, …)`;
    if (typeof image !== 'string' || !image) throw `${k}: expected an image reference`;
  }
  return { ...(v as Record<string, string>) };
};
const keyMap: Check<Record<string, string>> = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw 'expected a map of access key to account';
  for (const [k, account] of Object.entries(v)) {
    if (typeof account !== 'string' || !ACCOUNT.test(account)) throw `${k}: account must be 12 digits`;
  }
  return { ...(v as Record<string, string>) };
};

const FIELDS: { [K in keyof Config]-?: { check: Check<NonNullable<Config[K]>>; default?: Config[K] } } = {
  host: { check: text, default: '127.0.0.1' },
  port: { check: port, default: 4566 },
  dataDir: { check: text, default: './.berth' },
  ephemeral: { check: flag, default: false },
  logLevel: { check: oneOf(LOG_LEVELS), default: 'info' },
  defaultAccount: { check: matching(ACCOUNT, 'must be 12 digits'), default: '000000000000' },
  defaultRegion: { check: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1'), default: 'us-east-1' },
  runtime: { check: oneOf(RUNTIMES), default: 'docker' },
  accessKeys: { check: keyMap, default: {} },
  enforceIam: { check: flag, default: false },
  registryAnonymousPull: { check: flag, default: false },
  publicRegistryPort: { check: port },
  vulnerabilityDb: { check: text },
  lbWorkers: { check: workers, default: Math.max(1, Math.min(2, availableParallelism())) },
  metricsPeriod: { check: duration, default: 60 },
  appRunnerRuntimeImages: { check: imageMap },
};

/** "NODEJS_22=my/node:22,PYTHON_3=my/python:3" → map (an image reference may hold '=' nowhere, ':' anywhere). */
function parseImageMap(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(value.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new ConfigError(`BERTH_APPRUNNER_RUNTIME_IMAGES: expected RUNTIME=IMAGE, got "${pair}"`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }));
}

/** "AKID1=111111111111,AKID2=222222222222" → map */
function parseKeyMap(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  const out: Record<string, string> = {};
  for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = pair.split('=');
    if (!k || !v) throw new ConfigError(`BERTH_ACCESS_KEYS: expected KEY=ACCOUNT, got "${pair}"`);
    out[k] = v;
  }
  return out;
}

const bool = (v: string | undefined) => (v === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()));

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Config> {
  const raw: Record<string, unknown> = {
    host: env.BERTH_HOST,
    port: env.BERTH_PORT,
    dataDir: env.BERTH_DATA_DIR,
    ephemeral: bool(env.BERTH_EPHEMERAL),
    logLevel: env.BERTH_LOG_LEVEL,
    defaultAccount: env.BERTH_DEFAULT_ACCOUNT,
    defaultRegion: env.BERTH_DEFAULT_REGION,
    accessKeys: parseKeyMap(env.BERTH_ACCESS_KEYS),
    runtime: env.BERTH_RUNTIME,
    enforceIam: bool(env.BERTH_ENFORCE_IAM),
    registryAnonymousPull: bool(env.BERTH_REGISTRY_ANONYMOUS_PULL),
    publicRegistryPort: env.BERTH_PUBLIC_REGISTRY_PORT,
    vulnerabilityDb: env.BERTH_VULN_DB,
    lbWorkers: env.BERTH_LB_WORKERS,
    metricsPeriod: env.BERTH_METRICS_PERIOD,
    appRunnerRuntimeImages: parseImageMap(env.BERTH_APPRUNNER_RUNTIME_IMAGES),
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Partial<Config>;
}

/** Merges sources (later wins) and validates; throws one readable ConfigError naming every bad field. */
export function resolveConfig(...sources: Partial<Config>[]): Config {
  const merged: Record<string, unknown> = Object.assign({}, ...sources);
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of Object.keys(merged)) {
    if (!(key in FIELDS)) problems.push(`  ${key}: unknown setting`);
  }
  for (const [key, field] of Object.entries(FIELDS) as [string, { check: Check<unknown>; default?: unknown }][]) {
    const value = merged[key];
    if (value === undefined) {
      if (field.default !== undefined) out[key] = structuredClone(field.default);
      continue;
    }
    try {
      out[key] = field.check(value);
    } catch (message) {
      problems.push(`  ${key}: ${String(message)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return out as unknown as Config;
}
