/**
 * EC2's front door for everything outside services/ec2: the network other
 * services place things in (ECS tasks' and EFS mount targets' ENIs, ELBv2's
 * default VPC and security groups) and the zones of a region. Controllers and
 * state control release ENIs here. SSM's public parameters name the Amazon
 * images (AMI ids per region).
 */
export {
  allocateEni, defaultSecurityGroupId, defaultSubnets, defaultVpcId, ensureDefaultNetwork, findSecurityGroups, findSubnets, findVpc, releaseEni,
  type AllocateEniParams, type AllocatedEni, type SecurityGroupRef, type SubnetRef, type VpcRef,
} from './network-refs.js';
export { zoneByName, zoneById, zonesOf, type Zone } from './zones.js';
export { defaultVpc, groupByName } from './security-group-refs.js';
export { getDoc, type Scope, type Stored } from './store.js';
export { AMAZON_IMAGES, IMAGE_VERSIONS, amazonImage, amazonImageId, type AmazonImage } from './images.js';
export { instanceKey, parseInstanceKey, recordAgent, stepInstance, unsettledInstanceKeys, type InstanceFacts } from './instance-lifecycle.js';
export { ecsCpuUnits, ecsMemoryMiB, instanceTypeSpec } from './instance-types.js';
export { instanceState, putSystemTag } from './instance-lifecycle.js';
export { runInstances as launchInstances } from './run-instances.js';
export { startInstances, stopInstances, terminateInstances } from './instances.js';
export type { InstanceContext } from './instance-records.js';
export { findLaunchTemplate, launchTemplateInstanceType } from './launch-templates.js';
/** The operations, for ECS Express Mode, which makes its services' security groups inside its own call. */
export { createSecurityGroup, deleteSecurityGroup } from './security-groups.js';
export { authorizeSecurityGroupIngress } from './security-group-rules.js';
export { listStored } from './store.js';
export { runningInstancesToMonitor, type MonitoredInstance } from './instance-monitoring.js';
export { instanceRole, type InstanceRole } from './instance-role.js';
