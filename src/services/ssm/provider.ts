/** SSM (Parameter Store only): the operation table. Everything else in the model answers 501. */
import type { Provider } from '../provider.js';
import * as describe from './describe.js';
import * as labels from './labels.js';
import * as parameters from './parameters.js';
import * as tags from './tags.js';

export const provider: Provider = {
  putParameter: parameters.putParameter,
  getParameter: parameters.getParameter,
  getParameters: parameters.getParameters,
  getParametersByPath: parameters.getParametersByPath,
  deleteParameter: parameters.deleteParameter,
  deleteParameters: parameters.deleteParameters,

  describeParameters: describe.describeParameters,
  getParameterHistory: describe.getParameterHistory,

  labelParameterVersion: labels.labelParameterVersion,
  unlabelParameterVersion: labels.unlabelParameterVersion,

  addTagsToResource: tags.addTagsToResource,
  listTagsForResource: tags.listTagsForResource,
  removeTagsFromResource: tags.removeTagsFromResource,
};
