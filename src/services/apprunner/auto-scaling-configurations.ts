/**
 * App Runner auto scaling configurations: named, with revisions (1, 2, … per name; the newest ACTIVE one is
 * `Latest`), shareable between services. Every account and region has `DefaultConfiguration` revision 1
 * (MaxConcurrency 100, MinSize 1, MaxSize 25), the default until UpdateDefaultAutoScalingConfiguration names another.
 * https://docs.aws.amazon.com/apprunner/latest/dg/manage-autoscaling.html
 */
import type {
  AutoScalingConfiguration, AutoScalingConfigurationSummary, CreateAutoScalingConfigurationRequest, CreateAutoScalingConfigurationResponse,
  DeleteAutoScalingConfigurationRequest, DeleteAutoScalingConfigurationResponse, DescribeAutoScalingConfigurationRequest,
  DescribeAutoScalingConfigurationResponse, ListAutoScalingConfigurationsRequest, ListAutoScalingConfigurationsResponse,
  ListServicesForAutoScalingConfigurationRequest, ListServicesForAutoScalingConfigurationResponse, UpdateDefaultAutoScalingConfigurationRequest,
  UpdateDefaultAutoScalingConfigurationResponse,
} from '@aws-sdk/client-apprunner';
import { arn as makeArn, parseArn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, quotaExceeded, resourceNotFound } from './errors.js';
import { pageToken, readToken } from './pages.js';
import { ascRevisions, defaultAsc, listAscRows, loadAsc, saveAsc, servicesUsing, anyAsc, type AscDoc } from './store.js';
import { checkTags } from './tags.js';

export const DEFAULT_NAME = 'DefaultConfiguration';
/** App Runner's defaults (CreateAutoScalingConfiguration: MaxConcurrency 100, MinSize 1, MaxSize 25). */
export const ASC_DEFAULTS = { MaxConcurrency: 100, MinSize: 1, MaxSize: 25 } as const;
/** Quotas: 10 names per region (DefaultConfiguration aside), 5 revisions per name. */
const MAX_NAMES = 10;
const MAX_REVISIONS = 5;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9\-_]{3,31}$/;

function newAsc(ctx: RequestContext, name: string, revision: number, values: { MaxConcurrency: number; MinSize: number; MaxSize: number }, isDefault: boolean): AscDoc {
  return {
    AutoScalingConfigurationArn: makeArn('apprunner', ctx.region, ctx.account, `autoscalingconfiguration/${name}/${revision}/${randomHex(16)}`),
    AutoScalingConfigurationName: name, AutoScalingConfigurationRevision: revision, Latest: true, Status: 'ACTIVE',
    ...values, CreatedAt: ctx.clock.now(), IsDefault: isDefault,
  };
}

/** DefaultConfiguration exists in every account and region from their first use. */
export function ensureDefaultAsc(ctx: RequestContext): AscDoc {
  const current = defaultAsc(ctx);
  if (current) return current;
  if (!anyAsc(ctx)) {
    const doc = newAsc(ctx, DEFAULT_NAME, 1, ASC_DEFAULTS, true);
    saveAsc(ctx, doc);
    return doc;
  }
  // The default was deleted: DefaultConfiguration's latest revision is the default again, else a new one.
  const revs = ascRevisions(ctx, DEFAULT_NAME).filter((r) => r.Status === 'ACTIVE');
  const doc = revs.length ? { ...revs[revs.length - 1], IsDefault: true } : newAsc(ctx, DEFAULT_NAME, nextRevision(ctx, DEFAULT_NAME), ASC_DEFAULTS, true);
  saveAsc(ctx, doc);
  return doc;
}

const nextRevision = (ctx: RequestContext, name: string) => Math.max(0, ...ascRevisions(ctx, name).map((r) => r.AutoScalingConfigurationRevision)) + 1;

function view(ctx: RequestContext, doc: AscDoc): AutoScalingConfiguration {
  return {
    ...doc, CreatedAt: new Date(doc.CreatedAt), DeletedAt: doc.DeletedAt ? new Date(doc.DeletedAt) : undefined,
    HasAssociatedService: servicesUsing(ctx.sql, doc.AutoScalingConfigurationArn, 0, 1).length > 0,
  };
}

function summary(ctx: RequestContext, doc: AscDoc): AutoScalingConfigurationSummary {
  const v = view(ctx, doc);
  return {
    AutoScalingConfigurationArn: v.AutoScalingConfigurationArn, AutoScalingConfigurationName: v.AutoScalingConfigurationName,
    AutoScalingConfigurationRevision: v.AutoScalingConfigurationRevision, Status: v.Status, CreatedAt: v.CreatedAt,
    HasAssociatedService: v.HasAssociatedService, IsDefault: v.IsDefault,
  };
}

export { summary as ascSummary };

/**
 * A configuration by ARN: the full ARN names a revision; `…/<name>` or `…/<name>/<revision>` (App Runner accepts
 * them) name the latest ACTIVE revision or that revision.
 */
export function resolveAsc(ctx: RequestContext, ascArn: string): AscDoc {
  const a = parseArn(ascArn);
  const parts = a?.resource.split('/') ?? [];
  if (!a || a.service !== 'apprunner' || parts[0] !== 'autoscalingconfiguration' || parts.length < 2) {
    throw invalidRequest(`Invalid auto scaling configuration ARN: ${ascArn}`);
  }
  const notFound = () => resourceNotFound(`Auto scaling configuration ${ascArn} does not exist.`);
  if (a.account !== ctx.account || a.region !== ctx.region) throw notFound();
  if (parts[1] === DEFAULT_NAME) ensureDefaultAsc(ctx);
  if (parts.length >= 4) {
    const doc = loadAsc(ctx, ascArn);
    if (!doc) throw notFound();
    return doc;
  }
  const revs = ascRevisions(ctx, parts[1]).filter((r) => (parts[2] ? r.AutoScalingConfigurationRevision === Number(parts[2]) : r.Status === 'ACTIVE'));
  if (!revs.length) throw notFound();
  return revs[revs.length - 1];
}

export function createAutoScalingConfiguration(ctx: RequestContext, input: CreateAutoScalingConfigurationRequest): CreateAutoScalingConfigurationResponse {
  const name = input.AutoScalingConfigurationName!;
  if (!NAME_RE.test(name)) throw invalidRequest('AutoScalingConfigurationName must be 4-32 characters: letters, digits, hyphens and underscores, starting with a letter or digit.');
  checkTags(input.Tags);
  ensureDefaultAsc(ctx);
  const values = {
    MaxConcurrency: input.MaxConcurrency ?? ASC_DEFAULTS.MaxConcurrency, MinSize: input.MinSize ?? ASC_DEFAULTS.MinSize, MaxSize: input.MaxSize ?? ASC_DEFAULTS.MaxSize,
  };
  if (values.MinSize > values.MaxSize) throw invalidRequest('MinSize must be less than or equal to MaxSize.');
  const revs = ascRevisions(ctx, name);
  const active = revs.filter((r) => r.Status === 'ACTIVE');
  if (active.length >= MAX_REVISIONS) throw quotaExceeded(`You have reached the maximum of ${MAX_REVISIONS} revisions for auto scaling configuration ${name}.`);
  if (!active.length && name !== DEFAULT_NAME) {
    const names = new Set(listAscRows(ctx, 0, 10_000).filter((r) => r.doc.Status === 'ACTIVE' && r.doc.AutoScalingConfigurationName !== DEFAULT_NAME).map((r) => r.doc.AutoScalingConfigurationName));
    if (names.size >= MAX_NAMES) throw quotaExceeded(`You have reached the maximum of ${MAX_NAMES} auto scaling configurations.`);
  }
  for (const r of active) if (r.Latest) saveAsc(ctx, { ...r, Latest: false });
  const doc = newAsc(ctx, name, nextRevision(ctx, name), values, false);
  saveAsc(ctx, doc);
  if (input.Tags?.length) putTags(ctx, doc.AutoScalingConfigurationArn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { AutoScalingConfiguration: view(ctx, doc) };
}

export function describeAutoScalingConfiguration(ctx: RequestContext, input: DescribeAutoScalingConfigurationRequest): DescribeAutoScalingConfigurationResponse {
  return { AutoScalingConfiguration: view(ctx, resolveAsc(ctx, input.AutoScalingConfigurationArn!)) };
}

export function listAutoScalingConfigurations(ctx: RequestContext, input: ListAutoScalingConfigurationsRequest): ListAutoScalingConfigurationsResponse {
  ensureDefaultAsc(ctx);
  const limit = input.MaxResults ?? 100;
  let after = readToken(input.NextToken);
  const out: AutoScalingConfigurationSummary[] = [];
  let next: string | undefined;
  let taken = after;
  // Filters apply to the walk in list order; a page is full at MaxResults matches.
  for (;;) {
    const rows = listAscRows(ctx, after, 200);
    for (const r of rows) {
      after = r.seq;
      const d = r.doc;
      if (d.Status !== 'ACTIVE') continue;
      if (input.AutoScalingConfigurationName && d.AutoScalingConfigurationName !== input.AutoScalingConfigurationName) continue;
      if (input.LatestOnly && !d.Latest) continue;
      if (out.length === limit) {
        next = pageToken(taken);
        break;
      }
      out.push(summary(ctx, d));
      taken = r.seq;
    }
    if (next || rows.length < 200) break;
  }
  return { AutoScalingConfigurationSummaryList: out, NextToken: next };
}

export function deleteAutoScalingConfiguration(ctx: RequestContext, input: DeleteAutoScalingConfigurationRequest): DeleteAutoScalingConfigurationResponse {
  const doc = resolveAsc(ctx, input.AutoScalingConfigurationArn!);
  const targets = input.DeleteAllRevisions ? ascRevisions(ctx, doc.AutoScalingConfigurationName).filter((r) => r.Status === 'ACTIVE') : [doc];
  for (const t of targets) {
    if (servicesUsing(ctx.sql, t.AutoScalingConfigurationArn, 0, 1).length) {
      throw invalidRequest(`Auto scaling configuration ${t.AutoScalingConfigurationArn} is associated with a service and can't be deleted.`);
    }
  }
  const now = ctx.clock.now();
  let last = doc;
  for (const t of targets) {
    last = { ...t, Status: 'INACTIVE', Latest: false, DeletedAt: now, IsDefault: false };
    saveAsc(ctx, last);
  }
  // The newest revision still ACTIVE is Latest again.
  const left = ascRevisions(ctx, doc.AutoScalingConfigurationName).filter((r) => r.Status === 'ACTIVE');
  if (left.length && !left[left.length - 1].Latest) saveAsc(ctx, { ...left[left.length - 1], Latest: true });
  const answer = targets.find((t) => t.AutoScalingConfigurationArn === doc.AutoScalingConfigurationArn) ? loadAsc(ctx, doc.AutoScalingConfigurationArn)! : last;
  return { AutoScalingConfiguration: view(ctx, answer) };
}

export function updateDefaultAutoScalingConfiguration(ctx: RequestContext, input: UpdateDefaultAutoScalingConfigurationRequest): UpdateDefaultAutoScalingConfigurationResponse {
  const doc = resolveAsc(ctx, input.AutoScalingConfigurationArn!);
  if (doc.Status !== 'ACTIVE') throw invalidRequest(`Auto scaling configuration ${doc.AutoScalingConfigurationArn} is not active.`);
  const current = defaultAsc(ctx);
  if (current && current.AutoScalingConfigurationArn !== doc.AutoScalingConfigurationArn) saveAsc(ctx, { ...current, IsDefault: false });
  const next = { ...doc, IsDefault: true };
  saveAsc(ctx, next);
  return { AutoScalingConfiguration: view(ctx, next) };
}

export function listServicesForAutoScalingConfiguration(ctx: RequestContext, input: ListServicesForAutoScalingConfigurationRequest): ListServicesForAutoScalingConfigurationResponse {
  const doc = resolveAsc(ctx, input.AutoScalingConfigurationArn!);
  const limit = input.MaxResults ?? 100;
  const rows = servicesUsing(ctx.sql, doc.AutoScalingConfigurationArn, readToken(input.NextToken), limit + 1);
  const page = rows.slice(0, limit);
  return { ServiceArnList: page.map((r) => r.arn), NextToken: rows.length > limit ? pageToken(page[page.length - 1].seq) : undefined };
}
