/**
 * Amazon-owned machine images: the Amazon Linux and ECS-optimized AMIs that
 * SSM's public parameters (`/aws/service/ami-amazon-linux-latest/*`,
 * `/aws/service/ecs/optimized-ami/*`) name, and a read-only DescribeImages
 * over them. Berth runs no instances; these exist so that CDK's
 * `EcsOptimizedImage`, Terraform's `data "aws_ami"` / `data "aws_ssm_parameter"`
 * and launch templates find the ids they look up.
 *
 * Ids are deterministic per region: `ami-0` + the first 16 hex digits of
 * sha256(`<region>/<image name>`), so a given region always reports the same
 * id for the same image (as AWS does for one release) and regions differ.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html
 */
import { createHash } from 'node:crypto';
import type { DescribeImagesRequest, DescribeImagesResult, Image } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { compileFilters, bool, type FilterFields } from './filters.js';
import { paginate } from './pagination.js';
import type { Scope } from './store.js';

/** The account that publishes Amazon Linux AMIs (owner alias `amazon`). */
export const AMAZON_LINUX_OWNER = '137112412989';
/** The account that publishes the ECS-optimized AMIs (owner alias `amazon`). */
export const ECS_AMI_OWNER = '591542846629';

const CREATED = '2025-01-10T00:00:00.000Z';
const DEPRECATES = '2027-01-10T00:00:00.000Z';

export type ImageArchitecture = 'x86_64' | 'arm64';

/** One Amazon image as Berth knows it, before its per-region id is made. */
export interface AmazonImage {
  /** Short key the SSM catalogue refers to. */
  key: string;
  name: string;
  description: string;
  architecture: ImageArchitecture;
  owner: string;
  volumeSize: number;
  volumeType: 'gp2' | 'gp3' | 'standard';
  /** AL2023 images boot UEFI-preferred and require IMDSv2. */
  al2023: boolean;
}

const AL2023_VERSION = '2023.6.20250107.0';
const AL2_VERSION = '2.0.20250108.0';
const ECS_AL2023_VERSION = '2023.0.20250110';
const ECS_AL2_VERSION = '2.0.20250110';

const al2023 = (minimal: boolean, arch: ImageArchitecture): AmazonImage => ({
  key: `al2023${minimal ? '-minimal' : ''}-${arch}`,
  name: `al2023-ami-${minimal ? 'minimal-' : ''}${AL2023_VERSION}-kernel-6.1-${arch}`,
  description: `Amazon Linux 2023 AMI ${AL2023_VERSION} ${arch} ${minimal ? 'Minimal ' : ''}HVM kernel-6.1`,
  architecture: arch,
  owner: AMAZON_LINUX_OWNER,
  volumeSize: minimal ? 2 : 8,
  volumeType: 'gp3',
  al2023: true,
});

const amzn2 = (kernel: '4.14' | '5.10', arch: ImageArchitecture, volumeType: 'gp2' | 'standard'): AmazonImage => {
  const infix = kernel === '5.10' ? 'kernel-5.10-' : '';
  const suffix = volumeType === 'gp2' ? 'gp2' : 'ebs';
  return {
    key: `amzn2-${infix}${arch}-${suffix}`,
    name: `amzn2-ami-${infix}hvm-${AL2_VERSION}-${arch}-${suffix}`,
    description: `Amazon Linux 2 ${kernel === '5.10' ? 'Kernel 5.10 ' : ''}AMI ${AL2_VERSION} ${arch} HVM ${suffix}`,
    architecture: arch,
    owner: AMAZON_LINUX_OWNER,
    volumeSize: 8,
    volumeType,
    al2023: false,
  };
};

const ecs = (os: 'al2023' | 'amzn2', variant: 'x86_64' | 'arm64' | 'gpu'): AmazonImage => {
  const arch: ImageArchitecture = variant === 'arm64' ? 'arm64' : 'x86_64';
  if (os === 'al2023') {
    return {
      key: `ecs-al2023-${variant}`,
      name: `al2023-ami-ecs-${variant === 'gpu' ? 'gpu-' : ''}hvm-${ECS_AL2023_VERSION}-kernel-6.1-${arch}`,
      description: `Amazon Linux AMI ${ECS_AL2023_VERSION} ${arch} ECS HVM EBS`,
      architecture: arch,
      owner: ECS_AMI_OWNER,
      volumeSize: 30,
      volumeType: 'gp3',
      al2023: true,
    };
  }
  return {
    key: `ecs-amzn2-${variant}`,
    name: `amzn2-ami-ecs-${variant === 'gpu' ? 'gpu-' : ''}hvm-${ECS_AL2_VERSION}-${arch}-ebs`,
    description: `Amazon Linux AMI ${ECS_AL2_VERSION} ${arch} ECS HVM GP2`,
    architecture: arch,
    owner: ECS_AMI_OWNER,
    volumeSize: 30,
    volumeType: 'gp2',
    al2023: false,
  };
};

/** Every Amazon image Berth knows, the same in every region (only the ids differ). */
export const AMAZON_IMAGES: readonly AmazonImage[] = [
  al2023(false, 'x86_64'), al2023(false, 'arm64'), al2023(true, 'x86_64'), al2023(true, 'arm64'),
  amzn2('4.14', 'x86_64', 'gp2'), amzn2('4.14', 'arm64', 'gp2'), amzn2('4.14', 'x86_64', 'standard'),
  amzn2('5.10', 'x86_64', 'gp2'), amzn2('5.10', 'arm64', 'gp2'),
  ecs('al2023', 'x86_64'), ecs('al2023', 'arm64'), ecs('al2023', 'gpu'),
  ecs('amzn2', 'x86_64'), ecs('amzn2', 'arm64'), ecs('amzn2', 'gpu'),
];

/** The versions the catalogue's images were built from (SSM's ECS metadata reports them). */
export const IMAGE_VERSIONS = { al2023: AL2023_VERSION, amzn2: AL2_VERSION, ecsAl2023: ECS_AL2023_VERSION, ecsAmzn2: ECS_AL2_VERSION };

const hex16 = (region: string, name: string, salt = '') =>
  createHash('sha256').update(`${region}/${name}${salt}`).digest('hex').slice(0, 16);

/** `ami-0…`: the id `image` has in `region`. */
export const amazonImageId = (region: string, image: AmazonImage) => `ami-0${hex16(region, image.name)}`;

/** The image with `key` (see AMAZON_IMAGES) and its id in `region`. */
export function amazonImage(region: string, key: string): { image: AmazonImage; id: string } {
  const image = AMAZON_IMAGES.find((i) => i.key === key);
  if (!image) throw new Error(`no Amazon image ${key}`);
  return { image, id: amazonImageId(region, image) };
}

function imageDoc(region: string, i: AmazonImage): Image {
  return {
    ImageId: amazonImageId(region, i),
    ImageLocation: `amazon/${i.name}`,
    State: 'available',
    OwnerId: i.owner,
    CreationDate: CREATED,
    Public: true,
    Architecture: i.architecture,
    ImageType: 'machine',
    ImageOwnerAlias: 'amazon',
    Name: i.name,
    Description: i.description,
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EnaSupport: true,
    SriovNetSupport: 'simple',
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    BlockDeviceMappings: [{
      DeviceName: '/dev/xvda',
      Ebs: {
        DeleteOnTermination: true,
        SnapshotId: `snap-0${hex16(region, i.name, '#snapshot')}`,
        VolumeSize: i.volumeSize,
        VolumeType: i.volumeType,
        Encrypted: false,
        ...(i.volumeType === 'gp3' ? { Iops: 3000, Throughput: 125 } : {}),
      },
    }],
    DeprecationTime: DEPRECATES,
    ...(i.al2023 ? { BootMode: 'uefi-preferred', ImdsSupport: 'v2.0' } : {}),
  };
}

const IMAGE_FIELDS: FilterFields<Image> = {
  'architecture': (i) => i.Architecture,
  'block-device-mapping.device-name': (i) => i.BlockDeviceMappings?.map((b) => b.DeviceName),
  'block-device-mapping.snapshot-id': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.SnapshotId),
  'block-device-mapping.volume-size': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeSize),
  'block-device-mapping.volume-type': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeType),
  'block-device-mapping.encrypted': (i) => i.BlockDeviceMappings?.map((b) => bool(b.Ebs?.Encrypted)),
  'creation-date': (i) => i.CreationDate,
  'description': (i) => i.Description,
  'ena-support': (i) => bool(i.EnaSupport),
  'hypervisor': (i) => i.Hypervisor,
  'image-id': (i) => i.ImageId,
  'image-type': (i) => i.ImageType,
  'is-public': (i) => bool(i.Public),
  'manifest-location': (i) => i.ImageLocation,
  'name': (i) => i.Name,
  'owner-alias': (i) => i.ImageOwnerAlias,
  'owner-id': (i) => i.OwnerId,
  'platform-details': (i) => i.PlatformDetails,
  'root-device-name': (i) => i.RootDeviceName,
  'root-device-type': (i) => i.RootDeviceType,
  'state': (i) => i.State,
  'sriov-net-support': (i) => i.SriovNetSupport,
  'usage-operation': (i) => i.UsageOperation,
  'virtualization-type': (i) => i.VirtualizationType,
};

const malformedAmi = (id: string) => new AwsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
const amiNotFound = (ids: string[]) => new AwsError('InvalidAMIID.NotFound', `The image id '[${ids.join(', ')}]' does not exist`);

/**
 * DescribeImages over the Amazon images: `ImageIds` (each must exist),
 * `Owners` (`amazon`, an owner account id, `self` — none are the caller's),
 * `Filters` and pagination. `ExecutableUsers` is accepted (all are public).
 */
export function describeImages(s: Scope, input: DescribeImagesRequest): DescribeImagesResult {
  const ids = input.ImageIds ?? [];
  for (const id of ids) if (!/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw malformedAmi(id);
  let images = AMAZON_IMAGES.map((i, seq) => ({ seq, view: imageDoc(s.region, i) }));
  if (ids.length) {
    const missing = [...new Set(ids)].filter((id) => !images.some((i) => i.view.ImageId === id));
    if (missing.length) throw amiNotFound(missing);
    images = images.filter((i) => ids.includes(i.view.ImageId!));
  }
  const owners = input.Owners ?? [];
  if (owners.length) {
    images = images.filter((i) => owners.some((o) => o === i.view.OwnerId || o === i.view.ImageOwnerAlias || (o === 'self' && i.view.OwnerId === s.account)));
  }
  const match = compileFilters(input.Filters, IMAGE_FIELDS, (i) => i.Tags);
  const matched = images.filter((i) => match(i.view));
  if (input.MaxResults === undefined && input.NextToken === undefined) return { Images: matched.map((i) => i.view) };
  const { page, NextToken } = paginate(matched, (i) => i.seq, input);
  return { Images: page.map((i) => i.view), ...(NextToken ? { NextToken } : {}) };
}

/** The Amazon image with this id in `region` (its catalogue entry and its DescribeImages view). */
export function findAmazonImage(region: string, id: string): { image: AmazonImage; view: Image } | undefined {
  const image = AMAZON_IMAGES.find((i) => amazonImageId(region, i) === id);
  return image ? { image, view: imageDoc(region, image) } : undefined;
}

/** Whether an image is ECS-optimized (its instances run the ECS agent). */
export const isEcsOptimized = (image: AmazonImage) => image.owner === ECS_AMI_OWNER;

export { malformedAmi, amiNotFound };
