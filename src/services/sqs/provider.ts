/** Amazon SQS: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import * as inFlight from './in-flight.js';
import * as moveTasks from './move-tasks.js';
import * as permissions from './permissions.js';
import * as queues from './queues.js';
import * as receive from './receive.js';
import * as send from './send.js';
import * as tags from './tags.js';

export const provider: Provider = {
  createQueue: queues.createQueue,
  getQueueUrl: queues.getQueueUrl,
  listQueues: queues.listQueues,
  getQueueAttributes: queues.getQueueAttributes,
  setQueueAttributes: queues.setQueueAttributes,
  deleteQueue: queues.deleteQueue,
  purgeQueue: queues.purgeQueue,
  listDeadLetterSourceQueues: queues.listDeadLetterSourceQueues,

  sendMessage: send.sendMessage,
  sendMessageBatch: send.sendMessageBatch,
  receiveMessage: receive.receiveMessage,
  deleteMessage: inFlight.deleteMessage,
  deleteMessageBatch: inFlight.deleteMessageBatch,
  changeMessageVisibility: inFlight.changeMessageVisibility,
  changeMessageVisibilityBatch: inFlight.changeMessageVisibilityBatch,

  addPermission: permissions.addPermission,
  removePermission: permissions.removePermission,

  tagQueue: tags.tagQueue,
  untagQueue: tags.untagQueue,
  listQueueTags: tags.listQueueTags,

  startMessageMoveTask: moveTasks.startMessageMoveTask,
  listMessageMoveTasks: moveTasks.listMessageMoveTasks,
  cancelMessageMoveTask: moveTasks.cancelMessageMoveTask,
};
