/**
 * The docker CLI as tests drive it: a private config dir (so `docker login` never
 * touches the user's), the legacy builder, and an assertion helper.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function dockerCli() {
  const configDir = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
  const docker = (args: string[], input?: string): Promise<DockerRun> =>
    new Promise((resolve) => {
      const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: configDir, DOCKER_BUILDKIT: '0' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await docker(args, input);
    assert.equal(r.code, 0, `docker ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  return { configDir, docker, ok };
}
