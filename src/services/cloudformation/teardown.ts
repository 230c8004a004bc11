/**
 * Taking resources away: a stack's deletion and a failed create's rollback (every resource, in reverse dependency
 * order, DeletionPolicy Retain kept), an update's clean-up (replaced and removed resources) and an update's rollback
 * (resources put back as they were, then what the update made deleted).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
 */
import { AwsError } from '../../protocol/errors.js';
import { recordEvent, stackEvent } from './events.js';
import {
  completeUpdate, failureReason, NEXT_PHASE_MS, POLL_MS, resourceContext, resourceMap, settleChangeSet, updateStack, writeResource, type Pass,
} from './engine.js';
import { referencesOf } from './intrinsics.js';
import { RESOURCE_TYPES } from './resource-types/index.js';
import {
  changeSetsOf, deleteChangeSetRow, dropResource, exportsOf, findStack, importersOf, saveResource, setExports, type ResourceRecord, type StackRecord,
} from './store.js';
import type { Template } from './template.js';

/** How long a delete refused because something still uses the resource (DependencyViolation, ResourceInUse) is retried. */
const IN_USE_RETRY_MS = 5 * 60_000;
const IN_USE = new Set(['DependencyViolation', 'ResourceInUse', 'ResourceInUseException', 'InvalidParameterException', 'ClusterContainsServicesException', 'ClusterContainsTasksException']);

/** Each resource's dependencies under `template` (every resource, conditions aside: deletion order is conservative). */
function dependencies(template: Template): Map<string, Set<string>> {
  const ids = new Set(Object.keys(template.Resources));
  const out = new Map<string, Set<string>>();
  for (const [id, def] of Object.entries(template.Resources)) {
    const deps = referencesOf(def.Properties ?? {}, ids);
    for (const d of def.DependsOn === undefined ? [] : Array.isArray(def.DependsOn) ? def.DependsOn : [def.DependsOn]) deps.add(d);
    deps.delete(id);
    out.set(id, deps);
  }
  return out;
}

const FINISHED = new Set(['DELETE_COMPLETE', 'DELETE_SKIPPED']);

/**
 * Deletes `targets` (logical id → what to delete) in reverse dependency order; resolves to whether all are finished,
 * and the ones that failed. `retain` says which are kept (DELETE_SKIPPED).
 */
async function deleteAll(p: Pass, rec: StackRecord, targets: ResourceRecord[], deps: Map<string, Set<string>>, retain: (r: ResourceRecord) => boolean,
  physical: (r: ResourceRecord) => { id?: string; properties?: Record<string, unknown>; attributes?: Record<string, unknown> }, finish: (r: ResourceRecord, status: string) => void)
  : Promise<{ pending: boolean; failed: string[] }> {
  const gen = rec.generation;
  const open = (r: ResourceRecord) => !FINISHED.has(r.ResourceStatus) && !(r.ResourceStatus === 'DELETE_FAILED' && r.generation === gen);
  const remaining = () => targets.filter(open);
  let waiting = false;
  for (;;) {
    const left = remaining();
    const leftIds = new Set(left.map((r) => r.LogicalResourceId));
    const deleting = (r: ResourceRecord) => !!r.stabilizing && r.ResourceStatus === 'DELETE_IN_PROGRESS';
    const ready = left.filter((r) => !deleting(r) && ![...leftIds].some((other) => other !== r.LogicalResourceId && deps.get(other)?.has(r.LogicalResourceId)));
    // Those already deleted and waiting to be gone.
    for (const r of left.filter(deleting)) {
      const type = RESOURCE_TYPES[r.ResourceType];
      const ph = physical(r);
      if (await type.gone!(resourceContext(p, rec, r.LogicalResourceId), ph.id!)) {
        r.stabilizing = false;
        finish(r, 'DELETE_COMPLETE');
      } else waiting = true;
    }
    if (!ready.length) break;
    let progressed = false;
    await Promise.all(ready.map(async (r) => {
      const ph = physical(r);
      const type = RESOURCE_TYPES[r.ResourceType];
      if (!ph.id || !type) {
        progressed = true;
        return finish(r, 'DELETE_COMPLETE');
      }
      if (retain(r)) {
        progressed = true;
        return finish(r, 'DELETE_SKIPPED');
      }
      if (r.ResourceStatus !== 'DELETE_IN_PROGRESS') writeResource(p, { ...r, PhysicalResourceId: ph.id }, 'DELETE_IN_PROGRESS');
      r.ResourceStatus = 'DELETE_IN_PROGRESS';
      try {
        await type.delete(resourceContext(p, rec, r.LogicalResourceId), ph.id, ph.properties ?? {}, ph.attributes ?? {});
        progressed = true;
        if (type.gone) {
          r.stabilizing = true;
          p.d.db.transaction(() => saveResource(p.d.sql, p.stackId, r))();
        } else finish(r, 'DELETE_COMPLETE');
      } catch (err) {
        const since = rec.blockedSince?.[r.LogicalResourceId] ?? p.d.clock.now();
        if (err instanceof AwsError && IN_USE.has(err.code) && p.d.clock.now() - since < IN_USE_RETRY_MS) {
          updateStack(p, (s) => {
            s.blockedSince = { ...s.blockedSince, [r.LogicalResourceId]: since };
          });
          rec.blockedSince = { ...rec.blockedSince, [r.LogicalResourceId]: since };
          waiting = true;
          return;
        }
        progressed = true;
        r.generation = gen;
        writeResource(p, r, 'DELETE_FAILED', failureReason(err, p.d.log));
      }
    }));
    if (!progressed) break;
  }
  const failed = targets.filter((r) => r.ResourceStatus === 'DELETE_FAILED' && r.generation === gen).map((r) => r.LogicalResourceId);
  return { pending: waiting || remaining().length > 0, failed };
}

/** DELETE_IN_PROGRESS and ROLLBACK_IN_PROGRESS: every resource goes. */
export async function teardown(p: Pass): Promise<number | undefined> {
  const rec = findStack(p.s, p.stackId)!;
  const deleting = rec.stack.StackStatus === 'DELETE_IN_PROGRESS';
  // A stack whose export another stack imports cannot be deleted: it fails before anything goes.
  for (const e of deleting ? exportsOf(p.s).filter((x) => x.stackId === p.stackId) : []) {
    const user = importersOf(p.s, e.name, p.stackId)[0];
    if (user) {
      updateStack(p, (s, now) => stackEvent(p.d.sql, s, now, 'DELETE_FAILED', `Export ${e.name} cannot be deleted as it is in use by ${user.stack.StackName}`));
      return undefined;
    }
  }
  const records = [...resourceMap(p).values()];
  const retained = new Set(rec.retain ?? []);
  const result = await deleteAll(p, rec, records, dependencies(rec.template),
    (r) => retained.has(r.LogicalResourceId) || rec.template.Resources[r.LogicalResourceId]?.DeletionPolicy === 'Retain'
      // RetainExceptOnCreate: kept when the stack is deleted, not when a failed create rolls back.
      || (rec.template.Resources[r.LogicalResourceId]?.DeletionPolicy === 'RetainExceptOnCreate' && deleting),
    (r) => ({ id: r.PhysicalResourceId, properties: r.properties, attributes: r.attributes }),
    (r, status) => writeResource(p, r, status));
  if (result.pending) return POLL_MS;
  updateStack(p, (s, now) => {
    if (result.failed.length) {
      stackEvent(p.d.sql, s, now, deleting ? 'DELETE_FAILED' : 'ROLLBACK_FAILED', `The following resource(s) failed to delete: [${result.failed.join(', ')}]. `);
      return;
    }
    if (deleting) {
      s.stack.DeletionTime = new Date(now).toISOString() as unknown as Date;
      stackEvent(p.d.sql, s, now, 'DELETE_COMPLETE');
      setExports(p.s, p.stackId, {});
      for (const cs of changeSetsOf(p.d.sql, p.stackId)) deleteChangeSetRow(p.d.sql, cs.summary.ChangeSetId);
      delete s.stack.Outputs;
    } else {
      stackEvent(p.d.sql, s, now, 'ROLLBACK_COMPLETE');
      settleChangeSet(p, s, 'EXECUTE_FAILED');
    }
  });
  return undefined;
}

/** UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (or its rollback's): replaced physical resources and removed resources go. */
export async function cleanup(p: Pass): Promise<number | undefined> {
  const rec = findStack(p.s, p.stackId)!;
  const rollingBack = rec.stack.StackStatus === 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
  const records = resourcesOf(p);
  const inTemplate = (id: string) => id in rec.template.Resources;
  const previous = rec.previous?.template ?? rec.template;
  // The copies replacement left behind (after a rollback, the new ones: rollbackUpdate swapped them into `old`).
  // A failure here is recorded and leaves the copy, as CloudFormation's clean-up does; the update stands.
  await Promise.all(records.filter((r) => r.old?.replaced && r.old.PhysicalResourceId && inTemplate(r.LogicalResourceId)).map(async (r) => {
    const old = r.old!;
    const type = RESOURCE_TYPES[r.ResourceType];
    const event = (status: string, reason?: string) => p.d.db.transaction(() => {
      recordEvent(p.d.sql, findStack(p.s, p.stackId)!, p.d.clock.now(), { logicalId: r.LogicalResourceId, physicalId: old.PhysicalResourceId, type: r.ResourceType, status, reason });
    })();
    if (rec.template.Resources[r.LogicalResourceId]?.UpdateReplacePolicy === 'Retain' && !rollingBack) event('DELETE_SKIPPED');
    else {
      event('DELETE_IN_PROGRESS');
      try {
        await type.delete(resourceContext(p, rec, r.LogicalResourceId), old.PhysicalResourceId!, old.properties ?? {}, old.attributes ?? {});
        event('DELETE_COMPLETE');
      } catch (err) {
        event('DELETE_FAILED', failureReason(err, p.d.log));
      }
    }
    p.d.db.transaction(() => {
      const live = resourceMap(p).get(r.LogicalResourceId);
      if (live) {
        delete live.old;
        saveResource(p.d.sql, p.stackId, live);
      }
    })();
  }));
  const removed = records.filter((r) => !inTemplate(r.LogicalResourceId));
  const result = await deleteAll(p, rec, removed, dependencies(previous),
    (r) => previous.Resources[r.LogicalResourceId]?.DeletionPolicy === 'Retain',
    (r) => ({ id: r.PhysicalResourceId, properties: r.properties, attributes: r.attributes }),
    (r, status) => {
      writeResource(p, r, status);
      p.d.db.transaction(() => dropResource(p.d.sql, p.stackId, r.LogicalResourceId))();
    });
  if (result.pending) return POLL_MS;
  // Removed resources that failed to delete are left behind (CloudFormation's clean-up does not fail the update).
  p.d.db.transaction(() => {
    for (const id of result.failed) dropResource(p.d.sql, p.stackId, id);
  })();
  updateStack(p, (s, now) => {
    if (rollingBack) {
      delete s.previous;
      for (const r of resourcesOf(p)) {
        if (r.old || r.stabilizing) {
          delete r.old;
          r.stabilizing = false;
          saveResource(p.d.sql, p.stackId, r);
        }
      }
      stackEvent(p.d.sql, s, now, 'UPDATE_ROLLBACK_COMPLETE');
      settleChangeSet(p, s, 'EXECUTE_FAILED');
    } else completeUpdate(p, s, now);
  });
  return undefined;
}

const resourcesOf = (p: Pass) => [...resourceMap(p).values()];

/**
 * UPDATE_ROLLBACK_IN_PROGRESS: the previous template and parameters come back; each resource the update changed in
 * place is updated back, each it replaced gets its old physical resource back (the new one is deleted at clean-up,
 * with every resource the update created).
 */
export async function rollbackUpdate(p: Pass): Promise<number | undefined> {
  const rec = findStack(p.s, p.stackId)!;
  const gen = rec.generation;
  const prev = rec.previous;
  for (const r of resourcesOf(p)) {
    if (r.generation !== gen) continue;
    if (r.createdIn === gen && !r.old) {
      // Made by the update: deleted at clean-up (it is no longer in the template once it is restored).
      continue;
    }
    if (!r.old) continue;
    const type = RESOURCE_TYPES[r.ResourceType];
    if (r.old.replaced) {
      const made = { PhysicalResourceId: r.PhysicalResourceId, properties: r.properties, attributes: r.attributes };
      Object.assign(r, { PhysicalResourceId: r.old.PhysicalResourceId, properties: r.old.properties, attributes: r.old.attributes });
      r.old = { ...made, replaced: true };
      r.stabilizing = false;
      writeResource(p, r, 'UPDATE_COMPLETE');
      continue;
    }
    writeResource(p, r, 'UPDATE_IN_PROGRESS');
    try {
      if (type?.update && r.PhysicalResourceId) {
        await type.update(resourceContext(p, rec, r.LogicalResourceId), r.PhysicalResourceId, r.old.properties ?? {}, r.properties ?? {}, r.attributes ?? {});
      }
      Object.assign(r, { properties: r.old.properties, attributes: r.old.attributes ?? r.attributes });
      delete r.old;
      r.stabilizing = false;
      writeResource(p, r, 'UPDATE_COMPLETE');
    } catch (err) {
      delete r.old;
      writeResource(p, r, 'UPDATE_FAILED', failureReason(err, p.d.log));
    }
  }
  updateStack(p, (s, now) => {
    if (prev) {
      s.template = prev.template;
      s.templateBody = prev.templateBody;
      s.values = prev.values;
      s.stack.Parameters = prev.parameters;
      s.stack.Description = prev.description;
    }
    // Resources the update created are not in the restored template: clean-up deletes them.
    stackEvent(p.d.sql, s, now, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
  });
  return NEXT_PHASE_MS;
}
