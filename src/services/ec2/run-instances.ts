/**
 * RunInstances: one reservation of MinCount–MaxCount instances, each
 * `pending` with its primary network interface in the subnet (an address
 * drawn from it), its security groups, instance profile and user data; the
 * instance controller moves them on (src/controllers/ec2-instances.ts). A
 * launch template's data is merged under the request's own parameters, as
 * EC2 does. A repeated ClientToken answers the first call's reservation.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html
 */
import { createHash } from 'node:crypto';
import type {
  Instance, InstanceNetworkInterfaceSpecification, NetworkInterface, Reservation, ResourceType, ResponseLaunchTemplateData, RunInstancesRequest, Subnet, Tag,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { findInstanceProfile, findInstanceProfileByArn } from '../iam/store.js';
import { requireStored } from './describe.js';
import { invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.js';
import { newId, newResourceId } from './ids.js';
import { amiNotFound, findAmazonImage, isEcsOptimized, malformedAmi } from './images.js';
import { instancesWithToken, insertInstance, stateOf, type InstanceContext, type InstanceRecord } from './instance-records.js';
import { instanceTypeSpec } from './instance-types.js';
import { viewReservations } from './instance-views.js';
import { requireTemplate, resolveVersion } from './launch-templates.js';
import { attachEniToInstance, insertEni } from './network-interfaces.js';
import { defaultVpc, requireGroupByName } from './security-group-refs.js';
import { listDocs, type Scope } from './store.js';
import { applyTags, validateTags } from './tags.js';

/** How long a new instance stays pending before the controller starts it. */
export const PENDING_MS = 1_000;
/** EC2's default when neither the request nor a launch template names a type. */
const DEFAULT_INSTANCE_TYPE = 'm1.small';
const MAX_USER_DATA = 16_384;

/** Launch-template data under the request: the request's own parameters win, per parameter. */
function mergeTemplate(input: RunInstancesRequest, data: ResponseLaunchTemplateData): RunInstancesRequest {
  const tags = new Map<string, Map<string, string>>();
  for (const spec of [...(data.TagSpecifications ?? []), ...(input.TagSpecifications ?? [])]) {
    const kind = spec.ResourceType ?? '';
    if (!tags.has(kind)) tags.set(kind, new Map());
    for (const t of spec.Tags ?? []) tags.get(kind)!.set(t.Key ?? '', t.Value ?? '');
  }
  const fromTemplate: Partial<RunInstancesRequest> = {
    ImageId: data.ImageId,
    InstanceType: data.InstanceType,
    KeyName: data.KeyName,
    UserData: data.UserData,
    SecurityGroupIds: data.SecurityGroupIds,
    SecurityGroups: data.SecurityGroups,
    IamInstanceProfile: data.IamInstanceProfile,
    Placement: data.Placement as RunInstancesRequest['Placement'],
    Monitoring: data.Monitoring ? { Enabled: !!data.Monitoring.Enabled } : undefined,
    DisableApiTermination: data.DisableApiTermination,
    DisableApiStop: data.DisableApiStop,
    InstanceInitiatedShutdownBehavior: data.InstanceInitiatedShutdownBehavior,
    EbsOptimized: data.EbsOptimized,
    MetadataOptions: data.MetadataOptions as RunInstancesRequest['MetadataOptions'],
    NetworkInterfaces: data.NetworkInterfaces as InstanceNetworkInterfaceSpecification[] | undefined,
  };
  const merged: RunInstancesRequest = { ...input };
  const fields = merged as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(fromTemplate)) if (v !== undefined && fields[k] === undefined) fields[k] = v;
  // A subnet (or groups) in the request replaces the template's interface's (what Auto Scaling does with a group's subnets).
  if (input.SubnetId && !input.NetworkInterfaces && merged.NetworkInterfaces?.length) {
    merged.NetworkInterfaces = merged.NetworkInterfaces.map((n, i) => (i === 0 ? { ...n, SubnetId: input.SubnetId, ...(input.SecurityGroupIds ? { Groups: input.SecurityGroupIds } : {}) } : n));
    delete merged.SubnetId;
    delete merged.SecurityGroupIds;
  }
  merged.TagSpecifications = [...tags].map(([ResourceType, t]) => ({
    ResourceType: ResourceType as ResourceType, Tags: [...t].map(([Key, Value]) => ({ Key, Value })),
  }));
  return merged;
}

function digest(input: RunInstancesRequest): string {
  const { ClientToken: _t, DryRun: _d, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

interface NetworkPlan {
  subnet: Subnet;
  groups?: string[];
  privateIp?: string;
  existingEni?: string;
  deleteOnTermination: boolean;
}

/** Where the instances' primary interfaces go: a network interface specification, a subnet, or a default subnet. */
function planNetwork(s: Scope, input: RunInstancesRequest): NetworkPlan {
  const nics = input.NetworkInterfaces ?? [];
  if (nics.length && (input.SubnetId || input.SecurityGroupIds?.length || input.SecurityGroups?.length)) {
    throw invalidParameterCombination('Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request');
  }
  if (nics.length > 1) throw new AwsError('UnsupportedOperation', 'Berth instances have one network interface (device index 0).');
  const nic = nics[0];
  if (nic?.NetworkInterfaceId) {
    const eni = requireStored<NetworkInterface>(s, 'network-interface', nic.NetworkInterfaceId).doc;
    const subnet = requireStored<Subnet>(s, 'subnet', eni.SubnetId).doc;
    return { subnet, existingEni: eni.NetworkInterfaceId, deleteOnTermination: nic.DeleteOnTermination ?? false };
  }
  const subnetId = nic?.SubnetId ?? input.SubnetId;
  const groupIds = nic?.Groups ?? input.SecurityGroupIds;
  const privateIp = nic?.PrivateIpAddress ?? input.PrivateIpAddress;
  let subnet: Subnet;
  if (subnetId) subnet = requireStored<Subnet>(s, 'subnet', subnetId).doc;
  else {
    const vpc = defaultVpc(s);
    if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    const zone = input.Placement?.AvailabilityZone;
    const defaults = listDocs<Subnet>(s, 'subnet', { vpcId: vpc.id }).filter((x) => x.DefaultForAz);
    const found = zone ? defaults.find((x) => x.AvailabilityZone === zone) : defaults[0];
    if (!found) throw new AwsError('MissingInput', 'No subnets found for the default VPC. Please specify a subnet.');
    subnet = found;
  }
  if (input.Placement?.AvailabilityZone && input.Placement.AvailabilityZone !== subnet.AvailabilityZone) {
    throw invalidParameterValue(`Value (${input.Placement.AvailabilityZone}) for parameter availabilityZone is invalid. Subnet '${subnet.SubnetId}' is in the availability zone ${subnet.AvailabilityZone}`);
  }
  // Groups by name exist only in the default VPC.
  const byName = (input.SecurityGroups ?? []).map((n) => requireGroupByName(s, n).id);
  const groups = [...(groupIds ?? []), ...byName];
  return { subnet, groups: groups.length ? groups : undefined, privateIp, deleteOnTermination: nic?.DeleteOnTermination ?? true };
}

function resolveProfile(ctx: InstanceContext, spec: RunInstancesRequest['IamInstanceProfile']) {
  if (!spec?.Arn && !spec?.Name) return undefined;
  const iam = { sql: ctx.sql, account: ctx.account };
  if (spec.Arn) {
    const p = findInstanceProfileByArn(ctx.sql, spec.Arn);
    if (!p || !spec.Arn.includes(`::${ctx.account}:`)) {
      throw invalidParameterValue(`Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
    }
    return { Arn: p.Arn, Id: p.InstanceProfileId };
  }
  const p = findInstanceProfile(iam, spec.Name!);
  if (!p) throw invalidParameterValue(`Value (${spec.Name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
  return { Arn: p.Arn, Id: p.InstanceProfileId };
}

function checkUserData(userData: string | undefined): string | undefined {
  if (userData === undefined || userData === '') return undefined;
  const compact = userData.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalidParameterValue('Invalid BASE64 encoding of user data.');
  if (Buffer.from(compact, 'base64').length > MAX_USER_DATA) throw invalidParameterValue(`User data is limited to ${MAX_USER_DATA} bytes`);
  return compact;
}

/** Tags by the resource type their specification names (instances and interfaces get theirs; volumes are not modelled). */
function tagsByType(specs: RunInstancesRequest['TagSpecifications']): { instance: Tag[]; eni: Tag[] } {
  const allowed = new Set(['instance', 'volume', 'network-interface', 'spot-instances-request', 'elastic-gpu']);
  const out = { instance: [] as Tag[], eni: [] as Tag[] };
  for (const spec of specs ?? []) {
    const type = spec.ResourceType ?? '';
    if (!allowed.has(type)) throw invalidParameterValue(`'${type}' is not a valid taggable resource type for this operation.`);
    if (type === 'instance') out.instance.push(...(spec.Tags ?? []));
    if (type === 'network-interface') out.eni.push(...(spec.Tags ?? []));
  }
  return { instance: validateTags(out.instance), eni: validateTags(out.eni) };
}

export function runInstances(ctx: InstanceContext, request: RunInstancesRequest): Reservation {
  const s: Scope = ctx;
  if (request.ClientToken) {
    const earlier = instancesWithToken(s, request.ClientToken);
    if (earlier.length) {
      if (earlier[0].doc.requestDigest !== digest(request)) {
        throw new AwsError('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that is already deleted. Please use a different client token.');
      }
      return viewReservations(s, earlier)[0];
    }
  }
  let input = request;
  if (request.LaunchTemplate) {
    const t = requireTemplate(s, request.LaunchTemplate);
    input = mergeTemplate(request, resolveVersion(s, t, request.LaunchTemplate.Version).LaunchTemplateData ?? {});
  }
  if (!input.ImageId) throw missingParameter('ImageId');
  if (!/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(input.ImageId)) throw malformedAmi(input.ImageId);
  const image = findAmazonImage(ctx.region, input.ImageId);
  if (!image) throw amiNotFound([input.ImageId]);
  const typeName = input.InstanceType ?? DEFAULT_INSTANCE_TYPE;
  const type = instanceTypeSpec(typeName);
  if (!type) throw invalidParameterValue(`Invalid value '${typeName}' for InstanceType.`);
  const arch = image.image.architecture;
  if (type.arch !== arch) {
    throw invalidParameterValue(
      `The architecture '${type.arch}' of the specified instance type does not match the architecture '${arch}' of the specified AMI. ` +
      "Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.",
    );
  }
  const min = input.MinCount ?? 1;
  const max = input.MaxCount ?? min;
  if (min < 1) throw invalidParameterValue(`Value (${min}) for parameter minCount is invalid. Expected a positive integer.`);
  if (max < min) throw invalidParameterValue(`Value (${max}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount.`);
  const network = planNetwork(s, input);
  if (network.existingEni && max > 1) {
    throw invalidParameterCombination('Network interface ID cannot be specified when launching more than 1 instance.');
  }
  const profile = resolveProfile(ctx, input.IamInstanceProfile);
  const userData = checkUserData(input.UserData);
  const tags = tagsByType(input.TagSpecifications);
  const now = ctx.clock.now();
  const launchTime = new Date(now).toISOString();
  const reservationId = newId('r');
  const records: InstanceRecord[] = [];
  const requestDigest = request.ClientToken ? digest(request) : undefined;
  for (let index = 0; index < max; index++) {
    const id = newResourceId('instance');
    let eni: NetworkInterface;
    try {
      eni = network.existingEni
        ? attachEniToInstance(s, network.existingEni, { instanceId: id, deviceIndex: 0, deleteOnTermination: network.deleteOnTermination, attachTime: launchTime })
        : (() => {
            const created = insertEni(s, { subnetId: network.subnet.SubnetId!, securityGroups: network.groups, privateIpAddress: network.privateIp, tags: tags.eni });
            return attachEniToInstance(s, created.NetworkInterfaceId!, { instanceId: id, deviceIndex: 0, deleteOnTermination: network.deleteOnTermination, attachTime: launchTime });
          })();
    } catch (err) {
      // Fewer than MaxCount fit: launch what fits, as long as MinCount do.
      if (err instanceof AwsError && err.code === 'InsufficientFreeAddressesInSubnet' && index >= min) break;
      throw err;
    }
    const ebs = image.view.BlockDeviceMappings?.[0]?.Ebs;
    const instance: Instance = {
      AmiLaunchIndex: index,
      ImageId: input.ImageId,
      InstanceId: id,
      InstanceType: typeName as Instance['InstanceType'],
      ...(input.KeyName ? { KeyName: input.KeyName } : {}),
      LaunchTime: launchTime as unknown as Date,
      Monitoring: { State: input.Monitoring?.Enabled ? 'pending' : 'disabled' },
      Placement: { AvailabilityZone: network.subnet.AvailabilityZone, AvailabilityZoneId: network.subnet.AvailabilityZoneId, GroupName: '', Tenancy: 'default' },
      PrivateDnsName: eni.PrivateDnsName,
      PrivateIpAddress: eni.PrivateIpAddress,
      ProductCodes: [],
      PublicDnsName: '',
      State: stateOf('pending'),
      StateTransitionReason: '',
      SubnetId: eni.SubnetId,
      VpcId: eni.VpcId,
      Architecture: arch,
      BlockDeviceMappings: [{
        DeviceName: '/dev/xvda',
        Ebs: { AttachTime: launchTime as unknown as Date, DeleteOnTermination: ebs?.DeleteOnTermination ?? true, Status: 'attached', VolumeId: newId('vol') },
      }],
      ClientToken: input.ClientToken ?? '',
      EbsOptimized: input.EbsOptimized ?? false,
      EnaSupport: true,
      Hypervisor: 'xen',
      ...(profile ? { IamInstanceProfile: profile } : {}),
      NetworkInterfaces: [],
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      SecurityGroups: (eni.Groups ?? []).map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName })),
      SourceDestCheck: true,
      VirtualizationType: 'hvm',
      CpuOptions: { CoreCount: type.cores, ThreadsPerCore: type.vcpus / type.cores },
      CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
      HibernationOptions: { Configured: false },
      MetadataOptions: {
        State: 'pending',
        HttpTokens: input.MetadataOptions?.HttpTokens ?? (image.image.al2023 ? 'required' : 'optional'),
        HttpPutResponseHopLimit: input.MetadataOptions?.HttpPutResponseHopLimit ?? (image.image.al2023 ? 2 : 1),
        HttpEndpoint: input.MetadataOptions?.HttpEndpoint ?? 'enabled',
        HttpProtocolIpv6: 'disabled',
        InstanceMetadataTags: input.MetadataOptions?.InstanceMetadataTags ?? 'disabled',
      },
      EnclaveOptions: { Enabled: false },
      ...(image.image.al2023 ? { BootMode: 'uefi-preferred' as const } : {}),
      PlatformDetails: 'Linux/UNIX',
      UsageOperation: 'RunInstances',
      UsageOperationUpdateTime: launchTime as unknown as Date,
      PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
      MaintenanceOptions: { AutoRecovery: 'default' },
      CurrentInstanceBootMode: image.image.al2023 || arch === 'arm64' ? 'uefi' : 'legacy-bios',
    };
    const rec: InstanceRecord = {
      instance,
      reservationId,
      ...(userData ? { userData } : {}),
      disableApiTermination: input.DisableApiTermination ?? false,
      disableApiStop: input.DisableApiStop ?? false,
      shutdownBehavior: input.InstanceInitiatedShutdownBehavior ?? 'stop',
      ...(requestDigest ? { requestDigest } : {}),
      ecsOptimized: isEcsOptimized(image.image),
      nextAt: now + PENDING_MS,
      eniId: eni.NetworkInterfaceId!,
    };
    insertInstance(s, rec);
    applyTags(s, id, 'instance', tags.instance);
    records.push(rec);
    ctx.changed('ec2.instance', `${ctx.account}/${ctx.region}/${id}`);
  }
  return viewReservations(s, records.map((doc) => ({ id: doc.instance.InstanceId!, seq: 0, doc })))[0];
}
