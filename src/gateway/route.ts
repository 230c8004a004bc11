/**
 * Which service a request is for: by X-Amz-Target (json protocols), by the
 * SigV4 credential scope, or, for unsigned requests, by what the request names.
 */
import { BY_SIGNING_NAME, BY_TARGET, SERVICES, type ProtocolName, type ServiceEntry } from '../protocol/catalog.js';
import type { WireRequest } from '../protocol/codec.js';
import { loadModel } from '../protocol/model.js';
import type { CredentialScope } from '../protocol/sigv4.js';

export interface Route {
  service: ServiceEntry;
  /** The protocol this request speaks (awsQuery for a query-compatible JSON service spoken as query). */
  protocol: ProtocolName;
}

const isForm = (req: WireRequest) => (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

export function routeRequest(req: WireRequest, scope: CredentialScope | undefined): Route | undefined {
  const target = req.headers['x-amz-target'];
  if (target) {
    const dot = target.lastIndexOf('.');
    const service = BY_TARGET.get(dot >= 0 ? target.slice(0, dot) : target);
    if (service) return { service, protocol: service.protocol };
  }
  const service = scope ? BY_SIGNING_NAME.get(scope.service) : undefined;
  if (service) return { service, protocol: protocolFor(service, req) };
  return guessUnsigned(req);
}

/** SQS and CloudWatch answer both their JSON protocol and the older awsQuery. */
function protocolFor(service: ServiceEntry, req: WireRequest): ProtocolName {
  if ((service.protocol === 'awsJson1_0' || service.protocol === 'awsJson1_1') && !req.headers['x-amz-target'] && isForm(req)) {
    return 'awsQuery';
  }
  return service.protocol;
}

/** Unsigned query requests (e.g. --no-sign-request): find the service declaring the Action. */
function guessUnsigned(req: WireRequest): Route | undefined {
  const action = req.query.get('Action') ?? (isForm(req) ? new URLSearchParams(req.body.toString('utf8')).get('Action') : null);
  if (!action) return undefined;
  for (const service of SERVICES) {
    if (service.protocol === 'restJson1' || service.protocol === 'restXml') continue;
    if (loadModel(service.id).operations.has(action)) return { service, protocol: protocolFor(service, req) };
  }
  return undefined;
}
