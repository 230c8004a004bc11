import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements } from '../../state/db.js';
import { beginLifecycleActions, completeHeldAction, hooksOf, putOwnedHook, settleLifecycleActions, TERMINATING } from './lifecycle-hooks.js';
import {
  drainsBeforeTermination, instancesAwaitingDrain, MANAGED_DRAINING_HOOK, proceedTermination, protectBusyInstances, setManagedDraining, stepDesiredCapacity, stillDraining,
} from './managed-capacity.js';
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

describe("managed draining is a termination lifecycle hook: it and the user's own hook both hold an instance", () => {
  const sql = new Statements(openDb(':memory:'));
  const published: string[] = [];
  const s = { sql, account: '000000000000', region: 'us-east-1', changed: (kind: string, key: string) => published.push(`${kind} ${key}`) };
  const arn = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:x:autoScalingGroupName/d';

  it("puts AWS's hook, holds a terminating instance until ECS and the user have both completed, and removes the hook when turned off", () => {
    insertGroup(s, {
      AutoScalingGroupName: 'd', AutoScalingGroupARN: arn, MinSize: 0, MaxSize: 3, DesiredCapacity: 1,
      Instances: [{ InstanceId: 'i-1', LifecycleState: 'InService' }, { InstanceId: 'i-2', LifecycleState: 'InService' }],
    } as unknown as StoredGroup);
    const g = () => findGroup(s, 'd')!;
    assert.equal(drainsBeforeTermination(s, 'd'), false);
    setManagedDraining(s, 'd', true);
    assert.equal(drainsBeforeTermination(s, 'd'), true);
    assert.deepEqual(hooksOf(s, 'd').map((h) => [h.LifecycleHookName, h.LifecycleTransition, h.HeartbeatTimeout, h.DefaultResult]),
      [[MANAGED_DRAINING_HOOK, TERMINATING, 3600, 'CONTINUE']]);
    putOwnedHook(s, 'd', { LifecycleHookName: 'mine', LifecycleTransition: TERMINATING, HeartbeatTimeout: 60, DefaultResult: 'ABANDON' });

    const t0 = Date.parse('2026-12-07T10:00:00Z');
    assert.equal(beginLifecycleActions(s, g(), 'i-1', TERMINATING, t0, 60), true);
    assert.deepEqual(instancesAwaitingDrain(s, 'd'), ['i-1']);
    // ECS has drained it; the user's hook still holds it.
    proceedTermination(s, 'd', 'i-1');
    assert.deepEqual(instancesAwaitingDrain(s, 'd'), []);
    assert.equal(settleLifecycleActions(s, g(), 'i-1', TERMINATING, t0 + 1000).outcome, 'waiting');
    assert.equal(completeHeldAction(s, 'd', 'mine', 'i-1', 'CONTINUE'), true);
    assert.equal(settleLifecycleActions(s, g(), 'i-1', TERMINATING, t0 + 2000).outcome, 'CONTINUE');

    // The other way round: the user is done first, ECS still draining (its heartbeats keep the hour's timeout off).
    beginLifecycleActions(s, g(), 'i-2', TERMINATING, t0, 60);
    completeHeldAction(s, 'd', 'mine', 'i-2', 'CONTINUE');
    stillDraining(s, 'd', 'i-2', t0 + 3_500_000, 60);
    assert.equal(settleLifecycleActions(s, g(), 'i-2', TERMINATING, t0 + 3_700_000).outcome, 'waiting');
    // Managed draining turned off: its hook goes and its action completes, so the instance goes on.
    setManagedDraining(s, 'd', false);
    assert.equal(drainsBeforeTermination(s, 'd'), false);
    assert.deepEqual(hooksOf(s, 'd').map((h) => h.LifecycleHookName), ['mine']);
    assert.equal(settleLifecycleActions(s, g(), 'i-2', TERMINATING, t0 + 3_700_000).outcome, 'CONTINUE');
    assert.ok(published.includes('autoscaling.group 000000000000/us-east-1/d'));
  });
});
