/**
 * What a scalable target names, per namespace: the dimensions each namespace has and the shape of its
 * resource ids (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html),
 * and, for ECS (the one namespace Berth acts on), the service behind `service/<cluster>/<service>`.
 */
import type { Service } from '@aws-sdk/client-ecs';
import { findService } from '../ecs/store/index.js';
import type { Scope } from '../../state/scope.js';
import { validation } from './errors.js';
import type { TargetKey } from './store.js';

/** Resource id patterns by namespace (AWS's documented formats). */
const RESOURCE_IDS: Record<string, RegExp> = {
  ecs: /^service\/[^/]+\/[^/]+$/,
  elasticmapreduce: /^instancegroup\/[^/]+\/[^/]+$/,
  ec2: /^spot-fleet-request\/.+$/,
  appstream: /^fleet\/.+$/,
  dynamodb: /^table\/[^/]+(\/index\/[^/]+)?$/,
  rds: /^cluster:.+$/,
  sagemaker: /^(endpoint\/[^/]+\/variant\/[^/]+|inference-component\/.+)$/,
  'custom-resource': /^https:\/\/.+$/,
  comprehend: /^arn:aws:comprehend:.+$/,
  lambda: /^function:[^:]+:[^:]+$/,
  cassandra: /^keyspace\/[^/]+(\/table\/[^/]+)?$/,
  kafka: /^arn:aws:kafka:.+$/,
  elasticache: /^(replication-group|cache-cluster)\/.+$/,
  neptune: /^cluster:.+$/,
  workspaces: /^workspacespool\/.+$/,
};

/** The dimension's namespace part, where it differs from the namespace's own name. */
const DIMENSION_PREFIX: Record<string, string> = { 'custom-resource': 'custom-resource' };

/** Checks the namespace, dimension and resource id belong together, as AWS does. */
export function checkTargetKey(k: TargetKey): void {
  const prefix = DIMENSION_PREFIX[k.ServiceNamespace] ?? k.ServiceNamespace;
  if (!k.ScalableDimension.startsWith(`${prefix}:`)) {
    throw validation(`Unsupported scalable dimension: ${k.ScalableDimension} for service namespace: ${k.ServiceNamespace}`);
  }
  const pattern = RESOURCE_IDS[k.ServiceNamespace];
  if (pattern && !pattern.test(k.ResourceId)) throw validation(`Unsupported resource ID: ${k.ResourceId} for service namespace: ${k.ServiceNamespace}`);
}

/** True for the one target kind Berth changes: an ECS service's desired count. */
export const isEcsService = (k: TargetKey) => k.ServiceNamespace === 'ecs' && k.ScalableDimension === 'ecs:service:DesiredCount';

/** The ECS service `service/<cluster>/<service>` names, if it exists and is not INACTIVE. */
export function ecsServiceOf(s: Scope, resourceId: string): Service | undefined {
  const [, cluster, name] = resourceId.split('/');
  const row = findService(s, cluster, name);
  return row && row.service.status !== 'INACTIVE' ? row.service : undefined;
}

/** RegisterScalableTarget's check that the ECS service exists (AWS: "ECS service doesn't exist: service/c/s"). */
export function requireEcsService(s: Scope, k: TargetKey): void {
  if (isEcsService(k) && !ecsServiceOf(s, k.ResourceId)) throw validation(`ECS service doesn't exist: ${k.ResourceId}`);
}

/** The service-linked role AWS uses for a namespace when the caller gives none. */
export function defaultRole(account: string, namespace: string): string {
  const roles: Record<string, [string, string]> = {
    ecs: ['ecs.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_ECSService'],
    dynamodb: ['dynamodb.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_DynamoDBTable'],
    lambda: ['lambda.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency'],
  };
  const [principal, name] = roles[namespace] ?? [`${namespace}.application-autoscaling.amazonaws.com`, `AWSServiceRoleForApplicationAutoScaling_${namespace}`];
  return `arn:aws:iam::${account}:role/aws-service-role/${principal}/${name}`;
}
