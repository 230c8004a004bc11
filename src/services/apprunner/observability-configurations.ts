/**
 * App Runner observability configurations (Create/Describe/List/DeleteObservabilityConfiguration): named, with
 * revisions (`Latest` on the newest ACTIVE one), holding a trace configuration (vendor AWSXRAY). A service names one
 * in ObservabilityConfiguration when ObservabilityEnabled; one a live service uses cannot be deleted, as App Runner
 * says. Berth stores them and returns them; it sends no traces anywhere (README.md).
 * https://docs.aws.amazon.com/apprunner/latest/api/API_CreateObservabilityConfiguration.html
 */
import type {
  CreateObservabilityConfigurationRequest, CreateObservabilityConfigurationResponse, DeleteObservabilityConfigurationRequest,
  DeleteObservabilityConfigurationResponse, DescribeObservabilityConfigurationRequest, DescribeObservabilityConfigurationResponse,
  ListObservabilityConfigurationsRequest, ListObservabilityConfigurationsResponse, ObservabilityConfiguration,
} from '@aws-sdk/client-apprunner';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, quotaExceeded } from './errors.js';
import { newArn, nextRevision, pageOf, resolveNamed, RESOURCE_NAME_RE, retireRevision } from './named-resources.js';
import { saveResource, type ResourceRow } from './resource-store.js';
import { checkTags } from './tags.js';

const KIND = 'observabilityconfiguration';
/** App Runner's quota: 5 revisions per name (as for auto scaling configurations). */
const MAX_REVISIONS = 5;

type ObsDoc = Omit<ObservabilityConfiguration, 'CreatedAt' | 'DeletedAt'> & { CreatedAt: number; DeletedAt?: number };

const view = (d: ObsDoc): ObservabilityConfiguration => ({ ...d, CreatedAt: new Date(d.CreatedAt), DeletedAt: d.DeletedAt ? new Date(d.DeletedAt) : undefined });

export function createObservabilityConfiguration(ctx: RequestContext, input: CreateObservabilityConfigurationRequest): CreateObservabilityConfigurationResponse {
  const name = input.ObservabilityConfigurationName!;
  if (!RESOURCE_NAME_RE.test(name)) throw invalidRequest('ObservabilityConfigurationName must be 4-32 characters: letters, digits, hyphens and underscores, starting with a letter or digit.');
  checkTags(input.Tags);
  const { revision, active } = nextRevision(ctx, KIND, name);
  if (active >= MAX_REVISIONS) throw quotaExceeded(`You have reached the maximum of ${MAX_REVISIONS} revisions for observability configuration ${name}.`);
  const arn = newArn(ctx, KIND, name, revision);
  const doc: ObsDoc = {
    ObservabilityConfigurationArn: arn, ObservabilityConfigurationName: name, ObservabilityConfigurationRevision: revision,
    ...(input.TraceConfiguration ? { TraceConfiguration: input.TraceConfiguration } : {}), Latest: true, Status: 'ACTIVE', CreatedAt: ctx.clock.now(),
  };
  saveResource(ctx, KIND, { arn, name, revision, status: 'ACTIVE', doc });
  if (input.Tags?.length) putTags(ctx, arn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { ObservabilityConfiguration: view(doc) };
}

export function resolveObservability(ctx: RequestContext, arn: string): ResourceRow<ObsDoc> {
  return resolveNamed<ObsDoc>(ctx, KIND, arn, true);
}

export function describeObservabilityConfiguration(ctx: RequestContext, input: DescribeObservabilityConfigurationRequest): DescribeObservabilityConfigurationResponse {
  return { ObservabilityConfiguration: view(resolveObservability(ctx, input.ObservabilityConfigurationArn!).doc) };
}

export function listObservabilityConfigurations(ctx: RequestContext, input: ListObservabilityConfigurationsRequest): ListObservabilityConfigurationsResponse {
  const page = pageOf<ObsDoc, { ObservabilityConfigurationArn?: string; ObservabilityConfigurationName?: string; ObservabilityConfigurationRevision?: number }>(
    ctx, KIND, input,
    (r) => r.status === 'ACTIVE' && (!input.ObservabilityConfigurationName || r.name === input.ObservabilityConfigurationName) && (!input.LatestOnly || !!r.doc.Latest),
    (r) => ({ ObservabilityConfigurationArn: r.arn, ObservabilityConfigurationName: r.name, ObservabilityConfigurationRevision: r.revision }),
  );
  return { ObservabilityConfigurationSummaryList: page.items, NextToken: page.NextToken };
}

export function deleteObservabilityConfiguration(ctx: RequestContext, input: DeleteObservabilityConfigurationRequest): DeleteObservabilityConfigurationResponse {
  const row = resolveObservability(ctx, input.ObservabilityConfigurationArn!);
  const doc = retireRevision(ctx, KIND, row, '$.ObservabilityConfiguration.ObservabilityConfigurationArn');
  return { ObservabilityConfiguration: view(doc as ObsDoc) };
}
