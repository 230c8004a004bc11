/** SSM Parameter Store errors by their AWS codes, with the service's own wording. */
import { AwsError } from '../../protocol/errors.js';

/** The HTTP status comes from the model (protocol/error-shapes.ts: 400 on SSM's JSON protocol). */
const ssmError = (code: string, message: string) => new AwsError(code, message);

export const validation = (message: string) => ssmError('ValidationException', message);

/** AWS's frontend wording for a value that breaks a model constraint. */
export function constraint(value: unknown, path: string, rule: string) {
  const shown = Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
  return validation(`1 validation error detected: Value '${shown}' at '${path}' failed to satisfy constraint: ${rule}`);
}

/** `/aws/…` names (and `aws…/…` paths) belong to AWS: PutParameter and DeleteParameter are denied. */
export const reservedName = (name: string) => ssmError('AccessDeniedException', `No access to reserved parameter name: ${name}.`);

export const parameterNotFound = (name: string) => ssmError('ParameterNotFound', `Parameter ${name} not found.`);

export const versionNotFound = (selector: string, name: string) =>
  ssmError('ParameterVersionNotFound', `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`);

export const alreadyExists = () =>
  ssmError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');

export const patternMismatch = (pattern: string) =>
  ssmError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`);

export const invalidAllowedPattern = () => ssmError('InvalidAllowedPatternException', 'The allowed pattern is not a valid regular expression.');

export const hierarchyTooDeep = () =>
  ssmError(
    'HierarchyLevelLimitExceededException',
    'A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.',
  );

export const invalidFilterKey = (key: string, valid: string[]) =>
  ssmError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${valid.join(', ')}].`);

export const invalidFilterOption = (option: string, valid: string[]) =>
  ssmError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [${valid.join(', ')}].`);

export const invalidFilterValue = (message: string) => ssmError('InvalidFilterValue', message);

export const invalidNextToken = () => ssmError('InvalidNextToken', 'The specified token is not valid.');

// AWS answers an unknown parameter on the tagging API with an empty message.
export const invalidResourceId = () => ssmError('InvalidResourceId', '');

export const invalidResourceType = (type: string) =>
  ssmError('InvalidResourceType', `Berth supports tags on resource type Parameter only, not ${type}.`);

export const tooManyTags = () => ssmError('TooManyTagsError', 'The Targets parameter includes too many tags. Remove one or more tags and try the request again.');

export const versionLimit = (name: string, oldest: number) =>
  ssmError(
    'ParameterMaxVersionLimitExceeded',
    `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
  );

export const labelLimit = () =>
  ssmError(
    'ParameterVersionLabelLimitExceeded',
    'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
  );
