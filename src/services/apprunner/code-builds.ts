/**
 * The apprunner-builds controller's view of a code source service (what to build, from where, for which
 * operation) and its one decision of its own: a new commit on a watched branch starts a deployment (App Runner's
 * automatic deployments of a code repository). The build's outcome comes back through finishBuild (services.ts).
 */
import type { CodeConfigurationValues } from '@aws-sdk/client-apprunner';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { beginDeployment, newOperation } from './services.js';
import { loadService, serviceByArn } from './store.js';

export interface BuildJob {
  account: string;
  region: string;
  serviceName: string;
  serviceId: string;
  status: string;
  /** The repository's folder on the host, the branch (or tag, or commit) and the source directory in it. */
  path: string;
  branch: string;
  sourceDirectory?: string;
  configurationSource: 'API' | 'REPOSITORY';
  values?: CodeConfigurationValues;
  /** The operation whose build is to be made, and its commit when already chosen. */
  build?: { operationId: string; commit?: string };
  autoDeploy: boolean;
  deployedCommit?: string;
  failedCommit?: string;
}

export function buildJob(sql: Statements, arn: string): BuildJob | undefined {
  const doc = serviceByArn(sql, arn);
  const repo = doc?.SourceConfiguration.CodeRepository;
  if (!doc?.berth.code || !repo) return undefined;
  const [, , , region, account] = arn.split(':');
  const pending = doc.berth.pending;
  return {
    account, region, serviceName: doc.ServiceName, serviceId: doc.ServiceId, status: doc.Status,
    path: doc.berth.code.path, branch: repo.SourceCodeVersion.Value, sourceDirectory: repo.SourceDirectory,
    configurationSource: repo.CodeConfiguration.ConfigurationSource, values: repo.CodeConfiguration.CodeConfigurationValues,
    ...(pending?.build ? { build: { operationId: pending.operationId, ...(pending.build.commit ? { commit: pending.build.commit } : {}) } } : {}),
    autoDeploy: !!doc.SourceConfiguration.AutoDeploymentsEnabled,
    deployedCommit: doc.berth.code.deployedCommit, failedCommit: doc.berth.code.failedCommit,
  };
}

/** A commit the branch moved to: a START_DEPLOYMENT of it, when the service is RUNNING with nothing in progress. */
export function startCodeDeployment(ctx: RequestContext, arn: string, commit: string): boolean {
  const doc = loadService(ctx, arn);
  if (!doc?.berth.code || doc.Status !== 'RUNNING' || doc.berth.pending) return false;
  if (commit === doc.berth.code.deployedCommit || commit === doc.berth.code.failedCommit) return false;
  ctx.log.info('app runner auto deployment', { service: arn, commit });
  beginDeployment(ctx, doc, newOperation(ctx, arn, 'START_DEPLOYMENT'), commit);
  return true;
}
