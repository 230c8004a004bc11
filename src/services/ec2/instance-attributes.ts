/**
 * ModifyInstanceAttribute and DescribeInstanceAttribute for the attributes
 * Berth's instances have: instance type and user data (only while stopped, as
 * on EC2), termination and stop protection, shutdown behaviour, source/dest
 * check, security groups (of the primary interface), EBS optimization.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html
 */
import type {
  DescribeInstanceAttributeRequest, InstanceAttribute, ModifyInstanceAttributeRequest, NetworkInterface, SecurityGroup,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { requireDoc } from './describe.js';
import { invalidParameter, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.js';
import { saveInstance, type InstanceRecord } from './instance-records.js';
import { instanceTypeSpec } from './instance-types.js';
import { requireInstances } from './instances.js';
import { getDoc, updateDoc, type Scope } from './store.js';

const notStopped = (id: string) => new AwsError('IncorrectInstanceState', `The instance '${id}' is not in the 'stopped' state.`);

function setGroups(s: Scope, rec: InstanceRecord, ids: string[]) {
  const eni = rec.eniId ? getDoc<NetworkInterface>(s, 'network-interface', rec.eniId) : undefined;
  if (!eni) throw new AwsError('IncorrectInstanceState', `The instance '${rec.instance.InstanceId}' is not in a state from which its groups can be changed.`);
  const groups = [...new Set(ids)].map((id) => {
    const g = requireDoc<SecurityGroup>(s, 'security-group', id);
    if (g.VpcId !== eni.VpcId) throw invalidParameter(`Security group ${id} and subnet ${eni.SubnetId} belong to different networks.`);
    return { GroupId: g.GroupId, GroupName: g.GroupName };
  });
  eni.Groups = groups;
  updateDoc(s, eni.NetworkInterfaceId!, eni);
}

export function modifyInstanceAttribute(ctx: RequestContext, input: ModifyInstanceAttributeRequest): Record<string, never> {
  const [{ doc: rec }] = requireInstances(ctx, [input.InstanceId!]);
  const i = rec.instance;
  const stopped = i.State?.Name === 'stopped';
  // The single-attribute form (Attribute + Value) is the older spelling of the same change.
  const given = { ...input };
  if (input.Attribute) {
    if (input.Value === undefined) throw missingParameter('value');
    const v = input.Value;
    const flag = { Value: v === 'true' };
    switch (input.Attribute) {
      case 'instanceType': given.InstanceType = { Value: v }; break;
      case 'disableApiTermination': given.DisableApiTermination = flag; break;
      case 'disableApiStop': given.DisableApiStop = flag; break;
      case 'instanceInitiatedShutdownBehavior': given.InstanceInitiatedShutdownBehavior = { Value: v }; break;
      case 'sourceDestCheck': given.SourceDestCheck = flag; break;
      case 'ebsOptimized': given.EbsOptimized = flag; break;
      case 'userData': given.UserData = { Value: Buffer.from(v, 'base64') }; break;
      default: throw invalidParameterValue(`Value (${input.Attribute}) for parameter attribute is invalid. Unsupported attribute`);
    }
  }
  const changes = [given.InstanceType, given.DisableApiTermination, given.DisableApiStop, given.InstanceInitiatedShutdownBehavior,
    given.SourceDestCheck, given.EbsOptimized, given.UserData, given.Groups?.length ? given.Groups : undefined].filter((x) => x !== undefined);
  if (!changes.length) throw missingParameter('attribute');
  if (changes.length > 1) throw invalidParameterCombination('Fields for multiple attribute types specified: only one attribute may be modified per call');
  if (given.InstanceType?.Value !== undefined) {
    if (!stopped) throw notStopped(i.InstanceId!);
    const type = instanceTypeSpec(given.InstanceType.Value);
    if (!type) throw invalidParameterValue(`Value (${given.InstanceType.Value}) for parameter instanceType is invalid. Invalid instance type.`);
    if (type.arch !== i.Architecture) {
      throw invalidParameterValue(`The instance type '${type.name}' is not supported for instance '${i.InstanceId}' with architecture '${i.Architecture}'.`);
    }
    i.InstanceType = type.name as typeof i.InstanceType;
    i.CpuOptions = { CoreCount: type.cores, ThreadsPerCore: type.vcpus / type.cores };
  }
  if (given.UserData) {
    if (!stopped) throw notStopped(i.InstanceId!);
    const bytes = Buffer.from(given.UserData.Value ?? new Uint8Array());
    if (bytes.length) rec.userData = bytes.toString('base64');
    else delete rec.userData;
  }
  if (given.DisableApiTermination) rec.disableApiTermination = !!given.DisableApiTermination.Value;
  if (given.DisableApiStop) rec.disableApiStop = !!given.DisableApiStop.Value;
  if (given.InstanceInitiatedShutdownBehavior) {
    const v = given.InstanceInitiatedShutdownBehavior.Value;
    if (v !== 'stop' && v !== 'terminate') throw invalidParameterValue(`Value (${v}) for parameter instanceInitiatedShutdownBehavior is invalid.`);
    rec.shutdownBehavior = v;
  }
  if (given.SourceDestCheck) i.SourceDestCheck = !!given.SourceDestCheck.Value;
  if (given.EbsOptimized) i.EbsOptimized = !!given.EbsOptimized.Value;
  if (given.Groups?.length) setGroups(ctx, rec, given.Groups);
  saveInstance(ctx, rec);
  return {};
}

export function describeInstanceAttribute(s: Scope, input: DescribeInstanceAttributeRequest): InstanceAttribute {
  const [{ doc: rec }] = requireInstances(s, [input.InstanceId!]);
  const i = rec.instance;
  const out: InstanceAttribute = { InstanceId: i.InstanceId };
  const eni = rec.eniId ? getDoc<NetworkInterface>(s, 'network-interface', rec.eniId) : undefined;
  switch (input.Attribute) {
    case 'instanceType': out.InstanceType = { Value: i.InstanceType }; break;
    case 'userData': out.UserData = rec.userData ? { Value: rec.userData } : {}; break;
    case 'disableApiTermination': out.DisableApiTermination = { Value: rec.disableApiTermination }; break;
    case 'disableApiStop': out.DisableApiStop = { Value: rec.disableApiStop }; break;
    case 'instanceInitiatedShutdownBehavior': out.InstanceInitiatedShutdownBehavior = { Value: rec.shutdownBehavior }; break;
    case 'rootDeviceName': out.RootDeviceName = { Value: i.RootDeviceName }; break;
    case 'blockDeviceMapping': out.BlockDeviceMappings = i.BlockDeviceMappings ?? []; break;
    case 'productCodes': out.ProductCodes = []; break;
    case 'sourceDestCheck': out.SourceDestCheck = { Value: i.SourceDestCheck }; break;
    case 'groupSet': out.Groups = eni?.Groups ?? i.SecurityGroups ?? []; break;
    case 'ebsOptimized': out.EbsOptimized = { Value: i.EbsOptimized }; break;
    case 'enaSupport': out.EnaSupport = { Value: i.EnaSupport }; break;
    case 'sriovNetSupport': out.SriovNetSupport = {}; break;
    case 'kernel': out.KernelId = {}; break;
    case 'ramdisk': out.RamdiskId = {}; break;
    case 'enclaveOptions': out.EnclaveOptions = { Enabled: false }; break;
    default: throw invalidParameterValue(`Value (${input.Attribute}) for parameter attribute is invalid. Unsupported attribute`);
  }
  return out;
}
