/**
 * The stack engine, run by the stacks controller (controllers/cloudformation-stacks.ts) for a stack whose operation
 * is in progress. One pass does all it can: resources whose dependencies are complete are created or updated
 * together (concurrently: each is awaited through its service's operations), then the next wave, until all are done
 * (the stack settles), one failed (the stack rolls back) or some are waiting to stabilise (the pass asks to be run
 * again soon). Deletion, rollback and clean-up are teardown.ts. Every state write is its own transaction, so a
 * restarted Berth resumes where the last pass stood.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html
 */
import { AwsError } from '../../protocol/errors.js';
import type { Db, Statements } from '../../state/db.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Scope } from '../../state/scope.js';
import type { Invoke } from '../provider.js';
import { recordEvent, stackEvent } from './events.js';
import { evaluate, EvalError } from './intrinsics.js';
import { planOf, type Plan } from './plan.js';
import { RESOURCE_TYPES, type ResourceContext } from './resource-types/index.js';
import {
  exportsOf, findChangeSet, findExport, findStack, importersOf, parseStackKey, resourcesOf, saveChangeSet, saveResource, saveStack, setExports,
  type ResourceRecord, type StackRecord,
} from './store.js';
import { cleanup, rollbackUpdate, teardown } from './teardown.js';

export interface EngineDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  invoke: Invoke;
}

/** How soon a pass waiting on a resource to stabilise (or on a dependency to let go) runs again. */
export const POLL_MS = 1_000;
/** Run again at once: the stack moved to its next phase. */
export const NEXT_PHASE_MS = 1;

export interface Pass {
  d: EngineDeps;
  s: Scope;
  stackId: string;
  zones: string[];
}

/** One pass over the stack `key` names; the delay before the next, or undefined once it has settled. */
export async function advanceStack(d: EngineDeps, key: string): Promise<number | undefined> {
  const k = parseStackKey(key);
  if (!k) return undefined;
  const s: Scope = { sql: d.sql, account: k.account, region: k.region };
  const rec = findStack(s, k.stackId);
  if (!rec || !rec.stack.StackStatus.endsWith('_IN_PROGRESS') || rec.stack.StackStatus === 'REVIEW_IN_PROGRESS') return undefined;
  const pass: Pass = { d, s, stackId: k.stackId, zones: await zones(d, rec) };
  switch (rec.stack.StackStatus) {
    case 'CREATE_IN_PROGRESS':
    case 'UPDATE_IN_PROGRESS':
      return forward(pass);
    case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
    case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
      return cleanup(pass);
    case 'UPDATE_ROLLBACK_IN_PROGRESS':
      return rollbackUpdate(pass);
    case 'ROLLBACK_IN_PROGRESS':
    case 'DELETE_IN_PROGRESS':
      return teardown(pass);
    default:
      return undefined;
  }
}

async function zones(d: EngineDeps, rec: StackRecord): Promise<string[]> {
  const out = await d.invoke(rec.caller, 'ec2', 'DescribeAvailabilityZones', {});
  return ((out.AvailabilityZones ?? []) as { ZoneName: string }[]).map((z) => z.ZoneName);
}

/** Runs `work` on the stack's fresh record in one transaction and saves it. */
export function updateStack(p: Pass, work: (rec: StackRecord, now: number) => void): StackRecord {
  return p.d.db.transaction(() => {
    const rec = findStack(p.s, p.stackId)!;
    work(rec, p.d.clock.now());
    saveStack(p.s, rec);
    return rec;
  })();
}

export function resourceMap(p: Pass): Map<string, ResourceRecord> {
  return new Map(resourcesOf(p.d.sql, p.stackId).map((r) => [r.LogicalResourceId, r]));
}

/** Saves a resource with an event (in one transaction); `status` is both. */
export function writeResource(p: Pass, r: ResourceRecord, status: string, reason?: string, properties?: unknown): void {
  p.d.db.transaction(() => {
    const rec = findStack(p.s, p.stackId)!;
    const now = p.d.clock.now();
    r.ResourceStatus = status;
    r.LastUpdatedTimestamp = now;
    if (reason) r.ResourceStatusReason = reason;
    else delete r.ResourceStatusReason;
    saveResource(p.d.sql, p.stackId, r);
    recordEvent(p.d.sql, rec, now, { logicalId: r.LogicalResourceId, physicalId: r.PhysicalResourceId, type: r.ResourceType, status, reason, properties });
  })();
}

/** What a resource type is handed: its service's operations, run as the stack's caller. */
export function resourceContext(p: Pass, rec: StackRecord, logicalId: string): ResourceContext {
  return {
    account: p.s.account, region: p.s.region, stackName: rec.stack.StackName, stackId: rec.stack.StackId, logicalId,
    stackTags: (rec.stack.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })),
    invoke: (service, operation, input) => p.d.invoke(rec.caller, service, operation, input),
  };
}

/** A handler's failure as CloudFormation words it on the resource. */
export function failureReason(err: unknown, log: Logger): string {
  if (err instanceof AwsError) return `Resource handler returned message: "${err.message}" (HandlerErrorCode: ${err.code})`;
  if (err instanceof EvalError) return err.message;
  if (!(err instanceof Error) || /^(TypeError|ReferenceError|RangeError)$/.test(err.name)) log.warn('cloudformation resource handler failed', { error: (err as Error)?.stack ?? String(err) });
  return `Resource handler returned message: "${(err as Error)?.message ?? String(err)}"`;
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

const COMPLETE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);

/** Create or update: waves of ready resources until all are done, one fails, or some are stabilising. */
async function forward(p: Pass): Promise<number | undefined> {
  for (;;) {
    const rec = findStack(p.s, p.stackId)!;
    if (rec.stack.StackStatus !== 'CREATE_IN_PROGRESS' && rec.stack.StackStatus !== 'UPDATE_IN_PROGRESS') return NEXT_PHASE_MS;
    const gen = rec.generation;
    let plan: Plan;
    try {
      plan = planOf(p.s, rec, rec.template, p.zones);
    } catch (err) {
      return failStack(p, [], failureReason(err, p.d.log));
    }
    const records = resourceMap(p);
    // CreateStack's TimeoutInMinutes: past it, what is still in progress is cancelled and the stack fails.
    const started = Date.parse(String(rec.stack.CreationTime));
    if (rec.stack.StackStatus === 'CREATE_IN_PROGRESS' && rec.stack.TimeoutInMinutes && p.d.clock.now() - started > rec.stack.TimeoutInMinutes * 60_000) {
      const cancelled = [...records.values()].filter((r) => r.generation === gen && r.ResourceStatus === 'CREATE_IN_PROGRESS');
      for (const r of cancelled) {
        r.stabilizing = false;
        writeResource(p, r, 'CREATE_FAILED', 'Resource creation cancelled');
      }
      return failStack(p, [], 'Stack creation time exceeded the specified timeout. ');
    }
    // Resources that were stabilising: done, still waiting, or failed.
    const waiting: string[] = [];
    for (const r of records.values()) {
      if (!r.stabilizing || r.generation !== gen) continue;
      const type = RESOURCE_TYPES[r.ResourceType];
      try {
        if (await type.stabilized!(resourceContext(p, rec, r.LogicalResourceId), r.PhysicalResourceId!, r.properties ?? {})) {
          r.stabilizing = false;
          writeResource(p, r, r.ResourceStatus.startsWith('CREATE') ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE');
        } else waiting.push(r.LogicalResourceId);
      } catch (err) {
        r.stabilizing = false;
        writeResource(p, r, r.ResourceStatus.startsWith('CREATE') ? 'CREATE_FAILED' : 'UPDATE_FAILED', failureReason(err, p.d.log));
      }
    }
    const failed = [...records.values()].filter((r) => r.generation === gen && (r.ResourceStatus === 'CREATE_FAILED' || r.ResourceStatus === 'UPDATE_FAILED'));
    if (failed.length) return failStack(p, failed, undefined);
    const done = (id: string) => {
      const r = records.get(id);
      return !!r && r.generation === gen && COMPLETE.has(r.ResourceStatus) && !r.stabilizing;
    };
    const ready = [...plan.resources.values()].filter((x) => !done(x.id) && !waiting.includes(x.id) && [...x.deps].every(done));
    if (!ready.length) {
      if (waiting.length || [...plan.resources.keys()].some((id) => !done(id))) return POLL_MS;
      return finish(p, plan);
    }
    const env = plan.env(records);
    await Promise.all(ready.map((x) => step(p, rec, x.id, x.def, records.get(x.id), env)));
  }
}

/** Creates, updates or replaces one resource (or finds it unchanged). */
async function step(p: Pass, rec: StackRecord, id: string, def: StackRecord['template']['Resources'][string], existing: ResourceRecord | undefined,
  env: ReturnType<Plan['env']>): Promise<void> {
  const gen = rec.generation;
  const type = RESOURCE_TYPES[def.Type];
  const ctx = resourceContext(p, rec, id);
  const live = existing && existing.PhysicalResourceId && !existing.ResourceStatus.startsWith('DELETE') ? existing : undefined;
  const r: ResourceRecord = live
    ? { ...live, generation: gen, stabilizing: false }
    : { LogicalResourceId: id, ResourceType: def.Type, ResourceStatus: 'CREATE_IN_PROGRESS', LastUpdatedTimestamp: p.d.clock.now(), generation: gen, createdIn: gen };
  r.metadata = def.Metadata;
  let props: Record<string, unknown>;
  try {
    props = evaluate(def.Properties ?? {}, env) as Record<string, unknown>;
  } catch (err) {
    writeResource(p, r, live ? 'UPDATE_FAILED' : 'CREATE_FAILED', failureReason(err, p.d.log));
    return;
  }
  if (!type) {
    writeResource(p, r, live ? 'UPDATE_FAILED' : 'CREATE_FAILED',
      `Resource type ${def.Type} is not supported by Berth's CloudFormation (see services/cloudformation/README.md for the types it creates).`);
    return;
  }
  if (!live) {
    r.properties = props;
    writeResource(p, r, 'CREATE_IN_PROGRESS', undefined, props);
    try {
      const made = await type.create(ctx, props);
      r.PhysicalResourceId = made.physicalId;
      r.attributes = made.attributes ?? {};
      writeResource(p, r, 'CREATE_IN_PROGRESS', 'Resource creation Initiated', props);
      r.stabilizing = !!type.stabilized;
      if (!r.stabilizing) writeResource(p, r, 'CREATE_COMPLETE', undefined, props);
      else saveResource(p.d.sql, p.stackId, r);
    } catch (err) {
      writeResource(p, r, 'CREATE_FAILED', failureReason(err, p.d.log), props);
    }
    return;
  }
  if (live.ResourceType === def.Type && stable(live.properties) === stable(props) && COMPLETE.has(live.ResourceStatus)) {
    p.d.db.transaction(() => saveResource(p.d.sql, p.stackId, r))();
    return;
  }
  const old = live.properties ?? {};
  const replace = live.ResourceType !== def.Type || !type.update || (type.replaceOn ?? []).some((k) => stable(props[k]) !== stable(old[k]));
  r.old = { PhysicalResourceId: live.PhysicalResourceId, properties: live.properties, attributes: live.attributes, replaced: replace };
  r.properties = props;
  r.ResourceType = def.Type;
  try {
    if (replace) {
      writeResource(p, r, 'UPDATE_IN_PROGRESS', 'Requested update requires the creation of a new physical resource; hence creating one.', props);
      const made = await type.create(ctx, props);
      r.PhysicalResourceId = made.physicalId;
      r.attributes = made.attributes ?? {};
      writeResource(p, r, 'UPDATE_IN_PROGRESS', 'Resource creation Initiated', props);
    } else {
      writeResource(p, r, 'UPDATE_IN_PROGRESS', undefined, props);
      const made = await type.update!(ctx, live.PhysicalResourceId!, props, old, live.attributes ?? {});
      if (made) {
        r.PhysicalResourceId = made.physicalId;
        r.attributes = made.attributes ?? r.attributes;
      }
    }
    r.stabilizing = !!type.stabilized;
    if (!r.stabilizing) writeResource(p, r, 'UPDATE_COMPLETE', undefined, props);
    else p.d.db.transaction(() => saveResource(p.d.sql, p.stackId, r))();
  } catch (err) {
    // A replacement that was never made leaves nothing new to delete: the rollback only restores the properties.
    if (replace && r.PhysicalResourceId === live.PhysicalResourceId) r.old = { ...r.old!, replaced: false };
    writeResource(p, r, 'UPDATE_FAILED', failureReason(err, p.d.log), props);
  }
}

/** All resources done: outputs and exports, then CREATE_COMPLETE, or an update's clean-up. */
function finish(p: Pass, plan: Plan): number | undefined {
  const rec = findStack(p.s, p.stackId)!;
  const records = resourceMap(p);
  const env = plan.env(records);
  const outputs: NonNullable<StackRecord['stack']['Outputs']> = [];
  const exports: Record<string, string> = {};
  try {
    for (const [key, o] of Object.entries(rec.template.Outputs ?? {})) {
      if (o.Condition && !plan.conditions[o.Condition]) continue;
      const value = evaluate(o.Value, env);
      const text = Array.isArray(value) ? value.join(',') : String(value);
      const exportName = o.Export ? String(evaluate(o.Export.Name, env)) : undefined;
      if (exportName !== undefined) {
        const taken = findExport(p.s, exportName);
        if (taken && taken.stackId !== p.stackId) throw new EvalError(`Export with name ${exportName} is already exported by stack ${taken.stackId.split('/')[1]}`);
        exports[exportName] = text;
      }
      outputs.push({ OutputKey: key, OutputValue: text, ...(o.Description ? { Description: o.Description } : {}), ...(exportName ? { ExportName: exportName } : {}) });
    }
    // An export another stack imports can be neither removed nor changed (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html).
    for (const old of exportsOf(p.s).filter((e) => e.stackId === p.stackId)) {
      const user = importersOf(p.s, old.name, p.stackId)[0];
      if (!user) continue;
      if (!(old.name in exports)) throw new EvalError(`Export ${old.name} cannot be deleted as it is in use by ${user.stack.StackName}`);
      if (exports[old.name] !== old.value) throw new EvalError(`Cannot update export ${old.name} as it is in use by ${user.stack.StackName}`);
    }
  } catch (err) {
    return failStack(p, [], failureReason(err, p.d.log));
  }
  const imports = importsOf(rec.template, plan, env);
  const leftovers = [...records.values()].some((r) => !plan.resources.has(r.LogicalResourceId) || r.old?.replaced);
  p.d.db.transaction(() => {
    setExports(p.s, p.stackId, exports);
    updateStack(p, (r, now) => {
      r.stack.Outputs = outputs;
      r.imports = imports;
      if (r.stack.StackStatus === 'CREATE_IN_PROGRESS') {
        stackEvent(p.d.sql, r, now, 'CREATE_COMPLETE');
        settleChangeSet(p, r, 'EXECUTE_COMPLETE');
      } else if (leftovers) stackEvent(p.d.sql, r, now, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      else completeUpdate(p, r, now);
    });
  })();
  return leftovers ? NEXT_PHASE_MS : undefined;
}

/** The export names the template's kept resources and outputs import. */
function importsOf(template: StackRecord['template'], plan: Plan, env: ReturnType<Plan['env']>): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Fn::ImportValue') {
        try {
          names.add(String(evaluate(x, env)));
        } catch { /* an import that no longer evaluates holds nothing */ }
      } else walk(x);
    }
  };
  for (const id of plan.resources.keys()) walk(template.Resources[id].Properties);
  for (const o of Object.values(template.Outputs ?? {})) if (!o.Condition || plan.conditions[o.Condition]) walk(o.Value);
  return [...names].sort();
}

/** An update's last move: UPDATE_COMPLETE, its resources' previous states forgotten. */
export function completeUpdate(p: Pass, rec: StackRecord, now: number): void {
  for (const r of resourcesOf(p.d.sql, p.stackId)) {
    if (r.old || r.stabilizing) {
      delete r.old;
      r.stabilizing = false;
      saveResource(p.d.sql, p.stackId, r);
    }
  }
  delete rec.previous;
  stackEvent(p.d.sql, rec, now, 'UPDATE_COMPLETE');
  settleChangeSet(p, rec, 'EXECUTE_COMPLETE');
}

/** The change set this operation executes, marked as it ended. */
export function settleChangeSet(p: Pass, rec: StackRecord, status: 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED'): void {
  if (!rec.changeSetId) return;
  const cs = findChangeSet(p.s, rec.changeSetId);
  if (cs) {
    cs.summary.ExecutionStatus = status;
    saveChangeSet(p.s, cs);
  }
  delete rec.changeSetId;
}

/** A resource failed (or the template could not be evaluated): the stack rolls back, or stops where it is. */
function failStack(p: Pass, failed: ResourceRecord[], reason: string | undefined): number {
  updateStack(p, (rec, now) => {
    const creating = rec.stack.StackStatus === 'CREATE_IN_PROGRESS';
    const names = failed.map((r) => r.LogicalResourceId).join(', ');
    const verb = failed.some((r) => r.ResourceStatus === 'UPDATE_FAILED') ? 'update' : 'create';
    const what = reason ?? `The following resource(s) failed to ${verb}: [${names}]. `;
    if (creating) {
      if (rec.stack.DisableRollback) {
        stackEvent(p.d.sql, rec, now, 'CREATE_FAILED', what);
        settleChangeSet(p, rec, 'EXECUTE_FAILED');
      } else stackEvent(p.d.sql, rec, now, 'ROLLBACK_IN_PROGRESS', `${what}Rollback requested by user.`);
    } else if (rec.stack.DisableRollback) {
      stackEvent(p.d.sql, rec, now, 'UPDATE_FAILED', what);
      settleChangeSet(p, rec, 'EXECUTE_FAILED');
    } else stackEvent(p.d.sql, rec, now, 'UPDATE_ROLLBACK_IN_PROGRESS', what);
  });
  return NEXT_PHASE_MS;
}
