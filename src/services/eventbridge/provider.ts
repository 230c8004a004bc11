/**
 * Amazon EventBridge: the operation table. Archives, replays, connections, API destinations, global endpoints,
 * partner event sources and bus permissions are not here: they answer 501 naming the operation (README.md).
 */
import type { Provider } from '../provider.js';
import * as buses from './buses.js';
import * as events from './put-events.js';
import * as rules from './rules.js';
import * as tags from './tags.js';
import * as targets from './targets.js';

export const provider: Provider = {
  createEventBus: buses.createEventBus,
  describeEventBus: buses.describeEventBus,
  listEventBuses: buses.listEventBuses,
  updateEventBus: buses.updateEventBus,
  deleteEventBus: buses.deleteEventBus,

  putRule: rules.putRule,
  describeRule: rules.describeRule,
  listRules: rules.listRules,
  enableRule: rules.enableRule,
  disableRule: rules.disableRule,
  deleteRule: rules.deleteRule,
  listRuleNamesByTarget: rules.listRuleNamesByTarget,

  putTargets: targets.putTargets,
  removeTargets: targets.removeTargets,
  listTargetsByRule: targets.listTargetsByRule,

  putEvents: events.putEvents,
  testEventPattern: events.testEventPattern,

  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listTagsForResource: tags.listTagsForResource,
};
