/**
 * CloudFormation's front door for everything outside services/cloudformation: the stack engine the stacks
 * controller runs (one pass over a stack whose operation is in progress), and the stacks it resumes.
 */
export { advanceStack, type EngineDeps } from './engine.js';
export { unsettledStackKeys } from './store.js';
