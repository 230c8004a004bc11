/**
 * App Runner: the operation table (every operation of the model; README.md says what each does on Berth).
 */
import type { Provider } from '../provider.js';
import {
  createAutoScalingConfiguration, deleteAutoScalingConfiguration, describeAutoScalingConfiguration, listAutoScalingConfigurations,
  listServicesForAutoScalingConfiguration, updateDefaultAutoScalingConfiguration,
} from './auto-scaling-configurations.js';
import { createConnection, deleteConnection, listConnections } from './connections.js';
import { associateCustomDomain, describeCustomDomains, disassociateCustomDomain } from './custom-domains.js';
import {
  createObservabilityConfiguration, deleteObservabilityConfiguration, describeObservabilityConfiguration, listObservabilityConfigurations,
} from './observability-configurations.js';
import { listOperations } from './operation-list.js';
import { createVpcConnector, deleteVpcConnector, describeVpcConnector, listVpcConnectors } from './vpc-connectors.js';
import {
  createVpcIngressConnection, deleteVpcIngressConnection, describeVpcIngressConnection, listVpcIngressConnections, updateVpcIngressConnection,
} from './vpc-ingress-connections.js';
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

  createConnection,
  listConnections,
  deleteConnection,

  createObservabilityConfiguration,
  describeObservabilityConfiguration,
  listObservabilityConfigurations,
  deleteObservabilityConfiguration,

  createVpcConnector,
  describeVpcConnector,
  listVpcConnectors,
  deleteVpcConnector,

  createVpcIngressConnection,
  describeVpcIngressConnection,
  listVpcIngressConnections,
  updateVpcIngressConnection,
  deleteVpcIngressConnection,

  associateCustomDomain,
  describeCustomDomains,
  disassociateCustomDomain,

  tagResource,
  untagResource,
  listTagsForResource,
};
