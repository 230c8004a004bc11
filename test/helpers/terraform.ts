/**
 * Terraform against a Berth started by the test, offline: the AWS provider comes from the filesystem mirror at
 * /opt/tf-plugins (no registry access), through a CLI config written per workspace.
 *
 *   const reason = terraformSkipReason();
 *   describe('…', { skip: reason }, () => {
 *     const tf = terraformWorkspace('fixtures/terraform/ecs-fargate');
 *     before(() => tf.run(['init'], { timeoutMs: 60_000 }));
 *     it('…', async () => { await tf.run(['apply', '-auto-approve'], { vars: { endpoint }, timeoutMs: 150_000 }); });
 *   });
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  if (!existsSync(PROVIDER_DIR)) return `no AWS provider in the filesystem mirror ${TERRAFORM_MIRROR}`;
  return undefined;
}

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
  /** Removes the temporary directory. */
  remove(): void;
}

/** A temporary copy of `fixture` (relative to the repository) with its own CLI config using the provider mirror. */
export function terraformWorkspace(fixture: string): TerraformWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'berth-terraform-'));
  cpSync(join(REPO_ROOT, fixture), dir, { recursive: true });
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
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  return {
    dir,
    run(args, { vars = {}, timeoutMs, env: extra }) {
      const varArgs = Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]);
      return new Promise((resolve) => {
        const child = execFile('terraform', [...args, '-input=false', '-no-color', ...varArgs], {
          cwd: dir, env: { ...env, ...extra }, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGINT', timeout: timeoutMs,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
