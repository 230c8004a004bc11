/**
 * ELBv2 errors by their wire codes (the model's awsQueryError codes, all 400
 * unless noted), with ELB's wording. ValidationError is the common query
 * error every AWS query service answers for a bad parameter.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
 */
import { AwsError } from '../../protocol/errors.js';

const err = (code: string) => (message: string) => new AwsError(code, message);

export const validationError = err('ValidationError');
export const invalidConfiguration = err('InvalidConfigurationRequest');
export const operationNotPermitted = err('OperationNotPermitted');
export const resourceInUse = err('ResourceInUse');
export const invalidTarget = err('InvalidTarget');
export const invalidAction = err('InvalidLoadBalancerAction');
export const incompatibleProtocols = err('IncompatibleProtocols');
export const subnetNotFound = err('SubnetNotFound');
export const invalidSecurityGroup = err('InvalidSecurityGroup');
export const certificateNotFound = err('CertificateNotFound');
export const priorityInUse = (priority: number) => new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);

export const loadBalancerNotFound = (message = 'One or more load balancers not found') => new AwsError('LoadBalancerNotFound', message);
export const targetGroupNotFound = (message = 'One or more target groups not found') => new AwsError('TargetGroupNotFound', message);
export const listenerNotFound = (message = 'One or more listeners not found') => new AwsError('ListenerNotFound', message);
export const ruleNotFound = (message = 'One or more rules not found') => new AwsError('RuleNotFound', message);

export const duplicateLoadBalancerName = (name: string) =>
  new AwsError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`);
export const duplicateTargetGroupName = (name: string) =>
  new AwsError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
export const duplicateListener = (lbArn: string) =>
  new AwsError('DuplicateListener', `A listener already exists on this port for this load balancer '${lbArn}'`);

export const tooManyTags = () => new AwsError('TooManyTags', 'The quota for the number of tags that can be assigned to a load balancer has been reached');
export const duplicateTagKeys = (key: string) => new AwsError('DuplicateTagKeys', `Tag key '${key}' specified more than once`);
export const tooManyTargets = (limit: number) =>
  new AwsError('TooManyTargets', `You have reached the limit of ${limit} targets per target group`);
export const tooManyRules = (limit: number) => new AwsError('TooManyRules', `A listener can have a maximum of ${limit} rules`);
export const tooManyActions = () => new AwsError('TooManyActions', 'The maximum number of actions per rule has been reached');
export const tooManyListeners = (limit: number) => new AwsError('TooManyListeners', `A load balancer can have a maximum of ${limit} listeners`);
export const targetGroupAssociationLimit = (tgArn: string) =>
  new AwsError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${tgArn}`);

/** Berth does not do this (yet): said plainly rather than faked. */
export const notSupportedByBerth = (what: string) =>
  new AwsError('ValidationError', `${what} is not supported by Berth yet (see services/elastic-load-balancing-v2/README.md).`);
