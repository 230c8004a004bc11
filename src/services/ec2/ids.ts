/**
 * EC2 resource ids: `<prefix>-0` + 16 hex digits (the 17-character form every
 * resource created since 2018 has), and the resource kind an id names.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 */
import { randomHex } from '../../shared/ids.js';

/** The EC2 resource types Berth stores, named as DescribeTags' resource-type names them. */
export type ResourceKind =
  | 'vpc'
  | 'subnet'
  | 'security-group'
  | 'security-group-rule'
  | 'network-interface'
  | 'internet-gateway'
  | 'route-table'
  | 'network-acl'
  | 'dhcp-options'
  | 'instance'
  | 'launch-template'
  /** One version of a launch template (stored under its template; id `<template id>#<version>`, never on the wire). */
  | 'launch-template-version'
  /** An Elastic IP address, by its allocation id (DescribeTags names the type `elastic-ip`). */
  | 'elastic-ip'
  | 'natgateway';

export const PREFIX: Record<ResourceKind, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  'security-group': 'sg',
  'security-group-rule': 'sgr',
  'network-interface': 'eni',
  'internet-gateway': 'igw',
  'route-table': 'rtb',
  'network-acl': 'acl',
  'dhcp-options': 'dopt',
  instance: 'i',
  'launch-template': 'lt',
  'launch-template-version': 'ltv',
  'elastic-ip': 'eipalloc',
  natgateway: 'nat',
};

const KIND_BY_PREFIX = new Map(Object.entries(PREFIX).map(([k, p]) => [p, k as ResourceKind]));

/** A new id with `prefix` (also for non-resources: rtbassoc, aclassoc, vpc-cidr-assoc, eni-attach). */
export function newId(prefix: string): string {
  return `${prefix}-0${randomHex(8)}`;
}

export const newResourceId = (kind: ResourceKind) => newId(PREFIX[kind]);

/** The kind an id's prefix names, if Berth stores that kind. */
export function kindOfId(id: string): ResourceKind | undefined {
  const dash = id.lastIndexOf('-');
  if (dash <= 0) return undefined;
  return KIND_BY_PREFIX.get(id.slice(0, dash));
}

/** EC2 accepts the old 8-digit and the current 17-digit forms. */
export function isWellFormed(id: string, kind: ResourceKind): boolean {
  const p = PREFIX[kind];
  if (!id.startsWith(`${p}-`)) return false;
  return /^(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id.slice(p.length + 1));
}
