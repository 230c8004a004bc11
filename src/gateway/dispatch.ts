/**
 * The AWS API pipeline for one request:
 *   route → identity → resolve operation → parse → validate → provider (one
 *   transaction) → serialize; any AwsError is serialized by the same codec,
 *   anything else is a bug and becomes a logged 500 InternalFailure.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { Codec, WireRequest, WireResponse } from '../protocol/codec.js';
import { AwsError, internalFailure, notImplemented, serializationError } from '../protocol/errors.js';
import { CATALOG, type Catalog, type ProtocolName } from '../protocol/catalog.js';
import { codecFor } from '../protocol/index.js';
import { loadModel, type ServiceModel } from '../protocol/model.js';
import { renderRefusal } from '../protocol/refusal.js';
import { decodeRequestBody } from '../protocol/request-compression.js';
import { credentialScope } from '../protocol/sigv4.js';
import { inputError, validateInput } from '../protocol/validate.js';
import { Later, lowerCamel, type Invoke, type RequestContext } from '../services/provider.js';
import { PROVIDERS, type Providers } from '../services/providers.js';
import type { Clock } from '../shared/clock.js';
import { requestId as newRequestId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { RegistryLink } from '../registry/index.js';
import type { Db, Statements } from '../state/db.js';
import type { Authorizer } from '../services/iam/index.js';
import { enforcementChecks, identify, type SignedInput } from './identity.js';
import { refusalFor, refusalForUnserved, routeRequest, type Refusal } from './route.js';

export interface DispatchDeps {
  config: Config;
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  changes: ChangeFeed;
  /** The OCI registry, which ECR's operations reach through their context. */
  registry: RegistryLink;
  /** Runs a service's operation for another (services/providers.ts `internalDoor`); handed to operations as ctx.invoke. */
  invoke?: Invoke;
  /** The services requests are routed to and answered by (Berth's: every descriptor's, services/index.ts). */
  services?: { catalog: Catalog; providers: Providers };
  /** With --enforce-iam: the policy check every operation passes before it runs (issue 23). */
  authorizer?: Authorizer;
}

/** A request for a service Berth does not serve, refused by name in the client's protocol. */
function refuse(log: Logger, refusal: Refusal, requestId: string): WireResponse {
  if (log.enabled('debug')) log.debug('request refused', { requestId, code: refusal.error.code, message: refusal.error.message });
  return renderRefusal(refusal.error, refusal.protocol, { requestId }, refusal.model);
}

/** One reusable transaction wrapper per database (building one per request costs measurably). */
const runners = new WeakMap<Db, (work: () => unknown) => unknown>();
function inTransaction(db: Db, work: () => unknown): unknown {
  let run = runners.get(db);
  if (!run) {
    run = db.transaction((w: () => unknown) => w());
    runners.set(db, run);
  }
  return run(work);
}

export async function dispatchAws(deps: DispatchDeps, received: WireRequest): Promise<WireResponse> {
  const started = performance.now();
  const req = decodeRequestBody(received);
  const requestId = newRequestId();
  const scope = credentialScope(req.headers.authorization, req.query);
  const catalog = deps.services?.catalog ?? CATALOG;
  const providers = deps.services?.providers ?? PROVIDERS;
  const route = routeRequest(req, scope, catalog);
  if (!route) return refuse(deps.log, await refusalFor(req, scope, catalog), requestId);
  const model = loadModel(route.service.id, catalog.byId);
  const codec = codecFor(route.protocol);
  let opName: string | undefined;
  try {
    // Who signed, and (with --enforce-iam) whether the signature holds, before anything about the operation:
    // AWS frontends authenticate first. The signature covers the body as sent (before decompression).
    const identity = identify(deps.config, scope, deps, deps.config.enforceIam ? signedInput(received, route.protocol) : undefined);
    opName = codec.resolveOperation(req, model);
    const op = opName ? model.operations.get(opName) : undefined;
    if (!op) throw codec.unknownOperation(opName, model);
    const input = codec.parseInput(req, op, model);
    checkInput(model, route.protocol, op.name, op.input, input);
    // A catalogued service without a provider is not served: a well-formed request for one of its operations is
    // refused by name (a malformed one got the 4xx the service itself would answer, above).
    const provider = providers.loadedProvider(model.entry.id) ?? (await providers.providerFor(model.entry.id));
    if (!provider) return refuse(deps.log, await refusalForUnserved(req, route, model, opName), requestId);
    const fn = provider[lowerCamel(op.name)];
    if (!fn) throw notImplemented(model.entry.id, op.name);
    if (deps.authorizer) {
      enforcementChecks()!.authorizeOperation(deps.authorizer, deps, identity, {
        protocol: route.protocol, serviceId: model.entry.id, operation: op.name, input, sourceIp: received.sourceIp,
      });
    }
    const changes: [ChangeKind, string][] = [];
    const ctx: RequestContext = {
      ...identity, requestId, db: deps.db, sql: deps.sql, clock: deps.clock, log: deps.log, registry: deps.registry,
      metricsPeriod: deps.config.metricsPeriod,
      host: req.headers.host, changes: deps.changes, invoke: deps.invoke,
      changed: (kind, key) => changes.push([kind, key]),
    };
    let output = inTransaction(deps.db, () => fn(ctx, input));
    for (const [kind, key] of changes.splice(0)) deps.changes.publish(kind, key);
    if (output instanceof Later) {
      output = await output.run();
      for (const [kind, key] of changes.splice(0)) deps.changes.publish(kind, key);
    }
    const res = codec.serializeOutput(output, op, model, { requestId });
    if (deps.log.enabled('debug')) {
      // ms: Berth's own time on the request (routing to serialized answer), beside what a client measures.
      deps.log.debug('request', { requestId, service: model.entry.id, operation: op.name, status: res.status, ms: Math.round((performance.now() - started) * 1000) / 1000 });
    }
    return res;
  } catch (err) {
    return renderError(deps.log, codec, model, requestId, opName, err);
  }
}

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function signedInput(req: WireRequest, protocol: ProtocolName): SignedInput {
  // Requests made inside Berth (not from the listener) carry no raw query: their parsed one, re-encoded, is it.
  const q = req.rawQuery ?? [...req.query].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return {
    request: { method: req.method, rawPath: req.rawPath, rawQuery: q, headers: req.headers, bodyHash: () => sha256Hex(req.body), s3: false },
    query: req.query,
    protocol,
  };
}

function checkInput(model: ServiceModel, protocol: string, opName: string, shape: Parameters<typeof validateInput>[0], input: Record<string, unknown>) {
  const violations = validateInput(shape, input, model.entry.id, opName);
  if (!violations.length) return;
  // JSON frontends reject a wrongly typed value while deserializing, before validation.
  const isJson = protocol.startsWith('awsJson') || protocol === 'restJson1';
  const typeError = violations.find((v) => v.kind === 'type');
  if (isJson && typeError) throw serializationError(typeError.message);
  throw inputError(model.entry.id, opName, model.entry.validationError, violations);
}

function renderError(log: Logger, codec: Codec, model: ServiceModel, requestId: string, op: string | undefined, err: unknown): WireResponse {
  let aws: AwsError;
  if (err instanceof AwsError) {
    aws = err;
    if (log.enabled('debug')) log.debug('request failed', { requestId, service: model.entry.id, operation: op, code: err.code });
  } else {
    log.error('unexpected exception', { requestId, service: model.entry.id, operation: op, error: (err as Error)?.stack ?? String(err) });
    aws = internalFailure(requestId);
  }
  try {
    return codec.serializeError(aws, model, { requestId });
  } catch (e) {
    log.error('error serializer failed', { requestId, error: (e as Error)?.stack ?? String(e) });
    return { status: 500, headers: { 'content-type': 'text/plain', 'x-amzn-requestid': requestId }, body: 'InternalFailure' };
  }
}
