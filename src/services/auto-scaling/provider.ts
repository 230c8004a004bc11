/** EC2 Auto Scaling (groups with launch templates): the operation table. Everything else answers 501. */
import type { Provider } from '../provider.js';
import * as groups from './groups.js';

export const provider: Provider = {
  createAutoScalingGroup: groups.createAutoScalingGroup,
  updateAutoScalingGroup: groups.updateAutoScalingGroup,
  describeAutoScalingGroups: groups.describeAutoScalingGroups,
  describeAutoScalingInstances: groups.describeAutoScalingInstances,
  setDesiredCapacity: groups.setDesiredCapacity,
  setInstanceProtection: groups.setInstanceProtection,
  terminateInstanceInAutoScalingGroup: groups.terminateInstanceInAutoScalingGroup,
  deleteAutoScalingGroup: groups.deleteAutoScalingGroup,
};
