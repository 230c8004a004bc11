/**
 * The CDK CLI (a dev dependency) against a Berth, offline, for the fixture app in fixtures/cdk/fargate: its image
 * asset is a local Dockerfile built FROM scratch with busybox-static (no registry is reached), pushed by the CLI to the
 * bootstrap ECR repository.
 *
 *   const app = cdkFargateApp({ listenerPort });          // a temporary asset directory
 *   await cdk(endpoint, ['synth', '-o', app.out], { cwd: app.dir, env: app.env, timeoutMs: 120_000 });
 *   await cdk(endpoint, ['deploy', '--app', app.out, '--require-approval', 'never'], { env: app.env, timeoutMs: 120_000 });
 *   app.remove();
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, TEST_CREDENTIALS } from './berth.js';

export const CDK_CLI = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
export const CDK_FARGATE_APP = join(REPO_ROOT, 'fixtures', 'cdk', 'fargate');
const BUSYBOX = process.env.BUSYBOX ?? '/bin/busybox';

/** Why the CDK app cannot be deployed here (no CLI, no docker, no static busybox), or undefined. */
export function cdkSkipReason(): string | undefined {
  if (!existsSync(CDK_CLI)) return 'the aws-cdk package (the CDK CLI) is not installed in node_modules';
  if (!existsSync(join(REPO_ROOT, 'node_modules', 'aws-cdk-lib'))) return 'aws-cdk-lib is not installed in node_modules';
  if (!existsSync(BUSYBOX)) return `no static busybox at ${BUSYBOX} (apt-get install busybox-static)`;
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
  } catch {
    return 'docker is not available';
  }
  return undefined;
}

export interface CdkApp {
  /** The app's directory (cdk.json), where `synth` runs. */
  dir: string;
  /** Where the cloud assembly is written (`synth -o`) and read from (`--app`). */
  out: string;
  /** The environment the app and the CLI need (asset directory, listener port, a private docker config). */
  env: NodeJS.ProcessEnv;
  /** Removes the temporary directories and the images the CLI built and pushed for the asset. */
  remove(): void;
}

/** A temporary asset directory (busybox httpd serving "served by cdk" on 8080) and output directory for the app. */
export function cdkFargateApp(opts: { listenerPort: number }): CdkApp {
  const tmp = mkdtempSync(join(tmpdir(), 'berth-cdk-'));
  const asset = join(tmp, 'asset');
  execFileSync('mkdir', ['-p', asset, join(tmp, 'docker')]);
  copyFileSync(BUSYBOX, join(asset, 'busybox'));
  writeFileSync(join(asset, 'Dockerfile'), [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    "RUN mkdir -p /tmp /var/www && echo 'served by cdk' > /var/www/index.html",
    'ENV PATH=/bin',
    'CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]',
    '',
  ].join('\n'));
  const out = join(tmp, 'cdk.out');
  return {
    dir: CDK_FARGATE_APP,
    out,
    env: { BERTH_ASSET_DIR: asset, BERTH_LISTENER_PORT: String(opts.listenerPort), DOCKER_CONFIG: join(tmp, 'docker') },
    remove() {
      // The asset's local build (cdkasset-<hash>) and its pushed name in Berth's registry; both only ever made here.
      const refs = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
        .split('\n').filter((r) => r.includes(`/cdk-hnb659fds-container-assets-`) || r.startsWith('cdkasset-'));
      for (const ref of refs) {
        try {
          execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
        } catch { /* still used by a container that is going away: left to docker */ }
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export interface CdkResult { code: number; output: string }

/** `cdk <args> --no-notices` with Berth as every endpoint; resolves with the exit code and the combined output. */
export function cdk(endpoint: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CdkResult> {
  const env = {
    ...process.env, ...opts.env, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', CDK_DISABLE_VERSION_CHECK: '1', CI: 'true',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [CDK_CLI, ...args, '--no-notices'], {
      cwd: opts.cwd ?? REPO_ROOT, env, timeout: opts.timeoutMs, killSignal: 'SIGINT', maxBuffer: 32 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      const timedOut = err && (err as { killed?: boolean }).killed ? `\n(cdk ${args[0]} interrupted after ${opts.timeoutMs} ms)` : '';
      resolve({ code, output: `${stdout}${stderr}${timedOut}` });
    });
  });
}
