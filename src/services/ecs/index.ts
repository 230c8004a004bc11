/**
 * ECS's front door for everything outside services/ecs (the gateway reaches
 * its operations through descriptor.ts → provider.ts instead): its store
 * (tables and queries, ./store/index.ts, among them which container engine
 * runs a task and where the load balancer reaches it), and the ECS rules the
 * controllers share with the operations: building a task from its definition,
 * placing tasks on container instances, a task's awsvpc ENI, and what the
 * ECS agent of an EC2 instance does (ec2-agent.ts). Those rules load
 * EC2's network and ECS's operations; a caller that needs only ECS's state
 * (app.ts, metadata/) imports ./store/index.ts, which Berth loads before its
 * ready line.
 */
export * from './store/index.js';
export { buildTask, type NewTaskParams } from './task-factory.js';
// RunTask as the API runs it, for callers that start tasks on a user's behalf (EventBridge's ECS targets).
export { runTask } from './tasks.js';
export { asksTaskGroups, placementCandidates } from './container-instances.js';
export { place } from './placement.js';
export { definitionDemand, isAwaitingCapacity, utilizationBasis, type AwaitingCapacity, type RecordedTask } from './task-demand.js';
export { provisioningRoom } from './provisioning-cap.js';
export { groupSplit, splitByStrategy } from './capacity-strategy.js';
export { providerScalesManaged } from './capacity-provider-refs.js';
export { releaseTaskEni } from './awsvpc.js';
export { computedDesiredCount, usesTaskSets } from './task-set-rules.js';
export { parseAgentConfig, type AgentConfig } from './agent-config.js';
export { disconnectEc2Instance, drainForTermination, reconnectEc2Instance, registerEc2Instance, retireEc2Instance, type AgentEnv, type Ec2InstanceFacts } from './ec2-agent.js';
export { finishExpressTeardown } from './express-services.js';
// Express Mode as its API runs it, and UpdateService, for App Runner (a thin layer over Express: services/apprunner/).
export { createExpressGatewayService, deleteExpressGatewayService, updateExpressGatewayService } from './express-services.js';
export { updateService } from './services.js';
export { drainingExpressArns, drainingExpressInCluster, everyExpress, loadExpress, type ExpressRow } from './store/express-services.js';
// Managed scaling's reads (controllers only: not through store/index.ts, which loads before Berth's ready line).
export { autoScalingGroupProviders, clustersWithWaitingTasks, providerDemand, waitingTasks, type ProviderDemand } from './store/capacity-demand.js';
// Container Insights' service task counts (the ecs-container-insights controller).
export { containerInsightsServiceCounts, type ServiceTaskCounts } from './container-insights.js';
