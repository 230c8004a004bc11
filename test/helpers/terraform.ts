/**
 * Terraform against a Berth started by the test, offline: the AWS provider comes from the filesystem mirror at
 * /opt/tf-plugins (no registry access), through a CLI config written per workspace.
 *
 * The provider is started once per workspace in its debug mode and every terraform command reattaches to it
 * (TF_REATTACH_PROVIDERS, as the provider's own acceptance tests run it): the same provider code, without loading
 * its 700 MB binary four or five times per command (~5 s of CPU each on this machine).
 *
 *   const reason = terraformSkipReason();
 *   describe('…', { skip: reason }, () => {
 *     const tf = terraformWorkspace('fixtures/terraform/ecs-fargate');
 *     before(() => tf.run(['init'], { timeoutMs: 60_000 }));
 *     it('…', async () => { await tf.run(['apply', '-auto-approve'], { vars: { endpoint }, timeoutMs: 150_000 }); });
 *   });
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './berth.js';

export const TERRAFORM_MIRROR = '/opt/tf-plugins';
const PROVIDER_DIR = `${TERRAFORM_MIRROR}/registry.terraform.io/hashicorp/aws`;

/** Why Terraform tests cannot run here (no terraform binary, no provider mirror), or undefined when they can. */
export function terraformSkipReason(): string | undefined {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return 'terraform is not on PATH';
  }
  if (!providerBinary()) return `no AWS provider in the filesystem mirror ${TERRAFORM_MIRROR}`;
  return undefined;
}

/** The AWS provider's binary in the mirror (the one version there), or undefined. */
function providerBinary(): string | undefined {
  if (!existsSync(PROVIDER_DIR)) return undefined;
  for (const version of readdirSync(PROVIDER_DIR)) {
    const dir = join(PROVIDER_DIR, version, 'linux_amd64');
    const bin = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('terraform-provider-aws')) : undefined;
    if (bin) return join(dir, bin);
  }
  return undefined;
}

/** Starts the provider in debug mode; resolves with its TF_REATTACH_PROVIDERS value. */
function startProvider(env: NodeJS.ProcessEnv): { child: ChildProcess; reattach: Promise<string> } {
  const child = spawn(providerBinary()!, ['-debug'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const reattach = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the provider did not start within 60 s:\n${out}`)), 60_000);
    let ready = false;
    const seen = (chunk: Buffer) => {
      if (ready) return; // its later log lines are not kept
      out += chunk.toString('utf8');
      const m = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(out);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited (${code}) before it was ready:\n${out}`));
    });
  });
  reattach.catch(() => {});
  return { child, reattach };
}

/** Every service Berth serves that the provider has an endpoint setting for. */
const ENDPOINTS = [
  'acm', 'applicationautoscaling', 'autoscaling', 'cloudwatch', 'cloudwatchlogs', 'ec2', 'ecr', 'ecs', 'efs', 'elbv2',
  'events', 'iam', 's3', 'secretsmanager', 'sqs', 'ssm', 'sts',
];

/**
 * The `endpoint` variable (the test passes Berth's URL) and the AWS provider configured as a team points it at an
 * emulator: fixed test credentials, no metadata or account lookups, path-style S3, every endpoint at Berth.
 */
const BERTH_PROVIDER = `variable "endpoint" {
  type        = string
  description = "Berth's endpoint, e.g. http://127.0.0.1:4566"
}

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {
${ENDPOINTS.map((e) => `    ${e.padEnd(22)} = var.endpoint`).join('\n')}
  }
}
`;

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** `-var name=value` for each entry. */
  vars?: Record<string, string | number>;
  /** The command is interrupted (SIGINT, then SIGKILL) past this. */
  timeoutMs: number;
  /** Extra environment (TF_LOG=DEBUG, TF_LOG_PATH=… when diagnosing a diff). */
  env?: NodeJS.ProcessEnv;
}

export interface TerraformWorkspace {
  /** The temporary copy of the configuration Terraform runs in (state, .terraform). */
  readonly dir: string;
  /** `terraform <args> -input=false -no-color [-var …]`; resolves with the exit code whatever it is. */
  run(args: string[], options: RunOptions): Promise<TerraformResult>;
  /** Stops the provider and removes the temporary directory. */
  remove(): void;
}

/**
 * A temporary copy of `fixture` (a directory or one .tf file, relative to the repository) with its own CLI config
 * using the provider mirror, and `berth_provider.tf` (the provider at Berth's endpoint, variable `endpoint`).
 */
export function terraformWorkspace(fixture: string): TerraformWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'berth-terraform-'));
  const source = join(REPO_ROOT, fixture);
  cpSync(source, statSync(source).isFile() ? join(dir, basename(source)) : dir, { recursive: true });
  // The provider pointed at Berth: the one Berth-specific file, the same for every fixture (which declares none).
  writeFileSync(join(dir, 'berth_provider.tf'), BERTH_PROVIDER);
  const cliConfig = join(dir, '.terraformrc');
  writeFileSync(cliConfig, `provider_installation {
  filesystem_mirror {
    path    = "${TERRAFORM_MIRROR}"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`);
  // HOME in the workspace: no ~/.aws or ~/.terraform.d of the machine's user reaches the provider or terraform.
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOME: dir, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', AWS_EC2_METADATA_DISABLED: 'true',
  };
  // A long-running provider is configured once per command, and aws-sdk-go-base cannot add AWS_CA_BUNDLE's roots to
  // the client it already wrapped the first time ("unable to add custom RootCAs HTTPClient"): Berth is plain HTTP.
  const { AWS_CA_BUNDLE: _caBundle, ...providerEnv } = env;
  const provider = startProvider(providerEnv);
  return {
    dir,
    async run(args, { vars = {}, timeoutMs, env: extra }) {
      const varArgs = Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]);
      const TF_REATTACH_PROVIDERS = await provider.reattach;
      return new Promise((resolve) => {
        const child = execFile('terraform', [...args, '-input=false', '-no-color', ...varArgs], {
          cwd: dir, env: { ...env, TF_REATTACH_PROVIDERS, ...extra }, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGINT', timeout: timeoutMs,
        }, (err, stdout, stderr) => {
          clearTimeout(hardKill);
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
          const timedOut = err && (err as { killed?: boolean }).killed ? `\n(terraform ${args[0]} interrupted after ${timeoutMs} ms)` : '';
          resolve({ code, stdout, stderr: stderr + timedOut });
        });
        // Terraform finishes its current operations on SIGINT; past a grace period it is killed.
        const hardKill = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 15_000);
      });
    },
    remove() {
      provider.child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
