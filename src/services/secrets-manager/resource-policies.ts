/**
 * Resource policies on secrets: Get/Put/Delete/ValidateResourcePolicy. The
 * policy is stored as sent (Berth evaluates no policy); it is checked for JSON
 * syntax and, with BlockPublicPolicy, for broad access: an Allow statement for
 * every principal (`*`) without a Condition.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
 */
import type {
  DeleteResourcePolicyRequest, DeleteResourcePolicyResponse, GetResourcePolicyRequest, GetResourcePolicyResponse,
  PutResourcePolicyRequest, PutResourcePolicyResponse, ValidateResourcePolicyRequest, ValidateResourcePolicyResponse,
} from '@aws-sdk/client-secrets-manager';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { secretNotFound } from './errors.js';
import { findSecret, saveSecret } from './store.js';
import { liveSecret } from './versions.js';

const malformed = (why: string) => new AwsError('MalformedPolicyDocumentException', why);

type Statement = { Effect?: unknown; Principal?: unknown; Condition?: unknown };

/** The policy's statements, or MalformedPolicyDocumentException. */
function statementsOf(policy: string): Statement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw malformed('This resource policy contains a syntax error.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('This resource policy contains a syntax error.');
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : undefined;
  if (!statements?.length) throw malformed('This resource policy contains a syntax error: it has no Statement.');
  for (const st of statements) {
    if (!st || typeof st !== 'object' || !['Allow', 'Deny'].includes((st as Statement).Effect as string)) {
      throw malformed('This resource policy contains a syntax error.');
    }
    if ((st as Statement).Principal === undefined && (st as { NotPrincipal?: unknown }).NotPrincipal === undefined) {
      throw malformed('This resource policy contains a syntax error: a statement has no Principal.');
    }
  }
  return statements as Statement[];
}

const isEveryone = (p: unknown): boolean =>
  p === '*' || (!!p && typeof p === 'object' && [(p as { AWS?: unknown }).AWS].flat().includes('*'));

/** True when some statement allows every principal without a condition. */
const grantsBroadAccess = (statements: Statement[]) => statements.some((st) => st.Effect === 'Allow' && isEveryone(st.Principal) && !st.Condition);

export function getResourcePolicy(ctx: RequestContext, input: GetResourcePolicyRequest): GetResourcePolicyResponse {
  const secret = findSecret(ctx, input.SecretId!, ctx.clock.now());
  if (!secret) throw secretNotFound();
  return { ARN: secret.arn, Name: secret.name, ...(secret.resourcePolicy !== undefined ? { ResourcePolicy: secret.resourcePolicy } : {}) };
}

export function putResourcePolicy(ctx: RequestContext, input: PutResourcePolicyRequest): PutResourcePolicyResponse {
  const secret = liveSecret(ctx, input.SecretId!, ctx.clock.now());
  const statements = statementsOf(input.ResourcePolicy!);
  if (input.BlockPublicPolicy && grantsBroadAccess(statements)) {
    throw new AwsError('PublicPolicyException', 'The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.');
  }
  secret.resourcePolicy = input.ResourcePolicy!;
  saveSecret(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}

export function deleteResourcePolicy(ctx: RequestContext, input: DeleteResourcePolicyRequest): DeleteResourcePolicyResponse {
  const secret = liveSecret(ctx, input.SecretId!, ctx.clock.now());
  delete secret.resourcePolicy;
  saveSecret(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}

export function validateResourcePolicy(ctx: RequestContext, input: ValidateResourcePolicyRequest): ValidateResourcePolicyResponse {
  if (input.SecretId !== undefined) liveSecret(ctx, input.SecretId, ctx.clock.now());
  const statements = statementsOf(input.ResourcePolicy!);
  if (grantsBroadAccess(statements)) {
    return {
      PolicyValidationPassed: false,
      ValidationErrors: [{ CheckName: 'BROAD_ACCESS', ErrorMessage: 'The resource policy grants access to every principal (*) without a condition.' }],
    };
  }
  return { PolicyValidationPassed: true, ValidationErrors: [] };
}
