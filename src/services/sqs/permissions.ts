/**
 * AddPermission / RemovePermission: statements in the queue's `Policy` attribute, one per label (its Sid), as SQS
 * writes them. Stored and returned by GetQueueAttributes; Berth does not evaluate policies.
 */
import type { AddPermissionRequest, RemovePermissionRequest } from '@aws-sdk/client-sqs';
import type { RequestContext } from '../provider.js';
import { attributesOf } from './attributes.js';
import { invalidParameterValue, missingParameter } from './errors.js';
import { queueArn, queueOfUrl } from './queue-names.js';
import { setQueueAttributes } from './store.js';

interface Statement { Sid?: string; [k: string]: unknown }
interface Policy { Version: string; Id?: string; Statement: Statement[] }

const LABEL = /^[A-Za-z0-9_-]{1,80}$/;

export function addPermission(ctx: RequestContext, input: AddPermissionRequest): Record<string, never> {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const label = input.Label!;
  if (!LABEL.test(label)) throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Must be 1 to 80 alphanumeric characters, hyphens or underscores.`);
  const accounts = input.AWSAccountIds ?? [];
  const actions = input.Actions ?? [];
  if (!accounts.length) throw missingParameter('The request must contain the parameter AWSAccountIds.');
  if (!actions.length) throw missingParameter('The request must contain the parameter Actions.');
  const attrs = attributesOf(q);
  const arn = queueArn(q);
  const policy: Policy = attrs.Policy ? JSON.parse(attrs.Policy) : { Version: '2012-10-17', Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
  policy.Statement = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  if (policy.Statement.some((s) => s.Sid === label)) throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
  const one = <T>(xs: T[]) => (xs.length === 1 ? xs[0] : xs);
  policy.Statement.push({
    Sid: label, Effect: 'Allow',
    Principal: { AWS: one(accounts.map((a) => `arn:aws:iam::${a}:root`)) },
    Action: one(actions.map((a) => `SQS:${a}`)),
    Resource: arn,
  });
  setQueueAttributes(ctx.sql, q.id, { ...attrs, Policy: JSON.stringify(policy) }, ctx.clock.now());
  return {};
}

export function removePermission(ctx: RequestContext, input: RemovePermissionRequest): Record<string, never> {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const label = input.Label!;
  const attrs = attributesOf(q);
  const policy: Policy | undefined = attrs.Policy ? JSON.parse(attrs.Policy) : undefined;
  const statements = policy ? (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) : [];
  if (!statements.some((s) => s.Sid === label)) {
    throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: can't find label on existing policy.`);
  }
  const rest = statements.filter((s) => s.Sid !== label);
  const next = { ...attrs };
  // The last statement removed takes the policy with it.
  if (rest.length) next.Policy = JSON.stringify({ ...policy, Statement: rest });
  else delete next.Policy;
  setQueueAttributes(ctx.sql, q.id, next, ctx.clock.now());
  return {};
}
