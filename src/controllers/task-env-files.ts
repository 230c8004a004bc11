/**
 * Container-definition `environmentFiles`, resolved the way ECS's agent does
 * before a task's first container is created: every file of every container
 * is fetched (any failure stops the task with ResourceInitializationError),
 * each is parsed as the agent parses it, and the files' variables sit below
 * everything else a container is given (`environment`, secrets, the
 * variables Berth injects); among files, the first one naming a variable wins.
 *
 * Values: `arn:aws:s3:::bucket/key.env` reads the object from Berth's S3, in
 * the task's account. Berth extension: `file:///absolute/path.env` reads a
 * file on the machine Berth runs on ("local files").
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { ContainerDefinition, EnvironmentFile, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { ObjectFiles } from '../services/s3/index.js';
import { findBucket, findObject } from '../services/s3/store.js';
import { parseArn, s3Arn } from '../shared/arns.js';
import type { Statements } from '../state/db.js';

export interface TaskEnvFilesDeps {
  sql: Statements;
  /** Berth's data directory (S3 object bodies live under s3/objects). */
  dataDir: string;
}

const PREFIX = 'ResourceInitializationError: failed to download env files:';

/**
 * One env file's variables, as the agent reads them: lines split at the first "=", lines starting with "#"
 * skipped, and lines whose name or value is empty ignored; no quoting, no trimming; a later line wins.
 * (amazon-ecs-agent, agent/taskresource/envFiles/envfile.go, readEnvVarsFromFile)
 */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    // bufio.ScanLines drops a trailing \r.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0 || eq === line.length - 1) continue;
    Object.defineProperty(vars, line.slice(0, eq), { value: line.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return vars;
}

function accountOf(task: Task): string {
  return parseArn(task.taskArn ?? '')?.account ?? '000000000000';
}

/** A container's files: its override's list, when the task gives one, replaces the definition's. */
function filesOf(task: Task, cd: ContainerDefinition): EnvironmentFile[] {
  const o = task.overrides?.containerOverrides?.find((x) => x.name === cd.name);
  return o?.environmentFiles ?? cd.environmentFiles ?? [];
}

/** The text of one env file; throws the reason the agent would give for it. */
async function fetchEnvFile(d: TaskEnvFilesDeps, account: string, value: string): Promise<string> {
  if (value.startsWith('file://')) {
    let path: string;
    try {
      path = fileURLToPath(value);
    } catch {
      throw new Error(`unable to read env file ${value}: not an absolute file:// URL`);
    }
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(`unable to read env file ${value}, error: open ${path}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
    }
  }
  const ref = s3Arn.parseObject(value);
  if (!ref) throw new Error(`unable to parse bucket and key from s3 ARN specified in environmentFile ${value}`);
  // The agent asks S3 for the object with the task execution role; an object it cannot see is a 404 (HeadObject).
  const bucket = findBucket(d.sql, ref.bucket);
  const object = bucket && bucket.account === account ? findObject(d.sql, ref.bucket, ref.key) : undefined;
  const notFound = () => new Error(
    `unable to download env file with key ${ref.key} from bucket ${ref.bucket}, error: ` +
      `operation error S3: HeadObject, https response error StatusCode: 404, RequestID: ${randomUUID()}, api error NotFound: Not Found`,
  );
  if (!object) throw notFound();
  try {
    return await readFile(new ObjectFiles(d.dataDir).path(object.file), 'utf8');
  } catch (err) {
    // Replaced or deleted between the lookup and the read.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound();
    throw err;
  }
}

/**
 * The `resolveEnvFiles` hook of the task lifecycle: the variables a container gets from its env files.
 * All of the task's files are fetched first, so one missing file stops the task before any container starts.
 */
export async function resolveEnvFiles(d: TaskEnvFilesDeps, task: Task, def: TaskDefinition, containerName: string): Promise<Record<string, string>> {
  const containers = def.containerDefinitions ?? [];
  if (!containers.some((cd) => filesOf(task, cd).length)) return {};
  const account = accountOf(task);
  const texts = new Map<string, string>();
  const failures: string[] = [];
  for (const cd of containers) {
    for (const f of filesOf(task, cd)) {
      const value = f.value ?? '';
      if (texts.has(value)) continue;
      try {
        texts.set(value, await fetchEnvFile(d, account, value));
      } catch (err) {
        failures.push((err as Error).message);
        texts.set(value, '');
      }
    }
  }
  // The agent fetches every file and joins the reasons of those that failed with ";".
  if (failures.length) throw new Error(`${PREFIX} ${failures.join(';')}`);
  const cd = containers.find((c) => c.name === containerName);
  const env: Record<string, string> = {};
  for (const f of cd ? filesOf(task, cd) : []) {
    for (const [name, value] of Object.entries(parseEnvFile(texts.get(f.value ?? '') ?? ''))) {
      // "If multiple environment files are specified that contain the same variable, they're processed from the
      // top down": the agent keeps the first file's value (MergeEnvironmentVariablesFromEnvfiles).
      if (!Object.prototype.hasOwnProperty.call(env, name)) Object.defineProperty(env, name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return env;
}
