/** ECS: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import * as accountSettings from './account-settings.js';
import * as attributes from './attributes.js';
import * as capacityProviders from './capacity-providers.js';
import * as clusters from './clusters.js';
import * as tags from './tags.js';
import * as taskDefinitions from './task-definitions.js';
import * as tasks from './tasks.js';
import * as instances from './container-instances.js';
import * as services from './services.js';
import * as serviceDeployments from './service-deployments.js';
import * as taskSets from './task-sets.js';
import * as agent from './agent-apis.js';
import * as express from './express-services.js';

export const provider: Provider = {
  createCluster: clusters.createCluster,
  describeClusters: clusters.describeClusters,
  listClusters: clusters.listClusters,
  updateCluster: clusters.updateCluster,
  updateClusterSettings: clusters.updateClusterSettings,
  putClusterCapacityProviders: clusters.putClusterCapacityProviders,
  deleteCluster: clusters.deleteCluster,

  registerTaskDefinition: taskDefinitions.registerTaskDefinition,
  describeTaskDefinition: taskDefinitions.describeTaskDefinition,
  listTaskDefinitions: taskDefinitions.listTaskDefinitions,
  listTaskDefinitionFamilies: taskDefinitions.listTaskDefinitionFamilies,
  deregisterTaskDefinition: taskDefinitions.deregisterTaskDefinition,
  deleteTaskDefinitions: taskDefinitions.deleteTaskDefinitions,

  createCapacityProvider: capacityProviders.createCapacityProvider,
  describeCapacityProviders: capacityProviders.describeCapacityProviders,
  updateCapacityProvider: capacityProviders.updateCapacityProvider,
  deleteCapacityProvider: capacityProviders.deleteCapacityProvider,

  putAttributes: attributes.putAttributes,
  listAttributes: attributes.listAttributes,
  deleteAttributes: attributes.deleteAttributes,

  putAccountSetting: accountSettings.putAccountSetting,
  putAccountSettingDefault: accountSettings.putAccountSettingDefault,
  listAccountSettings: accountSettings.listAccountSettings,
  deleteAccountSetting: accountSettings.deleteAccountSetting,

  createService: services.createService,
  updateService: services.updateService,
  deleteService: services.deleteService,
  describeServices: services.describeServices,
  listServices: services.listServices,
  listServicesByNamespace: services.listServicesByNamespace,
  listServiceDeployments: serviceDeployments.listServiceDeployments,
  describeServiceDeployments: serviceDeployments.describeServiceDeployments,
  stopServiceDeployment: serviceDeployments.stopServiceDeployment,
  describeServiceRevisions: serviceDeployments.describeServiceRevisions,

  createExpressGatewayService: express.createExpressGatewayService,
  describeExpressGatewayService: express.describeExpressGatewayService,
  updateExpressGatewayService: express.updateExpressGatewayService,
  deleteExpressGatewayService: express.deleteExpressGatewayService,

  createTaskSet: taskSets.createTaskSet,
  describeTaskSets: taskSets.describeTaskSets,
  updateTaskSet: taskSets.updateTaskSet,
  deleteTaskSet: taskSets.deleteTaskSet,
  updateServicePrimaryTaskSet: taskSets.updateServicePrimaryTaskSet,

  discoverPollEndpoint: agent.discoverPollEndpoint,
  submitTaskStateChange: agent.submitTaskStateChange,
  submitContainerStateChange: agent.submitContainerStateChange,
  submitAttachmentStateChanges: agent.submitAttachmentStateChanges,

  registerContainerInstance: instances.registerContainerInstance,
  deregisterContainerInstance: instances.deregisterContainerInstance,
  describeContainerInstances: instances.describeContainerInstances,
  listContainerInstances: instances.listContainerInstances,
  updateContainerInstancesState: instances.updateContainerInstancesState,
  updateContainerAgent: instances.updateContainerAgent,

  runTask: tasks.runTask,
  startTask: tasks.startTask,
  stopTask: tasks.stopTask,
  describeTasks: tasks.describeTasks,
  listTasks: tasks.listTasks,
  updateTaskProtection: tasks.updateTaskProtection,
  getTaskProtection: tasks.getTaskProtection,

  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listTagsForResource: tags.listTagsForResource,
};
