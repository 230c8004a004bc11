/**
 * CloudFormation's front door for everything outside services/cloudformation: the stack engine the stacks
 * controller runs (one pass over a stack whose operation is in progress). The stacks it resumes are store.ts's.
 */
export { advanceStack, type EngineDeps } from './engine.js';
