/**
 * App Runner: the operation table. Services, their operations, auto scaling configurations and tags are served;
 * every other App Runner operation (connections, custom domains, observability configurations, VPC connectors and
 * ingress connections) answers 501 naming itself (see README.md).
 */
import type { Provider } from '../provider.js';
import {
  createAutoScalingConfiguration, deleteAutoScalingConfiguration, describeAutoScalingConfiguration, listAutoScalingConfigurations,
  listServicesForAutoScalingConfiguration, updateDefaultAutoScalingConfiguration,
} from './auto-scaling-configurations.js';
import { listOperations } from './operation-list.js';
import {
  createService, deleteService, describeService, listServices, pauseService, resumeService, startDeployment, updateService,
} from './services.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';

export const provider: Provider = {
  createService,
  describeService,
  listServices,
  updateService,
  deleteService,
  pauseService,
  resumeService,
  startDeployment,
  listOperations,

  createAutoScalingConfiguration,
  describeAutoScalingConfiguration,
  listAutoScalingConfigurations,
  deleteAutoScalingConfiguration,
  updateDefaultAutoScalingConfiguration,
  listServicesForAutoScalingConfiguration,

  tagResource,
  untagResource,
  listTagsForResource,
};
