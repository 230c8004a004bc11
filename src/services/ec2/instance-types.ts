/**
 * The instance types Berth knows: the common general-purpose, compute- and
 * memory-optimized families, sizes nano to 4xlarge, with the vCPUs, memory
 * and network limits AWS publishes for them (Amazon EC2 instance types
 * specifications), and DescribeInstanceTypes over them. An ECS instance
 * registers vCPU × 1024 CPU units and the memory its kernel reports
 * (`ecsMemoryMiB`).
 * https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 */
import type { DescribeInstanceTypesRequest, DescribeInstanceTypesResult, InstanceTypeInfo, _InstanceType } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { bool, compileFilters, type FilterFields } from './filters.js';
import { paginate } from './pagination.js';
import type { Scope } from './store.js';

export interface InstanceTypeSpec {
  name: string;
  vcpus: number;
  /** Physical cores (vcpus / threads per core). */
  cores: number;
  memoryMiB: number;
  arch: 'x86_64' | 'arm64';
  hypervisor: 'nitro' | 'xen';
  burstable: boolean;
  network: string;
  maxEnis: number;
  ipsPerEni: number;
  clockGhz: number;
}

/** ENIs and IPv4 addresses per ENI by size (the same for each family here but t2/t3/t4g's small sizes). */
const ENI_LIMITS: Record<string, [number, number]> = {
  large: [3, 10], xlarge: [4, 15], '2xlarge': [4, 15], '4xlarge': [8, 30],
};
const BURSTABLE_ENIS: Record<string, [number, number]> = {
  nano: [2, 2], micro: [2, 2], small: [3, 4], medium: [3, 6], large: [3, 12], xlarge: [4, 15], '2xlarge': [4, 15],
};
const BURSTABLE_SIZES: [string, number, number][] = [
  // size, vCPUs (t3/t4g: 2 at every size up to large), MiB
  ['nano', 2, 512], ['micro', 2, 1024], ['small', 2, 2048], ['medium', 2, 4096], ['large', 2, 8192], ['xlarge', 4, 16384], ['2xlarge', 8, 32768],
];
const SIZES: [string, number][] = [['large', 2], ['xlarge', 4], ['2xlarge', 8], ['4xlarge', 16]];

function burstable(family: string, arch: 'x86_64' | 'arm64', clockGhz: number): InstanceTypeSpec[] {
  return BURSTABLE_SIZES.map(([size, vcpus, memoryMiB]) => ({
    name: `${family}.${size}`, vcpus, cores: arch === 'arm64' ? vcpus : vcpus / 2, memoryMiB, arch, hypervisor: 'nitro' as const, burstable: true,
    network: 'Up to 5 Gigabit', maxEnis: BURSTABLE_ENIS[size][0], ipsPerEni: BURSTABLE_ENIS[size][1], clockGhz,
  }));
}

/** A fixed-performance family: `mibPerVcpu` is 4096 for general purpose (m), 2048 for compute (c), 8192 for memory (r). */
function family(name: string, mibPerVcpu: number, arch: 'x86_64' | 'arm64', network: string, clockGhz: number): InstanceTypeSpec[] {
  return SIZES.map(([size, vcpus]) => ({
    name: `${name}.${size}`, vcpus, cores: arch === 'arm64' ? vcpus : vcpus / 2, memoryMiB: vcpus * mibPerVcpu, arch, hypervisor: 'nitro' as const,
    burstable: false, network, maxEnis: ENI_LIMITS[size][0], ipsPerEni: ENI_LIMITS[size][1], clockGhz,
  }));
}

/** t2 (Xen, one thread per core): 1 vCPU up to small, then 2, 4, 8. */
const T2: InstanceTypeSpec[] = ([
  ['nano', 1, 512, 2, 2], ['micro', 1, 1024, 2, 2], ['small', 1, 2048, 3, 4], ['medium', 2, 4096, 3, 6], ['large', 2, 8192, 3, 12],
  ['xlarge', 4, 16384, 3, 15], ['2xlarge', 8, 32768, 3, 15],
] as const).map(([size, vcpus, memoryMiB, maxEnis, ipsPerEni]) => ({
  name: `t2.${size}`, vcpus, cores: vcpus, memoryMiB, arch: 'x86_64' as const, hypervisor: 'xen' as const, burstable: true,
  network: size === 'xlarge' || size === '2xlarge' ? 'Moderate' : 'Low to Moderate', maxEnis, ipsPerEni, clockGhz: 2.3,
}));

/** m1.small: RunInstances' default type when neither the request nor a launch template names one (previous generation). */
const M1_SMALL: InstanceTypeSpec = {
  name: 'm1.small', vcpus: 1, cores: 1, memoryMiB: 1740, arch: 'x86_64', hypervisor: 'xen', burstable: false, network: 'Low', maxEnis: 2, ipsPerEni: 4, clockGhz: 2.0,
};

export const INSTANCE_TYPES: readonly InstanceTypeSpec[] = [
  M1_SMALL, ...T2,
  ...burstable('t3', 'x86_64', 2.5), ...burstable('t3a', 'x86_64', 2.2), ...burstable('t4g', 'arm64', 2.5),
  ...family('m5', 4096, 'x86_64', 'Up to 10 Gigabit', 3.1), ...family('m6i', 4096, 'x86_64', 'Up to 12.5 Gigabit', 3.5),
  ...family('m6g', 4096, 'arm64', 'Up to 10 Gigabit', 2.5), ...family('m7g', 4096, 'arm64', 'Up to 12.5 Gigabit', 2.6),
  ...family('m7i', 4096, 'x86_64', 'Up to 12.5 Gigabit', 3.2),
  ...family('c5', 2048, 'x86_64', 'Up to 10 Gigabit', 3.4), ...family('c6i', 2048, 'x86_64', 'Up to 12.5 Gigabit', 3.5),
  ...family('c6g', 2048, 'arm64', 'Up to 10 Gigabit', 2.5), ...family('c7g', 2048, 'arm64', 'Up to 12.5 Gigabit', 2.6),
  ...family('r5', 8192, 'x86_64', 'Up to 10 Gigabit', 3.1), ...family('r6i', 8192, 'x86_64', 'Up to 12.5 Gigabit', 3.5),
  ...family('r6g', 8192, 'arm64', 'Up to 10 Gigabit', 2.5), ...family('r7g', 8192, 'arm64', 'Up to 12.5 Gigabit', 2.6),
];

const BY_NAME = new Map(INSTANCE_TYPES.map((t) => [t.name, t]));

export const instanceTypeSpec = (name: string | undefined): InstanceTypeSpec | undefined => (name ? BY_NAME.get(name) : undefined);

/**
 * What the ECS agent registers as MEMORY: the total the kernel reports (MemTotal), which is below the
 * installed memory by the kernel's own reservation. Interpolated from the registered memory AWS's
 * documentation and users report per size (1 GiB → 993 MiB, 2 → 2001, 4 → 3952, 8 → 7984 (m4.large:
 * "7985 MiB available for tasks"), 16 → 16048, 32 → 32176, 64 → 64417); ECS_RESERVED_MEMORY is then
 * taken off by the caller.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
 */
const REGISTERED: [number, number][] = [[1024, 993], [2048, 2001], [4096, 3952], [8192, 7984], [16384, 16048], [32768, 32176], [65536, 64417]];

export function ecsMemoryMiB(memoryMiB: number): number {
  const [firstM, firstR] = REGISTERED[0];
  if (memoryMiB <= firstM) return Math.floor((memoryMiB * firstR) / firstM);
  for (let i = 1; i < REGISTERED.length; i++) {
    const [m0, r0] = REGISTERED[i - 1];
    const [m1, r1] = REGISTERED[i];
    if (memoryMiB <= m1) return Math.floor(r0 + ((memoryMiB - m0) * (r1 - r0)) / (m1 - m0));
  }
  const [lastM, lastR] = REGISTERED[REGISTERED.length - 1];
  return Math.floor((memoryMiB * lastR) / lastM);
}

/** The ECS CPU units of a type: 1,024 per vCPU. */
export const ecsCpuUnits = (t: InstanceTypeSpec) => t.vcpus * 1024;

function info(t: InstanceTypeSpec): InstanceTypeInfo {
  return {
    InstanceType: t.name as _InstanceType,
    CurrentGeneration: !t.name.startsWith('t2.') && t.name !== 'm1.small',
    FreeTierEligible: t.name === 't2.micro' || t.name === 't3.micro',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: ['ebs'],
    SupportedVirtualizationTypes: ['hvm'],
    BareMetal: false,
    Hypervisor: t.hypervisor,
    ProcessorInfo: { SupportedArchitectures: t.arch === 'x86_64' && t.hypervisor === 'xen' ? ['i386', 'x86_64'] : [t.arch], SustainedClockSpeedInGhz: t.clockGhz },
    VCpuInfo: {
      DefaultVCpus: t.vcpus, DefaultCores: t.cores, DefaultThreadsPerCore: t.vcpus / t.cores,
      ValidCores: Array.from({ length: t.cores }, (_, i) => i + 1), ValidThreadsPerCore: t.vcpus === t.cores ? [1] : [1, 2],
    },
    MemoryInfo: { SizeInMiB: t.memoryMiB },
    InstanceStorageSupported: false,
    EbsInfo: {
      EbsOptimizedSupport: t.hypervisor === 'nitro' ? 'default' : 'unsupported',
      EncryptionSupport: 'supported',
      NvmeSupport: t.hypervisor === 'nitro' ? 'required' : 'unsupported',
    },
    NetworkInfo: {
      NetworkPerformance: t.network,
      MaximumNetworkInterfaces: t.maxEnis,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: t.network, MaximumNetworkInterfaces: t.maxEnis }],
      Ipv4AddressesPerInterface: t.ipsPerEni,
      Ipv6AddressesPerInterface: t.ipsPerEni,
      Ipv6Supported: true,
      EnaSupport: t.hypervisor === 'nitro' ? 'required' : 'unsupported',
      EfaSupported: false,
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ['partition', 'spread', ...(t.burstable ? [] : ['cluster' as const])] },
    HibernationSupported: t.arch === 'x86_64',
    BurstablePerformanceSupported: t.burstable,
    DedicatedHostsSupported: !t.burstable,
    AutoRecoverySupported: true,
    SupportedBootModes: t.arch === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi'],
    PhcSupport: 'unsupported',
  };
}

const FIELDS: FilterFields<InstanceTypeInfo> = {
  'instance-type': (i) => i.InstanceType,
  'auto-recovery-supported': (i) => bool(i.AutoRecoverySupported),
  'bare-metal': (i) => bool(i.BareMetal),
  'burstable-performance-supported': (i) => bool(i.BurstablePerformanceSupported),
  'current-generation': (i) => bool(i.CurrentGeneration),
  'dedicated-hosts-supported': (i) => bool(i.DedicatedHostsSupported),
  'free-tier-eligible': (i) => bool(i.FreeTierEligible),
  'hibernation-supported': (i) => bool(i.HibernationSupported),
  hypervisor: (i) => i.Hypervisor,
  'instance-storage-supported': (i) => bool(i.InstanceStorageSupported),
  'memory-info.size-in-mib': (i) => i.MemoryInfo?.SizeInMiB,
  'network-info.ena-support': (i) => i.NetworkInfo?.EnaSupport,
  'network-info.ipv4-addresses-per-interface': (i) => i.NetworkInfo?.Ipv4AddressesPerInterface,
  'network-info.ipv6-supported': (i) => bool(i.NetworkInfo?.Ipv6Supported),
  'network-info.maximum-network-interfaces': (i) => i.NetworkInfo?.MaximumNetworkInterfaces,
  'network-info.network-performance': (i) => i.NetworkInfo?.NetworkPerformance,
  'processor-info.supported-architecture': (i) => i.ProcessorInfo?.SupportedArchitectures,
  'processor-info.sustained-clock-speed-in-ghz': (i) => i.ProcessorInfo?.SustainedClockSpeedInGhz,
  'supported-boot-mode': (i) => i.SupportedBootModes,
  'supported-root-device-type': (i) => i.SupportedRootDeviceTypes,
  'supported-usage-class': (i) => i.SupportedUsageClasses,
  'supported-virtualization-type': (i) => i.SupportedVirtualizationTypes,
  'vcpu-info.default-cores': (i) => i.VCpuInfo?.DefaultCores,
  'vcpu-info.default-threads-per-core': (i) => i.VCpuInfo?.DefaultThreadsPerCore,
  'vcpu-info.default-vcpus': (i) => i.VCpuInfo?.DefaultVCpus,
};

/** DescribeInstanceTypes: `InstanceTypes` (each must be known), `Filters`, `MaxResults` 5–100. */
export function describeInstanceTypes(_s: Scope, input: DescribeInstanceTypesRequest): DescribeInstanceTypesResult {
  const names = input.InstanceTypes ?? [];
  const unknown = names.filter((n) => !BY_NAME.has(n));
  if (unknown.length) throw new AwsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
  const wanted = names.length ? new Set<string>(names) : undefined;
  const match = compileFilters(input.Filters, FIELDS);
  const items = INSTANCE_TYPES.map((t, seq) => ({ seq: seq + 1, view: info(t) })).filter((i) => (!wanted || wanted.has(i.view.InstanceType!)) && match(i.view));
  const { page, NextToken } = paginate(items, (i) => i.seq, input, { min: 5, max: 100 });
  return { InstanceTypes: page.map((i) => i.view), ...(NextToken ? { NextToken } : {}) };
}
