/** CloudWatch Logs: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import * as deliveries from './deliveries.js';
import * as events from './events.js';
import * as exportTasks from './exports.js';
import * as groups from './groups.js';
import * as insights from './insights.js';
import * as metricFilters from './metric-filters.js';
import * as policies from './policies.js';
import * as streams from './streams.js';
import * as subscriptions from './subscriptions.js';
import * as tags from './tags.js';

export const provider: Provider = {
  createLogGroup: groups.createLogGroup,
  deleteLogGroup: groups.deleteLogGroup,
  describeLogGroups: groups.describeLogGroups,
  listLogGroups: groups.listLogGroups,
  putRetentionPolicy: groups.putRetentionPolicy,
  deleteRetentionPolicy: groups.deleteRetentionPolicy,
  putLogGroupDeletionProtection: groups.putLogGroupDeletionProtection,

  createLogStream: streams.createLogStream,
  deleteLogStream: streams.deleteLogStream,
  describeLogStreams: streams.describeLogStreams,

  putLogEvents: events.putLogEvents,
  getLogEvents: events.getLogEvents,
  filterLogEvents: events.filterLogEvents,

  putMetricFilter: metricFilters.putMetricFilter,
  describeMetricFilters: metricFilters.describeMetricFilters,
  deleteMetricFilter: metricFilters.deleteMetricFilter,
  testMetricFilter: metricFilters.testMetricFilter,

  putSubscriptionFilter: subscriptions.putSubscriptionFilter,
  describeSubscriptionFilters: subscriptions.describeSubscriptionFilters,
  deleteSubscriptionFilter: subscriptions.deleteSubscriptionFilter,
  putDestination: subscriptions.putDestination,
  putDestinationPolicy: subscriptions.putDestinationPolicy,
  describeDestinations: subscriptions.describeDestinations,
  deleteDestination: subscriptions.deleteDestination,

  startQuery: insights.startQuery,
  getQueryResults: insights.getQueryResults,
  stopQuery: insights.stopQuery,
  describeQueries: insights.describeQueries,
  getLogRecord: insights.getLogRecord,

  createExportTask: exportTasks.createExportTask,
  describeExportTasks: exportTasks.describeExportTasks,
  cancelExportTask: exportTasks.cancelExportTask,

  putResourcePolicy: policies.putResourcePolicy,
  describeResourcePolicies: policies.describeResourcePolicies,
  deleteResourcePolicy: policies.deleteResourcePolicy,

  putDeliverySource: deliveries.putDeliverySource,
  getDeliverySource: deliveries.getDeliverySource,
  describeDeliverySources: deliveries.describeDeliverySources,
  deleteDeliverySource: deliveries.deleteDeliverySource,
  putDeliveryDestination: deliveries.putDeliveryDestination,
  getDeliveryDestination: deliveries.getDeliveryDestination,
  describeDeliveryDestinations: deliveries.describeDeliveryDestinations,
  deleteDeliveryDestination: deliveries.deleteDeliveryDestination,
  putDeliveryDestinationPolicy: deliveries.putDeliveryDestinationPolicy,
  getDeliveryDestinationPolicy: deliveries.getDeliveryDestinationPolicy,
  deleteDeliveryDestinationPolicy: deliveries.deleteDeliveryDestinationPolicy,
  createDelivery: deliveries.createDelivery,
  getDelivery: deliveries.getDelivery,
  describeDeliveries: deliveries.describeDeliveries,
  updateDeliveryConfiguration: deliveries.updateDeliveryConfiguration,
  deleteDelivery: deliveries.deleteDelivery,

  tagLogGroup: tags.tagLogGroup,
  untagLogGroup: tags.untagLogGroup,
  listTagsLogGroup: tags.listTagsLogGroup,
  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listTagsForResource: tags.listTagsForResource,
};
