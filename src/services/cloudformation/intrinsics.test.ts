import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateConditions, EvalError, NO_VALUE, referencesOf, type EvalEnv } from './intrinsics.js';
import { parseBody } from './template.js';

const env = (over: Partial<EvalEnv> = {}): EvalEnv => ({
  refs: { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000', Env: 'dev', Zones: ['a', 'b'] },
  mappings: { M: { dev: { Size: 2 } } },
  conditions: { IsDev: true },
  resourceRef: (id) => `phys-${id}`,
  getAtt: (id, a) => `${id}.${a}`,
  importValue: (n) => `import:${n}`,
  zones: ['us-east-1a', 'us-east-1b'],
  ...over,
});

describe('CloudFormation intrinsic functions', () => {
  it('Fn::Sub reads parameters, pseudo parameters, attributes, its own variables and keeps ${!literals}', () => {
    assert.equal(evaluate({ 'Fn::Sub': 'x-${Env}-${AWS::Region}-${Res.Arn}-${Res}-${!Keep}' }, env()), 'x-dev-us-east-1-Res.Arn-phys-Res-${Keep}');
    assert.equal(evaluate({ 'Fn::Sub': ['${A}/${Env}', { A: { Ref: 'Res' } }] }, env()), 'phys-Res/dev');
  });

  it('Fn::If with AWS::NoValue removes the member; Fn::Join, Select, Split, FindInMap, GetAZs, Base64, Cidr', () => {
    assert.deepEqual(evaluate({ a: { 'Fn::If': ['IsDev', { Ref: 'AWS::NoValue' }, 1] }, b: [1, { Ref: 'AWS::NoValue' }] }, env()), { b: [1] });
    assert.equal(evaluate({ Ref: 'AWS::NoValue' }, env()), NO_VALUE);
    assert.equal(evaluate({ 'Fn::Join': [',', { Ref: 'Zones' }] }, env()), 'a,b');
    assert.equal(evaluate({ 'Fn::Select': ['1', { 'Fn::Split': ['|', 'x|y|z'] }] }, env()), 'y');
    assert.equal(evaluate({ 'Fn::FindInMap': ['M', { Ref: 'Env' }, 'Size'] }, env()), 2);
    assert.deepEqual(evaluate({ 'Fn::GetAZs': '' }, env()), ['us-east-1a', 'us-east-1b']);
    assert.equal(evaluate({ 'Fn::Base64': 'hi' }, env()), 'aGk=');
    assert.deepEqual(evaluate({ 'Fn::Cidr': ['10.0.0.0/16', 3, 8] }, env()), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    assert.deepEqual(evaluate({ 'Fn::Cidr': ['10.0.0.0/16', 2, 14] }, env()), ['10.0.0.0/18', '10.0.64.0/18']);
    assert.throws(() => evaluate({ 'Fn::FindInMap': ['M', 'prod', 'Size'] }, env()), (e: Error) => e instanceof EvalError && /Unable to get mapping for M::prod::Size/.test(e.message));
  });

  it('conditions are evaluated once each, naming each other; references are found in Ref, GetAtt and Sub', () => {
    const t = parseBody(JSON.stringify({
      Conditions: { A: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, B: { 'Fn::And': [{ Condition: 'A' }, { 'Fn::Not': [{ 'Fn::Equals': [1, '2'] }] }] } },
      Resources: { X: { Type: 'AWS::SSM::Parameter' } },
    }));
    assert.deepEqual(evaluateConditions(t, env()), { A: true, B: true });
    const refs = referencesOf({ a: { Ref: 'X' }, b: { 'Fn::GetAtt': ['Y', 'Arn'] }, c: { 'Fn::Sub': '${Z.Arn}${Env}${!W}' }, d: { Ref: 'Env' } }, new Set(['X', 'Y', 'Z', 'W']));
    assert.deepEqual([...refs].sort(), ['X', 'Y', 'Z']);
  });

  it('YAML short-form tags become the long forms', () => {
    const t = parseBody('Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-b"\n      Tags:\n        - Key: k\n          Value: !GetAtt Other.Arn\n        - Key: j\n          Value: !Join [",", [!Ref A, !Select [0, !GetAZs ""]]]\n');
    assert.deepEqual(t.Resources.B.Properties, {
      BucketName: { 'Fn::Sub': '${AWS::StackName}-b' },
      Tags: [{ Key: 'k', Value: { 'Fn::GetAtt': ['Other', 'Arn'] } }, { Key: 'j', Value: { 'Fn::Join': [',', [{ Ref: 'A' }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]] } }],
    });
    assert.throws(() => parseBody('{"Resources": {"A": {"Type": "AWS::S3"}}}'), /: Template format error: Unrecognized resource types: \[AWS::S3\]$/);
    assert.throws(() => parseBody('{"Resources": {}}'), /Template format error: At least one Resources member must be defined\./);
    assert.throws(() => parseBody('{"Resources": {"A": {"Type": "AWS::SNS::Topic", "DependsOn": "B"}}}'), /Unresolved resource dependencies \[B\] in the Resources block of the template/);
  });
});
