/**
 * App Runner's front door for the controllers (reconcile.ts: operations ending, auto deployments, scaling;
 * code-builds.ts and finishBuild: a code source's builds) and the data plane (store.ts: which service a URL host
 * names). The gateway reaches its operations through descriptor.ts.
 */
export { reconcileService, type GroupLoad, type ReconcileEnv } from './reconcile.js';
export { appRunnerArnForExpress, codeServiceArns, liveServiceArns, servingView, unfinishedServiceArns, type ServingView } from './store.js';
export { buildJob, startCodeDeployment, type BuildJob } from './code-builds.js';
export { finishBuild, type BuildOutcome } from './services.js';
export { buildRepositoryName, dockerfile, planFromValues, planFromYaml, type BuildPlan } from './code-source.js';
