/** CloudWatch: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import * as alarms from './alarms.js';
import { getMetricData } from './metric-data.js';
import { getMetricStatistics, listMetrics, putMetricData } from './metrics.js';
import * as tags from './tags.js';

export const provider: Provider = {
  putMetricData,
  getMetricStatistics,
  getMetricData,
  listMetrics,

  putMetricAlarm: alarms.putMetricAlarm,
  putCompositeAlarm: alarms.putCompositeAlarm,
  describeAlarms: alarms.describeAlarms,
  describeAlarmsForMetric: alarms.describeAlarmsForMetric,
  describeAlarmHistory: alarms.describeAlarmHistory,
  setAlarmState: alarms.setAlarmState,
  deleteAlarms: alarms.deleteAlarms,
  enableAlarmActions: alarms.enableAlarmActions,
  disableAlarmActions: alarms.disableAlarmActions,

  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listTagsForResource: tags.listTagsForResource,
};
