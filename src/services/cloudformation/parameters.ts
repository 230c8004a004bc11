/**
 * A stack's parameter values: the request's, the previous ones (UsePreviousValue), or the template's defaults,
 * checked against each parameter's type and constraints, with `AWS::SSM::Parameter::Value<…>` types resolved from
 * Parameter Store when the stack's operation is asked for. Answers CloudFormation's ValidationErrors.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
 */
import type { Parameter } from '@aws-sdk/client-cloudformation';
import { tryResolveRef } from '../ssm/index.js';
import type { Scope } from '../../state/scope.js';
import { validationError } from './errors.js';
import type { Template } from './template.js';

const SSM_VALUE = /^AWS::SSM::Parameter::Value<(.+)>$/;

export interface ResolvedParameters {
  /** The values as given (SSM-typed: the parameter's name), what DescribeStacks lists. */
  given: Record<string, string>;
  /** The values the template sees (SSM-typed: the parameter's value). */
  values: Record<string, string>;
  /** DescribeStacks' Parameters (ResolvedValue for SSM types; NoEcho values masked). */
  described: Parameter[];
}

export function resolveParameters(s: Scope, template: Template, input: Parameter[] | undefined, previous?: Record<string, string>): ResolvedParameters {
  const defs = template.Parameters ?? {};
  const byKey = new Map((input ?? []).map((p) => [p.ParameterKey ?? '', p]));
  const unknown = [...byKey.keys()].filter((k) => !(k in defs));
  if (unknown.length) throw validationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const given: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    const p = byKey.get(name);
    if (p?.UsePreviousValue) {
      if (previous?.[name] === undefined) throw validationError(`Invalid input for parameter key ${name}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`);
      given[name] = previous[name];
    } else if (p?.ParameterValue !== undefined) given[name] = p.ParameterValue;
    else if (def.Default !== undefined) given[name] = Array.isArray(def.Default) ? def.Default.join(',') : String(def.Default);
    else missing.push(name);
  }
  if (missing.length) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  const values: Record<string, string> = {};
  const described: Parameter[] = [];
  for (const [name, def] of Object.entries(defs)) {
    const value = given[name];
    check(name, def, value);
    const ssm = SSM_VALUE.exec(def.Type);
    if (ssm) {
      const found = tryResolveRef(s, value);
      if (!found) throw validationError(`Unable to fetch parameters [${value}] from parameter store for this account.`);
      values[name] = found.value;
      described.push({ ParameterKey: name, ParameterValue: value, ResolvedValue: found.value });
    } else {
      values[name] = value;
      const noEcho = def.NoEcho === true || def.NoEcho === 'true';
      described.push({ ParameterKey: name, ParameterValue: noEcho ? '****' : value });
    }
  }
  return { given, values, described };
}

function check(name: string, def: NonNullable<Template['Parameters']>[string], value: string) {
  const constraint = () => def.ConstraintDescription;
  const type = def.Type;
  if (type === 'Number' && (value.trim() === '' || Number.isNaN(Number(value)))) throw validationError(`Parameter '${name}' must be a number.`);
  if (type === 'List<Number>' && value.split(',').some((v) => Number.isNaN(Number(v)))) throw validationError(`Parameter '${name}' must be a number list.`);
  if (def.AllowedValues && !def.AllowedValues.map(String).includes(value)) {
    throw validationError(constraint() ?? `Parameter '${name}' must be one of AllowedValues`);
  }
  if (def.AllowedPattern !== undefined && !new RegExp(`^(?:${def.AllowedPattern})$`).test(value)) {
    throw validationError(constraint() ?? `Parameter '${name}' must match pattern ${def.AllowedPattern}`);
  }
  if (def.MinLength !== undefined && value.length < Number(def.MinLength)) {
    throw validationError(constraint() ?? `Parameter '${name}' must contain at least ${def.MinLength} characters`);
  }
  if (def.MaxLength !== undefined && value.length > Number(def.MaxLength)) {
    throw validationError(constraint() ?? `Parameter '${name}' must contain at most ${def.MaxLength} characters`);
  }
  if (def.MinValue !== undefined && Number(value) < Number(def.MinValue)) throw validationError(constraint() ?? `Parameter '${name}' must be a number not less than ${def.MinValue}`);
  if (def.MaxValue !== undefined && Number(value) > Number(def.MaxValue)) throw validationError(constraint() ?? `Parameter '${name}' must be a number not greater than ${def.MaxValue}`);
}

/** A parameter's value as the template sees it: list types are lists. */
export function typedValue(type: string, value: string): unknown {
  const inner = SSM_VALUE.exec(type)?.[1] ?? type;
  if (inner.startsWith('List<') || inner === 'CommaDelimitedList') return value === '' ? [''] : value.split(',').map((v) => (inner === 'CommaDelimitedList' ? v : v.trim()));
  return value;
}
