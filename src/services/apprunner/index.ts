/**
 * App Runner's front door for the controller (reconcile.ts: operations ending, auto deployments, scaling) and the
 * data plane (store.ts: which service a URL host names). The gateway reaches its operations through descriptor.ts.
 */
export { reconcileService, type GroupLoad, type ReconcileEnv } from './reconcile.js';
export { appRunnerArnForExpress, liveServiceArns, servingView, unfinishedServiceArns, type ServingView } from './store.js';
