/** CloudFormation: the operation table (see README.md). Everything else answers 501. */
import type { Provider } from '../provider.js';
import * as changeSets from './change-sets.js';
import * as describe from './describe.js';
import * as stacks from './stacks.js';

export const provider: Provider = {
  createStack: stacks.createStack,
  updateStack: stacks.updateStack,
  deleteStack: stacks.deleteStack,
  describeStacks: stacks.describeStacks,
  listStacks: stacks.listStacks,
  updateTerminationProtection: stacks.updateTerminationProtection,
  setStackPolicy: stacks.setStackPolicy,
  getStackPolicy: stacks.getStackPolicy,
  describeStackEvents: describe.describeStackEvents,
  describeStackResource: describe.describeStackResource,
  describeStackResources: describe.describeStackResources,
  listStackResources: describe.listStackResources,
  getTemplate: describe.getTemplate,
  getTemplateSummary: describe.getTemplateSummary,
  validateTemplate: describe.validateTemplate,
  listExports: describe.listExports,
  listImports: describe.listImports,
  createChangeSet: changeSets.createChangeSet,
  describeChangeSet: changeSets.describeChangeSet,
  executeChangeSet: changeSets.executeChangeSet,
  deleteChangeSet: changeSets.deleteChangeSet,
  listChangeSets: changeSets.listChangeSets,
};
