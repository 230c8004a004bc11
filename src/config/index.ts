/**
 * Berth's own settings in one typed place. Precedence: CLI flags, then BERTH_*
 * environment variables, then defaults.
 */
import { z } from 'zod';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export const ConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(4566),
  dataDir: z.string().min(1).default('./.berth'),
  /** Keep state in memory and files in a temp dir; for tests. */
  ephemeral: z.boolean().default(false),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  defaultAccount: z.string().regex(/^\d{12}$/, 'must be 12 digits').default('000000000000'),
  defaultRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1').default('us-east-1'),
  /** Container engine: docker (Docker Engine API or Podman's socket) or fake (in memory, tests). */
  runtime: z.enum(['docker', 'fake']).default('docker'),
  /** Access key id → account id. A 12-digit access key is itself the account. */
  accessKeys: z.record(z.string(), z.string().regex(/^\d{12}$/)).default({}),
  /** Let unauthenticated clients pull from the registry (local convenience; ECR never does). */
  registryAnonymousPull: z.boolean().default(false),
  /** Directory of OSV JSON records that ECR image scanning matches packages against (none: scans fail saying so). */
  vulnerabilityDb: z.string().min(1).optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** "AKID1=111111111111,AKID2=222222222222" → map */
function parseKeyMap(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
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
    registryAnonymousPull: bool(env.BERTH_REGISTRY_ANONYMOUS_PULL),
    vulnerabilityDb: env.BERTH_VULN_DB,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Partial<Config>;
}

/** Merges sources (later wins) and validates; throws one readable ConfigError. */
export function resolveConfig(...sources: Partial<Config>[]): Config {
  const merged = Object.assign({}, ...sources);
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
