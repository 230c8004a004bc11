/**
 * The two AWS CLIs on this machine: Debian's awscli v2 (/usr/bin/aws) and the
 * Python awscli v1 (`python3 -m awscli`, botocore 1.43). They speak different
 * protocol versions, so tests run through both.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

export const CLIS = {
  v2: { name: 'awscli v2', cmd: '/usr/bin/aws', prefix: [] as string[] },
  v1: { name: 'awscli v1', cmd: 'python3', prefix: ['-m', 'awscli'] },
};

export type CliName = keyof typeof CLIS;

export const cliAvailable = (name: CliName) => (name === 'v2' ? existsSync(CLIS.v2.cmd) : true);

export function aws(name: CliName, endpoint: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const cli = CLIS[name];
  return new Promise((resolve) => {
    execFile(
      cli.cmd,
      [...cli.prefix, '--endpoint-url', endpoint, '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          ...env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        let json: any;
        try {
          json = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch { /* not JSON */ }
        resolve({ code, stdout, stderr, json });
      },
    );
  });
}
