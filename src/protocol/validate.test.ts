import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.js';
import { validateInput, violationMessage } from './validate.js';

describe('input validation against the model', () => {
  const op = loadModel('ecs').operations.get('RegisterTaskDefinition')!;

  it('reports each missing required member in the frontend wording', () => {
    const v = validateInput(op.input, {});
    assert.equal(
      violationMessage(v),
      "2 validation errors detected: Value null at 'family' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'containerDefinitions' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports required members of nested list items with their index', () => {
    const v = validateInput(op.input, { family: 'web', containerDefinitions: [{ name: 'a' }, { name: 'b', secrets: [{ name: 'DB' }] }] });
    assert.deepEqual(v.map((x) => x.path), ['containerDefinitions.2.member.secrets.1.member.valueFrom']);
  });

  it('reports a list given as a scalar as a type error', () => {
    const rt = loadModel('ecs').operations.get('CreateService')!;
    const v = validateInput(rt.input, { serviceName: 's', loadBalancers: 'nope' });
    assert.deepEqual(v.map((x) => [x.kind, x.path]), [['type', 'loadBalancers']]);
  });

  it('reports wrong types and accepts the right ones', () => {
    const v = validateInput(op.input, { family: 5, containerDefinitions: [{ name: 'a', memory: 'lots', essential: 'yes' }] });
    assert.deepEqual(v.map((x) => [x.kind, x.path]), [
      ['type', 'family'],
      ['type', 'containerDefinitions.1.member.memory'],
      ['type', 'containerDefinitions.1.member.essential'],
    ]);
    assert.deepEqual(validateInput(op.input, { family: 'web', containerDefinitions: [{ name: 'a', memory: 512, essential: true }] }), []);
  });
});
