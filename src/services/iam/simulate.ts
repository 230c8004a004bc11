/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy (issue 23): the decisions
 * of the evaluator `--enforce-iam` runs (authz/evaluate.ts), for each action
 * and resource asked about, with the statements that decided. One result per
 * action and resource (ResourceHandlingOption and ResourceSpecificResults are
 * not modelled). Answered whether or not enforcement is on.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
import type {
  ContextEntry, EvaluationResult, SimulateCustomPolicyRequest, SimulatePolicyResponse, SimulatePrincipalPolicyRequest,
  Statement as SimStatement,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../provider.js';
import { contextOf, type ContextValue } from './authz/conditions.js';
import { evaluate, type Decision, type MatchedStatement, type NamedPolicy, type PolicyDocument, type PolicySet, type Principal } from './authz/evaluate.js';
import { managedPolicy, rolePolicies, userPolicies } from './authz/principal-policies.js';
import { invalidInput, malformedPolicy, noSuchEntity } from './errors.js';
import { paginate } from './inputs.js';
import { checkPolicyDocument } from './policy-document.js';
import { findGroup, findRoleByArn, findUser, getGroupPolicyDocument, groupAttachedPolicyArns, groupPolicyNames } from './store.js';

function parseInput(text: string, what: 'identity' | 'resource'): PolicyDocument {
  if (what === 'identity') checkPolicyDocument(text, 'identity');
  try {
    return JSON.parse(text);
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
}

/** ContextEntries as condition keys, typed as the request says (lists stay lists). */
function contextEntries(entries: ContextEntry[] | undefined): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const e of entries ?? []) {
    const values = e.ContextKeyValues ?? [];
    const list = (e.ContextKeyType ?? '').endsWith('List');
    out[e.ContextKeyName!] = list ? values : values[0] ?? '';
  }
  return out;
}

function sourceType(m: MatchedStatement): SimStatement['SourcePolicyType'] {
  if (m.kind === 'resource-based policy') return 'resource';
  if (m.policyId.startsWith('arn:aws:iam::aws:policy/')) return 'aws-managed';
  if (m.policyId.startsWith('arn:')) return 'user-managed';
  if (m.policyId.startsWith('role/')) return 'role';
  if (m.policyId.startsWith('user/')) return 'user';
  if (m.policyId.startsWith('group/')) return 'group';
  return 'none';
}

/** A policy's name as the simulator reports it (a managed policy's name, an inline policy's name, PolicyInputList.N). */
const sourceId = (id: string) => (id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id.includes('#') ? id.slice(id.indexOf('#') + 1) : id);

function resultOf(action: string, resource: string, d: Decision, boundary: boolean): EvaluationResult {
  const decision = d.allowed ? 'allowed' : d.explicit ? 'explicitDeny' : 'implicitDeny';
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: decision,
    MatchedStatements: d.matched.map((m) => ({ SourcePolicyId: sourceId(m.policyId), SourcePolicyType: sourceType(m) })),
    MissingContextValues: [],
    ...(boundary ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: d.allowed || (!d.explicit && d.missing !== 'permissions boundary') } } : {}),
  };
}

interface Simulation {
  principal: Principal;
  policies: PolicySet;
  actions: string[];
  resources: string[];
  resourceOwner?: string;
  context: Record<string, ContextValue>;
  marker?: string;
  maxItems?: number;
}

function run(ctx: RequestContext, sim: Simulation): SimulatePolicyResponse {
  const results: EvaluationResult[] = [];
  for (const action of sim.actions) {
    for (const resource of sim.resources) {
      const d = evaluate({
        principal: sim.principal, action, resource, resourceAccount: sim.resourceOwner,
        context: contextOf({ 'aws:CurrentTime': new Date(ctx.clock.now()).toISOString(), 'aws:EpochTime': String(Math.floor(ctx.clock.now() / 1000)), ...sim.context }),
      }, sim.policies);
      results.push(resultOf(action, resource, d, !!sim.policies.boundary));
    }
  }
  const keyed = results.map((r, i) => ({ r, key: String(i).padStart(8, '0') }));
  const page = paginate(keyed, (x) => x.key, sim.marker, sim.maxItems);
  return { EvaluationResults: page.items.map((x) => x.r), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

const inputPolicies = (texts: string[] | undefined, label: string): NamedPolicy[] =>
  (texts ?? []).map((t, i) => ({ id: `${label}.${i + 1}`, document: parseInput(t, 'identity') }));

function resourcePolicy(text: string | undefined): NamedPolicy | undefined {
  return text === undefined ? undefined : { id: 'ResourcePolicy', document: parseInput(text, 'resource') };
}

function ownerOf(input: { ResourceOwner?: string }): string | undefined {
  const m = /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(input.ResourceOwner ?? '');
  return m?.[1] ?? (input.ResourceOwner && /^\d{12}$/.test(input.ResourceOwner) ? input.ResourceOwner : undefined);
}

function callerPrincipal(ctx: RequestContext, callerArn: string | undefined, fallback: Principal): Principal {
  if (!callerArn) return fallback;
  const account = callerArn.split(':')[4] ?? ctx.account;
  const user = callerArn.includes(':user/') ? callerArn.slice(callerArn.lastIndexOf('/') + 1) : undefined;
  return { arn: callerArn, account, ...(user ? { userName: user } : {}) };
}

export function simulatePrincipalPolicy(ctx: RequestContext, input: SimulatePrincipalPolicyRequest): SimulatePolicyResponse {
  const source = input.PolicySourceArn!;
  const parts = source.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'iam') throw invalidInput(`ARN ${source} is not valid.`);
  const account = parts[4];
  const resource = parts.slice(5).join(':');
  const unknown: string[] = [];
  let principal: Principal;
  let identity: NamedPolicy[];
  let boundary: NamedPolicy | undefined;
  if (resource.startsWith('role/')) {
    if (!findRoleByArn(ctx.sql, source)) throw noSuchEntity(`The role with name ${resource.slice(resource.lastIndexOf('/') + 1)} cannot be found.`);
    const role = rolePolicies(ctx.sql, source, unknown);
    principal = { arn: source, account, roleArn: source };
    identity = role.identity;
    boundary = role.boundary;
  } else if (resource.startsWith('user/')) {
    const name = resource.slice(resource.lastIndexOf('/') + 1);
    const user = findUser({ sql: ctx.sql, account }, name);
    if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    identity = userPolicies(ctx.sql, account, user.UserName, unknown);
    principal = { arn: user.Arn, account, userName: user.UserName, userId: user.UserId };
  } else if (resource.startsWith('group/')) {
    const name = resource.slice(resource.lastIndexOf('/') + 1);
    const s = { sql: ctx.sql, account };
    if (!findGroup(s, name)) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    const inline = groupPolicyNames(s, name).map((n) => ({ id: `group/${name}#${n}`, document: parseInput(getGroupPolicyDocument(s, name, n)!, 'resource') }));
    identity = [...inline, ...groupAttachedPolicyArns(s, name).map((arn) => managedPolicy(ctx.sql, arn)).filter((p): p is NamedPolicy => !!p)];
    principal = { arn: source, account };
  } else throw invalidInput(`ARN ${source} is not valid.`);
  const boundaryInputs = inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
  return run(ctx, {
    principal: callerPrincipal(ctx, input.CallerArn, principal),
    policies: {
      identity: [...identity, ...inputPolicies(input.PolicyInputList, 'PolicyInputList')],
      boundary: boundaryInputs[0] ?? boundary,
      resource: resourcePolicy(input.ResourcePolicy),
    },
    actions: input.ActionNames ?? [],
    resources: input.ResourceArns?.length ? input.ResourceArns : ['*'],
    resourceOwner: ownerOf(input),
    context: contextEntries(input.ContextEntries),
    marker: input.Marker,
    maxItems: input.MaxItems,
  });
}

export function simulateCustomPolicy(ctx: RequestContext, input: SimulateCustomPolicyRequest): SimulatePolicyResponse {
  const boundaryInputs = inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
  return run(ctx, {
    principal: callerPrincipal(ctx, input.CallerArn, { arn: ctx.principalArn, account: ctx.account }),
    policies: {
      identity: inputPolicies(input.PolicyInputList, 'PolicyInputList'),
      boundary: boundaryInputs[0],
      resource: resourcePolicy(input.ResourcePolicy),
    },
    actions: input.ActionNames ?? [],
    resources: input.ResourceArns?.length ? input.ResourceArns : ['*'],
    resourceOwner: ownerOf(input),
    context: contextEntries(input.ContextEntries),
    marker: input.Marker,
    maxItems: input.MaxItems,
  });
}
