/**
 * Which service a request is for: by X-Amz-Target (json protocols), by the
 * SigV4 credential scope (and, for query protocols, the API Version), or, for
 * unsigned requests, by what the request names. A request for a service Berth
 * does not serve is recognised too (`refusalFor`), so it can be refused by name
 * in the client's own protocol.
 */
import { awsServices, type AwsServiceFacts } from '../protocol/aws-service-facts.js';
import { queryParams } from '../protocol/aws-query.js';
import { CATALOG, type Catalog, type ProtocolName, type ServiceEntry } from '../protocol/catalog.js';
import type { WireRequest } from '../protocol/codec.js';
import type { AwsError } from '../protocol/errors.js';
import { loadModel, type ServiceModel } from '../protocol/model.js';
import {
  restOperationOf, serviceNotImplemented, spokenProtocol, unrecognizedClient, type Refused, type WireProtocol,
} from '../protocol/refusal.js';
import { rpcV2Target, speaksRpcV2Cbor } from '../protocol/rpc-v2-cbor.js';
import type { CredentialScope } from '../protocol/sigv4.js';

export interface Route {
  service: ServiceEntry;
  /** The protocol this request speaks (awsQuery for a query-compatible JSON service spoken as query). */
  protocol: ProtocolName;
}

const isForm = (req: WireRequest) => (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

const isQuery = (p: ProtocolName) => p === 'awsQuery' || p === 'ec2Query';

/** A query parameter; undefined also when the form is malformed (the codec reports that, in the service's shape). */
function queryParam(req: WireRequest, name: string): string | undefined {
  try {
    return queryParams(req).find(([k]) => k === name)?.[1] || undefined;
  } catch {
    return undefined;
  }
}

const versionOf = (req: WireRequest) => queryParam(req, 'Version');

/** The catalogued service this request is for; undefined when Berth catalogues none (see refusalFor). */
export function routeRequest(req: WireRequest, scope: CredentialScope | undefined, catalog: Catalog = CATALOG): Route | undefined {
  // rpc-v2-cbor names the service in its path, by the same shape name json protocols put in X-Amz-Target.
  if (speaksRpcV2Cbor(req)) {
    const rpc = rpcV2Target(req);
    const service = rpc && catalog.byTarget.get(rpc.service);
    return service && { service, protocol: 'rpcV2Cbor' };
  }
  const target = req.headers['x-amz-target'];
  if (target) {
    const service = catalog.byTarget.get(prefixOf(target));
    if (service) return { service, protocol: service.protocol };
  }
  const service = scope ? catalog.bySigningName.get(scope.service) : undefined;
  if (service) {
    const protocol = protocolFor(service, req);
    // One signing name, several APIs: elasticloadbalancing is ELBv2 (2015-12-01) and classic ELB (2012-06-01).
    if (isQuery(protocol)) {
      const version = versionOf(req);
      if (version && version !== loadModel(service.id, catalog.byId).version) return undefined;
    }
    return { service, protocol };
  }
  return guessUnsigned(req, catalog);
}

const prefixOf = (target: string) => {
  const dot = target.lastIndexOf('.');
  return dot >= 0 ? target.slice(0, dot) : target;
};

/** SQS and CloudWatch answer both their JSON protocol and the older awsQuery. */
function protocolFor(service: ServiceEntry, req: WireRequest): ProtocolName {
  if ((service.protocol === 'awsJson1_0' || service.protocol === 'awsJson1_1') && !req.headers['x-amz-target'] && isForm(req)) {
    return 'awsQuery';
  }
  return service.protocol;
}

/**
 * Unsigned query requests (e.g. --no-sign-request): find the service declaring the Action,
 * of the API Version the request names when several do (EC2's and ELBv2's DescribeTags).
 */
function guessUnsigned(req: WireRequest, catalog: Catalog): Route | undefined {
  const action = req.query.get('Action') ?? (isForm(req) ? new URLSearchParams(req.body.toString('utf8')).get('Action') : null);
  if (!action) return undefined;
  const version = versionOf(req);
  const declares = (s: ServiceEntry) =>
    s.protocol !== 'restJson1' && s.protocol !== 'restXml' && loadModel(s.id, catalog.byId).operations.has(action);
  const service = (version && catalog.services.find((s) => s.apiVersion === version && declares(s))) || catalog.services.find(declares);
  return service && { service, protocol: protocolFor(service, req) };
}

/** Berth's answer to a request it will not serve, and how to write it. */
export interface Refusal {
  error: AwsError;
  protocol: WireProtocol;
  /** The service's model when Berth has one, else what a stand-in needs. */
  model: ServiceModel | { signingName: string; apiVersion?: string };
}

/**
 * Why Berth will not answer a request routeRequest found no served service for:
 * the service and operation it recognises, in the protocol the client spoke.
 */
export async function refusalFor(req: WireRequest, scope: CredentialScope | undefined, catalog: Catalog = CATALOG): Promise<Refusal> {
  const { bySigningName, byTarget } = await awsServices();
  const target = req.headers['x-amz-target'];
  const rpc = speaksRpcV2Cbor(req) ? rpcV2Target(req) : undefined;
  const named = target ? byTarget.get(prefixOf(target)) : rpc ? byTarget.get(rpc.service) : undefined;
  const candidates = named ? [named] : scope ? bySigningName.get(scope.service) ?? [] : [];
  if (!candidates.length) {
    const protocol = spokenProtocol(req);
    const error = scope
      ? unrecognizedClient(`Berth does not know an AWS service with the signing name ${scope.service}.`)
      : unrecognizedClient('Berth could not tell which AWS service this request is for: sign it with SigV4 or send X-Amz-Target.');
    return { error, protocol, model: { signingName: scope?.service ?? 'unknown' } };
  }
  const protocol = spokenProtocol(req, candidates[0].protocol);
  const version = protocol === 'awsQuery' || protocol === 'ec2Query' ? versionOf(req) : undefined;
  // A query request names its API version: classic ELB and ELBv2 share a signing name.
  const facts = version
    ? candidates.find((c) => c.apiVersion === version) ?? (candidates.length === 1 && !candidates[0].apiVersion ? candidates[0] : undefined)
    : candidates.length === 1 ? candidates[0] : undefined;
  const signingName = facts?.signingName ?? candidates[0].signingName;
  const refused: Refused = {
    name: facts?.name ?? candidates.map((c) => c.name).join(' or '),
    signingName,
    operation: operationOf(req, protocol, facts),
    hint: servedHint(signingName, candidates, facts, catalog),
  };
  if (version && !facts) refused.hint = `Berth knows no API version ${version} for this signing name.`;
  return { error: serviceNotImplemented(refused, req), protocol, model: { signingName, apiVersion: facts?.apiVersion ?? version } };
}

/**
 * A catalogued service without a provider (Berth has its model but serves none of
 * it) is refused like an unknown one, in its own codec's shape.
 */
export async function refusalForUnserved(req: WireRequest, route: Route, model: ServiceModel, operation: string | undefined): Promise<Refusal> {
  const candidates = (await awsServices()).bySigningName.get(route.service.signingNames[0]) ?? [];
  const facts = candidates.find((c) => (c.targetPrefix && c.targetPrefix === model.serviceTarget) || (c.apiVersion && c.apiVersion === model.version))
    ?? candidates[0];
  const refused: Refused = {
    name: facts?.name ?? route.service.id,
    signingName: route.service.signingNames[0],
    operation,
  };
  return { error: serviceNotImplemented(refused, req), protocol: route.protocol, model };
}

function operationOf(req: WireRequest, protocol: WireProtocol, facts: AwsServiceFacts | undefined): string | undefined {
  switch (protocol) {
    case 'rpcV2Cbor': return rpcV2Target(req)?.operation;
    case 'awsJson1_0':
    case 'awsJson1_1': {
      const target = req.headers['x-amz-target'];
      const dot = target ? target.lastIndexOf('.') : -1;
      return dot >= 0 ? target!.slice(dot + 1) : undefined;
    }
    case 'awsQuery':
    case 'ec2Query': return queryParam(req, 'Action');
    default: return facts ? restOperationOf(req, facts, protocol) : undefined;
  }
}

/** When Berth serves another API under this signing name, say which (classic ELB vs ELBv2). */
function servedHint(signingName: string, candidates: AwsServiceFacts[], facts: AwsServiceFacts | undefined, catalog: Catalog): string | undefined {
  const served = catalog.bySigningName.get(signingName);
  if (!served || !isQuery(served.protocol)) return undefined;
  const version = loadModel(served.id, catalog.byId).version;
  if (facts?.apiVersion === version) return undefined;
  const name = candidates.find((c) => c.apiVersion === version)?.name ?? served.id;
  return `Berth serves ${name} (Version ${version}) under the signing name ${signingName}.`;
}
