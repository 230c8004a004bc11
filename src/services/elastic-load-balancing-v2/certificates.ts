/**
 * Certificates of HTTPS and TLS listeners: the default certificate and
 * security policy CreateListener and ModifyListener set, and the extra (SNI)
 * certificates of AddListenerCertificates, RemoveListenerCertificates and
 * DescribeListenerCertificates. A certificate is an ACM certificate of the
 * listener's account and region that is ISSUED; anything else is
 * CertificateNotFound, as ELB answers (IAM server certificates are not in
 * Berth).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
 */
import type {
  AddListenerCertificatesInput, AddListenerCertificatesOutput, Certificate, DescribeListenerCertificatesInput,
  DescribeListenerCertificatesOutput, Listener, RemoveListenerCertificatesInput, RemoveListenerCertificatesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../protocol/errors.js';
import { usableCertificate } from '../acm/store.js';
import type { RequestContext } from '../provider.js';
import {
  addCertificate, dropListenerCertificates, listenerCertificates, removeCertificate, setDefaultCertificate,
} from './certificate-store.js';
import { certificateNotFound, operationNotPermitted, validationError } from './errors.js';
import { requireListener } from './lookup.js';
import { paginate } from './pagination.js';
import { checkSslPolicy } from './ssl-policies.js';

/** ELB's default quota: certificates per load balancer, besides the default ones. */
const MAX_CERTIFICATES = 25;

const SECURE = new Set(['HTTPS', 'TLS']);

export const isSecure = (protocol: string | undefined) => SECURE.has(protocol ?? '');

function requireUsable(ctx: RequestContext, arn: string | undefined): string {
  if (!arn) throw validationError('A certificate ARN must be specified');
  if (!usableCertificate(ctx, arn, ctx.clock.now())) throw certificateNotFound(`Certificate '${arn}' not found`);
  return arn;
}

export interface ListenerTlsSettings {
  Certificates?: Certificate[];
  SslPolicy?: string;
}

/**
 * The Certificates and SslPolicy a listener stores for a protocol: for HTTPS
 * and TLS exactly one usable default certificate (the requested one, else the
 * current) and a known policy (the requested one, else the current, else
 * ELB's default); for other protocols neither.
 */
export function checkListenerTls(
  ctx: RequestContext,
  protocol: string,
  requested: { Certificates?: Certificate[]; SslPolicy?: string },
  current?: Listener,
): ListenerTlsSettings {
  if (!isSecure(protocol)) {
    if (requested.Certificates?.length) throw validationError(`Certificates cannot be specified for ${protocol} listeners`);
    if (requested.SslPolicy) throw validationError(`An SSL policy cannot be specified for ${protocol} listeners`);
    return {};
  }
  const certificates = requested.Certificates?.length ? requested.Certificates : current?.Certificates;
  if (!certificates?.length) throw validationError(`A certificate must be specified for ${protocol} listeners`);
  if (certificates.length > 1) throw validationError('A listener can have only one default certificate; add others with AddListenerCertificates');
  const wasSecure = isSecure(current?.Protocol);
  // A certificate the listener already serves is not re-checked (it may have expired since).
  const kept = wasSecure && !requested.Certificates?.length;
  const certificateArn = kept ? certificates[0].CertificateArn! : requireUsable(ctx, certificates[0].CertificateArn);
  const policy = checkSslPolicy(requested.SslPolicy ?? (wasSecure ? current?.SslPolicy : undefined));
  return { Certificates: [{ CertificateArn: certificateArn }], SslPolicy: policy };
}

/** Records a listener's default certificate after CreateListener / ModifyListener (or drops all for a plain listener). */
export function recordListenerTls(ctx: RequestContext, listener: Listener): void {
  const arn = listener.Certificates?.[0]?.CertificateArn;
  if (arn) setDefaultCertificate(ctx.sql, listener.ListenerArn!, listener.LoadBalancerArn!, arn);
  else dropListenerCertificates(ctx.sql, listener.ListenerArn!);
}

export { dropListenerCertificates };

function requireSecureListener(ctx: RequestContext, arn: string | undefined) {
  const listener = requireListener(ctx, arn);
  if (!isSecure(listener.doc.Protocol)) {
    throw validationError(`Certificates can be added only to HTTPS and TLS listeners, not to '${listener.doc.Protocol}' listener '${listener.arn}'`);
  }
  return listener;
}

export function addListenerCertificates(ctx: RequestContext, input: AddListenerCertificatesInput): AddListenerCertificatesOutput {
  const listener = requireSecureListener(ctx, input.ListenerArn);
  if (!input.Certificates?.length) throw validationError('At least one certificate must be specified');
  const arns = input.Certificates.map((c) => requireUsable(ctx, c.CertificateArn));
  const present = new Set(listenerCertificates(ctx.sql, listener.arn).filter((c) => !c.isDefault).map((c) => c.certificateArn));
  const total = new Set([...present, ...arns]).size;
  if (total > MAX_CERTIFICATES) {
    throw new AwsError('TooManyCertificates', `You've reached the limit on the number of certificates per load balancer (${MAX_CERTIFICATES})`);
  }
  for (const arn of arns) addCertificate(ctx.sql, listener.arn, listener.doc.LoadBalancerArn!, arn, false);
  ctx.changed('elbv2', listener.arn);
  return { Certificates: arns.map((CertificateArn) => ({ CertificateArn, IsDefault: false })) };
}

export function removeListenerCertificates(ctx: RequestContext, input: RemoveListenerCertificatesInput): RemoveListenerCertificatesOutput {
  const listener = requireSecureListener(ctx, input.ListenerArn);
  if (!input.Certificates?.length) throw validationError('At least one certificate must be specified');
  const defaultArn = listener.doc.Certificates?.[0]?.CertificateArn;
  for (const c of input.Certificates) {
    // The default certificate is replaced with ModifyListener, never removed.
    if (c.CertificateArn === defaultArn || c.IsDefault) throw operationNotPermitted('Default certificate cannot be removed');
  }
  for (const c of input.Certificates) removeCertificate(ctx.sql, listener.arn, c.CertificateArn ?? '');
  ctx.changed('elbv2', listener.arn);
  return {};
}

export function describeListenerCertificates(ctx: RequestContext, input: DescribeListenerCertificatesInput): DescribeListenerCertificatesOutput {
  const listener = requireListener(ctx, input.ListenerArn);
  const rows = listenerCertificates(ctx.sql, listener.arn).map((c, i) => ({ ...c, order: i }));
  const { page, NextMarker } = paginate(rows, (c) => c.order, input.Marker, input.PageSize);
  return { Certificates: page.map((c) => ({ CertificateArn: c.certificateArn, IsDefault: c.isDefault })), NextMarker };
}
