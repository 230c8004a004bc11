/**
 * What the apprunner-services controller does for one service (key: its ARN), level-triggered from stored state:
 * - an operation in progress ends as ECS says: a create or deployment SUCCEEDED once its ECS deployment has
 *   converged healthy (the new version serves only then), FAILED when ECS failed it (creation: CREATE_FAILED, its
 *   instances stopped), ROLLBACK_SUCCEEDED once the circuit breaker's rollback has the old version serving again;
 *   pause once the instances have stopped (PAUSED), resume once they run (RUNNING), delete once the Express
 *   service's ECS service is INACTIVE (DELETED);
 * - a RUNNING service with AutoDeploymentsEnabled whose tag now names another digest than the one serving (and not
 *   one whose deployment failed) deploys it (a push to the tracked tag: ECR's `ecr.image-action` change pokes the scope's services);
 * - a RUNNING service's instances follow the concurrency the data plane saw (scaling.ts).
 */
import type { RequestContext } from '../provider.js';
import { syncHosts } from './custom-domains.js';
import { deploymentState, ecsService, settled, setInstances, setServing } from './express-bridge.js';
import { currentDigest } from './image-source.js';
import { instancesFor } from './scaling.js';
import { beginDeployment, newOperation } from './services.js';
import { loadAsc, loadOperation, loadService, saveOperation, saveService, type ServiceDoc } from './store.js';

/** What the data plane saw of a target group since the last look. */
export interface GroupLoad {
  /** Most requests in flight at once. */
  peak: number;
}

export interface ReconcileEnv {
  /** Takes the peak concurrency of the service's target group (resetting it to what is in flight now). */
  takeLoad(targetGroupArn: string): GroupLoad;
  /** Real ms per metric minute. */
  minuteMs: number;
}

/** 'wait': an operation is in progress (its ECS change wakes the key); 'idle' otherwise. */
export function reconcileService(ctx: RequestContext, arn: string, env: ReconcileEnv): 'wait' | 'idle' | 'gone' {
  const doc = loadService(ctx, arn);
  if (!doc || doc.Status === 'DELETED') return 'gone';
  // Custom domains whose certificate was issued, VPC ingress domains: served (or no longer) beside the URL.
  const deleting = doc.berth.pending && loadOperation(ctx.sql, doc.berth.pending.operationId)?.Type === 'DELETE_SERVICE';
  if (!deleting && syncHosts(ctx, doc)) saveService(ctx, doc);
  if (doc.berth.pending) return finishOperation(ctx, doc) ? 'idle' : 'wait';
  if (doc.Status !== 'RUNNING') return 'idle';
  if (autoDeploy(ctx, doc)) return 'wait';
  scale(ctx, doc, env);
  return 'idle';
}

function end(ctx: RequestContext, doc: ServiceDoc, opStatus: string, status: string): true {
  const op = loadOperation(ctx.sql, doc.berth.pending!.operationId);
  const now = ctx.clock.now();
  if (op) saveOperation(ctx.sql, { ...op, Status: opStatus, EndedAt: now, UpdatedAt: now });
  delete doc.berth.pending;
  // Why an operation failed matters only while the service stays CREATE_FAILED.
  if (status !== 'CREATE_FAILED') delete doc.berth.failure;
  doc.Status = status;
  doc.UpdatedAt = now;
  if (status === 'DELETED') doc.DeletedAt = now;
  saveService(ctx, doc);
  ctx.changed('apprunner.service-status', doc.ServiceArn);
  ctx.log.info('app runner operation ended', { service: doc.ServiceArn, operation: op?.Type, status: opStatus, serviceStatus: status });
  return true;
}

/** Moves the operation in progress on; true when it has ended. */
function finishOperation(ctx: RequestContext, doc: ServiceDoc): boolean {
  const pending = doc.berth.pending!;
  const op = loadOperation(ctx.sql, pending.operationId);
  const ecs = ecsService(ctx, doc);
  switch (op?.Type) {
    case 'DELETE_SERVICE':
      return !ecs || ecs.status === 'INACTIVE' ? end(ctx, doc, 'SUCCEEDED', 'DELETED') : false;
    case 'PAUSE_SERVICE':
      return !ecs || settled(ecs) ? end(ctx, doc, 'SUCCEEDED', 'PAUSED') : false;
    case 'RESUME_SERVICE':
      return !ecs || settled(ecs) ? end(ctx, doc, 'SUCCEEDED', 'RUNNING') : false;
  }
  const creating = op?.Type === 'CREATE_SERVICE';
  // A code source's version is being built (the apprunner-builds controller reports back).
  if (pending.build) return false;
  if (!pending.deploymentId) {
    // Nothing was rolled out: the image was missing (the operation fails), or only settings changed.
    if (doc.berth.failure) return end(ctx, doc, 'FAILED', creating ? 'CREATE_FAILED' : 'RUNNING');
    return end(ctx, doc, 'SUCCEEDED', 'RUNNING');
  }
  if (!ecs) return end(ctx, doc, 'FAILED', creating ? 'CREATE_FAILED' : 'RUNNING');
  const state = deploymentState(ecs, pending.deploymentId);
  if (state === 'running') return false;
  if (state === 'done') {
    doc.berth.deployedDigest = pending.digest;
    delete doc.berth.failedDigest;
    if (doc.berth.code && pending.commit) Object.assign(doc.berth.code, { deployedCommit: pending.commit, failedCommit: undefined });
    delete doc.berth.failure;
    return end(ctx, doc, 'SUCCEEDED', 'RUNNING');
  }
  if (creating || !doc.berth.deployedDigest) {
    // A service whose first version never turned healthy is not usable: its instances stop (App Runner keeps it until deleted).
    doc.berth.failure = 'Your application did not pass its health check.';
    setInstances(ctx, doc, 0);
    setServing(ctx, doc, false);
    doc.berth.instances = 0;
    return end(ctx, doc, 'FAILED', 'CREATE_FAILED');
  }
  // The circuit breaker rolls back to the version that served: the operation ends once that serves alone again.
  doc.berth.failedDigest = pending.digest;
  if (doc.berth.code && pending.commit) doc.berth.code.failedCommit = pending.commit;
  if (!settled(ecs)) {
    if (op && op.Status !== 'ROLLBACK_IN_PROGRESS') {
      saveOperation(ctx.sql, { ...op, Status: 'ROLLBACK_IN_PROGRESS', UpdatedAt: ctx.clock.now() });
      ctx.changed('apprunner.service-status', doc.ServiceArn);
    }
    saveService(ctx, doc);
    return false;
  }
  return end(ctx, doc, 'ROLLBACK_SUCCEEDED', 'RUNNING');
}

/** A push to the tracked tag: a START_DEPLOYMENT operation of the new digest. */
function autoDeploy(ctx: RequestContext, doc: ServiceDoc): boolean {
  // A code source's commits are the apprunner-builds controller's to watch.
  if (!doc.SourceConfiguration.AutoDeploymentsEnabled || doc.berth.code || !doc.berth.image?.tag) return false;
  const digest = currentDigest(ctx, doc.berth.image);
  if (!digest || digest === doc.berth.deployedDigest || digest === doc.berth.failedDigest) return false;
  ctx.log.info('app runner auto deployment', { service: doc.ServiceArn, tag: doc.berth.image.tag, digest });
  beginDeployment(ctx, doc, newOperation(ctx, doc.ServiceArn, 'START_DEPLOYMENT'));
  ctx.changed('apprunner.service-status', doc.ServiceArn);
  return true;
}

function scale(ctx: RequestContext, doc: ServiceDoc, env: ReconcileEnv): void {
  const asc = loadAsc(ctx, doc.AutoScalingConfigurationArn);
  if (!asc || !doc.berth.targetGroupArn) return;
  const now = ctx.clock.now();
  const current = doc.berth.instances ?? asc.MinSize;
  const want = instancesFor({
    current, peak: env.takeLoad(doc.berth.targetGroupArn).peak, maxConcurrency: asc.MaxConcurrency, minSize: asc.MinSize, maxSize: asc.MaxSize,
    sinceChangeMs: now - (doc.berth.scaledAt ?? 0), minuteMs: env.minuteMs,
  });
  // Also when only the ECS service moved away from it (an Express update re-registers its scaling bounds).
  setInstances(ctx, doc, want);
  if (want === current && doc.berth.instances !== undefined) return;
  doc.berth.instances = want;
  doc.berth.scaledAt = now;
  saveService(ctx, doc);
  ctx.log.info('app runner scaled', { service: doc.ServiceArn, from: current, to: want });
}
