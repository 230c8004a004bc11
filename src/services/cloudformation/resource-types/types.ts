/**
 * What a resource type is to the engine: how to create, update and delete one through its service's own operations
 * (the internal door, `ctx.invoke`), what its Ref and Fn::GetAtt answer, and when it has stabilised.
 */
import { randomBytes } from 'node:crypto';

export interface ResourceContext {
  /** Runs one of the owning service's operations as the stack's caller (services/providers.ts `internalDoor`). */
  invoke<O = Record<string, any>>(service: string, operation: string, input: object): Promise<O>;
  account: string;
  region: string;
  stackName: string;
  stackId: string;
  logicalId: string;
  /** The stack's tags (Key/Value), which CloudFormation propagates to what it creates. */
  stackTags: { Key: string; Value: string }[];
}

export interface Made {
  physicalId: string;
  /** Fn::GetAtt values. */
  attributes?: Record<string, unknown>;
}

export type Props = Record<string, any>;

export interface ResourceType {
  create(ctx: ResourceContext, props: Props): Promise<Made>;
  /** In place; absent: every change replaces the resource. */
  update?(ctx: ResourceContext, physicalId: string, props: Props, old: Props, attributes: Record<string, unknown>): Promise<Made | void>;
  /** Properties whose change replaces the resource (AWS's "Update requires: Replacement"). */
  replaceOn?: readonly string[];
  /** Deletes it; a resource already gone is deleted. */
  delete(ctx: ResourceContext, physicalId: string, props: Props, attributes: Record<string, unknown>): Promise<void>;
  /** After create or update: whether it has stabilised (absent: at once). */
  stabilized?(ctx: ResourceContext, physicalId: string, props: Props): Promise<boolean>;
  /** After delete: whether it is gone (absent: at once). */
  gone?(ctx: ResourceContext, physicalId: string): Promise<boolean>;
  /** What Ref answers when it is not the physical id. */
  ref?(physicalId: string, attributes: Record<string, unknown>): unknown;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A name for a resource the template leaves unnamed, as CloudFormation makes them: `<stack>-<logical id>-<random>`,
 * cut to the type's limit (parts shortened, the random suffix kept).
 */
export function generatedName(ctx: ResourceContext, max: number, opts: { lower?: boolean; separator?: string } = {}): string {
  const suffix = [...randomBytes(12)].map((b) => ALNUM[b % ALNUM.length]).join('');
  const sep = opts.separator ?? '-';
  let stack = ctx.stackName;
  let logical = ctx.logicalId;
  const room = max - suffix.length - 2 * sep.length;
  while (stack.length + logical.length > room && (stack.length > 1 || logical.length > 1)) {
    if (stack.length >= logical.length) stack = stack.slice(0, -1);
    else logical = logical.slice(0, -1);
  }
  const name = `${stack}${sep}${logical}${sep}${suffix}`;
  return opts.lower ? name.toLowerCase() : name;
}

/** A short unique physical id for resources AWS names that way (policies, attachments, routes). */
export const shortId = (ctx: ResourceContext) => generatedName(ctx, 40);

/** CloudFormation's Key/Value tags, with what it adds (aws:cloudformation:…) — those only where the service keeps them. */
export function tagsOf(ctx: ResourceContext, given: unknown): { Key: string; Value: string }[] {
  const own = Array.isArray(given) ? (given as { Key: string; Value: unknown }[]).map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') })) : [];
  const keys = new Set(own.map((t) => t.Key));
  return [...ctx.stackTags.filter((t) => !keys.has(t.Key)), ...own];
}

/** Whether an error is one of these AWS codes (a delete of something already gone). */
export const isCode = (err: unknown, ...codes: string[]) => !!err && typeof err === 'object' && codes.includes((err as { code?: string }).code ?? '');

/** Runs a delete, taking "not found" as done. */
export async function gone(work: () => Promise<unknown>, ...notFound: string[]): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!isCode(err, ...notFound)) throw err;
  }
}

/** Runs a read, taking "not found" as undefined (a resource being waited on that is gone). */
export async function unlessGone<T>(work: () => Promise<T>, ...notFound: string[]): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    if (isCode(err, ...notFound)) return undefined;
    throw err;
  }
}

/** Keys lower-cased at their first letter, deeply (CloudFormation's ECS properties are the API's in PascalCase); `keep` names maps whose keys are data. */
export function camel(value: unknown, keep: ReadonlySet<string> = new Set()): any {
  if (Array.isArray(value)) return value.map((v) => camel(v, keep));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.charAt(0).toLowerCase() + k.slice(1);
    out[key] = keep.has(k) ? v : camel(v, keep);
  }
  return out;
}

/** CloudFormation passes numbers and booleans from parameters as strings: the API wants them typed. */
export const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' ? undefined : Number(v));
export const bool = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === true || v === 'true');
export const json = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
