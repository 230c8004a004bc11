/**
 * What a target receives: the matched event (default), a constant `Input`, the part of the event an `InputPath`
 * selects, or an `InputTransformer` (values picked by `InputPathsMap`, placed into `InputTemplate`).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 *
 * Template quoting as EventBridge does it: a placeholder inside a JSON string ("… <name> …") gets the value's text
 * (a string as it is, escaped for the string it sits in; anything else as its JSON); a placeholder outside one gets
 * the value as JSON (a string with its quotes). A path that selects nothing gives an empty text inside a string and
 * `null` outside. Reserved variables: `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event.ingestion-time`,
 * `aws.events.event` (the original event, outside strings only) and `aws.events.event.json` (the same).
 */
import { validation } from './errors.js';
import type { BusEvent, Target } from './types.js';

type Step = string | number;

/** JSONPath as EventBridge accepts it here: `$`, then `.name`, `['name']` or `[index]` steps. */
export function compileInputPath(path: string, what: string): Step[] {
  if (!path.startsWith('$')) throw validation(`${what} is not a valid JSON path: ${path}`);
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_$@-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw validation(`${what} is not a valid JSON path: ${path}`);
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])));
  }
  return steps;
}

export function select(value: unknown, steps: Step[]): unknown {
  let at: unknown = value;
  for (const s of steps) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[s as string];
  }
  return at;
}

export interface InputContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** The text a target receives for an event. */
export function targetInput(t: Pick<Target, 'Input' | 'InputPath' | 'InputTransformer'>, event: BusEvent, c: InputContext): string {
  if (t.Input !== undefined) return t.Input;
  if (t.InputPath !== undefined) {
    const v = select(event, compileInputPath(t.InputPath, 'InputPath'));
    return v === undefined ? '' : JSON.stringify(v);
  }
  if (t.InputTransformer) return transform(t.InputTransformer.InputTemplate, t.InputTransformer.InputPathsMap ?? {}, event, c);
  return JSON.stringify(event);
}

export function transform(template: string, paths: Record<string, string>, event: BusEvent, c: InputContext): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(paths)) values.set(name, select(event, compileInputPath(path, 'InputPathsMap')));
  values.set('aws.events.rule-arn', c.ruleArn);
  values.set('aws.events.rule-name', c.ruleName);
  values.set('aws.events.event.ingestion-time', c.ingestionTime);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '\\' && inString) {
      out += ch + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    if (ch === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (name && values.has(name)) {
        const v = values.get(name);
        if (inString) {
          const text = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += v === undefined ? 'null' : JSON.stringify(v);
        }
        i = end;
        continue;
      }
    }
    out += ch;
  }
  return out;
}
