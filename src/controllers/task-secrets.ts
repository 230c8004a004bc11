/**
 * Task-definition `secrets`, `logConfiguration.secretOptions` and
 * `repositoryCredentials`, resolved from Parameter Store and Secrets Manager
 * the way ECS does with the task's execution role: all of a task's secrets are
 * fetched before its first container is created, and the first failure stops
 * the task with ECS's ResourceInitializationError wording.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
 */
import { randomUUID } from 'node:crypto';
import type { ContainerDefinition, Secret, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { AwsError } from '../protocol/errors.js';
import type { RegistryAuth } from '../runtime/driver.js';
import { readSecretValue } from '../services/secrets-manager/index.js';
import { isSecretReference, tryResolveRef } from '../services/ssm/index.js';
import { parseArn } from '../shared/arns.js';
import type { Clock } from '../shared/clock.js';
import type { Statements } from '../state/db.js';

export interface TaskSecretsDeps {
  sql: Statements;
  clock: Clock;
  /**
   * With --enforce-iam (issue 23): IAM's denial message when the task's execution role may not call `operation`
   * (secretsmanager:GetSecretValue, ssm:GetParameters) with `input`, else undefined. Absent: no check.
   */
  authorizeExecutionRole?: AuthorizeExecutionRole;
}

export type AuthorizeExecutionRole = (
  task: Task, def: TaskDefinition, serviceId: 'secrets-manager' | 'ssm', operation: string, input: Record<string, unknown>, where: Where,
) => string | undefined;

const PREFIX = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:';
const RETRIED = 'service call has been retried 1 time(s)';
/** GetParameters takes at most 10 names; the agent batches by 10. */
const SSM_BATCH = 10;

export interface Where {
  account: string;
  region: string;
}

type Ref =
  | ({ kind: 'ssm'; name: string } & Where)
  | ({ kind: 'asm'; secretId: string; jsonKey?: string; stage?: string; versionId?: string } & Where);

/**
 * What a `valueFrom` points at: a Secrets Manager ARN (optionally
 * `:json-key:version-stage:version-id`), an SSM parameter ARN, or (in the
 * task's own region) a parameter name.
 */
export function classify(valueFrom: string, home: Where): Ref {
  const arn = valueFrom.startsWith('arn:') ? parseArn(valueFrom) : undefined;
  if (arn?.service === 'secretsmanager' && arn.resource.startsWith('secret:')) {
    const [id, jsonKey, stage, versionId] = arn.resource.slice('secret:'.length).split(':');
    return {
      kind: 'asm', account: arn.account, region: arn.region,
      secretId: `arn:${arn.partition}:secretsmanager:${arn.region}:${arn.account}:secret:${id}`,
      jsonKey: jsonKey || undefined, stage: stage || undefined, versionId: versionId || undefined,
    };
  }
  if (arn?.service === 'ssm') return { kind: 'ssm', account: arn.account, region: arn.region, name: valueFrom };
  return { kind: 'ssm', ...home, name: valueFrom };
}

function homeOf(task: Task): Where {
  const arn = parseArn(task.taskArn ?? '');
  return { account: arn?.account ?? '000000000000', region: arn?.region ?? 'us-east-1' };
}

/** How Go's %v prints a JSON value (the agent formats JSON-key values with fmt.Sprintf("%v")). */
function goValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return '<nil>';
  if (typeof v === 'number') {
    // %v of a float64 is %g, shortest digits, in exponent form when the exponent is < -4 or >= 6 ("1e+06").
    const exp = v === 0 ? 0 : Number(v.toExponential().split('e')[1]);
    if (exp < -4 || exp >= 6) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
    return String(v);
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Go's encoding/json wording for a value that is not JSON. */
function goJsonError(text: string): string {
  const c = text.trimStart()[0];
  return c === undefined ? 'unexpected end of JSON input' : `invalid character '${c}' looking for beginning of value`;
}

function awsFailure(err: unknown): string {
  if (!(err instanceof AwsError)) throw err;
  return `${err.code}: ${err.message} status code: 400, request id: ${randomUUID()}`;
}

class Resolver {
  private readonly ssm = new Map<string, string>();
  private readonly asm = new Map<string, string>();

  constructor(private readonly d: TaskSecretsDeps, private readonly home: Where, private readonly task: Task, private readonly def: TaskDefinition) {}

  /** The execution role's AccessDeniedException, in the agent's "status code: 400, request id" form, if IAM denies. */
  private denied(serviceId: 'secrets-manager' | 'ssm', operation: string, input: Record<string, unknown>, where: Where): string | undefined {
    const message = this.d.authorizeExecutionRole?.(this.task, this.def, serviceId, operation, input, where);
    return message === undefined ? undefined : `AccessDeniedException: ${message} status code: 400, request id: ${randomUUID()}`;
  }

  /** Fetches every reference; throws the task's stoppedReason on the first failure. */
  fetchAll(refs: Ref[]): void {
    const ssm = refs.filter((r): r is Extract<Ref, { kind: 'ssm' }> => r.kind === 'ssm');
    const byScope = new Map<string, Extract<Ref, { kind: 'ssm' }>[]>();
    for (const r of ssm) {
      const key = `${r.account}/${r.region}`;
      byScope.set(key, [...(byScope.get(key) ?? []), r]);
    }
    for (const group of byScope.values()) {
      const names = [...new Set(group.map((r) => r.name))];
      for (let i = 0; i < names.length; i += SSM_BATCH) this.fetchSsm(group[0], names.slice(i, i + SSM_BATCH));
    }
    for (const r of refs) if (r.kind === 'asm') this.fetchAsm(r);
  }

  private fetchSsm(where: Where, names: string[]): void {
    const denied = this.denied('ssm', 'GetParameters', { Names: names, WithDecryption: true }, where);
    if (denied) throw new Error(`${PREFIX} unable to retrieve secrets from ssm: ${RETRIED}: ${denied}`);
    const scope = { sql: this.d.sql, account: where.account, region: where.region };
    const invalid: string[] = [];
    for (const name of names) {
      let value: string | undefined;
      if (isSecretReference(name)) {
        try {
          const { version } = readSecretValue(scope, name.slice('/aws/reference/secretsmanager/'.length), undefined, undefined, this.d.clock.now());
          value = version.stringValue;
        } catch { /* reported as an invalid parameter, as GetParameters does */ }
      } else value = tryResolveRef(scope, name)?.value;
      if (value === undefined) invalid.push(name);
      else this.ssm.set(`${where.account}/${where.region}/${name}`, value);
    }
    if (invalid.length) throw new Error(`${PREFIX} unable to retrieve secrets from ssm: ${RETRIED}: invalid ssm parameters: ${invalid.join(',')}`);
  }

  private fetchAsm(r: Extract<Ref, { kind: 'asm' }>): void {
    const key = asmKey(r);
    if (this.asm.has(key)) return;
    const fail = (why: string) => new Error(`${PREFIX} unable to retrieve secret from asm: ${RETRIED}: ${why}`);
    const denied = this.denied('secrets-manager', 'GetSecretValue', { SecretId: r.secretId }, r);
    if (denied) throw fail(`failed to fetch secret ${r.secretId} from secrets manager: ${denied}`);
    let text: string;
    try {
      const { version } = readSecretValue({ sql: this.d.sql, ...r }, r.secretId, r.versionId, r.stage, this.d.clock.now());
      // Only SecretString reaches the environment; a binary secret resolves to "" as in the agent.
      text = version.stringValue ?? '';
    } catch (err) {
      throw fail(`failed to fetch secret ${r.secretId} from secrets manager: ${awsFailure(err)}`);
    }
    if (r.jsonKey === undefined) {
      this.asm.set(key, text);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw fail(goJsonError(text));
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw fail(`json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map[string]interface {}`);
    }
    if (!(r.jsonKey in parsed)) throw fail(`retrieved secret from Secrets Manager did not contain json key ${r.jsonKey}`);
    this.asm.set(key, goValue((parsed as Record<string, unknown>)[r.jsonKey]));
  }

  valueOf(valueFrom: string): string {
    const r = classify(valueFrom, this.home);
    return r.kind === 'ssm' ? this.ssm.get(`${r.account}/${r.region}/${r.name}`)! : this.asm.get(asmKey(r))!;
  }
}

const asmKey = (r: Extract<Ref, { kind: 'asm' }>) => [r.secretId, r.jsonKey, r.stage, r.versionId].join('|');

const secretsOf = (cd: ContainerDefinition): Secret[] => [...(cd.secrets ?? []), ...(cd.logConfiguration?.secretOptions ?? [])];

/** Resolves every secret of the task (so any failure stops it before a container starts). */
function resolveTask(d: TaskSecretsDeps, task: Task, def: TaskDefinition): Resolver {
  const home = homeOf(task);
  const resolver = new Resolver(d, home, task, def);
  const refs = (def.containerDefinitions ?? []).flatMap(secretsOf).map((s) => classify(s.valueFrom!, home));
  resolver.fetchAll(refs);
  return resolver;
}

/** The `resolveSecrets` hook of the task lifecycle: a container's `secrets` as environment variables. */
export function resolveSecrets(d: TaskSecretsDeps, task: Task, def: TaskDefinition, containerName: string): Record<string, string> {
  const cd = def.containerDefinitions?.find((c) => c.name === containerName);
  if (!(def.containerDefinitions ?? []).some((c) => secretsOf(c).length)) return {};
  const resolver = resolveTask(d, task, def);
  const env: Record<string, string> = {};
  for (const s of cd?.secrets ?? []) env[s.name!] = resolver.valueOf(s.valueFrom!);
  return env;
}

/** `logConfiguration.secretOptions` of a container, as log driver options. */
export function resolveLogSecretOptions(d: TaskSecretsDeps, task: Task, def: TaskDefinition, containerName: string): Record<string, string> {
  const cd = def.containerDefinitions?.find((c) => c.name === containerName);
  if (!cd?.logConfiguration?.secretOptions?.length) return {};
  const resolver = resolveTask(d, task, def);
  return Object.fromEntries(cd.logConfiguration.secretOptions.map((s) => [s.name!, resolver.valueOf(s.valueFrom!)]));
}

/** The registry an image reference pulls from, as Docker names it in auth configs. */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  const isHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : 'https://index.docker.io/v1/';
}

/**
 * The `registryAuth` hook: `repositoryCredentials.credentialsParameter` (a
 * Secrets Manager secret holding {"username","password"}) as pull credentials.
 */
export function registryAuth(d: TaskSecretsDeps, task: Task, def: TaskDefinition, containerName: string): RegistryAuth | undefined {
  const cd = def.containerDefinitions?.find((c) => c.name === containerName);
  const param = cd?.repositoryCredentials?.credentialsParameter;
  if (!cd || !param) return undefined;
  const home = homeOf(task);
  const ref = classify(param, home);
  const where = ref.kind === 'asm' ? ref : home;
  const secretId = ref.kind === 'asm' ? ref.secretId : param;
  const fail = (why: string) => new Error(`${PREFIX} unable to retrieve secret from asm: ${RETRIED}: ${why}`);
  const denied = d.authorizeExecutionRole?.(task, def, 'secrets-manager', 'GetSecretValue', { SecretId: secretId }, where);
  if (denied !== undefined) throw fail(`asm fetching secret from the service for ${secretId}: AccessDeniedException: ${denied} status code: 400, request id: ${randomUUID()}`);
  let text: string | undefined;
  try {
    text = readSecretValue({ sql: d.sql, ...where }, secretId, undefined, undefined, d.clock.now()).version.stringValue;
  } catch (err) {
    throw fail(`asm fetching secret from the service for ${secretId}: ${awsFailure(err)}`);
  }
  // The agent's wording for credentials it cannot use (agent/asm/asm.go).
  if (!text) throw fail('asm fetching authorization data: empty secrets value');
  let value: { username?: unknown; password?: unknown };
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('asm fetching authorization data: unable to unmarshal secret value, invalid schema');
  }
  if (typeof value?.username !== 'string' || !value.username) throw fail('asm fetching username: AuthorizationData is malformed, empty field');
  if (typeof value?.password !== 'string' || !value.password) throw fail('asm fetching password: AuthorizationData is malformed, empty field');
  return { username: value.username, password: value.password, serverAddress: registryOf(cd.image!) };
}
