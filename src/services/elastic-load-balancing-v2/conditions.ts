/**
 * Rule conditions: host-header, path-pattern, http-header, http-request-method,
 * query-string and source-ip, checked as ELB checks them and stored in the
 * shape DescribeRules returns (host-header and path-pattern carry both the
 * legacy Values and their *Config). A rule has at most one condition of each
 * kind except http-header and query-string, and at most five match values.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 */
import { isIP } from 'node:net';
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { notSupportedByBerth, validationError } from './errors.js';

const FIELDS = ['http-header', 'http-request-method', 'host-header', 'path-pattern', 'query-string', 'source-ip'];
const SINGLE = ['host-header', 'path-pattern', 'http-request-method', 'source-ip'];
const MAX_VALUES = 5;
const METHOD_RE = /^[A-Za-z_-]+$/;
const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function nonEmpty(values: string[] | undefined, field: string): string[] {
  if (!values?.length) throw validationError(`A value must be specified for the '${field}' condition`);
  for (const v of values) if (v.length > 128) throw validationError(`Condition value '${v}' can be at most 128 characters long`);
  return values;
}

function checkCidr(value: string) {
  const [ip, bits, extra] = value.split('/');
  const family = isIP(ip ?? '');
  const max = family === 6 ? 128 : 32;
  if (!family || extra !== undefined || bits === undefined || !/^\d+$/.test(bits) || Number(bits) > max) {
    throw validationError(`The source IP value '${value}' is not a valid CIDR block`);
  }
}

function normalizeOne(c: RuleCondition): { field: string; cond: RuleCondition; count: number } {
  const field = c.Field ?? '';
  if (!FIELDS.includes(field)) throw validationError(`Condition field '${field}' must be one of '[${FIELDS.join(', ')}]'`);
  const legacy = c.Values;
  const configs = [c.HostHeaderConfig, c.PathPatternConfig, c.HttpHeaderConfig, c.QueryStringConfig, c.HttpRequestMethodConfig, c.SourceIpConfig].filter(Boolean);
  if (legacy?.length && configs.length) throw validationError(`You cannot specify both 'Values' and a condition configuration for the '${field}' condition`);
  if (legacy?.length && field !== 'host-header' && field !== 'path-pattern') {
    throw validationError(`The 'Values' field is not supported for the '${field}' condition; use its configuration`);
  }
  switch (field) {
    case 'host-header': {
      if ((c.HostHeaderConfig as { RegexValues?: string[] } | undefined)?.RegexValues?.length) throw notSupportedByBerth('Regular-expression host-header conditions');
      const values = nonEmpty(legacy?.length ? legacy : c.HostHeaderConfig?.Values, field);
      return { field, cond: { Field: field, Values: values, HostHeaderConfig: { Values: values } }, count: values.length };
    }
    case 'path-pattern': {
      if ((c.PathPatternConfig as { RegexValues?: string[] } | undefined)?.RegexValues?.length) throw notSupportedByBerth('Regular-expression path-pattern conditions');
      const values = nonEmpty(legacy?.length ? legacy : c.PathPatternConfig?.Values, field);
      return { field, cond: { Field: field, Values: values, PathPatternConfig: { Values: values } }, count: values.length };
    }
    case 'http-header': {
      const name = c.HttpHeaderConfig?.HttpHeaderName ?? '';
      if (!name || name.length > 40 || !HEADER_NAME_RE.test(name)) throw validationError(`HTTP header name '${name}' is not valid`);
      const values = nonEmpty(c.HttpHeaderConfig?.Values, field);
      return { field, cond: { Field: field, HttpHeaderConfig: { HttpHeaderName: name, Values: values } }, count: values.length };
    }
    case 'http-request-method': {
      const values = nonEmpty(c.HttpRequestMethodConfig?.Values, field);
      for (const v of values) if (!METHOD_RE.test(v) || v.length > 40) throw validationError(`HTTP request method '${v}' is not valid`);
      return { field, cond: { Field: field, HttpRequestMethodConfig: { Values: values } }, count: values.length };
    }
    case 'query-string': {
      const pairs = c.QueryStringConfig?.Values ?? [];
      if (!pairs.length) throw validationError(`A value must be specified for the '${field}' condition`);
      for (const p of pairs) {
        if (!p.Value) throw validationError('A query string condition value must have a value');
        if (p.Value.length > 128 || (p.Key ?? '').length > 128) throw validationError('Query string keys and values can be at most 128 characters long');
      }
      const values = pairs.map((p) => ({ ...(p.Key !== undefined ? { Key: p.Key } : {}), Value: p.Value }));
      return { field, cond: { Field: field, QueryStringConfig: { Values: values } }, count: values.length };
    }
    default: {
      const values = nonEmpty(c.SourceIpConfig?.Values, field);
      values.forEach(checkCidr);
      return { field, cond: { Field: field, SourceIpConfig: { Values: values } }, count: values.length };
    }
  }
}

export function checkConditions(conditions: RuleCondition[] | undefined): RuleCondition[] {
  const list = conditions ?? [];
  if (!list.length) throw validationError('At least one condition must be specified');
  const seen = new Set<string>();
  let total = 0;
  const out = list.map((c) => {
    const { field, cond, count } = normalizeOne(c);
    if (SINGLE.includes(field) && seen.has(field)) throw validationError(`A rule can only have one '${field}' condition`);
    seen.add(field);
    total += count;
    return cond;
  });
  if (total > MAX_VALUES) throw validationError(`A rule can only have '${MAX_VALUES}' condition values`);
  return out;
}
