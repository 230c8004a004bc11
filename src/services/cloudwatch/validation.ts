/** Checks CloudWatch's service applies beyond the model's required members (its documented limits). */
import type { Dimension } from '@aws-sdk/client-cloudwatch';
import { badValue, invalidParameterValue, missingParameter } from './errors.js';

export const UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits',
  'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second',
  'Terabits/Second', 'Count/Second', 'None',
];

export const MAX_DIMENSIONS = 30;

/** CloudWatch's older check (PutMetricData), one line per bad unit: "The parameter MetricData.member.1.Unit must be a value in the set [ Seconds, … ]." */
export const unitMessage = (at: string) => `The parameter ${at} must be a value in the set [ ${UNITS.join(', ')} ].`;

export function checkLength(value: string | undefined, at: string, min: number, max: number) {
  if (value === undefined) return;
  if (value.length < min || value.length > max) {
    throw invalidParameterValue(`The parameter ${at} must be between ${min} and ${max} characters long.`);
  }
}

/** PutMetricData's namespace (other operations' are checked by the wire layer): the model's `[^:].*`; colons elsewhere are allowed. */
export function checkNamespace(ns: string | undefined, at = 'Namespace') {
  checkLength(ns, at, 1, 255);
  if (ns !== undefined && ns.startsWith(':')) throw badValue(ns, at);
}

export function checkDimensions(dims: readonly Dimension[] | undefined, at: string) {
  if (!dims) return;
  if (dims.length > MAX_DIMENSIONS) {
    throw invalidParameterValue(`The collection ${at} must not have a size greater than ${MAX_DIMENSIONS}.`);
  }
  const names = new Set<string>();
  dims.forEach((d, i) => {
    // An empty name or value is a missing one (seen from AWS: "The parameter MetricData.member.16.Dimensions.member.3.Value is required.").
    for (const k of ['Name', 'Value'] as const) if (!d[k]) throw missingParameter(`The parameter ${at}.member.${i + 1}.${k} is required.`);
    checkLength(d.Name, `${at}.member.${i + 1}.Name`, 1, 255);
    checkLength(d.Value, `${at}.member.${i + 1}.Value`, 1, 1024);
    if (names.has(d.Name!)) throw invalidParameterValue(`No metric may have duplicate dimension names: ${d.Name} appears more than once in ${at}.`);
    names.add(d.Name!);
  });
}

/** Period: 1, 5, 10, 20, 30 (high resolution) or a multiple of 60. */
export function checkPeriod(period: number | undefined, at = 'Period') {
  if (period === undefined) return;
  if (!Number.isInteger(period) || period < 1) throw invalidParameterValue(`The parameter ${at} must be greater than 0.`);
  if (period < 60 ? ![1, 5, 10, 20, 30].includes(period) : period % 60 !== 0) {
    throw invalidParameterValue(`The parameter ${at} must be 1, 5, 10, 20, 30, or a multiple of 60.`);
  }
}
