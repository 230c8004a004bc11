import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service, TaskSet } from '@aws-sdk/client-ecs';
import { computedDesiredCount, lendPrimaryFields, usesTaskSets } from './task-set-rules.js';

const service = (desiredCount: number, status = 'ACTIVE'): Service => ({ desiredCount, status, deploymentController: { type: 'EXTERNAL' } });
const taskSet = (value: number, status = 'ACTIVE'): TaskSet => ({ status, scale: { value, unit: 'PERCENT' } });

describe('task set rules', () => {
  it('computedDesiredCount is scale% of the desired count rounded up, without floating-point noise', () => {
    assert.equal(computedDesiredCount(service(4), taskSet(50)), 2);
    assert.equal(computedDesiredCount(service(3), taskSet(50)), 2);
    assert.equal(computedDesiredCount(service(10), taskSet(30)), 3);
    assert.equal(computedDesiredCount(service(1), taskSet(1)), 1);
    assert.equal(computedDesiredCount(service(7), taskSet(0)), 0);
    assert.equal(computedDesiredCount(service(0), taskSet(100)), 0);
  });

  it('a DRAINING task set, or one of a service no longer ACTIVE, wants no task', () => {
    assert.equal(computedDesiredCount(service(4), taskSet(100, 'DRAINING')), 0);
    assert.equal(computedDesiredCount(service(4, 'DRAINING'), taskSet(100)), 0);
  });

  it('EXTERNAL and CODE_DEPLOY services run task sets; ECS ones and those without a controller do not', () => {
    assert.equal(usesTaskSets({ deploymentController: { type: 'EXTERNAL' } }), true);
    assert.equal(usesTaskSets({ deploymentController: { type: 'CODE_DEPLOY' } }), true);
    assert.equal(usesTaskSets({ deploymentController: { type: 'ECS' } }), false);
    assert.equal(usesTaskSets({}), false);
  });

  it('the primary task set lends the service its task definition, launch type and network, and clears what it lacks', () => {
    const s: Service = { taskDefinition: 'old', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'x' }] };
    lendPrimaryFields(s, { taskDefinition: 'new', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['s'] } }, loadBalancers: [] });
    assert.equal(s.taskDefinition, 'new');
    assert.equal(s.launchType, 'FARGATE');
    assert.equal(s.capacityProviderStrategy, undefined);
    assert.deepEqual(s.networkConfiguration?.awsvpcConfiguration?.subnets, ['s']);
    assert.deepEqual(s.loadBalancers, []);
  });
});
