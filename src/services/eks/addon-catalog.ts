/**
 * The EKS add-ons Berth offers and their versions (DescribeAddonVersions, DescribeAddonConfiguration): the six
 * AWS add-ons the builtin API's clusters use. Each version lists the Kubernetes versions it is compatible with and
 * whether it is the default there; kube-proxy is built per Kubernetes minor, as EKS builds it.
 * https://docs.aws.amazon.com/eks/latest/userguide/workloads-add-ons-available-eks.html
 */
import { VERSIONS } from './versions.js';

export interface AddonSpec {
  name: string;
  type: string;
  defaultNamespace: string;
  /** Newest first; the first compatible one is a Kubernetes version's default. */
  versions: { version: string; clusterVersions: string[] }[];
  requiresIamPermissions: boolean;
  /** Service accounts EKS Pod Identity can serve, with the managed policies their role wants. */
  podIdentity: { serviceAccount: string; recommendedManagedPolicies: string[] }[];
  /** The top-level keys of `configurationValues` the add-on's schema has (each a free-form value here). */
  configurationKeys: string[];
}

const ALL = VERSIONS.map((v) => v.version);

export const ADDONS: readonly AddonSpec[] = [
  {
    name: 'vpc-cni', type: 'networking', defaultNamespace: 'kube-system', requiresIamPermissions: true,
    versions: [{ version: 'v1.19.2-eksbuild.1', clusterVersions: ALL }, { version: 'v1.18.6-eksbuild.1', clusterVersions: ALL }],
    podIdentity: [{ serviceAccount: 'aws-node', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] }],
    configurationKeys: ['env', 'init', 'nodeAgent', 'resources', 'tolerations', 'enableNetworkPolicy'],
  },
  {
    name: 'coredns', type: 'networking', defaultNamespace: 'kube-system', requiresIamPermissions: false,
    versions: [{ version: 'v1.11.4-eksbuild.2', clusterVersions: ['1.33', '1.32', '1.31'] }, { version: 'v1.11.3-eksbuild.1', clusterVersions: ALL }],
    podIdentity: [], configurationKeys: ['replicaCount', 'resources', 'tolerations', 'nodeSelector', 'corefile', 'autoScaling'],
  },
  {
    name: 'kube-proxy', type: 'networking', defaultNamespace: 'kube-system', requiresIamPermissions: false,
    versions: VERSIONS.map((v) => ({ version: `v${v.gitVersion.replace(/^v/, '').replace(/-.*$/, '')}-eksbuild.2`, clusterVersions: [v.version] })),
    podIdentity: [], configurationKeys: ['mode', 'ipvs', 'resources'],
  },
  {
    name: 'aws-ebs-csi-driver', type: 'storage', defaultNamespace: 'kube-system', requiresIamPermissions: true,
    versions: [{ version: 'v1.38.1-eksbuild.1', clusterVersions: ALL }, { version: 'v1.37.0-eksbuild.1', clusterVersions: ALL }],
    podIdentity: [{ serviceAccount: 'ebs-csi-controller-sa', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'] }],
    configurationKeys: ['controller', 'node', 'sidecars', 'defaultStorageClass'],
  },
  {
    name: 'aws-efs-csi-driver', type: 'storage', defaultNamespace: 'kube-system', requiresIamPermissions: true,
    versions: [{ version: 'v2.1.4-eksbuild.1', clusterVersions: ALL }, { version: 'v2.0.7-eksbuild.1', clusterVersions: ALL }],
    podIdentity: [{ serviceAccount: 'efs-csi-controller-sa', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy'] }],
    configurationKeys: ['controller', 'node'],
  },
  {
    name: 'eks-pod-identity-agent', type: 'security', defaultNamespace: 'kube-system', requiresIamPermissions: false,
    versions: [{ version: 'v1.3.4-eksbuild.1', clusterVersions: ALL }, { version: 'v1.3.2-eksbuild.2', clusterVersions: ALL }],
    podIdentity: [], configurationKeys: ['agent', 'resources', 'tolerations'],
  },
];

export const addonSpec = (name: string) => ADDONS.find((a) => a.name === name);

/** The add-on's default version for a Kubernetes version (undefined: none is compatible). */
export const defaultAddonVersion = (a: AddonSpec, clusterVersion: string) => a.versions.find((v) => v.clusterVersions.includes(clusterVersion))?.version;

/** The JSON schema DescribeAddonConfiguration answers: an object of the add-on's keys. */
export function configurationSchema(a: AddonSpec): string {
  return JSON.stringify({
    $ref: '#/definitions/Config', $schema: 'http://json-schema.org/draft-06/schema#',
    definitions: { Config: { additionalProperties: false, properties: Object.fromEntries(a.configurationKeys.map((k) => [k, {}])), title: 'Config', type: 'object' } },
    description: `${a.name} add-on configuration`,
  });
}
