/**
 * App Runner's source-code services, Berth's way: instead of a GitHub or Bitbucket connection, the repository is a
 * git repository on the host (`RepositoryUrl` an absolute path or a `file://` URL; `SourceCodeVersion` a branch, or
 * anything `git rev-parse` names: a tag, a commit). What to build and run comes from the API
 * (`CodeConfigurationValues`) or from `apprunner.yaml` in the source directory (`ConfigurationSource: REPOSITORY`);
 * either way it becomes a BuildPlan, and the plan a Dockerfile over a base image per runtime.
 * https://docs.aws.amazon.com/apprunner/latest/dg/service-source-code.html
 * https://docs.aws.amazon.com/apprunner/latest/dg/config-file-ref.html
 */
import type { CodeRepository } from '@aws-sdk/client-apprunner';
import { load as loadYaml } from 'js-yaml';
import { invalidRequest } from './errors.js';

/** The API's runtimes (the model's Runtime enum) by the names apprunner.yaml uses (`<language><major>`). */
const YAML_RUNTIMES: Record<string, string> = {
  nodejs12: 'NODEJS_12', nodejs14: 'NODEJS_14', nodejs16: 'NODEJS_16', nodejs18: 'NODEJS_18', nodejs22: 'NODEJS_22',
  python3: 'PYTHON_3', python311: 'PYTHON_311', corretto8: 'CORRETTO_8', corretto11: 'CORRETTO_11', go1: 'GO_1',
  dotnet6: 'DOTNET_6', php81: 'PHP_81', ruby31: 'RUBY_31',
};
const RUNTIMES = new Set(Object.values(YAML_RUNTIMES));

/** What a build makes and how its image runs: from CodeConfigurationValues or apprunner.yaml. */
export interface BuildPlan {
  runtime: string;
  /** Shell commands, in order (apprunner.yaml's pre-build, build, post-build; the API's one BuildCommand). */
  buildCommands: string[];
  buildEnv: Record<string, string>;
  startCommand?: string;
  port: string;
  env: Record<string, string>;
  secrets: Record<string, string>;
}

/** The repository's folder on the host, from an absolute path or a `file://` URL; anything else is refused. */
export function repositoryPath(url: string): string {
  if (url.startsWith('file://')) {
    const path = decodeURIComponent(new URL(url).pathname);
    if (path.length > 1) return path;
  } else if (url.startsWith('/')) return url;
  throw invalidRequest(`Berth builds source code from a git repository on its host: RepositoryUrl must be an absolute path or a file:// URL, not ${url}.`);
}

function checkEnv(env: Record<string, string> | undefined): void {
  for (const name of Object.keys(env ?? {})) {
    if (name.startsWith('AWSAPPRUNNER')) throw invalidRequest('Environment variable names starting with AWSAPPRUNNER are reserved.');
  }
}

const checkPort = (port: string | undefined) => {
  if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) throw invalidRequest(`Invalid port: ${port}`);
};

/** The request's CodeRepository, checked, with App Runner's defaults (port 8080). */
export function checkCodeRepository(repo: CodeRepository): CodeRepository {
  repositoryPath(repo.RepositoryUrl!);
  if (repo.SourceCodeVersion?.Type !== 'BRANCH' || !repo.SourceCodeVersion.Value) throw invalidRequest('SourceCodeVersion must be a BRANCH with a Value.');
  const cc = repo.CodeConfiguration;
  if (!cc?.ConfigurationSource) throw invalidRequest('CodeConfiguration.ConfigurationSource is required.');
  if (cc.ConfigurationSource === 'API') {
    const v = cc.CodeConfigurationValues;
    if (!v?.Runtime) throw invalidRequest('CodeConfigurationValues must be specified when ConfigurationSource is API.');
    checkPort(v.Port);
    checkEnv(v.RuntimeEnvironmentVariables);
    return { ...repo, CodeConfiguration: { ...cc, CodeConfigurationValues: { ...v, Port: v.Port ?? '8080' } } };
  }
  return repo;
}

/** The plan the API's values give. */
export function planFromValues(values: NonNullable<NonNullable<CodeRepository['CodeConfiguration']>['CodeConfigurationValues']>): BuildPlan {
  return {
    runtime: values.Runtime!, buildCommands: values.BuildCommand ? [values.BuildCommand] : [], buildEnv: {},
    ...(values.StartCommand ? { startCommand: values.StartCommand } : {}), port: values.Port ?? '8080',
    env: { ...values.RuntimeEnvironmentVariables }, secrets: { ...values.RuntimeEnvironmentSecrets },
  };
}

/** A list of `{ name, value }` (or `value-from`) pairs as the file spells env and secrets. */
function pairs(list: unknown, valueKey: string, where: string): Record<string, string> {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new Error(`${where} must be a list of name/${valueKey} pairs`);
  const out: Record<string, string> = {};
  for (const item of list) {
    if (!item || typeof item.name !== 'string' || item[valueKey] === undefined) throw new Error(`${where}: each entry needs name and ${valueKey}`);
    out[item.name] = String(item[valueKey]);
  }
  return out;
}

function commands(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${where} must be a list of commands`);
  return v.map(String);
}

/**
 * The plan apprunner.yaml gives (version 1.0). Throws an Error saying what is wrong: the build fails with it, as
 * App Runner fails a deployment whose configuration file it cannot read.
 */
export function planFromYaml(text: string): BuildPlan {
  const doc = loadYaml(text) as any;
  if (!doc || typeof doc !== 'object') throw new Error('apprunner.yaml is not a YAML mapping');
  if (String(doc.version) !== '1' && String(doc.version) !== '1.0') throw new Error(`apprunner.yaml: unsupported version ${doc.version} (1.0 is)`);
  const runtime = YAML_RUNTIMES[String(doc.runtime)];
  if (!runtime) throw new Error(`apprunner.yaml: unknown runtime ${doc.runtime}`);
  const c = doc.build?.commands ?? {};
  const run = doc.run ?? {};
  const port = run.network?.port !== undefined ? String(run.network.port) : '8080';
  checkPort(port);
  const env = pairs(run.env, 'value', 'run.env');
  // run.network.env names a variable that carries the port to the application.
  if (typeof run.network?.env === 'string') env[run.network.env] = port;
  return {
    runtime,
    buildCommands: [...commands(c['pre-build'], 'build.commands.pre-build'), ...commands(c.build, 'build.commands.build'), ...commands(c['post-build'], 'build.commands.post-build')],
    buildEnv: pairs(doc.build?.env, 'value', 'build.env'),
    ...(run.command ? { startCommand: String(run.command) } : {}),
    port, env, secrets: pairs(run.secrets, 'value-from', 'run.secrets'),
  };
}

export const isRuntime = (r: string) => RUNTIMES.has(r);

/** A Dockerfile instruction argument as JSON (exec form), so no quoting of the user's text is needed. */
const json = (v: string) => JSON.stringify(v);

/**
 * The Dockerfile of a build: the source (at `app/` in the build context) in /app over the runtime's base image, each
 * build command run by the image's shell in order, and the start command as the image's command (through the shell,
 * as App Runner runs it). `PORT` is set to the port, as App Runner sets it for the application.
 */
export function dockerfile(plan: BuildPlan, baseImage: string): string {
  const lines = [`FROM ${baseImage}`, 'WORKDIR /app', 'COPY app/ /app/'];
  for (const [k, v] of Object.entries(plan.buildEnv)) lines.push(`ENV ${k}=${json(v)}`);
  for (const cmd of plan.buildCommands) lines.push(`RUN ["/bin/sh", "-c", ${json(cmd)}]`);
  lines.push(`ENV PORT=${json(plan.port)}`, `EXPOSE ${plan.port}`);
  if (plan.startCommand) lines.push(`CMD ["/bin/sh", "-c", ${json(`exec ${plan.startCommand}`)}]`);
  return `${lines.join('\n')}\n`;
}

/** The ECR repository (Berth-managed, in the service's account) its builds are pushed to. */
export function buildRepositoryName(serviceName: string, serviceId: string): string {
  const base = serviceName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'service';
  return `apprunner/${base}-${serviceId.slice(0, 8)}`;
}
