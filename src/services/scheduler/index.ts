/** EventBridge Scheduler's door for the controllers: running schedules (scheduler-schedules) and listing them at start. */
export { fireSchedule, type FireDeps } from './firing.js';
export { allScheduleArns } from './store.js';
