/**
 * The authorizer Berth runs with `--enforce-iam` (issue 23): for a caller and
 * the checks a request needs (actions.ts), the caller's policies
 * (principal-policies.ts), the resource's policy and tags, and the request's
 * condition keys, evaluated by evaluate.ts. The account's root is allowed
 * everything on its own account's resources.
 *
 * Cached per principal (its access key) and policy stamp: a principal's policy
 * set is read and parsed from SQLite once until any IAM write changes the
 * stamp, and cut down per action to the statements that name it. The decision
 * itself is memoized per (action, resource, resource policy, the values of the
 * context keys those statements read: context-keys.ts); only statements that
 * read the clock are evaluated every time. Resource policies are parsed once
 * per text, not per request.
 */
import type { Statements } from '../../../state/db.js';
import { getTags } from '../../../state/tags.js';
import { getRepo, registryPolicyFor } from '../../ecr/store/index.js';
import { findBucket } from '../../s3/store.js';
import { findByName, type StoredSecret } from '../../secrets-manager/store.js';
import { findQueue } from '../../sqs/store.js';
import { findRole, findRoleByArn, findUser, policyStamp } from '../store.js';
import { checksFor, type Check, type ResourceNames, type Where } from './actions.js';
import { contextOf, type ContextValue, type RequestContext } from './conditions.js';
import { contextKeysOf, mergeKeys, type ContextKeys } from './context-keys.js';
import {
  actionMatches, denialMessage, evaluate, statementsOf, type Decision, type NamedPolicy, type PolicyDocument, type PolicySet,
} from './evaluate.js';
import { principalPolicies, type Caller, type PrincipalPolicies } from './principal-policies.js';

export interface RequestFacts {
  sourceIp?: string;
  /** Epoch ms (aws:CurrentTime, aws:EpochTime). */
  now: number;
  region: string;
}

export interface Denial {
  principalArn: string;
  action: string;
  resource: string;
  decision: Decision;
  /** AWS's words: "User: … is not authorized to perform: … on resource: … because …". */
  message: string;
}

export interface Authorizer {
  /** What the operation asks IAM for. */
  checksFor(serviceId: string, operation: string, input: Record<string, unknown>, where: Where): Check[];
  /** The first check the caller may not pass, or undefined when all pass. */
  authorize(caller: Caller, checks: Check[], facts: RequestFacts): Denial | undefined;
}

interface Entry {
  stamp: number;
  pp: PrincipalPolicies;
  /** The caller's policies cut down to the statements naming one action, made on the action's first check. */
  views: Map<string, ActionView>;
  decisions: Map<string, Decision>;
}

interface ActionView {
  policies: Omit<PolicySet, 'resource'>;
  /** The context keys those statements read (their decisions are memoized per the keys' values). */
  keys: ContextKeys;
}

/** Only the statements whose Action/NotAction covers `action` can decide it (a boundary stays, even if emptied). */
function viewOf(pp: PrincipalPolicies, action: string): ActionView {
  const cut = (p: NamedPolicy): NamedPolicy => ({ id: p.id, document: { Statement: statementsOf(p.document).filter((st) => actionMatches(st, action)) } });
  const policies = {
    identity: pp.policies.identity.map(cut),
    boundary: pp.policies.boundary && cut(pp.policies.boundary),
    session: pp.policies.session?.map(cut),
  };
  const all = [...policies.identity, ...(policies.boundary ? [policies.boundary] : []), ...(policies.session ?? [])];
  return { policies, keys: contextKeysOf(all.flatMap((p) => statementsOf(p.document))) };
}

/** A resource policy's text parsed once: its document, the context keys it reads, and a number for cache keys. */
interface ParsedPolicy {
  document: PolicyDocument;
  keys: ContextKeys;
  seq: number;
}

const MAX_ENTRIES = 10_000;
const ROOT_ARN = /^arn:aws[\w-]*:iam::\d{12}:root$/;
const ROOT_ALLOWED: Decision = Object.freeze({ allowed: true as const, path: ['root of the account'], matched: [] });
/** A root of another account acting here: its own side allows everything (the resource's policy decides). */
const ROOT_IDENTITY: NamedPolicy[] = [{ id: 'root', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
const EMPTY_CONTEXT: RequestContext = new Map();

function parseDoc(text: string): PolicyDocument | undefined {
  try {
    const doc = JSON.parse(text);
    return doc && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The secret a SecretId names (name, full ARN, or ARN without its random suffix), read without the store's
 * purge of expired deletions (a write: authorization stays read-only).
 */
function secretOf(sql: Statements, where: { account: string; region: string }, id: string): StoredSecret | undefined {
  const s = { sql, ...where };
  if (!id.startsWith('arn:')) return findByName(s, id);
  const parts = id.split(':');
  if (parts[2] !== 'secretsmanager' || parts[5] !== 'secret') return undefined;
  const name = parts.slice(6).join(':');
  const exact = findByName(s, name);
  if (exact) return exact;
  const base = /^(.*)-[A-Za-z0-9]{6}$/.exec(name)?.[1];
  const secret = base === undefined ? undefined : findByName(s, base);
  return secret?.arn === id ? secret : undefined;
}

/** Resource policy texts to their parsed form, bounded; a text seen again is not parsed again. */
function policyParser(): (text: string | null | undefined) => ParsedPolicy | undefined {
  const parsed = new Map<string, ParsedPolicy | null>();
  let seq = 0;
  return (text) => {
    if (!text) return undefined;
    let p = parsed.get(text);
    if (p === undefined) {
      const document = parseDoc(text);
      p = document ? { document, keys: contextKeysOf(statementsOf(document)), seq: ++seq } : null;
      if (parsed.size >= MAX_ENTRIES) parsed.clear();
      parsed.set(text, p);
    }
    return p ?? undefined;
  };
}

interface ResourceSide {
  policy?: NamedPolicy;
  parsed?: ParsedPolicy;
  /** ECR: the registry's policy, where its scope covers the action. */
  registry?: { policy: NamedPolicy; parsed: ParsedPolicy };
  /** The owner of the resource (S3 ARNs name none). */
  account?: string;
}

/** The resource's own policy: ECR repository, S3 bucket, secret, SQS queue, or a role's trust policy for sts:AssumeRole. */
function resourceSide(sql: Statements, parse: ReturnType<typeof policyParser>, action: string, resource: string): ResourceSide {
  if (resource === '*') return {};
  const parts = resource.split(':');
  const [, , service, region] = parts;
  // AWS managed policies (account "aws") and S3 (no account) name no owning account in their ARNs.
  const account = /^\d{12}$/.test(parts[4] ?? '') ? parts[4] : undefined;
  const rest = parts.slice(5).join(':');
  const named = (text: string | null | undefined, id: string): ResourceSide => {
    const parsed = parse(text);
    return parsed ? { account, policy: { id, document: parsed.document }, parsed } : { account };
  };
  switch (service) {
    case 'ecr': {
      if (!rest.startsWith('repository/')) return { account };
      const repo = account ? getRepo(sql, { account, region, name: rest.slice('repository/'.length) }) : undefined;
      return named(repo?.policy, `${resource} (repository policy)`);
    }
    case 's3': {
      const bucket = findBucket(sql, rest.split('/')[0]);
      return { ...named(bucket?.doc.Policy, `arn:aws:s3:::${bucket?.name} (bucket policy)`), account: bucket?.account };
    }
    case 'secretsmanager': {
      const secret = account ? secretOf(sql, { account, region }, resource) : undefined;
      return named(secret?.resourcePolicy, `${resource} (resource policy)`);
    }
    case 'sqs': {
      const queue = account ? findQueue(sql, { account, region }, rest) : undefined;
      return named(queue && queuePolicy(queue.attributes), `${resource} (queue policy)`);
    }
    case 'iam': {
      if (action !== 'sts:AssumeRole' || !rest.startsWith('role/')) return { account };
      return named(findRoleByArn(sql, resource)?.AssumeRolePolicyDocument, `${resource} (trust policy)`);
    }
    default:
      return { account };
  }
}

/** A queue's Policy attribute: its attributes' JSON parsed once per text, and not at all when it has no policy. */
const queuePolicies = new Map<string, string | undefined>();
function queuePolicy(attributes: string): string | undefined {
  if (!attributes.includes('"Policy"')) return undefined;
  if (!queuePolicies.has(attributes)) {
    if (queuePolicies.size >= 1000) queuePolicies.clear();
    queuePolicies.set(attributes, (JSON.parse(attributes) as Record<string, string>).Policy);
  }
  return queuePolicies.get(attributes);
}

function names(sql: Statements): ResourceNames {
  return {
    secretArn: (w, id) => secretOf(sql, w, id)?.arn,
    roleArn: (account, name) => findRole({ sql, account }, name)?.Arn,
    userArn: (account, name) => findUser({ sql, account }, name)?.Arn,
  };
}

export function createAuthorizer(sql: Statements): Authorizer {
  const resourceNames = names(sql);
  const cache = new Map<string, Entry>();
  const parse = policyParser();

  // Registry policies as they bear on (account, region, action), read once per policy stamp (ECR's writes of the
  // policy and of its scope renew the stamp).
  let registryStamp: number | undefined;
  const registryPolicies = new Map<string, ParsedPolicy | null>();

  function entryFor(caller: Caller): Entry {
    const stamp = policyStamp(sql);
    const key = `${caller.accessKeyId}\n${caller.principalArn}\n${caller.roleArn ?? ''}`;
    const cached = cache.get(key);
    if (cached && cached.stamp === stamp) return cached;
    const entry: Entry = { stamp, pp: principalPolicies(sql, caller), views: new Map(), decisions: new Map() };
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, entry);
    return entry;
  }

  function contextFor(entry: Entry, check: Check, facts: RequestFacts, resourceArn: string, withResourceTags: boolean): RequestContext {
    const p = entry.pp.principal;
    const values: Record<string, ContextValue | undefined> = {
      'aws:SourceIp': facts.sourceIp,
      // Berth's endpoint is plain HTTP.
      'aws:SecureTransport': false,
      'aws:CurrentTime': new Date(facts.now).toISOString(),
      'aws:EpochTime': String(Math.floor(facts.now / 1000)),
      'aws:PrincipalArn': p.roleArn ?? p.arn,
      'aws:PrincipalAccount': p.account,
      'aws:PrincipalType': entry.pp.isRoot ? 'Account' : p.roleArn ? 'AssumedRole' : 'User',
      'aws:userid': p.userId,
      'aws:username': p.userName,
      'aws:RequestedRegion': facts.region,
    };
    for (const [k, v] of Object.entries(entry.pp.tags)) values[`aws:PrincipalTag/${k}`] = v;
    if (withResourceTags && resourceArn !== '*') {
      const prefix = check.action.slice(0, check.action.indexOf(':'));
      for (const t of getTags({ sql }, resourceArn)) {
        values[`aws:ResourceTag/${t.key}`] = t.value;
        values[`${prefix}:ResourceTag/${t.key}`] = t.value;
      }
    }
    return contextOf({ ...values, ...check.context });
  }

  /** An ECR repository's registry policy (scope V2: every action; V1: replication and pull-through imports). */
  function registrySide(check: Check, stamp: number): ResourceSide['registry'] {
    if (!check.action.startsWith('ecr:') || !check.resource.includes(':repository/')) return undefined;
    const [, , , region, account] = check.resource.split(':');
    if (registryStamp !== stamp || registryPolicies.size >= MAX_ENTRIES) {
      registryPolicies.clear();
      registryStamp = stamp;
    }
    const key = `${account}|${region}|${check.action}`;
    let parsed = registryPolicies.get(key);
    if (parsed === undefined) {
      parsed = parse(registryPolicyFor({ sql, account, region }, check.action)) ?? null;
      registryPolicies.set(key, parsed);
    }
    return parsed ? { policy: { id: `arn:aws:ecr:${region}:${account}:registry (registry policy)`, document: parsed.document }, parsed } : undefined;
  }

  /** The memo key of a decision: what it was asked, the resource policy's text, the values of the keys read. */
  function decisionKey(check: Check, side: ResourceSide, keys: ContextKeys, context: RequestContext | undefined): string {
    let key = `${check.action}\n${check.resource}\n${side.account ?? ''}\n${side.parsed?.seq ?? ''}\n${side.registry?.parsed.seq ?? ''}`;
    if (context) for (const k of keys.keys) key += `\n${JSON.stringify(context.get(k) ?? null)}`;
    return key;
  }

  function decide(caller: Caller, check: Check, facts: RequestFacts): Decision {
    // The root on a resource its ARN places in the root's own account: allowed, without reading anything.
    if (ROOT_ARN.test(caller.principalArn) && (check.resource === '*' || check.resource.split(':')[4] === caller.account)) return ROOT_ALLOWED;
    const entry = entryFor(caller);
    const side: ResourceSide = check.resourcePolicy === undefined ? resourceSide(sql, parse, check.action, check.resource) : {
      account: /^\d{12}$/.test(check.resource.split(':')[4] ?? '') ? check.resource.split(':')[4] : undefined,
    };
    if (check.resourcePolicy !== undefined) {
      side.parsed = parse(check.resourcePolicy);
      if (side.parsed) side.policy = { id: `${check.resource} (resource policy)`, document: side.parsed.document };
    }
    side.registry = registrySide(check, entry.stamp);
    const resourceAccount = side.account ?? entry.pp.principal.account;
    if (entry.pp.isRoot && resourceAccount === entry.pp.principal.account) return { allowed: true, path: ['root of the account'], matched: [] };
    let view = entry.views.get(check.action);
    if (!view) {
      if (entry.views.size >= MAX_ENTRIES) entry.views.clear();
      view = viewOf(entry.pp, check.action);
      entry.views.set(check.action, view);
    }
    const keys = mergeKeys(mergeKeys(view.keys, side.parsed?.keys), side.registry?.parsed.keys);
    // Without keys read, the context is not even built: the memo answers from action and resource alone.
    const context = keys.keys.length ? contextFor(entry, check, facts, check.resource, keys.readsResourceTags) : undefined;
    const key = keys.volatile ? undefined : decisionKey(check, side, keys, context);
    const hit = key === undefined ? undefined : entry.decisions.get(key);
    if (hit) return hit;
    const identity = entry.pp.isRoot ? ROOT_IDENTITY : view.policies.identity;
    const decision = evaluate({
      principal: entry.pp.principal,
      action: check.action,
      resource: check.resource,
      resourceAccount,
      context: context ?? EMPTY_CONTEXT,
    }, { ...view.policies, identity, resource: side.policy, registry: side.registry?.policy });
    if (entry.pp.unknownPolicies.length) decision.path.push(...entry.pp.unknownPolicies.map((a) => `no document in Berth: ${a}`));
    if (key !== undefined) {
      if (entry.decisions.size >= MAX_ENTRIES) entry.decisions.clear();
      entry.decisions.set(key, decision);
    }
    return decision;
  }

  return {
    checksFor: (serviceId, operation, input, where) => checksFor(serviceId, operation, input, where, resourceNames),
    authorize(caller, checks, facts) {
      for (const check of checks) {
        const decision = decide(caller, check, facts);
        if (!decision.allowed) {
          const principalArn = entryFor(caller).pp.principal.arn;
          return { principalArn, action: check.action, resource: check.resource, decision, message: denialMessage(principalArn, check.action, check.resource, decision) };
        }
      }
      return undefined;
    },
  };
}
