/**
 * Reading stacks: DescribeStackEvents, DescribeStackResource, DescribeStackResources, ListStackResources,
 * GetTemplate, GetTemplateSummary, ValidateTemplate, ListExports, ListImports.
 */
import type {
  DescribeStackEventsInput, DescribeStackEventsOutput, DescribeStackResourceInput, DescribeStackResourceOutput, DescribeStackResourcesInput,
  DescribeStackResourcesOutput, GetTemplateInput, GetTemplateOutput, GetTemplateSummaryInput, GetTemplateSummaryOutput, ListExportsInput,
  ListExportsOutput, ListImportsInput, ListImportsOutput, ListStackResourcesInput, ListStackResourcesOutput, StackResource, ValidateTemplateInput,
  ValidateTemplateOutput,
} from '@aws-sdk/client-cloudformation';
import type { Later, RequestContext } from '../provider.js';
import { changeSetNotFound, stackNotFound, validationError } from './errors.js';
import { neededCapabilities, templateOf, withTemplate } from './sources.js';
import { paged } from './stacks.js';
import { allStacks, eventsOf, exportsOf, findChangeSet, findStack, importersOf, resourcesOf, type ResourceRecord, type StackRecord } from './store.js';
import type { Template } from './template.js';

const iso = (ms: number) => new Date(ms).toISOString() as unknown as Date;

/** By name a live stack; by id any (a deleted one's events and resources stay readable). */
function stackFor(ctx: RequestContext, nameOrId: string | undefined): StackRecord {
  const rec = nameOrId ? findStack(ctx, nameOrId) : undefined;
  if (!rec) throw stackNotFound(nameOrId ?? '');
  return rec;
}

export function describeStackEvents(ctx: RequestContext, input: DescribeStackEventsInput): DescribeStackEventsOutput {
  const rec = stackFor(ctx, input.StackName);
  const { page, next } = paged(eventsOf(ctx.sql, rec.stack.StackId), input.NextToken);
  return { StackEvents: page, ...(next ? { NextToken: next } : {}) };
}

const resources = (ctx: RequestContext, rec: StackRecord): ResourceRecord[] => resourcesOf(ctx.sql, rec.stack.StackId);

function asStackResource(rec: StackRecord, r: ResourceRecord): StackResource {
  return {
    StackName: rec.stack.StackName, StackId: rec.stack.StackId, LogicalResourceId: r.LogicalResourceId,
    ...(r.PhysicalResourceId ? { PhysicalResourceId: r.PhysicalResourceId } : {}), ResourceType: r.ResourceType,
    Timestamp: iso(r.LastUpdatedTimestamp), ResourceStatus: r.ResourceStatus as StackResource['ResourceStatus'],
    ...(r.ResourceStatusReason ? { ResourceStatusReason: r.ResourceStatusReason } : {}),
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

export function describeStackResource(ctx: RequestContext, input: DescribeStackResourceInput): DescribeStackResourceOutput {
  const rec = stackFor(ctx, input.StackName);
  const r = resources(ctx, rec).find((x) => x.LogicalResourceId === input.LogicalResourceId);
  if (!r) throw validationError(`Resource ${input.LogicalResourceId} does not exist for stack ${rec.stack.StackName}`);
  const { Timestamp, ...base } = asStackResource(rec, r);
  return {
    StackResourceDetail: {
      ...base, LastUpdatedTimestamp: Timestamp,
      ...(r.metadata !== undefined ? { Metadata: JSON.stringify(r.metadata) } : {}),
    },
  };
}

export function describeStackResources(ctx: RequestContext, input: DescribeStackResourcesInput): DescribeStackResourcesOutput {
  if (!input.StackName && !input.PhysicalResourceId) throw validationError('Either StackName or PhysicalResourceId must be specified.');
  if (input.StackName) {
    const rec = stackFor(ctx, input.StackName);
    return {
      StackResources: resources(ctx, rec).filter((r) => !input.LogicalResourceId || r.LogicalResourceId === input.LogicalResourceId).map((r) => asStackResource(rec, r)),
    };
  }
  for (const rec of allStacks(ctx, false)) {
    const rs = resources(ctx, rec);
    const hit = rs.find((r) => r.PhysicalResourceId === input.PhysicalResourceId);
    if (hit) return { StackResources: rs.filter((r) => !input.LogicalResourceId || r.LogicalResourceId === input.LogicalResourceId).map((r) => asStackResource(rec, r)) };
  }
  throw validationError(`Stack for ${input.PhysicalResourceId} does not exist`);
}

export function listStackResources(ctx: RequestContext, input: ListStackResourcesInput): ListStackResourcesOutput {
  const rec = stackFor(ctx, input.StackName);
  const { page, next } = paged(resources(ctx, rec), input.NextToken);
  return {
    StackResourceSummaries: page.map((r) => ({
      LogicalResourceId: r.LogicalResourceId, ...(r.PhysicalResourceId ? { PhysicalResourceId: r.PhysicalResourceId } : {}), ResourceType: r.ResourceType,
      LastUpdatedTimestamp: iso(r.LastUpdatedTimestamp), ResourceStatus: r.ResourceStatus as StackResource['ResourceStatus'],
      ...(r.ResourceStatusReason ? { ResourceStatusReason: r.ResourceStatusReason } : {}),
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    })),
    ...(next ? { NextToken: next } : {}),
  };
}

export function getTemplate(ctx: RequestContext, input: GetTemplateInput): GetTemplateOutput {
  if (input.ChangeSetName) {
    const cs = findChangeSet(ctx, input.ChangeSetName, input.StackName);
    if (!cs) throw changeSetNotFound(input.ChangeSetName);
    return { TemplateBody: cs.templateBody, StagesAvailable: ['Original', 'Processed'] };
  }
  const rec = stackFor(ctx, input.StackName);
  return { TemplateBody: rec.templateBody, StagesAvailable: ['Original', 'Processed'] };
}

function parametersOf(t: Template) {
  return Object.entries(t.Parameters ?? {}).map(([key, p]) => ({
    ParameterKey: key, ...(p.Default !== undefined ? { DefaultValue: Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default) } : {}),
    NoEcho: p.NoEcho === true || p.NoEcho === 'true', ...(p.Description !== undefined ? { Description: p.Description } : {}),
    ParameterType: p.Type, ...(p.AllowedValues ? { ParameterConstraints: { AllowedValues: p.AllowedValues.map(String) } } : {}),
  }));
}

function capabilitiesOf(t: Template) {
  const need = neededCapabilities(t);
  return need.capability
    ? { Capabilities: [need.capability] as ValidateTemplateOutput['Capabilities'], CapabilitiesReason: `The following resource(s) require capabilities: [${need.resources.join(', ')}]` }
    : { Capabilities: [] };
}

export function validateTemplate(ctx: RequestContext, input: ValidateTemplateInput): ValidateTemplateOutput | Later<ValidateTemplateOutput> {
  return withTemplate(ctx, input, (body) => {
    const t = templateOf(body);
    return {
      Parameters: parametersOf(t).map(({ ParameterType: _t, ParameterConstraints: _c, ...p }) => p),
      ...(t.Description !== undefined ? { Description: t.Description } : {}),
      ...capabilitiesOf(t),
      DeclaredTransforms: [],
    };
  });
}

export function getTemplateSummary(ctx: RequestContext, input: GetTemplateSummaryInput): GetTemplateSummaryOutput | Later<GetTemplateSummaryOutput> {
  const summary = (t: Template): GetTemplateSummaryOutput => ({
    Parameters: parametersOf(t),
    ...(t.Description !== undefined ? { Description: t.Description } : {}),
    ...capabilitiesOf(t),
    ResourceTypes: [...new Set(Object.values(t.Resources).map((r) => r.Type))],
    Version: '2010-09-09',
    ...(t.Metadata !== undefined ? { Metadata: JSON.stringify(t.Metadata) } : {}),
    DeclaredTransforms: [],
  });
  if (input.StackName) return summary(stackFor(ctx, input.StackName).template);
  return withTemplate(ctx, input, (body) => summary(templateOf(body)));
}

export function listExports(ctx: RequestContext, input: ListExportsInput): ListExportsOutput {
  const { page, next } = paged(exportsOf(ctx), input.NextToken);
  return {
    Exports: page.map((e) => ({ ExportingStackId: e.stackId, Name: e.name, Value: e.value })),
    ...(next ? { NextToken: next } : {}),
  };
}

export function listImports(ctx: RequestContext, input: ListImportsInput): ListImportsOutput {
  const name = input.ExportName!;
  if (!exportsOf(ctx).some((e) => e.name === name)) throw validationError(`Export '${name}' is not imported by any stack.`);
  const importers = importersOf(ctx, name);
  if (!importers.length) throw validationError(`Export '${name}' is not imported by any stack.`);
  const { page, next } = paged(importers.map((r) => r.stack.StackName), input.NextToken);
  return { Imports: page, ...(next ? { NextToken: next } : {}) };
}
