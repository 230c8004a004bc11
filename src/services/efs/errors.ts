/**
 * EFS errors by their AWS names. Every EFS error shape carries an `ErrorCode`
 * member equal to its name (clients read it as well as the type), so each
 * constructor sets it; wording follows what EFS answers where it is known.
 */
import { AwsError } from '../../protocol/errors.js';

const efsError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  new AwsError(code, message, { fields: { ErrorCode: code, ...extra } });

export const badRequest = (message: string) => efsError('BadRequest', message);

export const fileSystemNotFound = (id: string) => efsError('FileSystemNotFound', `File system '${id}' does not exist.`);

export const fileSystemAlreadyExists = (token: string, id: string) =>
  efsError('FileSystemAlreadyExists', `File system '${id}' already exists with creation token '${token}'`, { FileSystemId: id });

export const fileSystemInUse = (id: string) =>
  efsError(
    'FileSystemInUse',
    `The file system '${id}' cannot be deleted because it has mount targets. You must delete the mount targets, and then try again.`,
  );

export const incorrectFileSystemLifeCycleState = (id: string, state: string) =>
  efsError('IncorrectFileSystemLifeCycleState', `File system '${id}' is in the '${state}' state; it must be 'available'.`);

export const accessPointNotFound = (id: string) => efsError('AccessPointNotFound', `Access point '${id}' does not exist.`);

export const accessPointAlreadyExists = (token: string, id: string) =>
  efsError('AccessPointAlreadyExists', `Access point '${id}' already exists with client token '${token}'`, { AccessPointId: id });

export const accessPointLimitExceeded = (fsId: string) =>
  efsError('AccessPointLimitExceeded', `File system '${fsId}' already has the maximum number of access points (10000).`);

export const mountTargetNotFound = (id: string) => efsError('MountTargetNotFound', `Mount target '${id}' does not exist.`);

export const mountTargetConflict = (message: string) => efsError('MountTargetConflict', message);

export const incorrectMountTargetState = (id: string, state: string) =>
  efsError('IncorrectMountTargetState', `Mount target '${id}' is in the '${state}' state; it must be 'available'.`);

export const subnetNotFound = (id: string) => efsError('SubnetNotFound', `The subnet ID '${id}' does not exist`);

export const securityGroupNotFound = (id: string) => efsError('SecurityGroupNotFound', `The security group '${id}' does not exist in the mount target's VPC.`);

export const securityGroupLimitExceeded = () =>
  efsError('SecurityGroupLimitExceeded', 'The maximum number of security groups per interface has been reached.');

export const ipAddressInUse = (ip: string) => efsError('IpAddressInUse', `The address ${ip} is already in use in the subnet.`);

export const noFreeAddressesInSubnet = (subnet: string) => efsError('NoFreeAddressesInSubnet', `Subnet '${subnet}' has no free addresses.`);

export const policyNotFound = (message: string) => efsError('PolicyNotFound', message);

export const invalidPolicy = (message: string) => efsError('InvalidPolicyException', message);

export const unsupportedAvailabilityZone = (az: string) =>
  efsError('UnsupportedAvailabilityZone', `Availability zone '${az}' is not supported for One Zone file systems.`);
