/**
 * App Runner custom domains (AssociateCustomDomain, DescribeCustomDomains, DisassociateCustomDomain). Associating a
 * domain requests a certificate for it (and `www.<domain>` with EnableWWWSubdomain, the default) from ACM, which
 * Berth's local CA issues: App Runner's certificate validation records are that certificate's DNS validation CNAMEs,
 * PENDING_VALIDATION until ACM issues it, then SUCCESS. The domain's status follows: CREATING in the association's
 * answer, PENDING_CERTIFICATE_DNS_VALIDATION while ACM validates, BINDING_CERTIFICATE once issued, ACTIVE once the
 * apprunner-services controller has bound it (syncHosts). A bound domain is served like the service URL: Host rules
 * of its own on the shared load balancer's HTTP and HTTPS listeners, its certificate on the HTTPS listener (SNI).
 * A VPC ingress connection's domain is served the same way, over HTTP (its certificate is the service's concern on
 * AWS; Berth issues none for it).
 * https://docs.aws.amazon.com/apprunner/latest/dg/manage-custom-domains.html
 */
import type {
  AssociateCustomDomainRequest, AssociateCustomDomainResponse, CertificateValidationRecord, CustomDomain, DescribeCustomDomainsRequest,
  DescribeCustomDomainsResponse, DisassociateCustomDomainRequest, DisassociateCustomDomainResponse, VpcDNSTarget,
} from '@aws-sdk/client-apprunner';
import { deleteCertificate, describeCertificate, requestCertificate } from '../acm/operations.js';
import { loadExpress } from '../ecs/index.js';
import { addListenerCertificates, createRule, deleteRule, describeRules, removeListenerCertificates } from '../elastic-load-balancing-v2/operations.js';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, resourceNotFound } from './errors.js';
import { PAUSED_RESPONSE } from './express-bridge.js';
import { pageToken, readToken } from './pages.js';
import { deleteDomain, domainOwner, listResources, saveDomain, serviceDomains } from './resource-store.js';
import { requireService } from './services.js';
import type { ServiceDoc } from './store.js';

/** What Berth keeps of an association. */
interface DomainDoc {
  DomainName: string;
  EnableWWWSubdomain: boolean;
  CertificateArn: string;
  CreatedAt: number;
}

/** A host (or a domain and its www) the service serves besides its URL, and the rules and certificate serving it. */
export interface ServedHost {
  hosts: string[];
  httpRuleArn: string;
  httpsRuleArn?: string;
  certificateArn?: string;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** App Runner's quota: five custom domains per service. */
const MAX_DOMAINS = 5;

const hostsOf = (d: DomainDoc) => (d.EnableWWWSubdomain ? [d.DomainName, `www.${d.DomainName}`] : [d.DomainName]);

function certificateState(ctx: RequestContext, arn: string): { issued: boolean; records: CertificateValidationRecord[] } {
  try {
    const c = describeCertificate(ctx, { CertificateArn: arn }).Certificate!;
    const issued = c.Status === 'ISSUED';
    return {
      issued,
      records: (c.DomainValidationOptions ?? []).filter((o) => o.ResourceRecord).map((o) => ({
        Name: o.ResourceRecord!.Name, Type: o.ResourceRecord!.Type, Value: o.ResourceRecord!.Value, Status: issued ? 'SUCCESS' : 'PENDING_VALIDATION',
      })),
    };
  } catch {
    return { issued: false, records: [] };
  }
}

function view(ctx: RequestContext, service: ServiceDoc, d: DomainDoc): CustomDomain {
  const cert = certificateState(ctx, d.CertificateArn);
  const bound = !!service.berth.servedHosts?.[d.DomainName];
  return {
    DomainName: d.DomainName, EnableWWWSubdomain: d.EnableWWWSubdomain, CertificateValidationRecords: cert.records,
    Status: bound ? 'ACTIVE' : cert.issued ? 'BINDING_CERTIFICATE' : 'PENDING_CERTIFICATE_DNS_VALIDATION',
  };
}

/** The service's VPC ingress connections' domains, as App Runner lists them beside its custom domains. */
function vpcTargets(ctx: RequestContext, serviceArn: string): VpcDNSTarget[] {
  return listResources<{ ServiceArn?: string; DomainName?: string; IngressVpcConfiguration?: { VpcId?: string } }>(ctx, 'vpcingressconnection', 0, 1000)
    .filter((r) => r.status !== 'DELETED' && r.doc.ServiceArn === serviceArn)
    .map((r) => ({ VpcIngressConnectionArn: r.arn, VpcId: r.doc.IngressVpcConfiguration?.VpcId, DomainName: r.doc.DomainName }));
}

export function associateCustomDomain(ctx: RequestContext, input: AssociateCustomDomainRequest): AssociateCustomDomainResponse {
  const service = requireService(ctx, input.ServiceArn!);
  const domain = input.DomainName!.toLowerCase().replace(/\.$/, '');
  if (!DOMAIN_RE.test(domain)) throw invalidRequest(`Invalid domain name: ${input.DomainName}`);
  if (domain.endsWith('.awsapprunner.localhost')) throw invalidRequest(`Domain ${domain} is an App Runner domain and can't be associated.`);
  const owner = domainOwner(ctx.sql, domain);
  if (owner) throw invalidRequest(`Domain ${domain} is already associated with ${owner === service.ServiceArn ? 'this service' : 'another service'}.`);
  if (serviceDomains(ctx.sql, service.ServiceArn).length >= MAX_DOMAINS) {
    throw invalidRequest(`A service can have at most ${MAX_DOMAINS} custom domains.`);
  }
  const www = input.EnableWWWSubdomain ?? true;
  const CertificateArn = requestCertificate(ctx, {
    DomainName: domain, ValidationMethod: 'DNS', ...(www ? { SubjectAlternativeNames: [`www.${domain}`] } : {}),
    Tags: [{ Key: 'AppRunnerService', Value: service.ServiceArn }],
  }).CertificateArn!;
  const doc: DomainDoc = { DomainName: domain, EnableWWWSubdomain: www, CertificateArn, CreatedAt: ctx.clock.now() };
  saveDomain(ctx.sql, service.ServiceArn, domain, doc);
  ctx.changed('apprunner.service', service.ServiceArn);
  return {
    DNSTarget: service.ServiceUrl, ServiceArn: service.ServiceArn, VpcDNSTargets: vpcTargets(ctx, service.ServiceArn),
    CustomDomain: { DomainName: domain, EnableWWWSubdomain: www, Status: 'CREATING' },
  };
}

export function describeCustomDomains(ctx: RequestContext, input: DescribeCustomDomainsRequest): DescribeCustomDomainsResponse {
  const service = requireService(ctx, input.ServiceArn!);
  const limit = input.MaxResults ?? 5;
  const rows = serviceDomains<DomainDoc>(ctx.sql, service.ServiceArn, readToken(input.NextToken), limit + 1);
  const page = rows.slice(0, limit);
  return {
    DNSTarget: service.ServiceUrl, ServiceArn: service.ServiceArn, VpcDNSTargets: vpcTargets(ctx, service.ServiceArn),
    CustomDomains: page.map((r) => view(ctx, service, r.doc)), NextToken: rows.length > limit ? pageToken(page[page.length - 1].seq) : undefined,
  };
}

export function disassociateCustomDomain(ctx: RequestContext, input: DisassociateCustomDomainRequest): DisassociateCustomDomainResponse {
  const service = requireService(ctx, input.ServiceArn!);
  const domain = input.DomainName!.toLowerCase().replace(/\.$/, '');
  const row = serviceDomains<DomainDoc>(ctx.sql, service.ServiceArn).find((r) => r.domain === domain);
  if (!row) throw resourceNotFound(`Domain ${domain} is not associated with service ${service.ServiceArn}.`);
  const answer = { ...view(ctx, service, row.doc), Status: 'DELETING' as const };
  deleteDomain(ctx.sql, service.ServiceArn, domain);
  // Its rules and certificate go with the next sync; a certificate never bound goes now.
  if (!service.berth.servedHosts?.[domain]) tryQuietly(() => deleteCertificate(ctx, { CertificateArn: row.doc.CertificateArn }));
  ctx.changed('apprunner.service', service.ServiceArn);
  return { DNSTarget: service.ServiceUrl, ServiceArn: service.ServiceArn, VpcDNSTargets: vpcTargets(ctx, service.ServiceArn), CustomDomain: answer };
}

function tryQuietly(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
  }
}

/** The hosts a service should serve besides its URL: issued custom domains (with their certificate) and VPC ingress domains. */
function wantedHosts(ctx: RequestContext, doc: ServiceDoc): Map<string, { hosts: string[]; certificateArn?: string }> {
  const want = new Map<string, { hosts: string[]; certificateArn?: string }>();
  for (const { doc: d } of serviceDomains<DomainDoc>(ctx.sql, doc.ServiceArn)) {
    if (certificateState(ctx, d.CertificateArn).issued) want.set(d.DomainName, { hosts: hostsOf(d), certificateArn: d.CertificateArn });
  }
  for (const t of vpcTargets(ctx, doc.ServiceArn)) if (t.DomainName) want.set(t.DomainName, { hosts: [t.DomainName] });
  return want;
}

/**
 * Converges the service's extra hosts (the apprunner-services controller, and before its Express service goes):
 * rules and certificates for hosts now wanted, none for hosts no longer wanted. True when `doc` changed.
 */
export function syncHosts(ctx: RequestContext, doc: ServiceDoc, removeAll = false): boolean {
  const express = doc.berth.expressArn ? loadExpress(ctx, doc.berth.expressArn) : undefined;
  if (!express && !removeAll) return false;
  const served = (doc.berth.servedHosts ??= {});
  const want = removeAll ? new Map() : wantedHosts(ctx, doc);
  let changed = false;
  for (const [key, s] of Object.entries(served)) {
    if (want.has(key)) continue;
    for (const rule of [s.httpRuleArn, s.httpsRuleArn]) if (rule) tryQuietly(() => deleteRule(ctx, { RuleArn: rule }));
    if (s.certificateArn) {
      const listener = express?.resources.httpsListenerArn;
      if (listener) tryQuietly(() => removeListenerCertificates(ctx, { ListenerArn: listener, Certificates: [{ CertificateArn: s.certificateArn }] }));
      tryQuietly(() => deleteCertificate(ctx, { CertificateArn: s.certificateArn }));
    }
    delete served[key];
    changed = true;
  }
  if (!express || doc.Status === 'CREATE_FAILED') return changed;
  const paused = doc.berth.instances === 0;
  const r = express.resources;
  for (const [key, w] of want) {
    if (served[key]) continue;
    const rule = (listenerArn: string) => {
      const used = (describeRules(ctx, { ListenerArn: listenerArn }).Rules ?? []).filter((x) => !x.IsDefault).map((x) => Number(x.Priority));
      return createRule(ctx, {
        ListenerArn: listenerArn, Priority: used.length ? Math.max(...used) + 1 : 1,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: w.hosts } }],
        Actions: paused ? [{ Type: 'fixed-response', FixedResponseConfig: PAUSED_RESPONSE }] : [{ Type: 'forward', TargetGroupArn: r.targetGroupArn }],
      }).Rules![0].RuleArn!;
    };
    const s: ServedHost = { hosts: w.hosts, httpRuleArn: rule(r.listenerArn) };
    if (r.httpsListenerArn) {
      s.httpsRuleArn = rule(r.httpsListenerArn);
      if (w.certificateArn) {
        addListenerCertificates(ctx, { ListenerArn: r.httpsListenerArn, Certificates: [{ CertificateArn: w.certificateArn }] });
        s.certificateArn = w.certificateArn;
      }
    }
    served[key] = s;
    changed = true;
    ctx.log.info('app runner serves a host', { service: doc.ServiceArn, hosts: w.hosts });
  }
  return changed;
}

/** A deleted service's custom domains go with it (their certificates too, when never bound). */
export function dropDomains(ctx: RequestContext, doc: ServiceDoc): void {
  for (const r of serviceDomains<DomainDoc>(ctx.sql, doc.ServiceArn)) {
    deleteDomain(ctx.sql, doc.ServiceArn, r.domain);
    if (!doc.berth.servedHosts?.[r.domain]) tryQuietly(() => deleteCertificate(ctx, { CertificateArn: r.doc.CertificateArn }));
  }
}
