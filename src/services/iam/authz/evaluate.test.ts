import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextOf } from './conditions.js';
import { denialMessage, evaluate, type AuthzRequest, type NamedPolicy, type PolicySet, type Principal, type Statement } from './evaluate.js';

const ACCOUNT = '111111111111';
const OTHER = '222222222222';
const USER: Principal = { arn: `arn:aws:iam::${ACCOUNT}:user/ci`, account: ACCOUNT, userName: 'ci', userId: 'AIDAEXAMPLE' };
const SESSION: Principal = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/task-1`, account: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, userId: 'AROAEXAMPLE:task-1',
};
const REPO = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app`;

const policy = (id: string, ...Statement: Statement[]): NamedPolicy => ({ id, document: { Version: '2012-10-17', Statement } });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Partial<Statement> = {}): Statement => ({ Effect: 'Deny', Action, Resource, ...extra });

function request(action: string, resource: string, over: Partial<AuthzRequest> = {}): AuthzRequest {
  return { principal: USER, action, resource, context: contextOf({}), ...over };
}
const decide = (req: AuthzRequest, set: Partial<PolicySet>) => evaluate(req, { identity: [], ...set });
const allowed = (req: AuthzRequest, set: Partial<PolicySet>) => decide(req, set).allowed;

describe('policy evaluation: identity policies', () => {
  it('denies by default, with AWS\'s "no identity-based policy allows" message', () => {
    const d = decide(request('ecr:PutImage', REPO), {});
    assert.equal(d.allowed, false);
    assert.equal(denialMessage(USER.arn, 'ecr:PutImage', REPO, d),
      `User: ${USER.arn} is not authorized to perform: ecr:PutImage on resource: ${REPO} because no identity-based policy allows the ecr:PutImage action`);
  });

  it('allows an action a statement names, with wildcards, regardless of case', () => {
    assert.equal(allowed(request('ecr:PutImage', REPO), { identity: [policy('p', allow('ecr:PutImage'))] }), true);
    assert.equal(allowed(request('ecr:PutImage', REPO), { identity: [policy('p', allow('ECR:put*'))] }), true);
    assert.equal(allowed(request('ecr:PutImage', REPO), { identity: [policy('p', allow('ecr:?utImage'))] }), true);
    assert.equal(allowed(request('ecr:PutImage', REPO), { identity: [policy('p', allow('ecr:Get*'))] }), false);
    assert.equal(allowed(request('ecr:PutImage', REPO), { identity: [policy('p', allow('*'))] }), true);
  });

  it('matches resources component by component: a region wildcard does not reach into the account', () => {
    const p = (r: string) => ({ identity: [policy('p', allow('ecr:*', r))] });
    assert.equal(allowed(request('ecr:PutImage', REPO), p('arn:aws:ecr:*:*:repository/app')), true);
    assert.equal(allowed(request('ecr:PutImage', REPO), p('arn:aws:ecr:us-*:111111111111:repository/*')), true);
    assert.equal(allowed(request('ecr:PutImage', REPO), p('arn:aws:ecr:*:222222222222:repository/*')), false);
    assert.equal(allowed(request('ecr:PutImage', REPO), p('arn:aws:ecr:us-east-1:111111111111:repository/other')), false);
    assert.equal(allowed(request('ecr:PutImage', REPO), p(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ap?`)), true);
    // Resources compare case-sensitively.
    assert.equal(allowed(request('ecr:PutImage', REPO), p(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/APP`)), false);
  });

  it('NotAction and NotResource allow everything they do not name', () => {
    const notIam = { identity: [policy('p', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] };
    assert.equal(allowed(request('ecr:PutImage', REPO), notIam), true);
    assert.equal(allowed(request('iam:CreateUser', '*'), notIam), false);
    const notRepo = { identity: [policy('p', { Effect: 'Allow', Action: 'ecr:*', NotResource: `arn:aws:ecr:*:*:repository/secret-*` })] };
    assert.equal(allowed(request('ecr:PutImage', REPO), notRepo), true);
    assert.equal(allowed(request('ecr:PutImage', REPO.replace('/app', '/secret-x')), notRepo), false);
  });

  it('an explicit deny wins over any allow, and says where it was', () => {
    const set = { identity: [policy('admin', allow('*')), policy('guard', deny('ecr:BatchDeleteImage', REPO))] };
    const d = decide(request('ecr:BatchDeleteImage', REPO), set);
    assert.deepEqual([d.allowed, !d.allowed && d.explicit], [false, true]);
    assert.match(denialMessage(USER.arn, 'ecr:BatchDeleteImage', REPO, d), /with an explicit deny in an identity-based policy$/);
    assert.deepEqual(d.path, ['deny guard[0]']);
    assert.equal(allowed(request('ecr:PutImage', REPO), set), true);
  });

  it('a statement of one policy is enough: allows are OR-ed across policies and statements', () => {
    const set = { identity: [policy('a', allow('s3:GetObject', 'arn:aws:s3:::b/*')), policy('b', allow('s3:ListBucket', 'arn:aws:s3:::b'))] };
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::b/k'), set), true);
    assert.equal(allowed(request('s3:ListBucket', 'arn:aws:s3:::b'), set), true);
    assert.equal(allowed(request('s3:PutObject', 'arn:aws:s3:::b/k'), set), false);
  });

  it('substitutes policy variables, and a variable without a value matches nothing', () => {
    const set = { identity: [policy('home', allow('s3:*', 'arn:aws:s3:::home/${aws:username}/*'))] };
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::home/ci/x'), set), true);
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::home/other/x'), set), false);
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::home/ci/x', { principal: SESSION }), set), false);
    const withDefault = { identity: [policy('home', allow('s3:*', "arn:aws:s3:::home/${aws:username, 'shared'}/*"))] };
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::home/shared/x', { principal: SESSION }), withDefault), true);
    const literal = { identity: [policy('lit', allow('s3:*', 'arn:aws:s3:::b/${*}'))] };
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::b/*'), literal), true);
    assert.equal(allowed(request('s3:GetObject', 'arn:aws:s3:::b/x'), literal), false);
  });
});

describe('policy evaluation: conditions', () => {
  const withCond = (Condition: Statement['Condition']) => ({ identity: [policy('c', allow('ecr:*', '*', { Condition }))] });
  const ctx = (entries: Record<string, string | string[] | boolean | number>) => contextOf(entries);
  const ok = (Condition: Statement['Condition'], entries: Record<string, string | string[] | boolean | number>) =>
    allowed(request('ecr:PutImage', REPO, { context: ctx(entries) }), withCond(Condition));

  it('String operators: equals (any of the values), not-equals, ignore-case, like', () => {
    assert.equal(ok({ StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] } }, { 'aws:PrincipalTag/team': 'b' }), true);
    assert.equal(ok({ StringEquals: { 'aws:PrincipalTag/team': 'a' } }, { 'aws:principaltag/TEAM': 'a' }), true, 'key names are case-insensitive');
    assert.equal(ok({ StringEquals: { 'aws:PrincipalTag/team': 'a' } }, { 'aws:PrincipalTag/team': 'A' }), false);
    assert.equal(ok({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'a' } }, { 'aws:PrincipalTag/team': 'A' }), true);
    assert.equal(ok({ StringNotEquals: { 'aws:PrincipalTag/team': 'a' } }, { 'aws:PrincipalTag/team': 'b' }), true);
    assert.equal(ok({ StringNotEquals: { 'aws:PrincipalTag/team': 'a' } }, { 'aws:PrincipalTag/team': 'a' }), false);
    assert.equal(ok({ StringLike: { 'ecr:ResourceTag/env': 'prod-*' } }, { 'ecr:ResourceTag/env': 'prod-eu' }), true);
    assert.equal(ok({ StringNotLike: { 'ecr:ResourceTag/env': 'prod-*' } }, { 'ecr:ResourceTag/env': 'prod-eu' }), false);
  });

  it('a missing key fails a positive operator, satisfies …IfExists and negated operators; Null tests presence', () => {
    assert.equal(ok({ StringEquals: { 'aws:ResourceTag/env': 'prod' } }, {}), false);
    assert.equal(ok({ StringEqualsIfExists: { 'aws:ResourceTag/env': 'prod' } }, {}), true);
    assert.equal(ok({ StringEqualsIfExists: { 'aws:ResourceTag/env': 'prod' } }, { 'aws:ResourceTag/env': 'dev' }), false);
    assert.equal(ok({ StringNotEquals: { 'aws:ResourceTag/env': 'prod' } }, {}), true);
    assert.equal(ok({ Null: { 'aws:ResourceTag/env': 'true' } }, {}), true);
    assert.equal(ok({ Null: { 'aws:ResourceTag/env': 'false' } }, {}), false);
    assert.equal(ok({ Null: { 'aws:ResourceTag/env': 'false' } }, { 'aws:ResourceTag/env': 'x' }), true);
  });

  it('every operator and every key must hold', () => {
    const cond = { StringEquals: { 'aws:PrincipalTag/team': 'a', 'ecs:cluster': 'arn:c' }, Bool: { 'aws:SecureTransport': 'true' } };
    assert.equal(ok(cond, { 'aws:PrincipalTag/team': 'a', 'ecs:cluster': 'arn:c', 'aws:SecureTransport': true }), true);
    assert.equal(ok(cond, { 'aws:PrincipalTag/team': 'a', 'ecs:cluster': 'arn:c', 'aws:SecureTransport': false }), false);
    assert.equal(ok(cond, { 'aws:PrincipalTag/team': 'a', 'aws:SecureTransport': true }), false);
  });

  it('Arn, Numeric, Date and Bool operators', () => {
    assert.equal(ok({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci-*' } }, { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ci-build` }), true);
    assert.equal(ok({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci-*' } }, { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ci-build` }), false);
    assert.equal(ok({ ArnEquals: { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:1:cluster/a' } }, { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:1:cluster/a' }), true);
    assert.equal(ok({ NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': 5 }), true);
    assert.equal(ok({ NumericGreaterThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '5' }), false);
    assert.equal(ok({ NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': 'ten' }), false);
    assert.equal(ok({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-12-07T10:00:00Z' }), true);
    assert.equal(ok({ DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-12-07T10:00:00Z' }), false);
    assert.equal(ok({ DateGreaterThan: { 'aws:EpochTime': '1000' } }, { 'aws:EpochTime': '2000' }), true);
    assert.equal(ok({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': false }), true);
  });

  it('IpAddress and NotIpAddress over IPv4 and IPv6 ranges', () => {
    assert.equal(ok({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.1.1'] } }, { 'aws:SourceIp': '10.2.3.4' }), true);
    assert.equal(ok({ IpAddress: { 'aws:SourceIp': '192.168.1.1' } }, { 'aws:SourceIp': '192.168.1.1' }), true);
    assert.equal(ok({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' }), false);
    assert.equal(ok({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' }), true);
    assert.equal(ok({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db8::1' }), true);
    assert.equal(ok({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '10.0.0.1' }), false);
  });

  it('ForAllValues holds when every request value is allowed (and over none); ForAnyValue when one is', () => {
    const all = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };
    assert.equal(ok(all, { 'aws:TagKeys': ['env'] }), true);
    assert.equal(ok(all, { 'aws:TagKeys': ['env', 'owner'] }), false);
    assert.equal(ok(all, {}), true);
    const any = { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['sec*'] } };
    assert.equal(ok(any, { 'aws:TagKeys': ['env', 'security'] }), true);
    assert.equal(ok(any, { 'aws:TagKeys': ['env'] }), false);
    assert.equal(ok(any, {}), false);
    // Deny when any requested tag key is outside the allowed set.
    const guard = { identity: [policy('p', allow('ecr:*'), deny('ecr:TagResource', '*', { Condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env'] } } }))] };
    assert.equal(allowed(request('ecr:TagResource', REPO, { context: ctx({ 'aws:TagKeys': ['env'] }) }), guard), true);
    assert.equal(allowed(request('ecr:TagResource', REPO, { context: ctx({ 'aws:TagKeys': ['env', 'x'] }) }), guard), false);
  });

  it('policy variables in condition values', () => {
    assert.equal(ok({ StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } }, { 'aws:ResourceTag/owner': 'ci' }), true);
    assert.equal(ok({ StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } }, { 'aws:ResourceTag/owner': 'bob' }), false);
  });

  it('an unknown operator makes its statement not match', () => {
    assert.equal(ok({ StringFuzzy: { 'aws:PrincipalTag/team': 'a' } }, { 'aws:PrincipalTag/team': 'a' }), false);
  });
});

describe('policy evaluation: boundaries, sessions, resource policies, accounts', () => {
  const ecrAll = policy('power', allow('ecr:*'));

  it('a permissions boundary caps what identity policies allow', () => {
    const boundary = policy('boundary', allow(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
    assert.equal(allowed(request('ecr:BatchGetImage', REPO), { identity: [ecrAll], boundary }), true);
    const d = decide(request('ecr:PutImage', REPO), { identity: [ecrAll], boundary });
    assert.equal(d.allowed, false);
    assert.match(denialMessage(USER.arn, 'ecr:PutImage', REPO, d), /because no permissions boundary allows the ecr:PutImage action$/);
    // The boundary alone grants nothing.
    assert.equal(allowed(request('ecr:BatchGetImage', REPO), { identity: [], boundary }), false);
    const denyingBoundary = policy('boundary', allow('*'), deny('ecr:PutImage'));
    const e = decide(request('ecr:PutImage', REPO), { identity: [ecrAll], boundary: denyingBoundary });
    assert.match(denialMessage(USER.arn, 'ecr:PutImage', REPO, e), /with an explicit deny in a permissions boundary$/);
  });

  it('session policies intersect with the role\'s policies', () => {
    const session = [policy('session', allow('ecr:BatchGetImage'))];
    const req = (a: string) => request(a, REPO, { principal: SESSION });
    assert.equal(allowed(req('ecr:BatchGetImage'), { identity: [ecrAll], session }), true);
    const d = decide(req('ecr:PutImage'), { identity: [ecrAll], session });
    assert.match(denialMessage(SESSION.arn, 'ecr:PutImage', REPO, d), /because no session policy allows the ecr:PutImage action$/);
    assert.equal(allowed(req('ecr:PutImage'), { identity: [ecrAll], session: [] }), false, 'an empty set of session policies allows nothing');
  });

  it('in one account, a resource policy naming the user or session allows on its own; naming the account only delegates', () => {
    const grant = (AWS: string) => policy('repo', { Effect: 'Allow', Principal: { AWS }, Action: 'ecr:BatchGetImage' });
    assert.equal(allowed(request('ecr:BatchGetImage', REPO), { resource: grant(USER.arn) }), true);
    assert.equal(allowed(request('ecr:BatchGetImage', REPO, { principal: SESSION }), { resource: grant(SESSION.arn) }), true);
    assert.equal(allowed(request('ecr:BatchGetImage', REPO, { principal: SESSION }), { resource: grant(SESSION.roleArn!) }), true);
    assert.equal(allowed(request('ecr:BatchGetImage', REPO), { resource: grant(ACCOUNT) }), false);
    assert.equal(allowed(request('ecr:BatchGetImage', REPO), { resource: grant(`arn:aws:iam::${ACCOUNT}:root`) }), false);
    assert.equal(allowed(request('ecr:BatchGetImage', REPO), { resource: policy('repo', { Effect: 'Allow', Principal: '*', Action: 'ecr:*' }) }), true);
    // A grant to the role still answers to the session's policies.
    assert.equal(allowed(request('ecr:BatchGetImage', REPO, { principal: SESSION }), { resource: grant(SESSION.roleArn!), session: [] }), false);
  });

  it('an explicit deny in a resource policy wins over an identity allow', () => {
    const secret = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-AbCdEf`;
    const resource = policy('secret', { Effect: 'Deny', Principal: { AWS: SESSION.roleArn! }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
    const d = decide(request('secretsmanager:GetSecretValue', secret, { principal: SESSION }), { identity: [policy('sm', allow('secretsmanager:*'))], resource });
    assert.equal(d.allowed, false);
    assert.equal(denialMessage(SESSION.arn, 'secretsmanager:GetSecretValue', secret, d),
      `User: ${SESSION.arn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret} with an explicit deny in a resource-based policy`);
    // A deny naming someone else does not apply; NotPrincipal applies to everyone it does not name.
    const other = policy('secret', { Effect: 'Deny', Principal: { AWS: USER.arn }, Action: '*' });
    assert.equal(allowed(request('secretsmanager:GetSecretValue', secret, { principal: SESSION }), { identity: [policy('sm', allow('secretsmanager:*'))], resource: other }), true);
    const notMe = policy('secret', { Effect: 'Deny', NotPrincipal: { AWS: USER.arn }, Action: '*' });
    assert.equal(allowed(request('secretsmanager:GetSecretValue', secret, { principal: SESSION }), { identity: [policy('sm', allow('secretsmanager:*'))], resource: notMe }), false);
    assert.equal(allowed(request('secretsmanager:GetSecretValue', secret), { identity: [policy('sm', allow('secretsmanager:*'))], resource: notMe }), true);
  });

  it('across accounts both the identity policy and the resource policy must allow', () => {
    const foreign: Principal = { arn: `arn:aws:iam::${OTHER}:user/puller`, account: OTHER, userName: 'puller' };
    const req = request('ecr:BatchGetImage', REPO, { principal: foreign, resourceAccount: ACCOUNT });
    const repoPolicy = policy('repo', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:BatchGetImage'] });
    const ident = [policy('pull', allow('ecr:BatchGetImage'))];
    assert.equal(allowed(req, { identity: ident, resource: repoPolicy }), true);
    const noIdentity = decide(req, { identity: [], resource: repoPolicy });
    assert.match(denialMessage(foreign.arn, 'ecr:BatchGetImage', REPO, noIdentity), /because no identity-based policy allows/);
    const noResource = decide(req, { identity: ident });
    assert.match(denialMessage(foreign.arn, 'ecr:BatchGetImage', REPO, noResource), /because no resource-based policy allows the ecr:BatchGetImage action$/);
    assert.equal(allowed(req, { identity: ident, resource: policy('repo', { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: '*' }) }), false);
  });

  it('trust policies: service principals and conditions on the caller', () => {
    const trust = policy('trust', { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const ecs: Principal = { arn: 'ecs-tasks.amazonaws.com', account: ACCOUNT, service: 'ecs-tasks.amazonaws.com' };
    const role = `arn:aws:iam::${ACCOUNT}:role/app`;
    assert.equal(allowed(request('sts:AssumeRole', role, { principal: ecs }), { resource: trust }), true);
    assert.equal(allowed(request('sts:AssumeRole', role), { resource: trust }), false);
  });
});

describe('policy evaluation: ECR registry policies beside repository policies', () => {
  const account = (effect: 'Allow' | 'Deny', who: string) => policy('p', { Effect: effect, Action: 'ecr:BatchGetImage', Principal: { AWS: who } });
  it('the policy naming the caller most directly counts; a deny in either wins; across accounts either may be the resource side', () => {
    const req = request('ecr:BatchGetImage', REPO);
    // The repository policy names the account (delegates), the registry policy the user itself: allowed without an identity policy.
    assert.equal(allowed(req, { resource: account('Allow', ACCOUNT), registry: account('Allow', USER.arn) }), true);
    assert.equal(allowed(req, { resource: account('Allow', ACCOUNT) }), false);
    assert.equal(allowed(req, { resource: account('Allow', USER.arn), registry: account('Deny', ACCOUNT) }), false);
    const other = { ...USER, arn: `arn:aws:iam::${OTHER}:user/ci`, account: OTHER };
    const cross = request('ecr:BatchGetImage', REPO, { principal: other, resourceAccount: ACCOUNT });
    const identity = [policy('i', allow('ecr:*'))];
    assert.equal(allowed(cross, { identity, registry: account('Allow', OTHER) }), true);
    assert.equal(allowed(cross, { registry: account('Allow', OTHER) }), false);
    assert.equal(allowed(cross, { identity }), false);
  });
});
