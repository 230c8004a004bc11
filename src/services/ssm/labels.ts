/**
 * LabelParameterVersion and UnlabelParameterVersion. A label names one version
 * of a parameter at a time: labelling another version moves it.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html
 */
import type {
  LabelParameterVersionRequest,
  LabelParameterVersionResult,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResult,
} from '@aws-sdk/client-ssm';
import type { RequestContext } from '../provider.js';
import { labelLimit, parameterNotFound, versionNotFound } from './errors.js';
import { allVersions, findParameter, getVersion, saveVersion } from './store.js';

const MAX_LABELS_PER_VERSION = 10;

/** Labels SSM refuses (and reports in InvalidLabels rather than failing the call). */
function isValidLabel(label: string): boolean {
  if (label.length < 1 || label.length > 100) return false;
  if (/^(aws|ssm)/i.test(label)) return false;
  if (/^\d/.test(label)) return false;
  return /^[a-zA-Z0-9_.-]+$/.test(label);
}

export function labelParameterVersion(ctx: RequestContext, input: LabelParameterVersionRequest): LabelParameterVersionResult {
  const name = input.Name!;
  const param = findParameter(ctx, name);
  if (!param) throw parameterNotFound(name);
  const versionNumber = input.ParameterVersion ?? param.version;
  const target = getVersion(ctx, name, versionNumber);
  if (!target) throw versionNotFound(String(versionNumber), name);
  const labels = [...new Set(input.Labels!)];
  const invalid = labels.filter((l) => !isValidLabel(l));
  const good = labels.filter(isValidLabel);
  const merged = [...target.labels, ...good.filter((l) => !target.labels.includes(l))];
  if (merged.length > MAX_LABELS_PER_VERSION) throw labelLimit();
  for (const other of allVersions(ctx, name)) {
    if (other.version === versionNumber) continue;
    const kept = other.labels.filter((l) => !good.includes(l));
    if (kept.length !== other.labels.length) saveVersion(ctx, { ...other, labels: kept });
  }
  saveVersion(ctx, { ...target, labels: merged });
  return { InvalidLabels: invalid, ParameterVersion: versionNumber };
}

export function unlabelParameterVersion(ctx: RequestContext, input: UnlabelParameterVersionRequest): UnlabelParameterVersionResult {
  const name = input.Name!;
  if (!findParameter(ctx, name)) throw parameterNotFound(name);
  const target = getVersion(ctx, name, input.ParameterVersion!);
  if (!target) throw versionNotFound(String(input.ParameterVersion), name);
  const removed = input.Labels!.filter((l) => target.labels.includes(l));
  const invalid = input.Labels!.filter((l) => !target.labels.includes(l));
  saveVersion(ctx, { ...target, labels: target.labels.filter((l) => !removed.includes(l)) });
  return { RemovedLabels: removed, InvalidLabels: invalid };
}
