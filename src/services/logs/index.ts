/**
 * CloudWatch Logs' front door for the other services' operations: ECS Express Mode creates and deletes its
 * service's log group inside its own call, through the same operations the API runs; the console tails a task's
 * log streams (tailStream).
 */
export { createLogGroup, deleteLogGroup } from './groups.js';
export { findGroup, tailStream } from './store.js';
