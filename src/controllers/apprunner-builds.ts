/**
 * apprunner-builds: App Runner's source code services (key = the service's ARN), built with the container engine.
 * An operation that needs a build (CreateService, UpdateService, StartDeployment, or a commit on the branch with
 * automatic deployments) is built here, outside any transaction:
 *   the commit the branch names (`git rev-parse`), its apprunner.yaml when the configuration comes from the
 *   repository, the source directory as the build context (`git archive`: committed files only, as App Runner
 *   clones them), a Dockerfile over the runtime's base image (settings, or the Node.js image Berth makes from the
 *   host's node), built by the engine (the Engine API's /build: the classic builder, no BuildKit), pushed to a
 *   Berth-managed repository in the service's account in Berth's ECR (`apprunner/<name>-<id>`, tag: the commit);
 * then its outcome goes back to App Runner (finishBuild), which deploys that image as an image service's version.
 * A resync looks at RUNNING services' branches: a new commit starts a deployment. A restarted Berth builds again what
 * was being built (the operation still names a build).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { RegistryAuth, RuntimeDriver } from '../runtime/driver.js';
import {
  buildJob, buildRepositoryName, codeServiceArns, dockerfile, finishBuild, planFromValues, planFromYaml, startCodeDeployment,
  type BuildJob, type BuildOutcome, type BuildPlan,
} from '../services/apprunner/index.js';
import type { Invoke, RequestContext } from '../services/provider.js';
import { iamArn } from '../shared/arns.js';
import { tar } from '../shared/tar.js';
import type { ChangeFeed } from '../state/change-feed.js';
import { ensureNodeRuntimeImage } from './apprunner-runtime-image.js';
import { AppRunnerServiceLog } from './apprunner-service-log.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

const git = promisify(execFile);
/** How often RUNNING services' branches are looked at for new commits. */
const WATCH_MS = 2_000;
const GIT_TIMEOUT_MS = 30_000;
/** The largest source archive Berth builds (App Runner's source limit is of this order). */
const MAX_SOURCE_BYTES = 512 * 1024 * 1024;

export interface AppRunnerBuildsDeps extends StateDeps {
  changes: ChangeFeed;
  driver: RuntimeDriver;
  invoke: Invoke;
  metricsPeriod: number;
  /** The engine's name for an image in Berth's ECR and the credentials to push it (ECR-style URI in). */
  registryImage: (account: string, image: string) => { ref: string; auth?: RegistryAuth };
  /** Base images by App Runner runtime (`NODEJS_22`, `PYTHON_3`, …) from Berth's settings. */
  runtimeImages: Record<string, string>;
}

export class AppRunnerBuilds implements Controller {
  readonly name = 'apprunner-builds';
  readonly watches: Watches;
  private readonly serviceLog: AppRunnerServiceLog;

  constructor(private readonly d: AppRunnerBuildsDeps) {
    this.serviceLog = new AppRunnerServiceLog({ invoke: d.invoke, log: d.log, now: () => d.clock.now() });
    this.watches = {
      changes: [{ kind: 'apprunner.service' }],
      resync: [{ periodMs: WATCH_MS, keys: () => (this.d.db.open ? codeServiceArns(this.d.sql) : []) }],
    };
  }

  async reconcile(arn: string): Promise<ReconcileResult | void> {
    const { db, sql } = this.d;
    if (!db.open) return;
    const job = buildJob(sql, arn);
    if (!job) return;
    if (job.build) {
      const outcome = await this.build(arn, job);
      if (db.open) db.transaction(() => finishBuild(this.context(arn), arn, job.build!.operationId, outcome))();
      return;
    }
    if (job.status !== 'RUNNING' || !job.autoDeploy) return;
    const head = await revParse(job).catch(() => undefined);
    if (head && head !== job.deployedCommit && head !== job.failedCommit && db.open) {
      db.transaction(() => startCodeDeployment(this.context(arn), arn, head))();
    }
  }

  /** Berth acts for App Runner as the account's root; its changes go out once committed. */
  private context(arn: string): RequestContext {
    const [, , , region, account] = arn.split(':');
    const { db, sql, clock, log, changes } = this.d;
    return {
      account, region, requestId: randomUUID(), principalArn: iamArn.root(account), accessKeyId: '', db, sql, clock, log,
      metricsPeriod: this.d.metricsPeriod, changed: (kind, key) => queueMicrotask(() => changes.publish(kind, key)),
    };
  }

  private async build(arn: string, job: BuildJob): Promise<BuildOutcome> {
    let commit: string | undefined = job.build!.commit;
    const started = Date.now();
    const events = (...lines: string[]) => this.serviceLog.write(job, lines);
    await events('Starting source code build.');
    try {
      commit ??= await revParse(job).catch((err) => {
        throw new Error(`Failed to read the source code: ${job.branch} is not a branch, tag or commit of the git repository ${job.path} (${gitMessage(err)}).`);
      });
      const dir = (job.sourceDirectory ?? '').replace(/^\/+|\/+$/g, '');
      await events(`Successfully pulled source code: ${job.branch} at ${commit.slice(0, 12)}.`);
      if (job.configurationSource === 'REPOSITORY') await events('Reading apprunner.yaml config file.');
      const plan = job.configurationSource === 'API' ? planFromValues(job.values!) : await yamlPlan(job.path, commit, dir);
      const base = await this.baseImage(plan);
      const archive = await git('git', ['-C', job.path, 'archive', '--format=tar', '--prefix=app/', dir ? `${commit}:${dir}` : commit], {
        encoding: 'buffer', maxBuffer: MAX_SOURCE_BYTES, timeout: GIT_TIMEOUT_MS,
      }).then((r) => r.stdout, (err) => { throw new Error(`Failed to read the source code at ${commit}${dir ? `:${dir}` : ''}: ${gitMessage(err)}`); });
      const context = Buffer.concat([withoutEnd(archive), tar([{ name: 'Dockerfile', data: Buffer.from(dockerfile(plan, base)) }])]);
      const repository = buildRepositoryName(job.serviceName, job.serviceId);
      await this.d.invoke({ account: job.account, region: job.region }, 'ecr', 'CreateRepository', { repositoryName: repository }).catch((err) => {
        if (err?.code !== 'RepositoryAlreadyExistsException') throw err;
      });
      const imageUri = `${job.account}.dkr.ecr.${job.region}.amazonaws.com/${repository}:${commit.slice(0, 12)}`;
      const { ref, auth } = this.d.registryImage(job.account, imageUri);
      const building = Date.now();
      await this.d.driver.buildImage(ref, context).catch((err) => { throw new Error(`Failed to build your application source code: ${err.message}`); });
      const pushing = Date.now();
      await this.d.driver.pushImage(ref, auth);
      await events('Successfully built source code.', `Image pushed to ${imageUri}.`);
      this.d.log.info('app runner build pushed', { service: arn, commit, image: imageUri, ms: Date.now() - started, buildMs: pushing - building, pushMs: Date.now() - pushing });
      return { imageUri, commit, plan };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.d.log.warn('app runner build failed', { service: arn, commit, error });
      await events(`Failed to build your application source code. Reason: ${error}`);
      return { error, ...(commit ? { commit } : {}) };
    }
  }

  private async baseImage(plan: BuildPlan): Promise<string> {
    const configured = this.d.runtimeImages[plan.runtime];
    if (configured) return configured;
    if (plan.runtime.startsWith('NODEJS_')) return ensureNodeRuntimeImage(this.d.driver);
    throw new Error(`Berth has no base image for the ${plan.runtime} runtime offline: name one in BERTH_APPRUNNER_RUNTIME_IMAGES (${plan.runtime}=<image>).`);
  }
}

async function revParse(job: BuildJob): Promise<string> {
  const out = await git('git', ['-C', job.path, 'rev-parse', '--verify', '--quiet', `${job.branch}^{commit}`], { timeout: GIT_TIMEOUT_MS });
  return out.stdout.trim();
}

async function yamlPlan(path: string, commit: string, dir: string): Promise<BuildPlan> {
  const file = `${dir ? `${dir}/` : ''}apprunner.yaml`;
  const text = await git('git', ['-C', path, 'show', `${commit}:${file}`], { timeout: GIT_TIMEOUT_MS, maxBuffer: 1024 * 1024 })
    .then((r) => r.stdout, () => { throw new Error(`The configuration file ${file} was not found in the repository at ${commit.slice(0, 12)} (ConfigurationSource is REPOSITORY).`); });
  return planFromYaml(text);
}

const gitMessage = (err: any) => String(err?.stderr || err?.message || err).trim().split('\n')[0];

/** A tar archive without its end (the zero blocks after the last entry), so more entries can follow. */
export function withoutEnd(archive: Buffer): Buffer {
  let at = 0;
  while (at + 512 <= archive.length) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return archive.subarray(0, at);
}
