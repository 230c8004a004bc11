import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.js';
import type { StructureShape } from './schema.js';

describe('schema reader over the SDK static schemas', () => {
  const ecs = loadModel('ecs');

  it('reads required members from the structure schema', () => {
    const op = ecs.operations.get('RegisterTaskDefinition')!;
    assert.deepEqual(op.input.required, ['family', 'containerDefinitions']);
  });

  it('resolves nested lists of structures and maps', () => {
    const op = ecs.operations.get('RegisterTaskDefinition')!;
    const defs = op.input.byName.get('containerDefinitions')!.shape;
    assert.equal(defs.kind, 'list');
    const def = (defs as any).member.shape as StructureShape;
    assert.equal(def.kind, 'structure');
    assert.equal(def.byName.get('dockerLabels')!.shape.kind, 'map');
    assert.equal(def.byName.get('essential')!.shape.kind, 'boolean');
    assert.equal(def.byName.get('memory')!.shape.kind, 'number');
  });

  it('knows timestamps and their formats', () => {
    const cluster = ecs.operations.get('DescribeTaskDefinition')!.output.byName.get('taskDefinition')!.shape as StructureShape;
    assert.equal(cluster.byName.get('registeredAt')!.shape.kind, 'timestamp');
  });

  it('carries error traits: ECS errors are client errors', () => {
    const err = ecs.errors.get('ClusterNotFoundException')!;
    assert.equal(err.isError, true);
    assert.equal(err.traits.error, 'client');
  });

  it('carries HTTP bindings and member traits for rest protocols', () => {
    const eks = loadModel('eks');
    const op = eks.operations.get('DescribeCluster')!;
    assert.deepEqual(op.http, { method: 'GET', uri: '/clusters/{name}', code: 200 });
    assert.equal(op.input.byName.get('name')!.traits.httpLabel, 1);
  });

  it('reads awsQueryError codes of query-compatible services', () => {
    const sqs = loadModel('sqs');
    assert.equal(sqs.errorsByQueryCode.get('AWS.SimpleQueueService.NonExistentQueue')?.name, 'QueueDoesNotExist');
  });
});
