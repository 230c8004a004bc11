/**
 * EC2 networking: the operation table. Every operation first makes sure the
 * caller's default network exists in the region, and answers DryRun=true with
 * DryRunOperation (412) before changing anything, as EC2 does for a caller
 * allowed to make the request.
 */
import type { OperationFn, Provider, RequestContext } from '../provider.js';
import { ensureDefaultNetwork, createDefaultVpc, describeAccountAttributes } from './defaults.js';
import { dryRunOperation } from './errors.js';
import * as addresses from './addresses.js';
import * as igw from './internet-gateways.js';
import * as nat from './nat-gateways.js';
import * as images from './images.js';
import * as attributes from './instance-attributes.js';
import * as types from './instance-types.js';
import * as instances from './instances.js';
import * as templates from './launch-templates.js';
import { runInstances } from './run-instances.js';
import * as acls from './network-acls.js';
import * as enis from './network-interfaces.js';
import * as rts from './route-tables.js';
import * as rules from './security-group-rules.js';
import * as groups from './security-groups.js';
import * as subnets from './subnets.js';
import * as tags from './tags.js';
import * as vpcs from './vpcs.js';
import * as zones from './zones.js';

function operation<I, O>(fn: (s: RequestContext, input: I) => O): OperationFn {
  return (ctx: RequestContext, input: I & { DryRun?: boolean }) => {
    ensureDefaultNetwork(ctx.sql, ctx.account, ctx.region);
    if (input?.DryRun) throw dryRunOperation();
    return fn(ctx, input);
  };
}

const OPERATIONS = {
  describeVpcs: vpcs.describeVpcs,
  createVpc: vpcs.createVpc,
  deleteVpc: vpcs.deleteVpc,
  modifyVpcAttribute: vpcs.modifyVpcAttribute,
  describeVpcAttribute: vpcs.describeVpcAttribute,
  createDefaultVpc,

  describeSubnets: subnets.describeSubnets,
  createSubnet: subnets.createSubnet,
  deleteSubnet: subnets.deleteSubnet,
  modifySubnetAttribute: subnets.modifySubnetAttribute,

  describeSecurityGroups: groups.describeSecurityGroups,
  createSecurityGroup: groups.createSecurityGroup,
  deleteSecurityGroup: groups.deleteSecurityGroup,
  authorizeSecurityGroupIngress: rules.authorizeSecurityGroupIngress,
  authorizeSecurityGroupEgress: rules.authorizeSecurityGroupEgress,
  revokeSecurityGroupIngress: rules.revokeSecurityGroupIngress,
  revokeSecurityGroupEgress: rules.revokeSecurityGroupEgress,
  describeSecurityGroupRules: rules.describeSecurityGroupRules,
  modifySecurityGroupRules: rules.modifySecurityGroupRules,

  describeNetworkInterfaces: enis.describeNetworkInterfaces,
  createNetworkInterface: enis.createNetworkInterface,
  deleteNetworkInterface: enis.deleteNetworkInterface,

  describeInternetGateways: igw.describeInternetGateways,
  createInternetGateway: igw.createInternetGateway,
  attachInternetGateway: igw.attachInternetGateway,
  detachInternetGateway: igw.detachInternetGateway,
  deleteInternetGateway: igw.deleteInternetGateway,

  describeRouteTables: rts.describeRouteTables,
  createRouteTable: rts.createRouteTable,
  deleteRouteTable: rts.deleteRouteTable,
  createRoute: rts.createRoute,
  replaceRoute: rts.replaceRoute,
  deleteRoute: rts.deleteRoute,
  associateRouteTable: rts.associateRouteTable,
  disassociateRouteTable: rts.disassociateRouteTable,
  replaceRouteTableAssociation: rts.replaceRouteTableAssociation,

  describeNetworkAcls: acls.describeNetworkAcls,

  allocateAddress: addresses.allocateAddress,
  releaseAddress: addresses.releaseAddress,
  describeAddresses: addresses.describeAddresses,
  associateAddress: addresses.associateAddress,
  disassociateAddress: addresses.disassociateAddress,

  createNatGateway: nat.createNatGateway,
  deleteNatGateway: nat.deleteNatGateway,
  describeNatGateways: nat.describeNatGateways,

  createTags: tags.createTags,
  deleteTags: tags.deleteTags,
  describeTags: tags.describeTags,

  describeAvailabilityZones: zones.describeAvailabilityZones,
  describeRegions: zones.describeRegions,
  describeAccountAttributes,

  describeImages: images.describeImages,

  runInstances,
  describeInstances: instances.describeInstances,
  describeInstanceStatus: instances.describeInstanceStatus,
  terminateInstances: instances.terminateInstances,
  stopInstances: instances.stopInstances,
  startInstances: instances.startInstances,
  rebootInstances: instances.rebootInstances,
  modifyInstanceAttribute: attributes.modifyInstanceAttribute,
  describeInstanceAttribute: attributes.describeInstanceAttribute,
  describeInstanceTypes: types.describeInstanceTypes,

  createLaunchTemplate: templates.createLaunchTemplate,
  createLaunchTemplateVersion: templates.createLaunchTemplateVersion,
  describeLaunchTemplates: templates.describeLaunchTemplates,
  describeLaunchTemplateVersions: templates.describeLaunchTemplateVersions,
  modifyLaunchTemplate: templates.modifyLaunchTemplate,
  deleteLaunchTemplate: templates.deleteLaunchTemplate,
  deleteLaunchTemplateVersions: templates.deleteLaunchTemplateVersions,
};

export const provider: Provider = Object.fromEntries(
  Object.entries(OPERATIONS).map(([name, fn]) => [name, operation(fn as (s: RequestContext, input: unknown) => unknown)]),
);
