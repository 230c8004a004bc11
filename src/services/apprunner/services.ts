/**
 * App Runner services: CreateService, DescribeService, ListServices, UpdateService, DeleteService, PauseService,
 * ResumeService, StartDeployment. Each call records the service's new desired state and an operation (App Runner's
 * calls are asynchronous) and acts through Express Mode (express-bridge.ts); the apprunner-services controller
 * moves the operation to its end as ECS's deployment completes or fails (reconcile.ts).
 * https://docs.aws.amazon.com/apprunner/latest/api/API_CreateService.html
 */
import type {
  CreateServiceRequest, CreateServiceResponse, DeleteServiceRequest, DeleteServiceResponse, DescribeServiceRequest, DescribeServiceResponse,
  ListServicesRequest, ListServicesResponse, PauseServiceRequest, PauseServiceResponse, ResumeServiceRequest, ResumeServiceResponse, Service,
  ServiceSummary, SourceConfiguration, StartDeploymentRequest, StartDeploymentResponse, UpdateServiceRequest, UpdateServiceResponse,
} from '@aws-sdk/client-apprunner';
import { randomUUID } from 'node:crypto';
import { arn as makeArn, parseArn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import { putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { ascSummary, ensureDefaultAsc, resolveAsc } from './auto-scaling-configurations.js';
import { invalidRequest, invalidState, resourceNotFound } from './errors.js';
import { deploy, launch, remove, setInstances, setServing } from './express-bridge.js';
import { requireConnection } from './connections.js';
import { dropDomains } from './custom-domains.js';
import { resolveObservability } from './observability-configurations.js';
import { resolveVpcConnector } from './vpc-connectors.js';
import { retireIngress, serviceIngresses } from './vpc-ingress-connections.js';
import { checkCodeRepository, repositoryPath, type BuildPlan } from './code-source.js';
import { currentDigest, parseImageIdentifier, pinned } from './image-source.js';
import { pageToken, readToken } from './pages.js';
import { listServiceRows, loadAsc, loadService, saveOperation, saveService, serviceNamed, type OperationDoc, type ServiceDoc } from './store.js';
import { checkTags } from './tags.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9-_]{3,39}$/;
/** App Runner's instance defaults: 1 vCPU, 2 GB. */
const DEFAULT_CPU = '1024';
const DEFAULT_MEMORY = '2048';
/** App Runner's health check defaults (HealthCheckConfiguration). */
const HEALTH_DEFAULTS = { Protocol: 'TCP', Path: '/', Interval: 5, Timeout: 2, HealthyThreshold: 1, UnhealthyThreshold: 5 };

/** "1 vCPU", "0.25 vCPU" or "1024"; "2 GB", "0.5 GB" or "2048": App Runner answers CPU units and MiB. */
export function units(value: string | undefined, fallback: string, unit: RegExp): string {
  if (!value) return fallback;
  const m = new RegExp(`^\\s*([0-9.]+)\\s*${unit.source}\\s*$`, 'i').exec(value);
  if (m) return String(Math.round(Number(m[1]) * 1024));
  if (/^\d+$/.test(value.trim())) return value.trim();
  throw invalidRequest(`Invalid instance configuration value: ${value}`);
}

function newOperation(ctx: RequestContext, serviceArn: string, type: string): OperationDoc {
  const now = ctx.clock.now();
  const op: OperationDoc = { Id: randomUUID().replace(/-/g, ''), Type: type, Status: 'IN_PROGRESS', TargetArn: serviceArn, StartedAt: now, UpdatedAt: now };
  saveOperation(ctx.sql, op);
  return op;
}

export function view(ctx: RequestContext, doc: ServiceDoc): Service {
  const asc = loadAsc(ctx, doc.AutoScalingConfigurationArn);
  return {
    ServiceName: doc.ServiceName, ServiceId: doc.ServiceId, ServiceArn: doc.ServiceArn, ServiceUrl: doc.ServiceUrl,
    CreatedAt: new Date(doc.CreatedAt), UpdatedAt: new Date(doc.UpdatedAt), ...(doc.DeletedAt ? { DeletedAt: new Date(doc.DeletedAt) } : {}),
    Status: doc.Status as Service['Status'], SourceConfiguration: doc.SourceConfiguration as SourceConfiguration,
    InstanceConfiguration: doc.InstanceConfiguration, HealthCheckConfiguration: doc.HealthCheckConfiguration as Service['HealthCheckConfiguration'],
    AutoScalingConfigurationSummary: asc ? ascSummary(ctx, asc) : { AutoScalingConfigurationArn: doc.AutoScalingConfigurationArn },
    NetworkConfiguration: doc.NetworkConfiguration, ObservabilityConfiguration: doc.ObservabilityConfiguration as Service['ObservabilityConfiguration'],
    ...(doc.EncryptionConfiguration ? { EncryptionConfiguration: doc.EncryptionConfiguration as Service['EncryptionConfiguration'] } : {}),
  };
}

function checkSource(source: SourceConfiguration | undefined): SourceConfiguration {
  if (source?.CodeRepository && source.ImageRepository) throw invalidRequest('SourceConfiguration must specify either an ImageRepository or a CodeRepository, not both.');
  if (source?.CodeRepository) {
    return { ...source, AutoDeploymentsEnabled: source.AutoDeploymentsEnabled ?? true, CodeRepository: checkCodeRepository(source.CodeRepository) };
  }
  const image = source?.ImageRepository;
  if (!image) throw invalidRequest('SourceConfiguration must specify an ImageRepository or a CodeRepository.');
  if (image.ImageRepositoryType !== 'ECR') throw invalidRequest('Berth serves images from its own ECR only: ImageRepositoryType must be ECR.');
  const port = image.ImageConfiguration?.Port;
  if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) throw invalidRequest(`Invalid port: ${port}`);
  for (const name of Object.keys(image.ImageConfiguration?.RuntimeEnvironmentVariables ?? {})) {
    if (name.startsWith('AWSAPPRUNNER')) throw invalidRequest('Environment variable names starting with AWSAPPRUNNER are reserved.');
  }
  parseImageIdentifier(image.ImageIdentifier!);
  return {
    ...source, AutoDeploymentsEnabled: source!.AutoDeploymentsEnabled ?? true,
    ImageRepository: { ...image, ImageConfiguration: { ...image.ImageConfiguration, Port: port ?? '8080' } },
  };
}

/**
 * A source code service's ConnectionArn, when given, names a connection of the account (App Runner needs one for
 * GitHub or Bitbucket; Berth reads the repository on its host, needs none, and does not wait for its handshake).
 */
function checkConnection(ctx: RequestContext, source: SourceConfiguration): void {
  const arn = source.AuthenticationConfiguration?.ConnectionArn;
  if (arn) requireConnection(ctx, arn);
}

/** Where a source's version comes from: the image it names, or (code) the repository a build reads. */
function sourceState(source: SourceConfiguration): Pick<ServiceDoc['berth'], 'image' | 'code'> {
  return source.CodeRepository
    ? { code: { path: repositoryPath(source.CodeRepository.RepositoryUrl!) } }
    : { image: parseImageIdentifier(source.ImageRepository!.ImageIdentifier!) };
}

function checkHealth(hc: CreateServiceRequest['HealthCheckConfiguration'], current?: Record<string, any>) {
  const out = { ...HEALTH_DEFAULTS, ...current, ...hc };
  for (const [k, lo, hi] of [['Interval', 1, 20], ['Timeout', 1, 20], ['HealthyThreshold', 1, 20], ['UnhealthyThreshold', 1, 20]] as const) {
    const v = out[k] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw invalidRequest(`HealthCheckConfiguration.${k} must be between ${lo} and ${hi}.`);
  }
  return out;
}

/**
 * The network configuration as App Runner echoes it: VPC egress names an ACTIVE VPC connector (its full ARN kept);
 * a private service (IsPubliclyAccessible false) is reached through VPC ingress connections on AWS. On Berth both
 * are recorded: containers reach what the engine's network reaches, and every URL is served on loopback only.
 */
function checkNetwork(ctx: RequestContext, net: CreateServiceRequest['NetworkConfiguration'], current?: Record<string, any>) {
  const egress = net?.EgressConfiguration ?? current?.EgressConfiguration ?? { EgressType: 'DEFAULT' };
  let EgressConfiguration: Record<string, string> = { EgressType: 'DEFAULT' };
  if (egress.EgressType === 'VPC') {
    if (!egress.VpcConnectorArn) throw invalidRequest('VpcConnectorArn is required when EgressType is VPC.');
    const connector = resolveVpcConnector(ctx, egress.VpcConnectorArn);
    if (connector.status !== 'ACTIVE') throw invalidRequest(`VPC connector ${connector.arn} is not active.`);
    EgressConfiguration = { EgressType: 'VPC', VpcConnectorArn: connector.arn };
  }
  return {
    EgressConfiguration,
    IngressConfiguration: { IsPubliclyAccessible: net?.IngressConfiguration?.IsPubliclyAccessible ?? current?.IngressConfiguration?.IsPubliclyAccessible ?? true },
    IpAddressType: net?.IpAddressType ?? current?.IpAddressType ?? 'IPV4',
  };
}

/** ObservabilityEnabled names an ACTIVE observability configuration (its full ARN kept). */
function checkObservability(ctx: RequestContext, obs: CreateServiceRequest['ObservabilityConfiguration']) {
  if (!obs?.ObservabilityEnabled) return { ObservabilityEnabled: false };
  if (!obs.ObservabilityConfigurationArn) throw invalidRequest('ObservabilityConfigurationArn is required when ObservabilityEnabled is true.');
  const cfg = resolveObservability(ctx, obs.ObservabilityConfigurationArn);
  if (cfg.status !== 'ACTIVE') throw invalidRequest(`Observability configuration ${cfg.arn} is not active.`);
  return { ObservabilityEnabled: true, ObservabilityConfigurationArn: cfg.arn };
}

export function requireService(ctx: RequestContext, serviceArn: string): ServiceDoc {
  const a = parseArn(serviceArn);
  if (!a || a.service !== 'apprunner' || !a.resource.startsWith('service/')) throw invalidRequest(`Invalid service ARN: ${serviceArn}`);
  const doc = loadService(ctx, serviceArn);
  if (!doc || doc.Status === 'DELETED') throw resourceNotFound(`Service ${serviceArn} does not exist.`);
  return doc;
}

function requireStatus(doc: ServiceDoc, allowed: string[], action: string): void {
  if (!allowed.includes(doc.Status)) throw invalidState(`You can't ${action} service ${doc.ServiceArn} in ${doc.Status} state.`);
}

/**
 * Deploys the version the source names now: an image source's tag as ECR has it (none: the operation fails, a
 * creation CREATE_FAILED); a code source's branch once the builder controller has built and pushed it (`commit`: a
 * given commit, else the branch's head when the build starts).
 */
function startVersion(ctx: RequestContext, doc: ServiceDoc, op: OperationDoc, commit?: string): void {
  delete doc.berth.failure;
  if (doc.berth.code) {
    doc.berth.pending = { operationId: op.Id, build: commit ? { commit } : {} };
    return;
  }
  deployImage(ctx, doc, op.Id, doc.SourceConfiguration.ImageRepository!.ImageIdentifier);
}

/** Deploys the image `identifier` (a tag in Berth's ECR, pinned to the digest it names now) as the operation's version. */
function deployImage(ctx: RequestContext, doc: ServiceDoc, operationId: string, identifier: string, commit?: string): void {
  const digest = currentDigest(ctx, doc.berth.image!);
  if (!digest) {
    doc.berth.pending = { operationId };
    doc.berth.failure = `Failed to pull your application image: ${identifier} not found in Berth's ECR.`;
    return;
  }
  const ref = pinned(identifier, digest);
  const op = { Id: operationId };
  if (!doc.berth.expressArn) {
    const asc = loadAsc(ctx, doc.AutoScalingConfigurationArn)!;
    const l = launch(ctx, doc, ref, asc.MinSize);
    Object.assign(doc.berth, {
      expressArn: l.expressArn, cluster: l.cluster, targetGroupArn: l.targetGroupArn, ruleArn: l.ruleArn, ownListenerArn: l.ownListenerArn,
      instances: asc.MinSize, scaledAt: ctx.clock.now(),
    });
    doc.berth.pending = { operationId: op.Id, deploymentId: l.deploymentId, digest, ...(commit ? { commit } : {}) };
  } else {
    doc.berth.pending = { operationId: op.Id, deploymentId: deploy(ctx, doc, ref), digest, ...(commit ? { commit } : {}) };
  }
}

/**
 * The builder controller's outcome for a code source's operation: the image it pushed (deployed now, pinned by
 * digest), or why the build failed (the operation fails; a creation CREATE_FAILED). Ignored when the operation is
 * no longer the one in progress.
 */
export function finishBuild(ctx: RequestContext, arn: string, operationId: string, outcome: BuildOutcome): void {
  const doc = loadService(ctx, arn);
  if (!doc?.berth.code || doc.berth.pending?.operationId !== operationId || !doc.berth.pending.build) return;
  if ('error' in outcome) {
    doc.berth.pending = { operationId };
    doc.berth.failure = outcome.error;
    if (outcome.commit) doc.berth.code.failedCommit = outcome.commit;
  } else {
    const port = doc.berth.code.plan?.port;
    if (doc.berth.expressArn && port && outcome.plan.port !== port) {
      doc.berth.pending = { operationId };
      doc.berth.failure = `Berth does not change a service's port yet (${port} to ${outcome.plan.port}).`;
      doc.berth.code.failedCommit = outcome.commit;
    } else {
      const previous = doc.berth.code.plan;
      doc.berth.image = parseImageIdentifier(outcome.imageUri);
      doc.berth.code.plan = outcome.plan;
      deployImage(ctx, doc, operationId, outcome.imageUri, outcome.commit);
      // The plan of the version serving stays until the new one serves (a failed version keeps the old running).
      if (!doc.berth.pending?.deploymentId && previous) doc.berth.code.plan = previous;
    }
  }
  saveService(ctx, doc);
  ctx.changed('apprunner.service', arn);
}

export type BuildOutcome = { imageUri: string; commit: string; plan: BuildPlan } | { error: string; commit?: string };

export function createService(ctx: RequestContext, input: CreateServiceRequest): CreateServiceResponse {
  const name = input.ServiceName!;
  if (!NAME_RE.test(name)) throw invalidRequest('ServiceName must be 4-40 characters: letters, digits, hyphens and underscores, starting with a letter or digit.');
  if (serviceNamed(ctx, name)) throw invalidRequest(`Service with the provided name already exists: ${name}`);
  checkTags(input.Tags);
  const source = checkSource(input.SourceConfiguration);
  checkConnection(ctx, source);
  const asc = input.AutoScalingConfigurationArn ? resolveAsc(ctx, input.AutoScalingConfigurationArn) : ensureDefaultAsc(ctx);
  if (asc.Status !== 'ACTIVE') throw invalidRequest(`Auto scaling configuration ${asc.AutoScalingConfigurationArn} is not active.`);
  const ic = input.InstanceConfiguration ?? {};
  const id = randomHex(16);
  const serviceArn = makeArn('apprunner', ctx.region, ctx.account, `service/${name}/${id}`);
  const now = ctx.clock.now();
  const doc: ServiceDoc = {
    ServiceName: name, ServiceId: id, ServiceArn: serviceArn,
    // App Runner's default domain is <random>.<region>.awsapprunner.com; Berth's answers under .localhost.
    ServiceUrl: `${randomHex(5)}.${ctx.region}.awsapprunner.localhost`,
    CreatedAt: now, UpdatedAt: now, Status: 'OPERATION_IN_PROGRESS', SourceConfiguration: source,
    InstanceConfiguration: {
      Cpu: units(ic.Cpu, DEFAULT_CPU, /vCPU/), Memory: units(ic.Memory, DEFAULT_MEMORY, /GB/),
      ...(ic.InstanceRoleArn ? { InstanceRoleArn: ic.InstanceRoleArn } : {}),
    },
    HealthCheckConfiguration: checkHealth(input.HealthCheckConfiguration), NetworkConfiguration: checkNetwork(ctx, input.NetworkConfiguration),
    ObservabilityConfiguration: checkObservability(ctx, input.ObservabilityConfiguration),
    ...(input.EncryptionConfiguration ? { EncryptionConfiguration: input.EncryptionConfiguration } : {}),
    AutoScalingConfigurationArn: asc.AutoScalingConfigurationArn,
    berth: sourceState(source),
  };
  const op = newOperation(ctx, serviceArn, 'CREATE_SERVICE');
  startVersion(ctx, doc, op);
  saveService(ctx, doc);
  if (input.Tags?.length) putTags(ctx, serviceArn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  ctx.changed('apprunner.service', serviceArn);
  return { Service: view(ctx, doc), OperationId: op.Id };
}

export function describeService(ctx: RequestContext, input: DescribeServiceRequest): DescribeServiceResponse {
  return { Service: view(ctx, requireService(ctx, input.ServiceArn!)) };
}

export function listServices(ctx: RequestContext, input: ListServicesRequest): ListServicesResponse {
  const limit = input.MaxResults ?? 20;
  const rows = listServiceRows(ctx, readToken(input.NextToken), limit + 1);
  const page = rows.slice(0, limit);
  const summaries: ServiceSummary[] = page.map(({ doc }) => ({
    ServiceName: doc.ServiceName, ServiceId: doc.ServiceId, ServiceArn: doc.ServiceArn, ServiceUrl: doc.ServiceUrl,
    CreatedAt: new Date(doc.CreatedAt), UpdatedAt: new Date(doc.UpdatedAt), Status: doc.Status as ServiceSummary['Status'],
  }));
  return { ServiceSummaryList: summaries, NextToken: rows.length > limit ? pageToken(page[page.length - 1].seq) : undefined };
}

export function updateService(ctx: RequestContext, input: UpdateServiceRequest): UpdateServiceResponse {
  const doc = requireService(ctx, input.ServiceArn!);
  requireStatus(doc, ['RUNNING'], 'update');
  let redeploy = false;
  if (input.SourceConfiguration) {
    const source = checkSource({ ...doc.SourceConfiguration, ...input.SourceConfiguration } as SourceConfiguration);
    checkConnection(ctx, source);
    // App Runner keeps a service's source type: an image service stays one, a source code service too.
    if (!!source.CodeRepository !== !!doc.berth.code) throw invalidRequest('You can\'t change the source type of a service (image or source code).');
    if (source.ImageRepository) {
      const before = doc.SourceConfiguration.ImageRepository?.ImageConfiguration?.Port;
      if (source.ImageRepository.ImageConfiguration!.Port !== before) throw invalidRequest('Berth does not change a service\'s port yet.');
      doc.berth.image = parseImageIdentifier(source.ImageRepository.ImageIdentifier!);
    } else doc.berth.code = { ...doc.berth.code!, path: repositoryPath(source.CodeRepository!.RepositoryUrl!) };
    const key = (s: SourceConfiguration) => JSON.stringify(s.ImageRepository ?? s.CodeRepository);
    redeploy = key(source) !== key(doc.SourceConfiguration as SourceConfiguration);
    doc.SourceConfiguration = source;
  }
  if (input.InstanceConfiguration) {
    const ic = input.InstanceConfiguration;
    const next = {
      Cpu: units(ic.Cpu, doc.InstanceConfiguration.Cpu, /vCPU/), Memory: units(ic.Memory, doc.InstanceConfiguration.Memory, /GB/),
      ...(ic.InstanceRoleArn ?? doc.InstanceConfiguration.InstanceRoleArn ? { InstanceRoleArn: ic.InstanceRoleArn ?? doc.InstanceConfiguration.InstanceRoleArn } : {}),
    };
    redeploy ||= JSON.stringify(next) !== JSON.stringify(doc.InstanceConfiguration);
    doc.InstanceConfiguration = next;
  }
  if (input.HealthCheckConfiguration) {
    doc.HealthCheckConfiguration = checkHealth(input.HealthCheckConfiguration, doc.HealthCheckConfiguration);
    redeploy = true;
  }
  if (input.NetworkConfiguration) doc.NetworkConfiguration = checkNetwork(ctx, input.NetworkConfiguration, doc.NetworkConfiguration);
  if (input.ObservabilityConfiguration) doc.ObservabilityConfiguration = checkObservability(ctx, input.ObservabilityConfiguration);
  if (input.AutoScalingConfigurationArn) {
    const asc = resolveAsc(ctx, input.AutoScalingConfigurationArn);
    if (asc.Status !== 'ACTIVE') throw invalidRequest(`Auto scaling configuration ${asc.AutoScalingConfigurationArn} is not active.`);
    doc.AutoScalingConfigurationArn = asc.AutoScalingConfigurationArn;
  }
  const op = newOperation(ctx, doc.ServiceArn, 'UPDATE_SERVICE');
  if (redeploy) startVersion(ctx, doc, op);
  else doc.berth.pending = { operationId: op.Id };
  doc.Status = 'OPERATION_IN_PROGRESS';
  doc.UpdatedAt = ctx.clock.now();
  saveService(ctx, doc);
  ctx.changed('apprunner.service', doc.ServiceArn);
  return { Service: view(ctx, doc), OperationId: op.Id };
}

export function startDeployment(ctx: RequestContext, input: StartDeploymentRequest): StartDeploymentResponse {
  const doc = requireService(ctx, input.ServiceArn!);
  requireStatus(doc, ['RUNNING'], 'start a deployment of');
  const op = newOperation(ctx, doc.ServiceArn, 'START_DEPLOYMENT');
  beginDeployment(ctx, doc, op);
  return { OperationId: op.Id };
}

/** A deployment of what the source names now (StartDeployment, a push or a commit with auto deployments). */
export function beginDeployment(ctx: RequestContext, doc: ServiceDoc, op: OperationDoc, commit?: string): void {
  startVersion(ctx, doc, op, commit);
  doc.Status = 'OPERATION_IN_PROGRESS';
  doc.UpdatedAt = ctx.clock.now();
  saveService(ctx, doc);
  ctx.changed('apprunner.service', doc.ServiceArn);
}

export { newOperation };

export function pauseService(ctx: RequestContext, input: PauseServiceRequest): PauseServiceResponse {
  const doc = requireService(ctx, input.ServiceArn!);
  requireStatus(doc, ['RUNNING'], 'pause');
  const op = newOperation(ctx, doc.ServiceArn, 'PAUSE_SERVICE');
  // The instances stop (desired count 0; ECS checks the target group still forwards, so first) and the URL stops
  // forwarding at once; the operation ends when the instances have stopped.
  setInstances(ctx, doc, 0);
  setServing(ctx, doc, false);
  doc.berth.instances = 0;
  doc.berth.pending = { operationId: op.Id };
  doc.Status = 'OPERATION_IN_PROGRESS';
  doc.UpdatedAt = ctx.clock.now();
  saveService(ctx, doc);
  ctx.changed('apprunner.service', doc.ServiceArn);
  return { Service: view(ctx, doc), OperationId: op.Id };
}

export function resumeService(ctx: RequestContext, input: ResumeServiceRequest): ResumeServiceResponse {
  const doc = requireService(ctx, input.ServiceArn!);
  requireStatus(doc, ['PAUSED'], 'resume');
  const op = newOperation(ctx, doc.ServiceArn, 'RESUME_SERVICE');
  // The version deployed before the pause comes back (App Runner does not deploy what was pushed meanwhile).
  const asc = loadAsc(ctx, doc.AutoScalingConfigurationArn)!;
  setServing(ctx, doc, true);
  setInstances(ctx, doc, asc.MinSize);
  Object.assign(doc.berth, { instances: asc.MinSize, scaledAt: ctx.clock.now(), pending: { operationId: op.Id } });
  doc.Status = 'OPERATION_IN_PROGRESS';
  doc.UpdatedAt = ctx.clock.now();
  saveService(ctx, doc);
  ctx.changed('apprunner.service', doc.ServiceArn);
  return { Service: view(ctx, doc), OperationId: op.Id };
}

export function deleteService(ctx: RequestContext, input: DeleteServiceRequest): DeleteServiceResponse {
  const doc = requireService(ctx, input.ServiceArn!);
  requireStatus(doc, ['RUNNING', 'PAUSED', 'CREATE_FAILED', 'DELETE_FAILED'], 'delete');
  const op = newOperation(ctx, doc.ServiceArn, 'DELETE_SERVICE');
  remove(ctx, doc);
  dropDomains(ctx, doc);
  for (const ingress of serviceIngresses(ctx, doc.ServiceArn)) retireIngress(ctx, ingress);
  doc.berth.pending = { operationId: op.Id };
  doc.Status = 'OPERATION_IN_PROGRESS';
  doc.UpdatedAt = ctx.clock.now();
  saveService(ctx, doc);
  ctx.changed('apprunner.service', doc.ServiceArn);
  return { Service: view(ctx, doc), OperationId: op.Id };
}
