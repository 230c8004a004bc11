/**
 * A stack's template as the engine reads it: which resources exist under its conditions, what each depends on
 * (DependsOn and the references in its properties), and the environment its values are evaluated in (parameters,
 * pseudo parameters, mappings, conditions, the resources made so far, exports).
 */
import type { Scope } from '../../state/scope.js';
import { EvalError, evaluateConditions, referencesOf, type EvalEnv } from './intrinsics.js';
import { typedValue } from './parameters.js';
import { findExport, type ResourceRecord, type StackRecord } from './store.js';
import type { Template, TemplateResource } from './template.js';
import { RESOURCE_TYPES } from './resource-types/index.js';

export interface PlannedResource {
  id: string;
  def: TemplateResource;
  /** Logical ids it waits for (among the resources the conditions keep). */
  deps: Set<string>;
}

export interface Plan {
  resources: Map<string, PlannedResource>;
  conditions: Record<string, boolean>;
  /** The evaluation environment, reading resources from `records`. */
  env(records: ReadonlyMap<string, ResourceRecord>): EvalEnv;
}

/** Pseudo parameters and parameter values (lists as lists). */
export function refsOf(rec: Pick<StackRecord, 'stack' | 'values' | 'caller'>, template: Template): Record<string, unknown> {
  const refs: Record<string, unknown> = {
    'AWS::AccountId': rec.caller.account, 'AWS::Region': rec.caller.region, 'AWS::StackId': rec.stack.StackId, 'AWS::StackName': rec.stack.StackName,
    'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::NotificationARNs': rec.stack.NotificationARNs ?? [],
  };
  for (const [name, def] of Object.entries(template.Parameters ?? {})) if (name in rec.values) refs[name] = typedValue(def.Type, rec.values[name]);
  return refs;
}

export function planOf(s: Scope, rec: Pick<StackRecord, 'stack' | 'values' | 'caller'>, template: Template, zones: string[]): Plan {
  const refs = refsOf(rec, template);
  const base = {
    refs, mappings: template.Mappings, zones,
    importValue: (name: string) => findExport(s, name)?.value ?? fail(`No export named ${name} found.`),
  };
  const conditions = evaluateConditions(template, {
    ...base,
    resourceRef: (id: string) => fail(`Template format error: Unresolved dependencies [${id}]. Cannot reference resources in the Conditions block of the template`),
    getAtt: (id: string) => fail(`Template format error: Unresolved dependencies [${id}]. Cannot reference resources in the Conditions block of the template`),
  });
  const kept = Object.entries(template.Resources).filter(([, def]) => !def.Condition || conditions[def.Condition]);
  const ids = new Set(kept.map(([id]) => id));
  const resources = new Map<string, PlannedResource>();
  for (const [id, def] of kept) {
    const deps = referencesOf(def.Properties ?? {}, ids);
    const explicit = def.DependsOn === undefined ? [] : Array.isArray(def.DependsOn) ? def.DependsOn : [def.DependsOn];
    for (const d of explicit) if (ids.has(d)) deps.add(d);
    deps.delete(id);
    resources.set(id, { id, def, deps });
  }
  return {
    resources, conditions,
    env: (records) => ({
      ...base, conditions,
      resourceRef(id) {
        const r = records.get(id);
        if (!resources.has(id) && !(template.Resources[id])) fail(`Template format error: Unresolved resource dependencies [${id}] in the Resources block of the template`);
        if (!r?.PhysicalResourceId) fail(`Resource ${id} has no physical id yet`);
        const ref = RESOURCE_TYPES[r!.ResourceType]?.ref;
        return ref ? ref(r!.PhysicalResourceId!, r!.attributes ?? {}) : r!.PhysicalResourceId;
      },
      getAtt(id, attribute) {
        const r = records.get(id);
        if (!r?.PhysicalResourceId) fail(`Template error: instance of Fn::GetAtt references undefined resource ${id}`);
        const attrs = r!.attributes ?? {};
        if (!(attribute in attrs)) fail(`Template error: resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`);
        return attrs[attribute];
      },
    }),
  };
}

function fail(message: string): never {
  throw new EvalError(message);
}

/** A cycle among the planned resources, as CloudFormation names it, or undefined. */
export function findCycle(resources: ReadonlyMap<string, PlannedResource>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 2) return undefined;
    if (state.get(id) === 1) return stack.slice(stack.indexOf(id));
    state.set(id, 1);
    stack.push(id);
    for (const d of resources.get(id)?.deps ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const id of resources.keys()) {
    const c = visit(id);
    if (c) return c;
  }
  return undefined;
}
