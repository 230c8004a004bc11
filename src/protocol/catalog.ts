/**
 * The AWS services Berth speaks, with just enough to route a request before the
 * service's model is loaded. Everything else (operations, shapes, protocol
 * settings) comes from the service's `@aws-sdk/client-*` package, lazily.
 * Each entry is declared by its service's descriptor (`services/<svc>/descriptor.ts`).
 * `catalog.test.ts` checks these entries against the clients themselves.
 */
import { DESCRIPTORS, type ServiceDescriptor } from '../services/index.js';

export type ProtocolName = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2Query' | 'restJson1' | 'restXml' | 'rpcV2Cbor';

export interface ServiceEntry {
  /** Berth's folder name under services/ (the SDK service id in kebab-case). */
  id: string;
  /** Package whose static schemas are the model of this service. */
  sdkPackage: string;
  /** Client class exported by the package (read once for protocol settings). */
  clientName: string;
  protocol: ProtocolName;
  /** Its model's API version (query requests name it in `Version`). */
  apiVersion: string;
  /** SigV4 credential-scope service names that route here. */
  signingNames: string[];
  /** X-Amz-Target prefix (json protocols). */
  targetPrefix?: string;
  /** The error code this service answers for a request that fails model validation. */
  validationError: string;
  /**
   * Query clients may post to a resource's URL instead of naming it (SQS: to the queue URL, without `QueueUrl`):
   * the input member that URL fills when the form leaves it out.
   */
  queryUrlMember?: string;
}

/** The catalogue of a list of descriptors, indexed the three ways requests name a service. */
export interface Catalog {
  services: readonly ServiceEntry[];
  byId: ReadonlyMap<string, ServiceEntry>;
  byTarget: ReadonlyMap<string, ServiceEntry>;
  bySigningName: ReadonlyMap<string, ServiceEntry>;
}

export function catalogOf(descriptors: readonly Pick<ServiceDescriptor, 'id' | 'catalog'>[]): Catalog {
  const services = descriptors.map((d): ServiceEntry => ({ id: d.id, ...d.catalog }));
  const byTarget = new Map<string, ServiceEntry>();
  const bySigningName = new Map<string, ServiceEntry>();
  for (const s of services) {
    const clash = (s.targetPrefix && byTarget.get(s.targetPrefix)) || s.signingNames.map((n) => bySigningName.get(n)).find(Boolean);
    if (clash) throw new Error(`services ${clash.id} and ${s.id} claim the same X-Amz-Target prefix or signing name`);
    if (s.targetPrefix) byTarget.set(s.targetPrefix, s);
    for (const n of s.signingNames) bySigningName.set(n, s);
  }
  return { services, byId: new Map(services.map((s) => [s.id, s])), byTarget, bySigningName };
}

/** Berth's catalogue: every service's descriptor (services/index.ts). */
export const CATALOG = catalogOf(DESCRIPTORS);
export const SERVICES = CATALOG.services;
export const BY_ID = CATALOG.byId;
export const BY_TARGET = CATALOG.byTarget;
export const BY_SIGNING_NAME = CATALOG.bySigningName;
