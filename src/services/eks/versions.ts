/**
 * The Kubernetes versions Berth's EKS offers, with each one's EKS platform version and the
 * patch release its API server reports. CreateCluster without a version gets DEFAULT_VERSION,
 * as EKS gives its default version (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html);
 * Berth's default is the minor of the kubectl these machines carry (1.32), so client and server match.
 */
export interface KubernetesVersion {
  version: string;
  platformVersion: string;
  /** The `gitVersion` /version answers (EKS: v1.32.9-eks-<commit>). */
  gitVersion: string;
  /** Standard support ends (ISO date): past it a cluster is in extended support. */
  endOfStandardSupport: string;
  releaseDate: string;
}

export const VERSIONS: readonly KubernetesVersion[] = [
  { version: '1.33', platformVersion: 'eks.10', gitVersion: 'v1.33.5-eks-berth', releaseDate: '2025-05-29', endOfStandardSupport: '2026-07-29' },
  { version: '1.32', platformVersion: 'eks.16', gitVersion: 'v1.32.9-eks-berth', releaseDate: '2025-01-23', endOfStandardSupport: '2026-03-23' },
  { version: '1.31', platformVersion: 'eks.37', gitVersion: 'v1.31.13-eks-berth', releaseDate: '2024-09-26', endOfStandardSupport: '2025-11-26' },
  { version: '1.30', platformVersion: 'eks.44', gitVersion: 'v1.30.14-eks-berth', releaseDate: '2024-05-23', endOfStandardSupport: '2025-07-23' },
];

export const DEFAULT_VERSION = '1.32';

export const versionInfo = (version: string) => VERSIONS.find((v) => v.version === version);
