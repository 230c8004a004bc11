import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements } from '../../state/db.js';
import { drainsBeforeTermination, instancesAwaitingDrain, proceedTermination, protectBusyInstances, setManagedDraining, stepDesiredCapacity } from './managed-capacity.js';
import { findGroup, insertGroup, type StoredGroup } from './store.js';

describe('managed scaling moves a group one bounded step at a time', () => {
  const sql = new Statements(openDb(':memory:'));
  const published: string[] = [];
  const s = { sql, account: '000000000000', region: 'us-east-1', changed: (_kind: 'autoscaling.group', key: string) => published.push(key) };
  const make = (name: string, min: number, max: number, desired: number) => insertGroup(s, {
    AutoScalingGroupName: name, AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:x:autoScalingGroupName/${name}`,
    MinSize: min, MaxSize: max, DesiredCapacity: desired, Instances: [],
  } as unknown as StoredGroup);

  it('scales out at least the minimum step and at most the maximum step, inside MaxSize', () => {
    make('g', 0, 10, 0);
    assert.deepEqual(stepDesiredCapacity(s, 'g', 1, { minimumScalingStepSize: 3, maximumScalingStepSize: 100 }), { from: 0, to: 3 });
    assert.deepEqual(stepDesiredCapacity(s, 'g', 9, { minimumScalingStepSize: 1, maximumScalingStepSize: 2 }), { from: 3, to: 5 });
    assert.deepEqual(stepDesiredCapacity(s, 'g', 40, { minimumScalingStepSize: 1, maximumScalingStepSize: 100 }), { from: 5, to: 10 });
    assert.equal(findGroup(s, 'g')!.DesiredCapacity, 10);
    assert.equal(published.length, 3);
  });

  it('scales in straight to what is wanted (the step sizes bound scale-out only), no further than MinSize, and leaves an unchanged group unsaved', () => {
    make('h', 2, 10, 8);
    assert.deepEqual(stepDesiredCapacity(s, 'h', 5, { minimumScalingStepSize: 1, maximumScalingStepSize: 1 }), { from: 8, to: 5 });
    assert.deepEqual(stepDesiredCapacity(s, 'h', 0, { minimumScalingStepSize: 4, maximumScalingStepSize: 10 }), { from: 5, to: 2 });
    const before = published.length;
    assert.deepEqual(stepDesiredCapacity(s, 'h', 0, { minimumScalingStepSize: 1, maximumScalingStepSize: 10 }), { from: 2, to: 2 });
    assert.equal(published.length, before);
    assert.equal(stepDesiredCapacity(s, 'gone', 3, { minimumScalingStepSize: 1, maximumScalingStepSize: 10 }), undefined);
  });

  it('protects exactly the instances that hold tasks', () => {
    insertGroup(s, {
      AutoScalingGroupName: 'p', AutoScalingGroupARN: 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:x:autoScalingGroupName/p',
      MinSize: 0, MaxSize: 3, DesiredCapacity: 2,
      Instances: [{ InstanceId: 'i-1', ProtectedFromScaleIn: true }, { InstanceId: 'i-2', ProtectedFromScaleIn: false }],
    } as unknown as StoredGroup);
    protectBusyInstances(s, 'p', new Set(['i-2']));
    assert.deepEqual(findGroup(s, 'p')!.Instances!.map((i) => [i.InstanceId, i.ProtectedFromScaleIn]), [['i-1', false], ['i-2', true]]);
  });
});

describe('managed draining holds the instances a group takes out of service until ECS lets them go', () => {
  const sql = new Statements(openDb(':memory:'));
  const published: string[] = [];
  const s = { sql, account: '000000000000', region: 'us-east-1', changed: (_kind: 'autoscaling.group', key: string) => published.push(key) };

  it('marks the group, lists the waiting instances, lets one proceed, and releases them all when the mark goes', () => {
    insertGroup(s, {
      AutoScalingGroupName: 'd', AutoScalingGroupARN: 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:x:autoScalingGroupName/d',
      MinSize: 0, MaxSize: 3, DesiredCapacity: 1,
      Instances: [{ InstanceId: 'i-1', LifecycleState: 'Terminating:Wait' }, { InstanceId: 'i-2', LifecycleState: 'Terminating:Wait' }, { InstanceId: 'i-3', LifecycleState: 'InService' }],
    } as unknown as StoredGroup);
    assert.equal(drainsBeforeTermination(findGroup(s, 'd')!), false);
    setManagedDraining(s, 'd', true);
    assert.equal(drainsBeforeTermination(findGroup(s, 'd')!), true);
    assert.deepEqual(instancesAwaitingDrain(s, 'd'), ['i-1', 'i-2']);
    proceedTermination(s, 'd', 'i-1');
    assert.deepEqual(findGroup(s, 'd')!.Instances!.map((i) => i.LifecycleState), ['Terminating:Proceed', 'Terminating:Wait', 'InService']);
    assert.deepEqual(published, ['000000000000/us-east-1/d']);
    setManagedDraining(s, 'd', false);
    assert.deepEqual(findGroup(s, 'd')!.Instances!.map((i) => i.LifecycleState), ['Terminating:Proceed', 'Terminating:Proceed', 'InService']);
  });
});
