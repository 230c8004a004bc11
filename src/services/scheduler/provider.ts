/** Amazon EventBridge Scheduler: the operation table (every operation of the model). */
import type { Provider } from '../provider.js';
import * as groups from './groups.js';
import * as schedules from './schedules.js';

export const provider: Provider = {
  createSchedule: schedules.createSchedule,
  getSchedule: schedules.getSchedule,
  updateSchedule: schedules.updateSchedule,
  deleteSchedule: schedules.deleteSchedule,
  listSchedules: schedules.listSchedules,

  createScheduleGroup: groups.createScheduleGroup,
  getScheduleGroup: groups.getScheduleGroup,
  listScheduleGroups: groups.listScheduleGroups,
  deleteScheduleGroup: groups.deleteScheduleGroup,

  tagResource: groups.tagResource,
  untagResource: groups.untagResource,
  listTagsForResource: groups.listTagsForResource,
};
