/**
 * Public parameters: the read-only `/aws/service/…` parameters AWS publishes in
 * every region and account. Berth serves the ones container tooling looks up:
 *
 * - `/aws/service/ecs/optimized-ami/<os>[/<variant>]/recommended` — a JSON
 *   string describing the ECS-optimized AMI, and each of its fields as a
 *   sub-parameter (`…/recommended/image_id`, `…/image_name`, …);
 * - `/aws/service/ami-amazon-linux-latest/<image>` — the id of the latest
 *   Amazon Linux AMI;
 * - `/aws/service/global-infrastructure/regions/<region>` (value: the region)
 *   and its `longName`, `partition` and `domain`.
 *
 * The AMI ids are those of EC2's Amazon images in the request's region
 * (services/ec2/images.ts), so DescribeImages knows every id these name.
 * ARNs carry no account: `arn:aws:ssm:<region>::parameter/aws/service/…`.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html
 */
import { amazonImage, IMAGE_VERSIONS } from '../ec2/index.js';
import { arn } from '../../shared/arns.js';
import type { StoredVersion } from './store.js';

/** Public parameters live under this path; nobody may create, change or delete one. */
export const PUBLIC_PREFIX = '/aws/';

/** When Berth's catalogue was last "published" (LastModifiedDate of every public parameter). */
const PUBLISHED = Date.parse('2025-01-10T00:00:00.000Z');
const ECS_AGENT_VERSION = '1.89.2';
const DOCKER_VERSION = 'Docker version 25.0.6';

/** ECS-optimized variants: parameter path (under optimized-ami/) → image key and OS name. */
const ECS_VARIANTS: Record<string, { key: string; os: string; al2023: boolean; source?: string }> = {
  'amazon-linux-2023': { key: 'ecs-al2023-x86_64', os: 'Amazon Linux 2023', al2023: true, source: 'al2023-minimal-x86_64' },
  'amazon-linux-2023/arm64': { key: 'ecs-al2023-arm64', os: 'Amazon Linux 2023', al2023: true, source: 'al2023-minimal-arm64' },
  'amazon-linux-2023/gpu': { key: 'ecs-al2023-gpu', os: 'Amazon Linux 2023', al2023: true, source: 'al2023-minimal-x86_64' },
  'amazon-linux-2': { key: 'ecs-amzn2-x86_64', os: 'Amazon Linux 2', al2023: false },
  'amazon-linux-2/arm64': { key: 'ecs-amzn2-arm64', os: 'Amazon Linux 2', al2023: false },
  'amazon-linux-2/gpu': { key: 'ecs-amzn2-gpu', os: 'Amazon Linux 2', al2023: false },
};

/** `ami-amazon-linux-latest/<name>` → image key. */
const LATEST: Record<string, string> = {
  'al2023-ami-kernel-default-x86_64': 'al2023-x86_64',
  'al2023-ami-kernel-default-arm64': 'al2023-arm64',
  'al2023-ami-kernel-6.1-x86_64': 'al2023-x86_64',
  'al2023-ami-kernel-6.1-arm64': 'al2023-arm64',
  'al2023-ami-minimal-kernel-default-x86_64': 'al2023-minimal-x86_64',
  'al2023-ami-minimal-kernel-default-arm64': 'al2023-minimal-arm64',
  'al2023-ami-minimal-kernel-6.1-x86_64': 'al2023-minimal-x86_64',
  'al2023-ami-minimal-kernel-6.1-arm64': 'al2023-minimal-arm64',
  'amzn2-ami-hvm-x86_64-gp2': 'amzn2-x86_64-gp2',
  'amzn2-ami-hvm-arm64-gp2': 'amzn2-arm64-gp2',
  'amzn2-ami-hvm-x86_64-ebs': 'amzn2-x86_64-ebs',
  'amzn2-ami-kernel-5.10-hvm-x86_64-gp2': 'amzn2-kernel-5.10-x86_64-gp2',
  'amzn2-ami-kernel-5.10-hvm-arm64-gp2': 'amzn2-kernel-5.10-arm64-gp2',
};

/** Regions and their long names, as `/aws/service/global-infrastructure/regions` lists them. */
const REGIONS: Record<string, string> = {
  'af-south-1': 'Africa (Cape Town)',
  'ap-east-1': 'Asia Pacific (Hong Kong)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-south-2': 'Asia Pacific (Hyderabad)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-southeast-3': 'Asia Pacific (Jakarta)',
  'ap-southeast-4': 'Asia Pacific (Melbourne)',
  'ap-southeast-5': 'Asia Pacific (Malaysia)',
  'ap-southeast-7': 'Asia Pacific (Thailand)',
  'ca-central-1': 'Canada (Central)',
  'ca-west-1': 'Canada West (Calgary)',
  'eu-central-1': 'Europe (Frankfurt)',
  'eu-central-2': 'Europe (Zurich)',
  'eu-north-1': 'Europe (Stockholm)',
  'eu-south-1': 'Europe (Milan)',
  'eu-south-2': 'Europe (Spain)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'il-central-1': 'Israel (Tel Aviv)',
  'me-central-1': 'Middle East (UAE)',
  'me-south-1': 'Middle East (Bahrain)',
  'mx-central-1': 'Mexico (Central)',
  'sa-east-1': 'South America (Sao Paulo)',
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
};

const publicVersion = (name: string, value: string): StoredVersion => ({
  name,
  version: 1,
  value,
  type: 'String',
  tier: 'Standard',
  dataType: 'text',
  modifiedAt: PUBLISHED,
  modifiedBy: 'arn:aws:iam::aws:root',
  labels: [],
});

/** Every public parameter of `region`, in name order (built on demand: a few dozen entries). */
export function publicParameters(region: string): StoredVersion[] {
  const out: StoredVersion[] = [];
  for (const [path, v] of Object.entries(ECS_VARIANTS)) {
    const { image, id } = amazonImage(region, v.key);
    const base = `/aws/service/ecs/optimized-ami/${path}/recommended`;
    // Field order as ECS publishes it (keys sorted); AL2023 adds image_version and source_image_name.
    const fields: Record<string, string | number> = {
      ecs_agent_version: ECS_AGENT_VERSION,
      ecs_runtime_version: DOCKER_VERSION,
      image_id: id,
      image_name: image.name,
      ...(v.al2023 ? { image_version: IMAGE_VERSIONS.ecsAl2023 } : {}),
      os: v.os,
      schema_version: 1,
      ...(v.source ? { source_image_name: amazonImage(region, v.source).image.name } : {}),
    };
    out.push(publicVersion(base, JSON.stringify(fields)));
    for (const [field, value] of Object.entries(fields)) out.push(publicVersion(`${base}/${field}`, String(value)));
  }
  for (const [name, key] of Object.entries(LATEST)) {
    out.push(publicVersion(`/aws/service/ami-amazon-linux-latest/${name}`, amazonImage(region, key).id));
  }
  const regions = { ...REGIONS, ...(REGIONS[region] ? {} : { [region]: region }) };
  for (const [r, longName] of Object.entries(regions)) {
    const base = `/aws/service/global-infrastructure/regions/${r}`;
    out.push(publicVersion(base, r));
    out.push(publicVersion(`${base}/domain`, 'amazonaws.com'));
    out.push(publicVersion(`${base}/longName`, longName));
    out.push(publicVersion(`${base}/partition`, 'aws'));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether `name` is in the reserved public namespace (`/aws/…`, any case). */
export const isPublicName = (name: string) => name.toLowerCase().startsWith(PUBLIC_PREFIX);

export function findPublicParameter(region: string, name: string): StoredVersion | undefined {
  if (!isPublicName(name)) return undefined;
  return publicParameters(region).find((p) => p.name === name);
}

/** `arn:aws:ssm:<region>::parameter/aws/service/…` (no account: AWS owns them). */
export const publicParameterArn = (region: string, name: string) => arn('ssm', region, '', `parameter/${name.slice(1)}`);
